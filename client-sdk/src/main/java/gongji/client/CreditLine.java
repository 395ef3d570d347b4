package gongji.client;

/** One credit of a batch ({@link AccountAdmin#creditAccounts}), and after the call what became of it. */
public final class CreditLine {
  private final String psnNo;
  private final long amountFen;
  private final Account account;
  private final RejectionReason rejection;
  private final String rejectionMessage;

  /**
   * A credit to make.
   *
   * @param psnNo the employee whose account is credited
   * @param amountFen the amount, 1 to 100,000,000 fen
   */
  public CreditLine(String psnNo, long amountFen) {
    this(Checks.notNull(psnNo, "psnNo"), amountFen, null, null, "");
    Checks.argument(amountFen > 0, "amountFen: " + amountFen + " (expected: > 0)");
  }

  CreditLine(String psnNo, long amountFen, Account account, RejectionReason rejection, String rejectionMessage) {
    this.psnNo = psnNo;
    this.amountFen = amountFen;
    this.account = account;
    this.rejection = rejection;
    this.rejectionMessage = rejectionMessage;
  }

  /** The employee. @return the person number */
  public String psnNo() {
    return psnNo;
  }

  /** The amount. @return fen */
  public long amountFen() {
    return amountFen;
  }

  /** Whether the credit was applied (a line returned by the gateway). @return true if applied */
  public boolean applied() {
    return account != null;
  }

  /** The account after the credit. @return the account, or null if not (yet) applied */
  public Account account() {
    return account;
  }

  /** Why the gateway refused the line. @return the reason, or null if applied or not yet sent */
  public RejectionReason rejection() {
    return rejection;
  }

  /** The refusal in words. @return the message, or "" */
  public String rejectionMessage() {
    return rejectionMessage;
  }

  @Override
  public String toString() {
    return "CreditLine{" + psnNo + " " + amountFen + (account != null ? " -> " + account
        : rejection != null ? " refused " + rejection : "") + "}";
  }
}
