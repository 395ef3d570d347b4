package gongji.client;

/** What a reversal did. */
public final class Reversal {
  /** The outcome of a reversal. */
  public enum Outcome {
    /** The original had been applied and is now undone. */
    REVERSED,
    /** The original had not arrived; it will be refused if it does. */
    NOT_RECEIVED,
    /** The original had been refused; nothing to undo. */
    ORIGINAL_FAILED
  }

  private final String originalRequestId;
  private final Outcome outcome;
  private final String transactionId;

  /** A reversal, as the gateway reported it. */
  public Reversal(String originalRequestId, Outcome outcome, String transactionId) {
    this.originalRequestId = originalRequestId;
    this.outcome = outcome;
    this.transactionId = transactionId;
  }

  /** The reversed request's id. */
  public String originalRequestId() {
    return originalRequestId;
  }

  /** What happened. */
  public Outcome outcome() {
    return outcome;
  }

  /** The transaction concerned, or "". */
  public String transactionId() {
    return transactionId;
  }
}
