package gongji.client;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** An insured person as the back office keeps them: name, insurance, status, region and credentials. */
public final class InsuredPerson {
  private static final List<String> INSURANCE_TYPES = Arrays.asList("EMPLOYEE_BASIC", "RESIDENT_BASIC");
  private static final List<String> STATUSES = Arrays.asList("NORMAL", "SUSPENDED", "TERMINATED", "DECEASED");

  private final String psnNo;
  private final String name;
  private final String insuranceType;
  private final String status;
  private final String admdvs;
  private final List<Credential> credentials;

  /**
   * An insured person.
   *
   * @param psnNo the person number, 1 to 30 characters of [A-Za-z0-9]
   * @param name the name, 1 to 50 characters
   * @param insuranceType EMPLOYEE_BASIC (with a personal account) or RESIDENT_BASIC
   * @param status NORMAL, SUSPENDED, TERMINATED or DECEASED
   * @param admdvs the pooling region, 6 digits
   * @param credentials the person's credentials, 1 to 10; a credential number belongs to one person only
   */
  public InsuredPerson(String psnNo, String name, String insuranceType, String status, String admdvs,
      List<Credential> credentials) {
    this.psnNo = Checks.notNull(psnNo, "psnNo");
    this.name = Checks.notNull(name, "name");
    this.insuranceType = Checks.notNull(insuranceType, "insuranceType");
    Checks.argument(INSURANCE_TYPES.contains(insuranceType),
        "insuranceType: " + insuranceType + " (expected: one of " + INSURANCE_TYPES + ")");
    this.status = Checks.notNull(status, "status");
    Checks.argument(STATUSES.contains(status), "status: " + status + " (expected: one of " + STATUSES + ")");
    this.admdvs = Checks.notNull(admdvs, "admdvs");
    this.credentials = Collections.unmodifiableList(new ArrayList<Credential>(Checks.notNull(credentials, "credentials")));
    for (Credential c : this.credentials) {
      Checks.notNull(c, "credentials[]");
    }
  }

  /** The person number ({@code psn_no}). @return the person number */
  public String psnNo() {
    return psnNo;
  }

  /** The name. @return the name */
  public String name() {
    return name;
  }

  /** The insurance. @return EMPLOYEE_BASIC or RESIDENT_BASIC */
  public String insuranceType() {
    return insuranceType;
  }

  /** The insured status. @return NORMAL, SUSPENDED, TERMINATED or DECEASED */
  public String status() {
    return status;
  }

  /** The pooling region ({@code insuplc_admdvs}). @return 6 digits */
  public String admdvs() {
    return admdvs;
  }

  /** The credentials. @return an unmodifiable list */
  public List<Credential> credentials() {
    return credentials;
  }

  @Override
  public String toString() {
    return "InsuredPerson{" + psnNo + " " + insuranceType + " " + status + " " + admdvs + "}";
  }
}
