package gongji.client;

/** A recorded fraud alert: an impersonation, a mutual-aid limit exceeded. */
public final class Alert {
  private final long seq;
  private final long timeMillis;
  private final String kind;
  private final String fixmedinsCode;
  private final String psnNo;
  private final String detail;

  Alert(long seq, long timeMillis, String kind, String fixmedinsCode, String psnNo, String detail) {
    this.seq = seq;
    this.timeMillis = timeMillis;
    this.kind = kind;
    this.fixmedinsCode = fixmedinsCode;
    this.psnNo = psnNo;
    this.detail = detail;
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

  @Override
  public String toString() {
    return "Alert{" + seq + " " + kind + " " + fixmedinsCode + " " + psnNo + ": " + detail + "}";
  }
}
