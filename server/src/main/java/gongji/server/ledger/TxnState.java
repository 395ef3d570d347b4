package gongji.server.ledger;

/** The life of a sale: authorized, then settled (and maybe refunded), cancelled or expired. */
public enum TxnState {
  AUTHORIZED,
  SETTLED,
  CANCELLED,
  EXPIRED,
  REFUNDED
}
