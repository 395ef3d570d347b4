package gongji.server.domain;

/** The insurance a person is enrolled in (`insutype`). Only employees have a personal account. */
public enum InsuranceType {
  /** 310: employee basic medical insurance. */
  EMPLOYEE_BASIC,
  /** 390: resident basic medical insurance. */
  RESIDENT_BASIC;

  /** Whether people with this insurance have a personal account that can pay and be shared. */
  public boolean hasPersonalAccount() {
    return this == EMPLOYEE_BASIC;
  }
}
