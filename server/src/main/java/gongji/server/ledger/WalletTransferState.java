package gongji.server.ledger;

import gongji.server.domain.Codes;
import gongji.server.domain.UnknownCodeException;

/** What became of a wallet transfer. */
public enum WalletTransferState {
  /** Waiting for the beneficiary; the quota is earmarked on the authorizer's account. */
  PENDING(0),
  /** Accepted: the beneficiary spends it; what is unspent stays earmarked. */
  ACCEPTED(1),
  /** Declined by the beneficiary or withdrawn by the authorizer; the earmark returned. */
  DECLINED(2),
  /** Not accepted in time; the earmark returned. */
  RETURNED(3),
  /** The relationship ended; the unspent quota returned. */
  ENDED(4);

  private static final WalletTransferState[] BY_CODE = Codes.byCode(values(), WalletTransferState::code);

  private final int code;

  WalletTransferState(int code) {
    this.code = code;
  }

  /** The code of this constant in the journal and snapshots: fixed for ever, unlike the ordinal. */
  public int code() {
    return code;
  }

  /** The constant with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static WalletTransferState ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, WalletTransferState.class);
  }
}
