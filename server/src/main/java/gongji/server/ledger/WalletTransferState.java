package gongji.server.ledger;

/** What became of a wallet transfer. Ordinals are part of the snapshot format: add at the end. */
public enum WalletTransferState {
  /** Waiting for the beneficiary; the quota is earmarked on the authorizer's account. */
  PENDING,
  /** Accepted: the beneficiary spends it; what is unspent stays earmarked. */
  ACCEPTED,
  /** Declined by the beneficiary or withdrawn by the authorizer; the earmark returned. */
  DECLINED,
  /** Not accepted in time; the earmark returned. */
  RETURNED,
  /** The relationship ended; the unspent quota returned. */
  ENDED
}
