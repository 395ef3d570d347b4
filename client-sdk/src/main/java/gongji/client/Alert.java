package gongji.client;

/** A recorded fraud alert: an impersonation, a mutual-aid limit exceeded. */
public final class Alert {
  private final long seq;
  private final long timeMillis;
  private final String kind;
  private final String fixmedinsCode;
  private final String psnNo;
  private final String detail;
  private final String claimedPsnNoMasked;
  private final String ownerPsnNoMasked;
  private final String terminalId;
  private final String operatorId;

  /** {@code named}: the claimed person and the credential's owner (masked), the terminal and the operator. */
  Alert(long seq, long timeMillis, String kind, String fixmedinsCode, String psnNo, String detail, String[] named) {
    this.seq = seq;
    this.timeMillis = timeMillis;
    this.kind = kind;
    this.fixmedinsCode = fixmedinsCode;
    this.psnNo = psnNo;
    this.detail = detail;
    this.claimedPsnNoMasked = named[0];
    this.ownerPsnNoMasked = named[1];
    this.terminalId = named[2];
    this.operatorId = named[3];
  }

  /** The alert's sequence number. @return the number */
  public long seq() {
    return seq;
  }

  /** When it was recorded. @return epoch milliseconds */
  public long timeMillis() {
    return timeMillis;
  }

  /** What happened. @return IMPERSONATION or MUTUAL_AID_LIMIT_EXCEEDED */
  public String kind() {
    return kind;
  }

  /** Where. @return the institution code */
  public String fixmedinsCode() {
    return fixmedinsCode;
  }

  /** Who, when known. @return the person number, or "" */
  public String psnNo() {
    return psnNo;
  }

  /** What was refused, and why. @return the detail */
  public String detail() {
    return detail;
  }

  /** For an impersonation, the person the patient claimed to be. @return the masked person number, or "" */
  public String claimedPsnNoMasked() {
    return claimedPsnNoMasked;
  }

  /** The owner of the credential presented (for a limit hit: the patient). @return the masked person number, or "" */
  public String ownerPsnNoMasked() {
    return ownerPsnNoMasked;
  }

  /** The terminal the attempt came from. @return the terminal id, or "" when not known */
  public String terminalId() {
    return terminalId;
  }

  /** The operator (cashier) at the terminal. @return the operator id, or "" when the terminal did not say */
  public String operatorId() {
    return operatorId;
  }

  @Override
  public String toString() {
    return "Alert{" + seq + " " + kind + " " + fixmedinsCode + " " + psnNo + ": " + detail + "}";
  }
}
