package gongji.server.ledger;

/** The life of a mutual-aid binding: requested, verified (active) or rejected, dissolved. */
public enum BindingStatus {
  /** Asked for; the relationship is not yet verified: pays nothing. */
  REQUESTED,
  /** Verified: the beneficiary may draw on the authorizer's account. */
  ACTIVE,
  /** The agency refused the relationship. */
  REJECTED,
  /** Ended by a party, by the end of either's insurance, by death or by the authorizer's move. */
  DISSOLVED
}
