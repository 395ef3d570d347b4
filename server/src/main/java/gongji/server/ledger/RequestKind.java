package gongji.server.ledger;

import gongji.server.domain.Codes;
import gongji.server.domain.UnknownCodeException;

/** The kind of a request kept for idempotency. */
public enum RequestKind {
  AUTHORIZE(0),
  SETTLE(1),
  CANCEL(2),
  REFUND(3),
  CREDIT(4),
  /** A reversal that arrived before its original: the id is refused from then on. */
  TOMBSTONE(5),
  /** A payout of a deceased person's balance to heirs. */
  PAYOUT(6),
  /** A resident premium paid for a relative. */
  PREMIUM(7),
  /** Quota assigned to a relative's wallet. */
  WALLET_ASSIGN(8);

  private static final RequestKind[] BY_CODE = Codes.byCode(values(), RequestKind::code);

  private final int code;

  RequestKind(int code) {
    this.code = code;
  }

  /** The code of this constant in the journal and snapshots: fixed for ever, unlike the ordinal. */
  public int code() {
    return code;
  }

  /** The constant with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static RequestKind ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, RequestKind.class);
  }
}
