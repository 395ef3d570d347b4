package gongji.server.ledger;

/**
 * The ledger's queue is full: the command was refused at once, before it was queued, so it was not
 * applied; the same request (same id) may be sent again after a short pause. Excess load is shed
 * this way instead of being queued past what the callers will wait for.
 */
public final class LedgerOverloadedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LedgerOverloadedException(String message) {
    super(message);
  }
}
