package gongji.server.national;

import static java.util.Objects.requireNonNull;

/**
 * An envelope the adapter cannot take: malformed JSON, a missing or over-long field, an unknown
 * transaction. Answered with {@code infcode -1}; never reaches the ledger, so no money moves.
 */
final class BadEnvelopeException extends RuntimeException {
  private final String reason;
  private final String errMsg;

  /**
   * @param reason our stable reason code (UPPER_SNAKE)
   * @param errMsg the Chinese text for the cashier ({@code err_msg})
   * @param detail the same in English, with the value, for the integrator
   */
  BadEnvelopeException(String reason, String errMsg, String detail) {
    super(detail, null, false, false);
    this.reason = requireNonNull(reason, "reason");
    this.errMsg = requireNonNull(errMsg, "errMsg");
  }

  String reason() {
    return reason;
  }

  String errMsg() {
    return errMsg;
  }
}
