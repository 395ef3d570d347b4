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
  /** Creation order: the order in which a beneficiary's bindings pay; the id is made from it. */
  final long seq;
  final PersonState authorizer;
  final PersonState beneficiary;
  final Relationship relationship;
  /** The next binding of the same beneficiary, in creation order (see {@link PersonState#firstAsBeneficiary}). */
  BindingState nextOfBeneficiary;
  /** The next binding of the same authorizer, in creation order. */
  BindingState nextOfAuthorizer;
  long quotaFen;
  long usedFen;
  /** What of {@code usedFen} settled sales hold that the writer let go of (for the audit). */
  long archivedUsedFen;
  long heldFen;
  /** Quota assigned to the wallet through this binding and not returned (spent or earmarked). */
  long walletFen;
  /**
   * What of {@code walletFen} ended wallet transfers the writer let go of hold (what they spent),
   * for the audit: it counts a binding's wallet amount from the transfers it keeps and this.
   */
  long archivedWalletFen;
  /** Wallet transfers made through it; empty and shared until the first. */
  List<WalletGrant> grants = List.of();
  BindingStatus status = BindingStatus.REQUESTED;
  String evidenceRef = "";
  long premiumFen;
  String endReason = "";

  BindingState(long seq, PersonState authorizer, PersonState beneficiary, Relationship relationship,
      long quotaFen) {
    this.seq = seq;
    this.authorizer = authorizer;
    this.beneficiary = beneficiary;
    this.relationship = relationship;
    this.quotaFen = quotaFen;
  }

  /**
   * The binding id: "B" and its number in base 36, made when asked (replies, messages, records),
   * not kept: two million bindings do not carry two million strings.
   */
  String id() {
    return Ledger.id(KIND, seq);
  }

  static final char KIND = 'B';

  /**
   * The number in a binding id as {@link #id} writes it, or -1 for anything else ("B01", "b1",
   * "B" followed by more digits than a long holds): an id is known by one spelling only.
   */
  static long seqOf(String id) {
    int n = id.length();
    if (n < 2 || n > 14 || id.charAt(0) != KIND || (id.charAt(1) == '0' && n > 2)) {
      return -1;
    }
    long seq = 0;
    for (int i = 1; i < n; i++) {
      char c = id.charAt(i);
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : -1;
      if (d < 0 || seq > (Long.MAX_VALUE - d) / 36) {
        return -1;
      }
      seq = seq * 36 + d;
    }
    return seq;
  }

  void addGrant(WalletGrant g) {
    grants = PersonState.grown(grants);
    grants.add(g);
  }

  /** Takes back a transfer the writer let go of, in number order among the others. */
  void insertGrant(WalletGrant g) {
    grants = PersonState.grown(grants);
    PersonState.insertBySeq(grants, g);
  }

  /** Forgets a transfer the writer let go of; the shared empty list again once none is left. */
  void removeGrant(WalletGrant g) {
    grants = PersonState.without(grants, g);
  }

  /** What counts against the quota: drawn, held by open sales, and assigned to the wallet. */
  long drawnFen() {
    return usedFen + heldFen + walletFen;
  }

  /** Whether it pays now: active, with an authorizer insured normally, unfrozen, with an account. */
  boolean pays() {
    return status == BindingStatus.ACTIVE && authorizer.insured().active() && !authorizer.frozen
        && authorizer.account >= 0;
  }

  Result.BindingView view() {
    return new Result.BindingView(id(), authorizer.psnNo(), beneficiary.psnNo(), relationship, quotaFen, usedFen,
        status, evidenceRef, endReason, walletFen);
  }
}
