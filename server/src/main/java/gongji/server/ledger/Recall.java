package gongji.server.ledger;

/**
 * What the writer lets go of, and how it gets it back: the boundary between the working state and
 * history.
 *
 * <p>Letting go. A {@link Command.Sweep} (journaled; the sequencer sends one at most once a
 * {@link #SWEEP_PERIOD_MILLIS} when something is due) hands to history, as images, the request
 * entries kept longer than the recent window and then the closed sales untouched for as long (a
 * sale goes only after every entry that names it), and ends with a {@link HistoryRecord.Swept}
 * carrying the number of sweeps so far. Replay applies the same sweeps at the same points, so the
 * working state after any journaled command is the same live and replayed.
 *
 * <p>Getting it back. The writer never reads history. Before a command reaches it, the gateway side
 * ({@link Recaller}) reads the store's sweep count, then the images the command may need (its request
 * entry, its sale) and sends a {@link Command.Recalled}. Memory wins: an image is used only when the
 * writer no longer holds the thing, and only if the look-up saw every sweep the writer made
 * ({@code recalled.sweeps >= sweeps}); otherwise the command is answered {@link Result.Stale}, applied
 * to nothing, and looked up again once history has caught up. A sale a mutating command needs is taken
 * back into memory (and let go of again a recent window after its last change); a query reads the
 * image and keeps nothing. The images travel in the journal with the command, so replay decides the
 * same without history.
 */
final class Recall {
  /** The sequencer sends at most one sweep per this much ledger time: look-ups go stale at most that often. */
  static final long SWEEP_PERIOD_MILLIS = 1_000;

  /** Sweeps applied since the ledger began (journaled, in the snapshot). */
  private long sweeps;
  /** When the last sweep was applied (not in the snapshot: only the sequencer's pacing reads it). */
  private long lastSweepMillis = Long.MIN_VALUE;
  /** What was recalled for the command being applied, or null. */
  private Command.Recalled current;
  private boolean mutating;

  long sweeps() {
    return sweeps;
  }

  void restoreSweeps(long sweeps) {
    this.sweeps = sweeps;
  }

  /** Counts a sweep applied at {@code nowMillis}; returns the new count. */
  long swept(long nowMillis) {
    lastSweepMillis = nowMillis;
    return ++sweeps;
  }

  /** Whether the pacing lets a sweep run at {@code nowMillis}. */
  boolean paced(long nowMillis) {
    return lastSweepMillis == Long.MIN_VALUE || nowMillis - lastSweepMillis >= SWEEP_PERIOD_MILLIS;
  }

  /** The command being applied comes with these images ({@code recalled} may be null). */
  void begin(Command.Recalled recalled, boolean mutating) {
    this.current = recalled;
    this.mutating = mutating;
  }

  void end() {
    current = null;
    mutating = false;
  }

  /** Whether a sale recalled now is taken back into memory (the command changes state). */
  boolean readmits() {
    return mutating;
  }

  /** The recalled image of the request entry under {@code key}, or null. */
  byte[] request(String key) {
    Command.Recalled r = current;
    return r != null && r.requestKey().equals(key) ? r.request() : null;
  }

  /** The recalled image of sale {@code txnId}, or null. */
  byte[] sale(String txnId) {
    Command.Recalled r = current;
    return r != null && r.txnId().equals(txnId) ? r.sale() : null;
  }

  // ---- what a command may need from history ---------------------------------------------------

  /** The request-log key a command names (its own id, or the one it reverses or looks up), or null. */
  static String requestKey(Command c) {
    return switch (c.type()) {
      case AUTHORIZE, SETTLE, CANCEL, REFUND, REJECT, CREDIT, ASSIGN_WALLET_QUOTA, PAY_OUT_TO_HEIRS, PAY_PREMIUM -> {
        Command.Keyed k = (Command.Keyed) c;
        yield RequestLog.key(k.scope(), k.requestId());
      }
      case REVERSE -> {
        Command.Reverse r = (Command.Reverse) c;
        yield RequestLog.key(r.institution(), r.originalRequestId());
      }
      case GET_TRANSACTION -> {
        Command.GetTransaction g = (Command.GetTransaction) c;
        yield g.requestId() == null ? null : RequestLog.key(g.institution(), g.requestId());
      }
      default -> null;
    };
  }

  /**
   * The sale a command names by id, or null; a command that names a request instead (a reversal,
   * a look-up by request id) needs the sale its entry names, which the look-up finds from the entry.
   */
  static String txnId(Command c) {
    return switch (c.type()) {
      case SETTLE -> ((Command.Settle) c).txnId();
      case CANCEL -> ((Command.Cancel) c).txnId();
      case REFUND -> ((Command.Refund) c).txnId();
      case GET_TRANSACTION -> ((Command.GetTransaction) c).txnId();
      default -> null;
    };
  }
}
