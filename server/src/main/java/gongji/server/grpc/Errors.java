package gongji.server.grpc;

import gongji.server.text.SafeText;
import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import gongji.server.ledger.DeadlinePassedException;
import gongji.server.ledger.HistoryUnavailableException;
import gongji.server.ledger.LedgerOverloadedException;
import gongji.server.ledger.LedgerQueryFailedException;
import gongji.server.ledger.LedgerUnavailableException;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.Result.Rejected;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place that turns outcomes into gRPC status. Every error carries a
 * {@code google.rpc.ErrorInfo} (domain {@value #DOMAIN}, a stable UPPER_SNAKE reason, metadata) and
 * bad input also a {@code google.rpc.BadRequest}. Retry advice follows grpc-java: UNAVAILABLE = retry
 * the same call; ABORTED = retry at a higher level; FAILED_PRECONDITION = not until the state changes.
 * INTERNAL is a bug on the gateway: it says nothing about retrying and never shows the Java exception.
 */
final class Errors {
  static final String DOMAIN = "gongji.io";
  private static final Logger log = Logger.getLogger(Errors.class.getName());

  private Errors() {}

  /** The status code of each refusal. */
  static Code code(Outcome outcome) {
    return switch (outcome) {
      case OK -> Code.OK;
      case INSTITUTION_NOT_FOUND, PATIENT_NOT_FOUND, TRANSACTION_NOT_FOUND, REQUEST_NOT_FOUND, BINDING_NOT_FOUND,
          WALLET_TRANSFER_NOT_FOUND ->
          Code.NOT_FOUND;
      case TERMINAL_NOT_REGISTERED, IMPERSONATION -> Code.PERMISSION_DENIED;
      case INSURED_NOT_ACTIVE, ACCOUNT_FROZEN, NO_PERSONAL_ACCOUNT, TRANSACTION_STATE_CONFLICT, REQUEST_ID_REVERSED,
          INSUFFICIENT_FUNDS, BINDING_NOT_ALLOWED, MUTUAL_AID_LIMIT_EXCEEDED, PAYOUT_MISMATCH,
          WALLET_NOT_OPEN, WALLET_TRANSFER_LIMIT_EXCEEDED, WALLET_TRANSFER_WINDOW_CLOSED, WALLET_TRANSFER_PENDING, SANDBOX_ONLY ->
          Code.FAILED_PRECONDITION;
      case AMOUNT_EXCEEDS_AUTHORIZED -> Code.INVALID_ARGUMENT;
      case REQUEST_ID_REUSED, CREDENTIAL_IN_USE -> Code.ALREADY_EXISTS;
      case LEDGER_UNAVAILABLE -> Code.UNAVAILABLE;
    };
  }

  /** A refusal by the ledger or the gateway. */
  static StatusRuntimeException rejected(Rejected r, Map<String, String> metadata) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(code(r.outcome()).getNumber())
        .setMessage(r.outcome().name() + ": " + r.detail())
        .addDetails(Any.pack(errorInfo(r.outcome().name(), metadata)));
    if (r.outcome() == Outcome.AMOUNT_EXCEEDS_AUTHORIZED) {
      status.addDetails(Any.pack(BadRequest.newBuilder()
          .addFieldViolations(BadRequest.FieldViolation.newBuilder()
              .setField("final_total_fen").setDescription(r.detail()))
          .build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  /** How long an overloaded gateway asks a caller to wait before sending the request again. */
  static final int OVERLOAD_RETRY_DELAY_NANOS = 100_000_000;

  /**
   * A call shed at admission: its {@code scope}'s bucket (terminal or institution) was empty. Nothing
   * was applied; RetryInfo says when the bucket admits the next call.
   */
  static StatusRuntimeException rateLimited(String scope, long retryDelayNanos, Map<String, String> metadata) {
    long delay = Math.max(retryDelayNanos, 1_000_000L);
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.RESOURCE_EXHAUSTED.getNumber())
        .setMessage("RATE_LIMITED: this " + scope + " sends more calls a second than it is allowed; nothing was"
            + " applied: retry the same request with the same request_id after the delay in RetryInfo")
        .addDetails(Any.pack(errorInfo("RATE_LIMITED", metadata)))
        .addDetails(Any.pack(com.google.rpc.RetryInfo.newBuilder()
            .setRetryDelay(com.google.protobuf.Duration.newBuilder()
                .setSeconds(delay / 1_000_000_000L).setNanos((int) (delay % 1_000_000_000L))).build()))
        .build());
  }

  /** Any failure of a call: bad input, an unavailable ledger, or a bug (never leaks internals). */
  static StatusRuntimeException failure(Throwable error, Map<String, String> metadata) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof BadInputException bad) {
      return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(Code.INVALID_ARGUMENT.getNumber())
          .setMessage(bad.getMessage())
          .addDetails(Any.pack(errorInfo("FIELD_INVALID", metadata)))
          .addDetails(Any.pack(BadRequest.newBuilder().addAllFieldViolations(bad.violations()).build()))
          .build());
    }
    if (e instanceof LedgerOverloadedException) {
      return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(Code.RESOURCE_EXHAUSTED.getNumber())
          .setMessage("LEDGER_UNAVAILABLE: the gateway is overloaded; nothing was applied: retry the same request"
              + " with the same request_id after the delay in RetryInfo")
          .addDetails(Any.pack(errorInfo("LEDGER_UNAVAILABLE", metadata)))
          .addDetails(Any.pack(com.google.rpc.RetryInfo.newBuilder()
              .setRetryDelay(com.google.protobuf.Duration.newBuilder().setNanos(OVERLOAD_RETRY_DELAY_NANOS)).build()))
          .build());
    }
    if (e instanceof DeadlinePassedException) {
      return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(Code.DEADLINE_EXCEEDED.getNumber())
          .setMessage("the call's deadline passed before the ledger reached it; nothing was applied and the"
              + " request_id may be sent again")
          .build());
    }
    if (e instanceof LedgerUnavailableException) {
      return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(Code.UNAVAILABLE.getNumber())
          .setMessage("LEDGER_UNAVAILABLE: " + e.getMessage() + "; retry the same request with the same request_id")
          .addDetails(Any.pack(errorInfo("LEDGER_UNAVAILABLE", metadata)))
          .build());
    }
    if (e instanceof HistoryUnavailableException) {
      return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(Code.UNAVAILABLE.getNumber())
          .setMessage("HISTORY_UNAVAILABLE: " + e.getMessage() + "; payments are not affected, retry the query later")
          .addDetails(Any.pack(errorInfo("HISTORY_UNAVAILABLE", metadata)))
          .build());
    }
    if (e instanceof LedgerQueryFailedException) {
      // A read failed alone; the sequencer has logged its cause once. Nothing was applied or changed.
      return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
          .setCode(Code.INTERNAL.getNumber())
          .setMessage("INTERNAL_ERROR: the ledger could not answer this query; nothing was changed, and the error is"
              + " logged on the gateway")
          .addDetails(Any.pack(errorInfo("INTERNAL_ERROR", metadata)))
          .build());
    }
    log.log(Level.SEVERE, "internal error", e);
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.INTERNAL.getNumber())
        .setMessage("INTERNAL_ERROR: the request was not applied; the error is logged on the gateway")
        .addDetails(Any.pack(errorInfo("INTERNAL_ERROR", metadata)))
        .build());
  }

  /**
   * The longest metadata value echoed back. Valid ids are shorter; a longer value is bad input the
   * client sent, and echoing it whole could push the trailers past the client's metadata limit.
   */
  static final int MAX_METADATA_VALUE_CHARS = 64;

  private static ErrorInfo errorInfo(String reason, Map<String, String> metadata) {
    ErrorInfo.Builder info = ErrorInfo.newBuilder().setReason(reason).setDomain(DOMAIN);
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      String v = e.getValue();
      info.putMetadata(e.getKey(), SafeText.escape(SafeText.cut(v, MAX_METADATA_VALUE_CHARS)));
    }
    return info.build();
  }
}
