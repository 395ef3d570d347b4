package gongji.server.ledger;

/** History cannot answer now: its store failed or fell behind (the journal keeps everything). */
public final class HistoryUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HistoryUnavailableException(String message) {
    super(message);
  }
}
