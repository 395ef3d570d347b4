package gongji.server.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.InputStream;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Bytes that are not a valid request message (a string field that is not UTF-8, a truncated varint,
 * a wrong wire type) answer INVALID_ARGUMENT with {@code FIELD_INVALID}, and are logged once a
 * minute per method and kind of fault, without a stack trace. Left to grpc-java, the parse failure
 * escapes the call listener: the caller gets UNKNOWN and the log a stack trace per call.
 *
 * <p>How: the service takes the request as raw bytes ({@link ServerInterceptors#useInputStreamMessages}),
 * so that it is parsed inside our listener, where the failure can be caught and answered.
 */
public final class MalformedRequests implements ServerInterceptor {
  private static final Logger log = Logger.getLogger(MalformedRequests.class.getName());
  private static final MalformedRequests INSTANCE = new MalformedRequests(RateLimitedLog.perMinute(log));

  private final RateLimitedLog rateLimitedLog;

  MalformedRequests(RateLimitedLog rateLimitedLog) {
    this.rateLimitedLog = rateLimitedLog;
  }

  /** {@code service}, answering malformed requests as described above. */
  public static ServerServiceDefinition guard(ServerServiceDefinition service) {
    return ServerInterceptors.intercept(ServerInterceptors.useInputStreamMessages(service), INSTANCE);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    ServerCall.Listener<InputStream> listener = (ServerCall.Listener<InputStream>) next.startCall(call, headers);
    return (ServerCall.Listener<Q>) new SimpleForwardingServerCallListener<InputStream>(listener) {
      private boolean refused;

      @Override
      public void onMessage(InputStream message) {
        if (refused) {
          return;
        }
        try {
          super.onMessage(message);
        } catch (StatusRuntimeException e) {
          InvalidProtocolBufferException bad = malformation(e);
          if (bad == null) {
            throw e;
          }
          refused = true;
          refuse(call, bad);
        }
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  /** The parse failure behind {@code e}, or null when {@code e} is something else. */
  private static InvalidProtocolBufferException malformation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidProtocolBufferException bad) {
        return bad;
      }
    }
    return null;
  }

  private void refuse(ServerCall<?, ?> call, InvalidProtocolBufferException bad) {
    String method = call.getMethodDescriptor().getFullMethodName();
    String fault = String.valueOf(bad.getMessage());
    rateLimitedLog.log(Level.WARNING, method + ":" + bad.getClass().getSimpleName() + ":" + cause(fault),
        () -> "malformed request to " + method + " from " + call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)
            + ": " + fault + " (answered INVALID_ARGUMENT)");
    StatusRuntimeException e = StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.INVALID_ARGUMENT.getNumber())
        .setMessage("FIELD_INVALID: the request is not a valid message for " + method + ": " + fault)
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("FIELD_INVALID").setDomain(Errors.DOMAIN)
            .putMetadata("method", method).build()))
        .build());
    call.close(e.getStatus(), e.getTrailers());
  }

  /** A short key for the kind of fault: the message up to its first period (protobuf's are fixed text). */
  private static String cause(String fault) {
    int end = fault.indexOf('.');
    return fault.substring(0, Math.min(end < 0 ? fault.length() : end, 80));
  }
}
