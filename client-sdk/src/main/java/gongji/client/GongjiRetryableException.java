package gongji.client;

import java.util.Map;

/**
 * The call failed for a passing reason (the gateway was unavailable, the deadline passed): sending
 * the same request again, with the same request id, is safe and will not charge twice.
 */
public final class GongjiRetryableException extends GongjiException {
  private static final long serialVersionUID = 1L;

  GongjiRetryableException(RejectionReason reason, String statusCode, String message, Map<String, String> metadata,
      Throwable cause) {
    this(reason, statusCode, message, metadata, cause, false);
  }

  GongjiRetryableException(RejectionReason reason, String statusCode, String message, Map<String, String> metadata,
      Throwable cause, boolean notApplied) {
    super(reason, statusCode, message, metadata, java.util.Collections.<String, String>emptyMap(), cause, notApplied);
  }
}
