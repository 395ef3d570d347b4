package gongji.server.domain;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.List;

/**
 * A bill reduced to what the payment rules need: the total, and per category the amount that is in
 * policy scope (what accounts might pay). Out-of-scope lines and forbidden categories count only in
 * the total: they are paid in cash.
 */
public final class Bill {
  private final long totalFen;
  private final long[] payableByCategoryFen;

  private Bill(long totalFen, long[] payableByCategoryFen) {
    this.totalFen = totalFen;
    this.payableByCategoryFen = payableByCategoryFen;
  }

  /** Sums the items; throws {@link ArithmeticException} if the total overflows a long. */
  public static Bill of(List<LineItem> items) {
    checkArgument(!items.isEmpty(), "items: empty (expected: at least one)");
    long total = 0;
    long[] payable = new long[ItemCategory.count()];
    for (LineItem item : items) {
      total = Math.addExact(total, item.amountFen());
      if (item.accountPayable()) {
        int c = item.category().code();
        payable[c] = Math.addExact(payable[c], item.amountFen());
      }
    }
    return new Bill(total, payable);
  }

  /** A bill from its parts, as the journal stores it. */
  public static Bill of(long totalFen, long[] payableByCategoryFen) {
    checkArgument(payableByCategoryFen.length == ItemCategory.count(),
        "payableByCategoryFen: %s entries (expected: %s)", payableByCategoryFen.length, ItemCategory.count());
    long sum = 0;
    for (int c = 0; c < payableByCategoryFen.length; c++) {
      checkArgument(payableByCategoryFen[c] >= 0, "payable[%s]: %s (expected: >= 0)", c, payableByCategoryFen[c]);
      checkArgument(payableByCategoryFen[c] == 0 || !ItemCategory.ofCode(c).forbidden(),
          "payable[%s]: forbidden category", ItemCategory.ofCode(c));
      sum = Math.addExact(sum, payableByCategoryFen[c]);
    }
    checkArgument(sum <= totalFen, "payable %s exceeds total %s", sum, totalFen);
    return new Bill(totalFen, payableByCategoryFen.clone());
  }

  public long totalFen() {
    return totalFen;
  }

  /** The amount in policy scope for a category, in fen. */
  public long payableFen(ItemCategory category) {
    return payableByCategoryFen[category.code()];
  }

  /** A copy of the per-category payable amounts, indexed by category code. */
  public long[] payableByCategoryFen() {
    return payableByCategoryFen.clone();
  }

  /** What accounts allowed the categories of {@code mask} could pay, in fen. */
  public long payableFen(int mask) {
    long sum = 0;
    for (int c = 0; c < payableByCategoryFen.length; c++) {
      if ((mask & (1 << c)) != 0) {
        sum += payableByCategoryFen[c];
      }
    }
    return sum;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Bill b && b.totalFen == totalFen && Arrays.equals(b.payableByCategoryFen, payableByCategoryFen);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(totalFen) * 31 + Arrays.hashCode(payableByCategoryFen);
  }

  @Override
  public String toString() {
    return "Bill{totalFen=" + totalFen + ", payable=" + Arrays.toString(payableByCategoryFen) + "}";
  }
}
