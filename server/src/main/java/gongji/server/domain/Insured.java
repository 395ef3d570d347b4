package gongji.server.domain;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** An insured person as the agency registered them. Immutable; a change is a new record. */
public record Insured(
    String psnNo,
    String name,
    InsuranceType insuranceType,
    InsuredStatus status,
    String admdvs,
    List<Credential> credentials) {

  public Insured {
    requireNonNull(psnNo, "psnNo");
    requireNonNull(name, "name");
    requireNonNull(insuranceType, "insuranceType");
    requireNonNull(status, "status");
    requireNonNull(admdvs, "admdvs");
    credentials = List.copyOf(credentials);
  }

  /** Whether the person is insured in normal status: the only status that may pay or be paid for. */
  public boolean active() {
    return status == InsuredStatus.NORMAL;
  }

  /** Whether the person has a personal account (employees only). */
  public boolean hasPersonalAccount() {
    return insuranceType.hasPersonalAccount();
  }
}
