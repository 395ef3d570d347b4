package gongji.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.RetryInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/** Turns a failed call into the SDK's typed exceptions. */
final class ErrorTranslator {
  private ErrorTranslator() {}

  /**
   * The typed exception for a failed call. {@code requestId}, when not null, is added to the
   * metadata as {@code request_id} unless the gateway already named it: a caller who did not choose
   * the id still learns which one to resend or reverse.
   */
  static GongjiException translate(Throwable error, String requestId) {
    return translate(error, requestId, false);
  }

  /**
   * As {@link #translate(Throwable, String)}; when {@code noneReached} (no attempt of the call reached
   * the gateway's ledger), a passing failure is {@link RejectionReason#NOT_APPLIED} and {@link
   * GongjiException#notApplied()} instead of an unknown outcome: sending it again, with the same
   * request id, is safe.
   */
  static GongjiException translate(Throwable error, String requestId, boolean noneReached) {
    if (error instanceof GongjiException) {
      return (GongjiException) error;
    }
    return translated(error, requestId, noneReached);
  }

  private static GongjiException translated(Throwable error, String requestId, boolean noneReached) {
    Status status = Status.fromThrowable(error);
    Map<String, String> metadata = new HashMap<String, String>();
    if (requestId != null) {
      metadata.put("request_id", requestId);
    }
    Map<String, String> fields = new LinkedHashMap<String, String>();
    RejectionReason reason = null;
    String cashierMessage = "";
    long retryDelayMillis = -1;
    com.google.rpc.Status detail = StatusProto.fromThrowable(error);
    if (detail != null) {
      for (Any any : detail.getDetailsList()) {
        try {
          if (any.is(ErrorInfo.class)) {
            ErrorInfo info = any.unpack(ErrorInfo.class);
            reason = RejectionReason.of(info.getReason());
            metadata.putAll(info.getMetadataMap());
          } else if (any.is(LocalizedMessage.class)) {
            cashierMessage = any.unpack(LocalizedMessage.class).getMessage();
          } else if (any.is(RetryInfo.class)) {
            com.google.protobuf.Duration d = any.unpack(RetryInfo.class).getRetryDelay();
            retryDelayMillis = d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
          } else if (any.is(BadRequest.class)) {
            for (BadRequest.FieldViolation v : any.unpack(BadRequest.class).getFieldViolationsList()) {
              fields.put(v.getField(), v.getDescription());
            }
          }
        } catch (InvalidProtocolBufferException e) {
          // A detail we cannot read: the status code and message still say what happened.
        }
      }
    }
    String message = status.getCode() + ": " + (status.getDescription() == null ? "" : status.getDescription());
    return exception(status.getCode(), reason, message, metadata, fields, error, noneReached)
        .details(cashierMessage, retryDelayMillis);
  }

  private static GongjiException exception(Status.Code code, RejectionReason reason, String message,
      Map<String, String> metadata, Map<String, String> fields, Throwable error, boolean noneReached) {
    if (reason == RejectionReason.NOT_APPLIED) {
      // The gateway says it applied nothing (the deadline passed before its ledger reached the
      // request): a known outcome, not an unknown one; the same request id may be sent again.
      return new GongjiRetryableException(RejectionReason.NOT_APPLIED, code.name(), message, metadata, error, true);
    }
    if (noneReached && code != Status.Code.OK && !isRefusal(code)) {
      return new GongjiRetryableException(RejectionReason.NOT_APPLIED, code.name(), message
          + " (the request did not reach the gateway's ledger: nothing was applied; it may be sent again with the"
          + " same request id)", metadata, error, true);
    }
    switch (code) {
      case UNAVAILABLE:
      case RESOURCE_EXHAUSTED: // shed before it was queued: not applied, send the same request again later
        return new GongjiRetryableException(reason == null ? RejectionReason.LEDGER_UNAVAILABLE : reason,
            code.name(), message, metadata, error);
      case DEADLINE_EXCEEDED:
      case CANCELLED:
        return new GongjiRetryableException(RejectionReason.OUTCOME_UNKNOWN, code.name(), message,
            metadata, error);
      default:
        return new GongjiRejectedException(reason == null ? RejectionReason.UNKNOWN : reason, code.name(),
            message, metadata, fields, error);
    }
  }

  /** Whether a status is a refusal of the request itself rather than a passing failure. */
  private static boolean isRefusal(Status.Code code) {
    switch (code) {
      case UNAVAILABLE:
      case RESOURCE_EXHAUSTED:
      case DEADLINE_EXCEEDED:
      case CANCELLED:
        return false;
      default:
        return true;
    }
  }
}
