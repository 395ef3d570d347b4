package gongji.client;

import java.util.Collections;
import java.util.Map;

/**
 * A call failed. Catch {@link GongjiRejectedException} (do not retry as is) and
 * {@link GongjiRetryableException} (retrying the same request, with the same request id, is safe).
 */
public abstract class GongjiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The stable reason. */
  private final RejectionReason reason;
  /** The gRPC status code name. */
  private final String statusCode;
  /** The error's metadata. */
  private final Map<String, String> metadata;
  /** Each invalid field and what is wrong with it. */
  private final Map<String, String> fieldViolations;

  /** Whether the request is known not to have taken effect. */
  private final boolean notApplied;
  /** The gateway's text for the cashier's screen (zh-CN), or "" when it sent none. */
  private String cashierMessage = "";
  /** The gateway's advice on when to send the same call again, in milliseconds; -1 when it gave none. */
  private long retryDelayMillis = -1;

  GongjiException(RejectionReason reason, String statusCode, String message, Map<String, String> metadata,
      Map<String, String> fieldViolations, Throwable cause) {
    this(reason, statusCode, message, metadata, fieldViolations, cause, reason == RejectionReason.NOT_APPLIED);
  }

  GongjiException(RejectionReason reason, String statusCode, String message, Map<String, String> metadata,
      Map<String, String> fieldViolations, Throwable cause, boolean notApplied) {
    super(message, cause);
    this.notApplied = notApplied;
    this.reason = reason;
    this.statusCode = statusCode;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.fieldViolations = Collections.unmodifiableMap(fieldViolations);
  }

  /** The stable reason. */
  public RejectionReason reason() {
    return reason;
  }

  /** The gRPC status code name, e.g. FAILED_PRECONDITION. */
  public String statusCode() {
    return statusCode;
  }

  /** The metadata of the error (request_id, transaction_id, ...). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Whether the request is known not to have taken effect, so that nothing needs looking up or
   * reversing: it never reached the gateway's ledger (connection refused, no route, shed at
   * admission; a {@link GongjiRetryableException}: send it again, the same request id is safe), or
   * the client looked it up and reversed it (a {@link GongjiRejectedException}: send it again with a
   * new request id). False for an unknown outcome ({@link RejectionReason#OUTCOME_UNKNOWN}).
   */
  public boolean notApplied() {
    return notApplied;
  }

  /** For FIELD_INVALID: each invalid field and what is wrong with it. */
  public Map<String, String> fieldViolations() {
    return fieldViolations;
  }

  /**
   * What to show the cashier (the gateway's {@code google.rpc.LocalizedMessage} in zh-CN, e.g.
   * "就诊凭证与参保人不一致，疑似冒名就医，已拒绝并记录"), or "" when the gateway sent none (a failure that
   * never reached it). For software, branch on {@link #reason()}.
   */
  public String cashierMessage() {
    return cashierMessage;
  }

  /**
   * How long the gateway asks the caller to wait before sending the same call again (its
   * {@code google.rpc.RetryInfo}), in milliseconds; -1 when it gave no such advice.
   */
  public long retryDelayMillis() {
    return retryDelayMillis;
  }

  /** Sets what the gateway's error details said besides the reason; returns this exception. */
  GongjiException details(String cashierMessage, long retryDelayMillis) {
    this.cashierMessage = cashierMessage;
    this.retryDelayMillis = retryDelayMillis;
    return this;
  }
}
