package gongji.server.grpc;

import com.google.rpc.BadRequest;
import java.util.List;

/** The request is malformed; carries every field violation found. Becomes INVALID_ARGUMENT. */
final class BadInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient List<BadRequest.FieldViolation> violations;

  BadInputException(List<BadRequest.FieldViolation> violations) {
    super(summary(violations), null, false, false);
    this.violations = List.copyOf(violations);
  }

  List<BadRequest.FieldViolation> violations() {
    return violations;
  }

  private static String summary(List<BadRequest.FieldViolation> violations) {
    StringBuilder sb = new StringBuilder("invalid request: ");
    for (int i = 0; i < violations.size(); i++) {
      if (i > 0) {
        sb.append("; ");
      }
      sb.append(violations.get(i).getField()).append(": ").append(violations.get(i).getDescription());
    }
    return sb.toString();
  }
}
