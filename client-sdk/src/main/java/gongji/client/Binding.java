package gongji.client;

/**
 * A family mutual-aid binding (家庭共济): the authorizer lets the beneficiary draw on their personal
 * account. It pays only while {@link #state()} is {@code ACTIVE}.
 */
public final class Binding {
  private final String id;
  private final String authorizerPsnNo;
  private final String beneficiaryPsnNo;
  private final String relationship;
  private final long quotaFen;
  private final long usedFen;
  private final String state;
  private final String evidenceRef;
  private final String endReason;
  private final long walletFen;

  Binding(String id, String authorizerPsnNo, String beneficiaryPsnNo, String relationship, long quotaFen,
      long usedFen, String state, String evidenceRef, String endReason, long walletFen) {
    this.id = id;
    this.authorizerPsnNo = authorizerPsnNo;
    this.beneficiaryPsnNo = beneficiaryPsnNo;
    this.relationship = relationship;
    this.quotaFen = quotaFen;
    this.usedFen = usedFen;
    this.state = state;
    this.evidenceRef = evidenceRef;
    this.endReason = endReason;
    this.walletFen = walletFen;
  }

  /** The binding id, assigned by the gateway. @return the id */
  public String id() {
    return id;
  }

  /** The authorizer (共济人), whose account pays. @return the person number */
  public String authorizerPsnNo() {
    return authorizerPsnNo;
  }

  /** The beneficiary (被共济人), who draws. @return the person number */
  public String beneficiaryPsnNo() {
    return beneficiaryPsnNo;
  }

  /**
   * What the beneficiary is to the authorizer.
   *
   * @return SPOUSE, PARENT, CHILD, SIBLING, GRANDPARENT or GRANDCHILD
   */
  public String relationship() {
    return relationship;
  }

  /**
   * The most the beneficiary may draw in total, directly and through the wallet.
   *
   * @return fen; 0 means no quota
   */
  public long quotaFen() {
    return quotaFen;
  }

  /** What the beneficiary has drawn so far, less refunds. @return fen */
  public long usedFen() {
    return usedFen;
  }

  /**
   * Quota assigned to the beneficiary's wallet through this binding and not returned (spent or still
   * earmarked); it counts against {@link #quotaFen()} together with {@link #usedFen()}.
   *
   * @return fen
   */
  public long walletFen() {
    return walletFen;
  }

  /**
   * The state.
   *
   * @return ACTIVE, REQUESTED (not yet verified), REJECTED or DISSOLVED
   */
  public String state() {
    return state;
  }

  /** The reference of the evidence of the relationship. @return the reference, or "" */
  public String evidenceRef() {
    return evidenceRef;
  }

  /** Why the binding ended or was rejected. @return the reason; "" while requested or active */
  public String endReason() {
    return endReason;
  }

  @Override
  public String toString() {
    return "Binding{" + id + " " + authorizerPsnNo + " -> " + beneficiaryPsnNo + " " + relationship + " " + state
        + " quota " + quotaFen + " used " + usedFen + (walletFen == 0 ? "" : " wallet " + walletFen) + "}";
  }
}
