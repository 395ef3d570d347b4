package gongji.server.ledger;

import gongji.server.domain.Institution;
import java.util.ArrayList;
import java.util.List;

/** A designated institution as the ledger keeps it: its settlement account and its day-end events. */
final class InstitutionState {
  Institution institution;
  /** The place of treatment, cut from the code once. */
  final String admdvs;
  /** The index of its settlement account in {@link Accounts}: what the fund owes it. */
  final int account;
  /** Settlement-side events in time order, for reconciliation (3201/3202). */
  final List<InstEvent> events = new ArrayList<>();

  InstitutionState(Institution institution, int account) {
    this.institution = institution;
    this.admdvs = institution.admdvs();
    this.account = account;
  }

  String code() {
    return institution.code();
  }

  /** A settlement-side event of an institution: {@code kind} indexes {@link Records#EVENT_KINDS}. */
  record InstEvent(Txn txn, byte kind, long atMillis) {}
}
