package gongji.server.domain;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

/** One line of a bill, already validated at the edge. */
public record LineItem(String code, ItemCategory category, boolean inPolicyScope, int quantity, long amountFen) {
  public LineItem {
    requireNonNull(code, "code");
    requireNonNull(category, "category");
    checkArgument(quantity > 0, "quantity: %s (expected: > 0)", quantity);
    checkArgument(amountFen >= 0, "amountFen: %s (expected: >= 0)", amountFen);
  }

  /** Whether some personal account could pay for this line (in scope and not forbidden). */
  public boolean accountPayable() {
    return inPolicyScope && !category.forbidden();
  }
}
