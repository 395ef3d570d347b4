package gongji.server.ledger;

/**
 * Quota assigned to a relative's wallet: an earmark (a hold) on the authorizer's account of
 * {@code amountFen - spentFen - returnedFen}, of which open sales hold {@code inSaleFen}.
 */
final class WalletGrant {
  final String id;
  final long seq;
  final BindingState binding;
  final long amountFen;
  final long createdAtMillis;
  final long acceptByMillis;
  WalletTransferState state = WalletTransferState.PENDING;
  long inSaleFen;
  long spentFen;
  /** What of {@code spentFen} settled sales hold that the writer let go of (for the audit). */
  long archivedSpentFen;
  long returnedFen;
  String endReason = "";
  /** Whether it changed since its record last went to history (see {@link Wallets#changed}). */
  boolean changed;
  /** How many sales the writer keeps have a leg on it: while any does, it is not let go of. */
  int keptSales;
  /** Whether it waits, ended and named by no kept sale, for a sweep to let go of it ({@link Wallets}). */
  boolean endedQueued;

  WalletGrant(String id, BindingState binding, long amountFen, long createdAtMillis, long acceptByMillis) {
    this.id = id;
    this.seq = Ledger.number(id);
    this.binding = binding;
    this.amountFen = amountFen;
    this.createdAtMillis = createdAtMillis;
    this.acceptByMillis = acceptByMillis;
  }

  /** What the beneficiary can spend now: accepted, not spent, not held by a sale, not returned. */
  long remainingFen() {
    return state == WalletTransferState.ACCEPTED ? amountFen - spentFen - inSaleFen - returnedFen : 0;
  }

  /** Whether it still earmarks quota: pending or accepted. */
  boolean open() {
    return state == WalletTransferState.PENDING || state == WalletTransferState.ACCEPTED;
  }

  Result.WalletTransferView view() {
    return new Result.WalletTransferView(id, binding.authorizer.psnNo(), binding.beneficiary.psnNo(), binding.id(),
        amountFen, remainingFen(), spentFen, state, createdAtMillis, acceptByMillis, endReason);
  }
}
