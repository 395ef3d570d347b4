package gongji.server.domain;

/** Insured status (`psn_insu_stas`, plus death). Only {@link #NORMAL} may pay or be paid for. */
public enum InsuredStatus {
  NORMAL(0),
  SUSPENDED(1),
  TERMINATED(2),
  DECEASED(3);

  private static final InsuredStatus[] BY_CODE = Codes.byCode(values(), InsuredStatus::code);

  private final int code;

  InsuredStatus(int code) {
    this.code = code;
  }

  /** The code of this constant in the journal and snapshots: fixed for ever, unlike the ordinal. */
  public int code() {
    return code;
  }

  /** The constant with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static InsuredStatus ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, InsuredStatus.class);
  }
}
