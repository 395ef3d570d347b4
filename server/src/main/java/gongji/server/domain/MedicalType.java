package gongji.server.domain;

/** The kind of care a sale is for. */
public enum MedicalType {
  PHARMACY(0),
  OUTPATIENT(1),
  INPATIENT(2),
  VACCINATION(3),
  HEALTH_CHECKUP(4);

  private static final MedicalType[] BY_CODE = Codes.byCode(values(), MedicalType::code);

  private final int code;

  MedicalType(int code) {
    this.code = code;
  }

  /** The code of this constant in the journal and snapshots: fixed for ever, unlike the ordinal. */
  public int code() {
    return code;
  }

  /** The constant with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static MedicalType ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, MedicalType.class);
  }
}
