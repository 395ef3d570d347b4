package gongji.server.domain;

import static com.google.common.base.Preconditions.checkArgument;

/**
 * Splits a bill between the sources of funds, in the order the rules give: the patient's own account
 * first, then mutual aid in binding order, and what remains in cash.
 *
 * <p>Each source pays only the categories its region allows ({@code masks[i]}) and at most what it
 * has available ({@code availableFen[i]}: for an authorizer, above the retained floor and within the
 * quota). Within one source the optional categories (vaccines, check-ups) are drawn before the base
 * medical ones, because fewer later sources may be able to pay them. Pure and allocation-light: the
 * sequencer calls it for every authorization.
 */
public final class PaymentPlanner {
  /** Categories in the order a source draws on them: the optional ones first, then the base ones. */
  private static final ItemCategory[] DRAW_ORDER;

  static {
    ItemCategory[] order = new ItemCategory[ItemCategory.count()];
    int n = 0;
    for (ItemCategory c : ItemCategory.values()) {
      if (c.optional()) {
        order[n++] = c;
      }
    }
    for (ItemCategory c : ItemCategory.values()) {
      if (!c.optional() && !c.forbidden()) {
        order[n++] = c;
      }
    }
    ItemCategory[] trimmed = new ItemCategory[n];
    System.arraycopy(order, 0, trimmed, 0, n);
    DRAW_ORDER = trimmed;
  }

  private PaymentPlanner() {}

  /**
   * Fills {@code drawsFen[i]} with what source {@code i} pays and returns the cash remainder.
   *
   * @param bill the bill
   * @param sourceCount how many sources are used, in drawing order
   * @param availableFen what each source has available, in fen (>= 0)
   * @param masks the categories each source may pay
   * @param drawsFen out: what each source pays
   * @return the cash part of the bill, in fen
   */
  public static long allocate(Bill bill, int sourceCount, long[] availableFen, int[] masks, long[] drawsFen) {
    long[] remaining = bill.payableByCategoryFen();
    long paid = 0;
    for (int i = 0; i < sourceCount; i++) {
      long cap = availableFen[i];
      checkArgument(cap >= 0, "availableFen[%s]: %s (expected: >= 0)", i, cap);
      long draw = 0;
      for (ItemCategory c : DRAW_ORDER) {
        if (cap == 0) {
          break;
        }
        int k = c.code();
        if ((masks[i] & (1 << k)) == 0 || remaining[k] == 0) {
          continue;
        }
        long d = Math.min(cap, remaining[k]);
        remaining[k] -= d;
        cap -= d;
        draw += d;
      }
      drawsFen[i] = draw;
      paid += draw;
    }
    return bill.totalFen() - paid;
  }

  /**
   * Shrinks the legs of a settled sale to a lower final total: the reduction comes off the account
   * legs in reverse drawing order (the last mutual-aid leg first, the own account last) and only then
   * off cash. Accounts never pay for what the patient no longer buys, and cash never grows.
   *
   * @param legsFen the authorized legs in drawing order; shrunk in place
   * @param cashFen the authorized cash part
   * @param reductionFen the authorized total less the final total (>= 0, <= the authorized total)
   * @return the final cash part
   */
  public static long shrink(long[] legsFen, long cashFen, long reductionFen) {
    checkArgument(reductionFen >= 0, "reductionFen: %s (expected: >= 0)", reductionFen);
    long left = reductionFen;
    for (int i = legsFen.length - 1; i >= 0 && left > 0; i--) {
      long d = Math.min(left, legsFen[i]);
      legsFen[i] -= d;
      left -= d;
    }
    checkArgument(left <= cashFen, "reduction %s exceeds the authorized total", reductionFen);
    return cashFen - left;
  }
}
