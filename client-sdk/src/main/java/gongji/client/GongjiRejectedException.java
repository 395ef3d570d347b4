package gongji.client;

import java.util.Map;

/** The gateway refused the request for good: retrying it unchanged gives the same answer. */
public final class GongjiRejectedException extends GongjiException {
  private static final long serialVersionUID = 1L;

  GongjiRejectedException(RejectionReason reason, String statusCode, String message, Map<String, String> metadata,
      Map<String, String> fieldViolations, Throwable cause) {
    super(reason, statusCode, message, metadata, fieldViolations, cause);
  }
}
