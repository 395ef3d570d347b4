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
  WALLET_ASSIGN(8),
  // The back office's other changes, keyed since contract v1 ({@link Command.Idempotent}).
  REGISTER_INSTITUTION(9),
  UPSERT_INSURED(10),
  SET_REGION_POLICY(11),
  CREATE_BINDING(12),
  REQUEST_BINDING(13),
  REVIEW_BINDING(14),
  DISSOLVE_BINDING(15),
  UPDATE_BINDING_QUOTA(16),
  RECORD_DEATH(17),
  OPEN_WALLET(18),
  ACCEPT_WALLET_TRANSFER(19),
  DECLINE_WALLET_TRANSFER(20),
  /** A sandbox's clock moved forward. */
  MOVE_CLOCK(21),
  UPDATE_REGION_POLICY(22);

  private static final RequestKind[] BY_CODE = Codes.byCode(values(), RequestKind::code);

  private final int code;

  RequestKind(int code) {
    this.code = code;
  }

  /**
   * The kind of a back-office command that {@link Command.Idempotent} may key, or null for one it
   * may not (the terminals' commands and those keyed by themselves).
   */
  static RequestKind of(Command c) {
    return switch (c.type()) {
      case REGISTER_INSTITUTION -> REGISTER_INSTITUTION;
      case UPSERT_INSURED -> UPSERT_INSURED;
      case SET_REGION_POLICY -> SET_REGION_POLICY;
      case CREATE_BINDING -> CREATE_BINDING;
      case REQUEST_BINDING -> REQUEST_BINDING;
      case REVIEW_BINDING -> REVIEW_BINDING;
      case DISSOLVE_BINDING -> DISSOLVE_BINDING;
      case UPDATE_BINDING_QUOTA -> UPDATE_BINDING_QUOTA;
      case RECORD_DEATH -> RECORD_DEATH;
      case OPEN_WALLET -> OPEN_WALLET;
      case ANSWER_WALLET_TRANSFER -> ((Command.AnswerWalletTransfer) c).accept() ? ACCEPT_WALLET_TRANSFER
          : DECLINE_WALLET_TRANSFER;
      case MOVE_CLOCK -> MOVE_CLOCK;
      case UPDATE_REGION_POLICY -> UPDATE_REGION_POLICY;
      default -> null;
    };
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
