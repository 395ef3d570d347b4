package gongji.client;

/** One movement behind a day's reconciliation totals (a 3202 detail line). */
public final class ReconcileLine {
  private final String transactionId;
  private final String kind;
  private final long timeMillis;
  private final long totalFen;
  private final long accountPayFen;
  private final long mutualAidPayFen;
  private final long cashPayFen;
  private final ReconcileGroup group;

  ReconcileLine(String transactionId, String kind, long timeMillis, long totalFen, long accountPayFen,
      long mutualAidPayFen, long cashPayFen, ReconcileGroup group) {
    this.group = group;
    this.transactionId = transactionId;
    this.kind = kind;
    this.timeMillis = timeMillis;
    this.totalFen = totalFen;
    this.accountPayFen = accountPayFen;
    this.mutualAidPayFen = mutualAidPayFen;
    this.cashPayFen = cashPayFen;
  }

  /** The settlement. @return the transaction id */
  public String transactionId() {
    return transactionId;
  }

  /** What moved. @return SETTLED, REFUNDED, SETTLEMENT_REVERSED or REFUND_REVERSED */
  public String kind() {
    return kind;
  }

  /** When. @return epoch milliseconds */
  public long timeMillis() {
    return timeMillis;
  }

  /** The bill. @return fen */
  public long totalFen() {
    return totalFen;
  }

  /** The patient's own account part. @return fen */
  public long accountPayFen() {
    return accountPayFen;
  }

  /** The mutual-aid part. @return fen */
  public long mutualAidPayFen() {
    return mutualAidPayFen;
  }

  /** The cash part. @return fen */
  public long cashPayFen() {
    return cashPayFen;
  }

  /** The group it is reconciled in. @return insutype, clr_type and setl_optins */
  public ReconcileGroup group() {
    return group;
  }

  @Override
  public String toString() {
    return "ReconcileLine{" + transactionId + " " + kind + " " + totalFen + " = " + accountPayFen + " + "
        + mutualAidPayFen + " + " + cashPayFen + " " + group + "}";
  }
}
