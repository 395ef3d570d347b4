package gongji.server.ledger;

import gongji.server.domain.Codes;
import gongji.server.domain.UnknownCodeException;

/** The life of a sale: authorized, then settled (and maybe refunded), cancelled or expired. */
public enum TxnState {
  AUTHORIZED(0),
  SETTLED(1),
  CANCELLED(2),
  EXPIRED(3),
  REFUNDED(4);

  private static final TxnState[] BY_CODE = Codes.byCode(values(), TxnState::code);

  private final int code;

  TxnState(int code) {
    this.code = code;
  }

  /** The code of this constant in the journal and snapshots: fixed for ever, unlike the ordinal. */
  public int code() {
    return code;
  }

  /** The constant with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static TxnState ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, TxnState.class);
  }
}
