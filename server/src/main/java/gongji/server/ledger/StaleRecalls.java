package gongji.server.ledger;

import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The {@link Sequencer}'s commands answered {@link Result.Stale}: the writer swept to history what
 * their look-up ({@link Recaller}) did not yet see, so each is looked up again once history has
 * applied the batch that holds the writer's latest sweep, and queued again. Bounded: at most
 * {@value #MAX_RECALLS} look-ups a command, and at most {@link #MAX_RECALL_WAIT_NANOS} (or the
 * call's deadline) waiting for history each time; past either, refused and not applied.
 */
final class StaleRecalls {
  /** Looked up again at most this many times when history lags the writer's sweeps; then refused. */
  static final int MAX_RECALLS = 8;
  /** How long a command looked up again waits for history to hold the sweep it missed; then refused. */
  static final long MAX_RECALL_WAIT_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Supplier<HistoryApplier> history;
  private final Executor replies;
  private final Consumer<Pending> queueAgain;
  private final AtomicLong count = new AtomicLong();

  /**
   * Recalls that wait for {@code history} (null: none, every stale command is refused), continue on
   * {@code replies}, and hand the command, its count of look-ups raised, to {@code queueAgain}.
   */
  StaleRecalls(Supplier<HistoryApplier> history, Executor replies, Consumer<Pending> queueAgain) {
    this.history = history;
    this.replies = replies;
    this.queueAgain = queueAgain;
  }

  /** Looks {@code p} up again once history holds record {@code sweptSeq}, or refuses it. */
  void recall(Pending p, long sweptSeq) {
    count.incrementAndGet();
    HistoryApplier h = history.get();
    if (p.recalls() + 1 >= MAX_RECALLS || h == null) {
      p.future().completeExceptionally(new HistoryUnavailableException(
          "history stays behind the ledger's sweeps (looked up " + (p.recalls() + 1) + " times)"));
      return;
    }
    // Bounded: a history that stalls refuses the command (not applied) instead of holding the call.
    boolean hasDeadline = p.deadlineNanos() != Long.MAX_VALUE;
    long waitNanos = hasDeadline
        ? Math.min(MAX_RECALL_WAIT_NANOS, Math.max(0, p.deadlineNanos() - System.nanoTime()))
        : MAX_RECALL_WAIT_NANOS;
    h.awaitApplied(sweptSeq).orTimeout(waitNanos, TimeUnit.NANOSECONDS).whenCompleteAsync((ok, failed) -> {
      if (failed instanceof TimeoutException) {
        p.future().completeExceptionally(hasDeadline && p.deadlineNanos() - System.nanoTime() <= 0
            ? new DeadlinePassedException("the call's deadline passed while history caught up with record "
                + sweptSeq + ": not applied")
            : new HistoryUnavailableException("history did not reach record " + sweptSeq + " within "
                + TimeUnit.NANOSECONDS.toMillis(MAX_RECALL_WAIT_NANOS) + " ms: not applied"));
      } else if (failed != null) {
        p.future().completeExceptionally(failed);
      } else {
        queueAgain.accept(new Pending(p.command(), p.future(), p.replyOn(), p.recalls() + 1, p.deadlineNanos()));
      }
    }, replies);
  }

  /** Commands looked up again since start. */
  long count() {
    return count.get();
  }
}
