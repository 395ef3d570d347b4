package gongji.server.ledger;

import gongji.server.domain.Relationship;
import java.util.List;

/**
 * A mutual-aid binding: the authorizer shares their account with the beneficiary. Its amounts are
 * what counts against the quota: {@code usedFen} (settled, unrefunded legs and premiums),
 * {@code heldFen} (legs of open sales) and {@code walletFen} (quota assigned to the wallet and not
 * returned).
 */
final class BindingState {
  final String id;
  /** Creation order: the order in which a beneficiary's bindings pay. */
  final long seq;
  final PersonState authorizer;
  final PersonState beneficiary;
  final Relationship relationship;
  long quotaFen;
  long usedFen;
  /** What of {@code usedFen} settled sales hold that the writer let go of (for the audit). */
  long archivedUsedFen;
  long heldFen;
  /** Quota assigned to the wallet through this binding and not returned (spent or earmarked). */
  long walletFen;
  /** Wallet transfers made through it; empty and shared until the first. */
  List<WalletGrant> grants = List.of();
  BindingStatus status = BindingStatus.REQUESTED;
  String evidenceRef = "";
  long premiumFen;
  String endReason = "";

  BindingState(String id, long seq, PersonState authorizer, PersonState beneficiary,
      Relationship relationship, long quotaFen) {
    this.id = id;
    this.seq = seq;
    this.authorizer = authorizer;
    this.beneficiary = beneficiary;
    this.relationship = relationship;
    this.quotaFen = quotaFen;
  }

  void addGrant(WalletGrant g) {
    grants = PersonState.grown(grants);
    grants.add(g);
  }

  /** What counts against the quota: drawn, held by open sales, and assigned to the wallet. */
  long drawnFen() {
    return usedFen + heldFen + walletFen;
  }

  /** Whether it pays now: active, with an authorizer insured normally, unfrozen, with an account. */
  boolean pays() {
    return status == BindingStatus.ACTIVE && authorizer.insured.active() && !authorizer.frozen
        && authorizer.account >= 0;
  }

  Result.BindingView view() {
    return new Result.BindingView(id, authorizer.psnNo(), beneficiary.psnNo(), relationship, quotaFen, usedFen,
        status, evidenceRef, endReason, walletFen);
  }
}
