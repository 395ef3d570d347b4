package gongji.client;

import com.google.rpc.ErrorInfo;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.ClientStreamTracer;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What became of the attempts of one call (the first and gRPC's retries), told by gRPC's stream
 * tracers: whether any of them may have reached the gateway. An attempt reached it if its headers
 * were written to the connection, unless the gateway refused it at admission (RESOURCE_EXHAUSTED with
 * reason LEDGER_UNAVAILABLE, RATE_LIMITED or OVERLOADED: shed before the ledger's queue, nothing applied) or said it
 * was not applied (reason NOT_APPLIED: its deadline passed before the ledger reached it; REQUEST_BODY_TIMEOUT: its
 * request never arrived whole, so it was not read). A call whose every
 * attempt failed before that (connection refused, no route, an unknown host, a TLS handshake that
 * failed) provably applied nothing, whatever its status says.
 */
final class Attempts extends ClientStreamTracer.Factory {
  private static final Metadata.Key<com.google.rpc.Status> DETAILS = Metadata.Key.of("grpc-status-details-bin",
      ProtoUtils.metadataMarshaller(com.google.rpc.Status.getDefaultInstance()));

  private final AtomicInteger made = new AtomicInteger();
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicInteger shed = new AtomicInteger();

  @Override
  public ClientStreamTracer newClientStreamTracer(ClientStreamTracer.StreamInfo info, Metadata headers) {
    made.incrementAndGet();
    return new ClientStreamTracer() {
      @Override
      public void outboundHeaders() {
        sent.incrementAndGet();
      }

      @Override
      public void inboundTrailers(Metadata trailers) {
        if (shedAtAdmission(trailers)) {
          shed.incrementAndGet();
        }
      }
    };
  }

  /**
   * Whether no attempt reached the gateway's ledger. False when no attempt was made through a
   * transport at all (a call failed by an interceptor before it started): then nothing is known.
   */
  boolean noneReached() {
    return made.get() > 0 && sent.get() == shed.get();
  }

  /**
   * Whether the gateway says this attempt applied nothing: shed at admission (RESOURCE_EXHAUSTED,
   * LEDGER_UNAVAILABLE, RATE_LIMITED or OVERLOADED), {@link RejectionReason#NOT_APPLIED} (its deadline passed before
   * the ledger reached it) or {@link RejectionReason#REQUEST_BODY_TIMEOUT} (its request never arrived whole).
   */
  private static boolean shedAtAdmission(Metadata trailers) {
    com.google.rpc.Status details = trailers.get(DETAILS);
    if (details == null) {
      return false;
    }
    boolean exhausted = details.getCode() == Status.Code.RESOURCE_EXHAUSTED.value();
    for (Any any : details.getDetailsList()) {
      try {
        if (any.is(ErrorInfo.class)) {
          String reason = any.unpack(ErrorInfo.class).getReason();
          return RejectionReason.NOT_APPLIED.name().equals(reason)
              || RejectionReason.REQUEST_BODY_TIMEOUT.name().equals(reason)
              || exhausted && (RejectionReason.LEDGER_UNAVAILABLE.name().equals(reason)
                  || RejectionReason.RATE_LIMITED.name().equals(reason)
                  || RejectionReason.OVERLOADED.name().equals(reason));
        }
      } catch (InvalidProtocolBufferException e) {
        return false;
      }
    }
    return false;
  }
}
