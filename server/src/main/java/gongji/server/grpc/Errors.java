package gongji.server.grpc;

import gongji.server.text.SafeText;
import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.LocalizedMessage;
import com.google.rpc.RetryInfo;
import gongji.server.ledger.DeadlinePassedException;
import gongji.server.ledger.HistoryUnavailableException;
import gongji.server.ledger.LedgerOverloadedException;
import gongji.server.ledger.LedgerQueryFailedException;
import gongji.server.ledger.LedgerUnavailableException;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.Result.Rejected;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place that turns outcomes into gRPC status. Every error carries a
 * {@code google.rpc.ErrorInfo} (domain {@value #DOMAIN}, a stable UPPER_SNAKE reason, metadata), a
 * {@code google.rpc.LocalizedMessage} in zh-CN, a {@code google.rpc.RetryInfo} when the same call may
 * be sent again, and bad input also a {@code google.rpc.BadRequest}. Retry advice follows grpc-java: UNAVAILABLE = retry
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
          WALLET_NOT_OPEN, WALLET_TRANSFER_LIMIT_EXCEEDED, WALLET_TRANSFER_WINDOW_CLOSED, WALLET_TRANSFER_PENDING, SANDBOX_ONLY,
          SHAREABLE_BALANCE_EXCEEDED, NOT_A_PARTY, BINDING_STATE_CONFLICT, BINDING_NOT_ACTIVE, QUOTA_NOT_ALLOWED,
          QUOTA_BELOW_DRAWN, WALLET_TRANSFER_STATE_CONFLICT, PREMIUM_NOT_PAYABLE, PAYOUT_NOT_ALLOWED ->
          Code.FAILED_PRECONDITION;
      case AMOUNT_EXCEEDS_AUTHORIZED -> Code.INVALID_ARGUMENT;
      case REQUEST_ID_REUSED, CREDENTIAL_IN_USE, BINDING_EXISTS -> Code.ALREADY_EXISTS;
      case LEDGER_UNAVAILABLE -> Code.UNAVAILABLE;
    };
  }

  /** A refusal by the ledger or the gateway. */
  static StatusRuntimeException rejected(Rejected r, Map<String, String> metadata) {
    String reason = r.outcome().name();
    com.google.rpc.Status.Builder status = status(code(r.outcome()), reason, reason + ": " + r.detail(), metadata);
    if (r.outcome() == Outcome.AMOUNT_EXCEEDS_AUTHORIZED) {
      status.addDetails(Any.pack(BadRequest.newBuilder()
          .addFieldViolations(BadRequest.FieldViolation.newBuilder()
              .setField("final_total_fen").setDescription(r.detail()))
          .build()));
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  /** How long an overloaded gateway asks a caller to wait before sending the request again. */
  static final Duration OVERLOAD_RETRY_DELAY = Duration.ofMillis(100);
  /** How long a caller is asked to wait before sending again what a stopping ledger or history refused. */
  static final Duration UNAVAILABLE_RETRY_DELAY = Duration.ofSeconds(1);

  /**
   * A call shed at admission: its {@code scope}'s bucket (terminal or institution) was empty:
   * RESOURCE_EXHAUSTED, reason RATE_LIMITED, the cashier's text, and a RetryInfo of when the bucket
   * admits the next call (1 ms at least). Nothing was applied.
   */
  static StatusRuntimeException rateLimited(String scope, long retryDelayNanos, Map<String, String> metadata) {
    return StatusProto.toStatusRuntimeException(status(Code.RESOURCE_EXHAUSTED, "RATE_LIMITED", "RATE_LIMITED: this "
        + scope + " sends more calls a second than it is allowed; nothing was applied: retry the same request with"
        + " the same request_id after the delay in RetryInfo", metadata,
        Duration.ofNanos(Math.max(retryDelayNanos, 1_000_000L))).build());
  }

  /**
   * A call shed because the gateway already serves {@code maxInFlight} calls: RESOURCE_EXHAUSTED,
   * reason OVERLOADED (metadata {@code max_in_flight}), the cashier's text and a RetryInfo of
   * {@link #OVERLOAD_RETRY_DELAY}. Nothing was applied. Made once and sent to every call shed.
   */
  static com.google.rpc.Status overloaded(int maxInFlight) {
    return status(Code.RESOURCE_EXHAUSTED, "OVERLOADED", "OVERLOADED: the gateway is serving as many calls as it"
        + " may at once (admission.max.in.flight.calls=" + maxInFlight + ", fewer while it falls behind); nothing was"
        + " applied: retry the same"
        + " request with the same request_id after the delay in RetryInfo",
        Map.of("max_in_flight", Integer.toString(maxInFlight)), OVERLOAD_RETRY_DELAY).build();
  }

  /**
   * A call refused at its headers because the gateway already waits for the rest of
   * {@code maxAwaitingBody} requests (calls whose headers came but whose request has not all
   * arrived): RESOURCE_EXHAUSTED, reason OVERLOADED (metadata {@code max_awaiting_body}), the
   * cashier's text and a RetryInfo of {@link #OVERLOAD_RETRY_DELAY}, as the bound on calls in flight
   * refuses. Nothing was read or applied. Made once and sent to every call refused.
   */
  static com.google.rpc.Status awaitingBodyFull(int maxAwaitingBody) {
    return status(Code.RESOURCE_EXHAUSTED, "OVERLOADED", "OVERLOADED: the gateway already waits for the rest of as"
        + " many requests as it may (max.calls.awaiting.body=" + maxAwaitingBody + "); nothing was applied: retry the"
        + " same request with the same request_id after the delay in RetryInfo",
        Map.of("max_awaiting_body", Integer.toString(maxAwaitingBody)), OVERLOAD_RETRY_DELAY).build();
  }

  /**
   * A call ended because its request did not arrive whole (no end of stream) within
   * {@code timeoutSeconds} of its headers: UNAVAILABLE (grpc-java's "retry the same call": the
   * request never reached the gateway whole, so sending it again is safe), reason
   * REQUEST_BODY_TIMEOUT (metadata {@code timeout_seconds}) and a RetryInfo of
   * {@link #UNAVAILABLE_RETRY_DELAY}. Its handler never ran: nothing was applied and its request id
   * is unused. Made once and sent to every call so ended.
   */
  static com.google.rpc.Status bodyTimedOut(long timeoutSeconds) {
    return status(Code.UNAVAILABLE, "REQUEST_BODY_TIMEOUT", "REQUEST_BODY_TIMEOUT: the request did not arrive whole"
        + " within request.body.timeout.seconds=" + timeoutSeconds + " of its headers; it was not read and nothing"
        + " was applied: send the same request with the same request_id again",
        Map.of("timeout_seconds", Long.toString(timeoutSeconds)), UNAVAILABLE_RETRY_DELAY).build();
  }

  /** Any failure of a call: bad input, an unavailable ledger, or a bug (never leaks internals). */
  static StatusRuntimeException failure(Throwable error, Map<String, String> metadata) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    com.google.rpc.Status.Builder status;
    if (e instanceof BadInputException bad) {
      status = status(Code.INVALID_ARGUMENT, "FIELD_INVALID", bad.getMessage(), metadata)
          .addDetails(Any.pack(BadRequest.newBuilder().addAllFieldViolations(bad.violations()).build()));
    } else if (e instanceof LedgerOverloadedException) {
      status = status(Code.RESOURCE_EXHAUSTED, "LEDGER_UNAVAILABLE", "LEDGER_UNAVAILABLE: the gateway is overloaded;"
          + " nothing was applied: retry the same request with the same request_id after the delay in RetryInfo",
          metadata, OVERLOAD_RETRY_DELAY);
    } else if (e instanceof DeadlinePassedException) {
      status = status(Code.DEADLINE_EXCEEDED, "NOT_APPLIED", "NOT_APPLIED: the call's deadline passed before the"
          + " ledger reached it; nothing was applied and the request_id may be sent again", metadata,
          OVERLOAD_RETRY_DELAY);
    } else if (e instanceof LedgerUnavailableException) {
      status = status(Code.UNAVAILABLE, "LEDGER_UNAVAILABLE", "LEDGER_UNAVAILABLE: " + e.getMessage()
          + "; retry the same request with the same request_id", metadata);
    } else if (e instanceof HistoryUnavailableException) {
      status = status(Code.UNAVAILABLE, "HISTORY_UNAVAILABLE", "HISTORY_UNAVAILABLE: " + e.getMessage()
          + "; payments are not affected, retry the query later", metadata);
    } else if (e instanceof LedgerQueryFailedException) {
      // A read failed alone; the sequencer has logged its cause once. Nothing was applied or changed.
      status = status(Code.INTERNAL, "INTERNAL_ERROR", "INTERNAL_ERROR: the ledger could not answer this query;"
          + " nothing was changed, and the error is logged on the gateway", metadata);
    } else {
      log.log(Level.SEVERE, "internal error", e);
      status = status(Code.INTERNAL, "INTERNAL_ERROR",
          "INTERNAL_ERROR: the request was not applied; the error is logged on the gateway", metadata);
    }
    return StatusProto.toStatusRuntimeException(status.build());
  }

  /**
   * The status of every error the gateway sends (AIP-193), built only on a refusal: an ErrorInfo with
   * {@code reason} (an ErrorReason name) and {@code metadata}, a LocalizedMessage in zh-CN for the
   * cashier's screen ({@link CashierText}), and for a code after which the same call may be sent again
   * (UNAVAILABLE, RESOURCE_EXHAUSTED, whoever refuses: the ledger, admission or a rate limit) a
   * RetryInfo of {@link #UNAVAILABLE_RETRY_DELAY}. Callers add further details (BadRequest).
   */
  static com.google.rpc.Status.Builder status(Code code, String reason, String message, Map<String, String> metadata) {
    boolean retryable = code == Code.UNAVAILABLE || code == Code.RESOURCE_EXHAUSTED;
    return status(code, reason, message, metadata, retryable ? UNAVAILABLE_RETRY_DELAY : null);
  }

  /** As {@link #status(Code, String, String, Map)}, with a RetryInfo of {@code retryDelay} unless it is null. */
  static com.google.rpc.Status.Builder status(Code code, String reason, String message, Map<String, String> metadata,
      Duration retryDelay) {
    com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
        .setCode(code.getNumber())
        .setMessage(message)
        .addDetails(Any.pack(errorInfo(reason, metadata)))
        .addDetails(Any.pack(LocalizedMessage.newBuilder()
            .setLocale(CashierText.LOCALE).setMessage(CashierText.of(reason, code)).build()));
    if (retryDelay != null) {
      status.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(com.google.protobuf.Duration.newBuilder()
          .setSeconds(retryDelay.getSeconds()).setNanos(retryDelay.getNano())).build()));
    }
    return status;
  }

  /** {@link #status(Code, String, String, Map)} as an exception to throw or to close a call with. */
  static StatusRuntimeException exception(Code code, String reason, String message, Map<String, String> metadata) {
    return StatusProto.toStatusRuntimeException(status(code, reason, message, metadata).build());
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
