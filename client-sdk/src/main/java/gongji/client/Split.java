package gongji.client;

import java.util.Collections;
import java.util.List;

/** How a bill is split: own account, mutual aid, cash. All amounts are exact fen. */
public final class Split {
  private final long totalFen;
  private final long inScopeFen;
  private final long accountPayFen;
  private final long mutualAidPayFen;
  private final long cashPayFen;
  private final List<Leg> legs;
  private final long balanceAfterFen;

  /** A split, as the gateway reported it. */
  public Split(long totalFen, long inScopeFen, long accountPayFen, long mutualAidPayFen, long cashPayFen,
      List<Leg> legs, long balanceAfterFen) {
    this.totalFen = totalFen;
    this.inScopeFen = inScopeFen;
    this.accountPayFen = accountPayFen;
    this.mutualAidPayFen = mutualAidPayFen;
    this.cashPayFen = cashPayFen;
    this.legs = Collections.unmodifiableList(legs);
    this.balanceAfterFen = balanceAfterFen;
  }

  /** The whole bill (`medfee_sumamt`). */
  public long totalFen() {
    return totalFen;
  }

  /** The part personal accounts may pay. */
  public long inScopeFen() {
    return inScopeFen;
  }

  /** Paid from the patient's own account (`acct_pay`). */
  public long accountPayFen() {
    return accountPayFen;
  }

  /** Paid from relatives' accounts (`acct_mulaid_pay`). */
  public long mutualAidPayFen() {
    return mutualAidPayFen;
  }

  /** Paid in cash (`psn_cash_pay`). */
  public long cashPayFen() {
    return cashPayFen;
  }

  /** The legs in drawing order. */
  public List<Leg> legs() {
    return legs;
  }

  /** The patient's own available balance after this step (`balc`). */
  public long balanceAfterFen() {
    return balanceAfterFen;
  }
}
