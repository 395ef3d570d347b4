package gongji.server.ledger;

/**
 * A read-only command ({@link Command.Query}) threw while the ledger answered it: a bug in the read
 * path, or a question the ledger cannot answer. Only that call fails; a query changes nothing, so
 * the ledger stays trustworthy and keeps serving. The cause is logged once on the sequencer; the
 * message names the query's type, never its fields or the cause's text.
 */
public final class LedgerQueryFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LedgerQueryFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
