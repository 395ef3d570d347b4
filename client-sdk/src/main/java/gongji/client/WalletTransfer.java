package gongji.client;

/**
 * One assignment of quota to a relative's medical-insurance wallet (医保钱包): earmarked on the
 * authorizer's account, PENDING until the beneficiary accepts it, then spent at the counter.
 */
public final class WalletTransfer {
  private final String id;
  private final String authorizerPsnNo;
  private final String beneficiaryPsnNo;
  private final String bindingId;
  private final long amountFen;
  private final long remainingFen;
  private final long spentFen;
  private final String state;
  private final long createTimeMillis;
  private final long acceptDeadlineMillis;
  private final String endReason;

  WalletTransfer(String id, String authorizerPsnNo, String beneficiaryPsnNo, String bindingId, long amountFen,
      long remainingFen, long spentFen, String state, long createTimeMillis, long acceptDeadlineMillis,
      String endReason) {
    this.id = id;
    this.authorizerPsnNo = authorizerPsnNo;
    this.beneficiaryPsnNo = beneficiaryPsnNo;
    this.bindingId = bindingId;
    this.amountFen = amountFen;
    this.remainingFen = remainingFen;
    this.spentFen = spentFen;
    this.state = state;
    this.createTimeMillis = createTimeMillis;
    this.acceptDeadlineMillis = acceptDeadlineMillis;
    this.endReason = endReason;
  }

  /** The transfer id, assigned by the gateway (e.g. W1). @return the id */
  public String id() {
    return id;
  }

  /** The authorizer, on whose account the quota is earmarked. @return the person number */
  public String authorizerPsnNo() {
    return authorizerPsnNo;
  }

  /** The beneficiary, whose wallet it went to. @return the person number */
  public String beneficiaryPsnNo() {
    return beneficiaryPsnNo;
  }

  /** The binding the quota was assigned through. @return the binding id */
  public String bindingId() {
    return bindingId;
  }

  /** The quota assigned. @return fen */
  public long amountFen() {
    return amountFen;
  }

  /** What the beneficiary can still spend of it (once accepted; 0 once returned). @return fen */
  public long remainingFen() {
    return remainingFen;
  }

  /** What settlements have spent of it, less refunds. @return fen */
  public long spentFen() {
    return spentFen;
  }

  /**
   * The state.
   *
   * @return PENDING (waiting for acceptance), ACCEPTED, DECLINED (declined or withdrawn), RETURNED
   *     (not accepted in time) or ENDED (the relationship ended; unspent quota returned)
   */
  public String state() {
    return state;
  }

  /** When it was assigned. @return epoch milliseconds */
  public long createTimeMillis() {
    return createTimeMillis;
  }

  /** When it returns if not accepted by then. @return epoch milliseconds */
  public long acceptDeadlineMillis() {
    return acceptDeadlineMillis;
  }

  /** Why it was declined, returned or ended. @return the reason; "" otherwise */
  public String endReason() {
    return endReason;
  }

  @Override
  public String toString() {
    return "WalletTransfer{" + id + " " + authorizerPsnNo + " -> " + beneficiaryPsnNo + " via " + bindingId + " "
        + state + " amount " + amountFen + " remaining " + remainingFen + " spent " + spentFen + "}";
  }
}
