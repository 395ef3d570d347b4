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
  private final String insutype;
  private final String clrType;
  private final String setlOptins;

  ReconcileLine(String transactionId, String kind, long timeMillis, long totalFen, long accountPayFen,
      long mutualAidPayFen, long cashPayFen, String insutype, String clrType, String setlOptins) {
    this.insutype = insutype;
    this.clrType = clrType;
    this.setlOptins = setlOptins;
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

  /** Its reconciliation group's insurance type. @return "310", "390" ("" for a line recorded before lines had a group) */
  public String insutype() {
    return insutype;
  }

  /** Its reconciliation group's clearing type. @return "41", "11", "21", "99" ("" likewise) */
  public String clrType() {
    return clrType;
  }

  /** Its reconciliation group's settlement agency. @return the patient's insurance region ("" likewise) */
  public String setlOptins() {
    return setlOptins;
  }

  @Override
  public String toString() {
    return "ReconcileLine{" + transactionId + " " + kind + " " + totalFen + " = " + accountPayFen + " + "
        + mutualAidPayFen + " + " + cashPayFen + " " + insutype + "/" + clrType + "/" + setlOptins + "}";
  }
}
