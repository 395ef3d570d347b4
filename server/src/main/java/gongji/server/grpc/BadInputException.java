package gongji.server.grpc;

import com.google.rpc.BadRequest;
import java.util.List;

/** The request is malformed; carries every field violation found. Becomes INVALID_ARGUMENT. */
final class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<BadRequest.FieldViolation> violations;

  /**
   * How many violations a refusal reports: the rest are counted, not listed, so that the status
   * (message and details travel in the trailers) stays far below a client's metadata size limit.
   */
  static final int MAX_REPORTED_VIOLATIONS = 8;

  BadInputException(List<BadRequest.FieldViolation> violations) {
    super(summary(violations), null, false, false);
    this.violations = List.copyOf(violations.subList(0, Math.min(violations.size(), MAX_REPORTED_VIOLATIONS)));
  }

  List<BadRequest.FieldViolation> violations() {
    return violations;
  }

  private static String summary(List<BadRequest.FieldViolation> violations) {
    StringBuilder sb = new StringBuilder("invalid request: ");
    int shown = Math.min(violations.size(), MAX_REPORTED_VIOLATIONS);
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        sb.append("; ");
      }
      sb.append(violations.get(i).getField()).append(": ").append(violations.get(i).getDescription());
    }
    if (violations.size() > shown) {
      sb.append("; and ").append(violations.size() - shown).append(" more");
    }
    return sb.toString();
  }
}
