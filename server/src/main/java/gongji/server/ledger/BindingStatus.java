package gongji.server.ledger;

import gongji.server.domain.Codes;
import gongji.server.domain.UnknownCodeException;

/** The life of a mutual-aid binding: requested, verified (active) or rejected, dissolved. */
public enum BindingStatus {
  /** Asked for; the relationship is not yet verified: pays nothing. */
  REQUESTED(0),
  /** Verified: the beneficiary may draw on the authorizer's account. */
  ACTIVE(1),
  /** The agency refused the relationship. */
  REJECTED(2),
  /** Ended by a party, by the end of either's insurance, by death or by the authorizer's move. */
  DISSOLVED(3);

  private static final BindingStatus[] BY_CODE = Codes.byCode(values(), BindingStatus::code);

  private final int code;

  BindingStatus(int code) {
    this.code = code;
  }

  /** The code of this constant in the journal and snapshots: fixed for ever, unlike the ordinal. */
  public int code() {
    return code;
  }

  /** The constant with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static BindingStatus ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, BindingStatus.class);
  }
}
