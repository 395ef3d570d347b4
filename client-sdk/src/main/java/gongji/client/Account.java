package gongji.client;

/** A personal account (个人账户) as it is now. */
public final class Account {
  private final String psnNo;
  private final long balanceFen;
  private final long heldFen;
  private final long availableFen;

  Account(String psnNo, long balanceFen, long heldFen, long availableFen) {
    this.psnNo = psnNo;
    this.balanceFen = balanceFen;
    this.heldFen = heldFen;
    this.availableFen = availableFen;
  }

  /** The owner. @return the person number */
  public String psnNo() {
    return psnNo;
  }

  /** The balance. @return fen */
  public long balanceFen() {
    return balanceFen;
  }

  /** Funds held by authorizations not yet settled. @return fen */
  public long heldFen() {
    return heldFen;
  }

  /** The balance less held funds. @return fen */
  public long availableFen() {
    return availableFen;
  }

  @Override
  public String toString() {
    return "Account{" + psnNo + " balance " + balanceFen + " held " + heldFen + " available " + availableFen + "}";
  }
}
