package gongji.server.ledger;

/**
 * The ledger cannot take the command now: its queue is full, it is stopping, or its journal failed.
 * The command was not applied; retrying the same request (same id) later is safe.
 */
public final class LedgerUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LedgerUnavailableException(String message) {
    super(message);
  }

  public LedgerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
