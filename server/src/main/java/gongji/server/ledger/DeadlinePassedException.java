package gongji.server.ledger;

/**
 * The caller's deadline passed before the command reached the writer: it was not applied (nothing
 * was recorded under its request id, which may be sent again). A caller that gave up must not find
 * its request applied afterwards.
 */
public final class DeadlinePassedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DeadlinePassedException(String message) {
    super(message);
  }
}
