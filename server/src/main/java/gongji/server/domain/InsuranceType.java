package gongji.server.domain;

/** The insurance a person is enrolled in (`insutype`). Only employees have a personal account. */
public enum InsuranceType {
  /** 310: employee basic medical insurance. */
  EMPLOYEE_BASIC(0),
  /** 390: resident basic medical insurance. */
  RESIDENT_BASIC(1);

  private static final InsuranceType[] BY_CODE = Codes.byCode(values(), InsuranceType::code);

  private final int code;

  InsuranceType(int code) {
    this.code = code;
  }

  /** The code of this constant in the journal and snapshots: fixed for ever, unlike the ordinal. */
  public int code() {
    return code;
  }

  /** The constant with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static InsuranceType ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, InsuranceType.class);
  }

  /** Whether people with this insurance have a personal account that can pay and be shared. */
  public boolean hasPersonalAccount() {
    return this == EMPLOYEE_BASIC;
  }
}
