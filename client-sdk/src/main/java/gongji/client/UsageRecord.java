package gongji.client;

/** One use of mutual-aid funds (共济使用记录): who used whose funds, when, where, for how much. */
public final class UsageRecord {
  private final String kind;
  private final long timeMillis;
  private final String authorizerPsnNo;
  private final String beneficiaryPsnNo;
  private final String fixmedinsCode;
  private final String transactionId;
  private final String bindingId;
  private final long amountFen;

  UsageRecord(String kind, long timeMillis, String authorizerPsnNo, String beneficiaryPsnNo, String fixmedinsCode,
      String transactionId, String bindingId, long amountFen) {
    this.kind = kind;
    this.timeMillis = timeMillis;
    this.authorizerPsnNo = authorizerPsnNo;
    this.beneficiaryPsnNo = beneficiaryPsnNo;
    this.fixmedinsCode = fixmedinsCode;
    this.transactionId = transactionId;
    this.bindingId = bindingId;
    this.amountFen = amountFen;
  }

  /**
   * What happened.
   *
   * @return SETTLED, REFUNDED, SETTLEMENT_REVERSED, REFUND_REVERSED or PREMIUM
   */
  public String kind() {
    return kind;
  }

  /** When. @return epoch milliseconds */
  public long timeMillis() {
    return timeMillis;
  }

  /** Whose funds. @return the authorizer's person number */
  public String authorizerPsnNo() {
    return authorizerPsnNo;
  }

  /** Who used them. @return the beneficiary's person number */
  public String beneficiaryPsnNo() {
    return beneficiaryPsnNo;
  }

  /** Where. @return the institution code; "" for a premium */
  public String fixmedinsCode() {
    return fixmedinsCode;
  }

  /** The settlement. @return the transaction id; "" for a premium */
  public String transactionId() {
    return transactionId;
  }

  /** The binding. @return the binding id */
  public String bindingId() {
    return bindingId;
  }

  /** The amount. @return fen: positive when drawn, negative when returned */
  public long amountFen() {
    return amountFen;
  }

  @Override
  public String toString() {
    return "UsageRecord{" + kind + " " + authorizerPsnNo + " -> " + beneficiaryPsnNo + " " + amountFen + "}";
  }
}
