package gongji.server.ledger;

import gongji.server.domain.Institution;

/**
 * A designated institution as the ledger keeps it: its reference data, its settlement account, and
 * the policy of the place of treatment resolved once ({@link PolicyCache}, see {@link Registry#policyOf}).
 */
final class InstitutionState extends PolicyCache {
  Institution institution;
  /** The place of treatment, cut from the code once. */
  final String admdvs;
  /** The index of its settlement account in {@link Accounts}: what the fund owes it. */
  final int account;

  InstitutionState(Institution institution, int account) {
    this.institution = institution;
    this.admdvs = institution.admdvs();
    this.account = account;
  }

  String code() {
    return institution.code();
  }
}
