package gongji.client;

/** A sale after Authorize, Settle, Cancel or Refund. */
public final class Sale {
  /** Where a sale is in its life. */
  public enum State {
    /** Funds held, waiting for Settle or Cancel. */
    AUTHORIZED,
    /** Paid to the institution. */
    SETTLED,
    /** Released before settlement. */
    CANCELLED,
    /** Released by itself: not settled in time. */
    EXPIRED,
    /** Returned to the accounts it came from. */
    REFUNDED
  }

  private final String transactionId;
  private final String requestId;
  private final State state;
  private final Split split;
  private final long expireTimeMillis;

  /** A sale, as the gateway reported it. */
  public Sale(String transactionId, String requestId, State state, Split split, long expireTimeMillis) {
    this.transactionId = Checks.notNull(transactionId, "transactionId");
    this.requestId = Checks.notNull(requestId, "requestId");
    this.state = Checks.notNull(state, "state");
    this.split = split;
    this.expireTimeMillis = expireTimeMillis;
  }

  /** The transaction id (also the settlement id). */
  public String transactionId() {
    return transactionId;
  }

  /** The request id this step was sent with. */
  public String requestId() {
    return requestId;
  }

  /** The state after this step. */
  public State state() {
    return state;
  }

  /** The split of this step; for Cancel, only the balance after is meaningful. */
  public Split split() {
    return split;
  }

  /** When the holds expire (epoch millis); 0 when not reported. */
  public long expireTimeMillis() {
    return expireTimeMillis;
  }
}
