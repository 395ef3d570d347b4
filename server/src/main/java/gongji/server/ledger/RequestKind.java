package gongji.server.ledger;

/** The kind of a request kept for idempotency. */
public enum RequestKind {
  AUTHORIZE,
  SETTLE,
  CANCEL,
  REFUND,
  CREDIT,
  /** A reversal that arrived before its original: the id is refused from then on. */
  TOMBSTONE,
  /** A payout of a deceased person's balance to heirs. */
  PAYOUT,
  /** A resident premium paid for a relative. */
  PREMIUM,
  /** Quota assigned to a relative's wallet. */
  WALLET_ASSIGN
}
