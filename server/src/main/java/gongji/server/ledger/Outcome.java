package gongji.server.ledger;

import gongji.server.domain.Codes;
import gongji.server.domain.UnknownCodeException;

/**
 * What the ledger did with a command: {@link #OK}, or why it refused. Business outcomes of a valid
 * request are values, not exceptions. The names are the stable reasons clients see in ErrorInfo.
 */
public enum Outcome {
  OK(0),
  INSTITUTION_NOT_FOUND(1),
  TERMINAL_NOT_REGISTERED(2),
  PATIENT_NOT_FOUND(3),
  IMPERSONATION(4),
  INSURED_NOT_ACTIVE(5),
  ACCOUNT_FROZEN(6),
  NO_PERSONAL_ACCOUNT(7),
  TRANSACTION_NOT_FOUND(8),
  TRANSACTION_STATE_CONFLICT(9),
  AMOUNT_EXCEEDS_AUTHORIZED(10),
  REQUEST_ID_REUSED(11),
  REQUEST_ID_REVERSED(12),
  REQUEST_NOT_FOUND(13),
  INSUFFICIENT_FUNDS(14),
  BINDING_NOT_FOUND(15),
  BINDING_NOT_ALLOWED(16),
  CREDENTIAL_IN_USE(17),
  LEDGER_UNAVAILABLE(18),
  MUTUAL_AID_LIMIT_EXCEEDED(19),
  PAYOUT_MISMATCH(20),
  WALLET_NOT_OPEN(21),
  WALLET_TRANSFER_LIMIT_EXCEEDED(22),
  WALLET_TRANSFER_WINDOW_CLOSED(23),
  WALLET_TRANSFER_PENDING(24),
  WALLET_TRANSFER_NOT_FOUND(25),
  SANDBOX_ONLY(26),
  SHAREABLE_BALANCE_EXCEEDED(40),
  NOT_A_PARTY(41),
  BINDING_STATE_CONFLICT(42),
  BINDING_EXISTS(43),
  BINDING_NOT_ACTIVE(44),
  QUOTA_NOT_ALLOWED(45),
  QUOTA_BELOW_DRAWN(46),
  WALLET_TRANSFER_STATE_CONFLICT(47),
  PREMIUM_NOT_PAYABLE(48),
  PAYOUT_NOT_ALLOWED(49);

  private static final Outcome[] BY_CODE = Codes.byCode(values(), Outcome::code);

  private final int code;

  Outcome(int code) {
    this.code = code;
  }

  /** The code of this constant in the journal and snapshots: fixed for ever, unlike the ordinal. */
  public int code() {
    return code;
  }

  /** The constant with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static Outcome ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, Outcome.class);
  }
}
