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

  GongjiException(RejectionReason reason, String statusCode, String message, Map<String, String> metadata,
      Map<String, String> fieldViolations, Throwable cause) {
    super(message, cause);
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

  /** For FIELD_INVALID: each invalid field and what is wrong with it. */
  public Map<String, String> fieldViolations() {
    return fieldViolations;
  }
}
