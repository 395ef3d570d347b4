package gongji.client;

/** The terminal the client calls from: institution code, terminal id and the operator at it. */
public final class Terminal {
  private final String fixmedinsCode;
  private final String terminalId;
  private final String operatorId;

  /**
   * A terminal of an institution.
   *
   * @param fixmedinsCode the institution code, e.g. "P62010200017"
   * @param terminalId the terminal id registered with the institution
   * @param operatorId the cashier, or "" if none
   */
  public Terminal(String fixmedinsCode, String terminalId, String operatorId) {
    this.fixmedinsCode = Checks.notNull(fixmedinsCode, "fixmedinsCode");
    this.terminalId = Checks.notNull(terminalId, "terminalId");
    this.operatorId = Checks.notNull(operatorId, "operatorId");
  }

  /** The institution code. */
  public String fixmedinsCode() {
    return fixmedinsCode;
  }

  /** The terminal id. */
  public String terminalId() {
    return terminalId;
  }

  /** The operator id. */
  public String operatorId() {
    return operatorId;
  }
}
