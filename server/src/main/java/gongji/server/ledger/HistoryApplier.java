package gongji.server.ledger;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Brings the history store up to the journal: one thread that takes the history records of each
 * durable batch from the sequencer and applies them to the {@link HistoryStore}, and tells readers
 * when history has caught up with a given journal sequence number.
 *
 * <p>How it works. The sequencer {@link #submit}s a batch's records with the sequence number of its
 * last journal record, after the journal force and before the batch's replies leave. This thread
 * takes whatever is queued, applies it to the store in one atomic write (the records of several
 * batches together), then moves {@link #visibleSeq} and completes the readers waiting for it. It
 * looks every {@link #APPLY_EVERY_NANOS} while batches come, not at each one: a submit wakes nobody
 * (the writer makes no system call for history) unless {@link #WAKE_AT_RECORDS} are pending, and a
 * reader who registers to wait wakes it at once, so only readers nobody waits for see history lag. A reader that saw an acknowledgement asks {@link #awaitApplied} for the
 * sequencer's acknowledged number first, so it sees its own writes.
 *
 * <p>Why it is safe. The sequencer never waits for history (LMAX: the writer does no I/O but its
 * journal). History is derived: it can lag, and after a crash it catches up from the journal
 * (recovery replays from a snapshot at or below what the store says it has applied). If the store
 * fails, or falls more than {@code maxPendingRecords} behind, history stops: queries are refused
 * with {@link HistoryUnavailableException} and the journal keeps everything until a restart rebuilds
 * history from it. Money is never affected.
 */
public final class HistoryApplier implements AutoCloseable {
  private static final Logger log = Logger.getLogger(HistoryApplier.class.getName());

  /** How often the thread applies what was submitted, while batches come. */
  static final long APPLY_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
  /** Records pending at which a submit wakes the thread instead of leaving them for its next look. */
  static final int WAKE_AT_RECORDS = 16_384;

  private final HistoryStore store;
  private final int maxPendingRecords;
  private final ConcurrentLinkedQueue<Batch> queue = new ConcurrentLinkedQueue<>();
  private final AtomicLong pendingRecords = new AtomicLong();
  /**
   * Readers waiting for history to reach a sequence number, by that number; guarded by itself. A
   * reader registers only while {@link #visibleSeq} is below its number and history runs, checked
   * under the same lock that the applier takes to hand out what is due after it moved
   * {@code visibleSeq} (or set {@code failed}): a reader either sees the new number or is handed
   * out, never neither. (A lock-free map lost one: a reader added itself to a list the applier had
   * just taken out, and waited for good.) Readers and the applier take it, never the sequencer.
   */
  private final TreeMap<Long, List<CompletableFuture<Void>>> waiters = new TreeMap<>();
  private final Thread thread;
  private volatile long visibleSeq;
  private volatile boolean sleeping;
  private volatile boolean stopping;
  private volatile String failed;
  /** Set by {@link #close}: nothing more is applied, so a reader behind would wait for good. */
  private volatile boolean closed;

  /** Applies to {@code store}, which has applied the journal up to {@link HistoryStore#appliedSeq}. */
  public HistoryApplier(HistoryStore store, int maxPendingRecords) {
    this.store = requireNonNull(store, "store");
    checkArgument(maxPendingRecords > 0, "maxPendingRecords: %s (expected: > 0)", maxPendingRecords);
    this.maxPendingRecords = maxPendingRecords;
    this.visibleSeq = store.appliedSeq();
    this.thread = new Thread(this::run, "gongji-history");
    this.thread.setDaemon(true);
  }

  public HistoryApplier start() {
    thread.start();
    return this;
  }

  public HistoryStore store() {
    return store;
  }

  /**
   * Queues the records of the journal up to {@code throughSeq} (maybe none: the number still moves).
   * Called by the sequencer only (its writer, or its forcer when the force is pipelined; one thread at a
   * time), with increasing numbers; never blocks.
   */
  public void submit(long throughSeq, List<HistoryRecord> records) {
    if (failed != null) {
      return;
    }
    long pending = pendingRecords.addAndGet(records.size());
    if (pending > maxPendingRecords) {
      fail("history fell more than " + maxPendingRecords + " records behind the journal", null);
      return;
    }
    queue.offer(new Batch(throughSeq, records));
    if (pending >= WAKE_AT_RECORDS && sleeping) {
      LockSupport.unpark(thread);
    }
  }

  /** The sequence number up to which history answers: applied, or with nothing to apply. */
  public long visibleSeq() {
    return visibleSeq;
  }

  /** Why history stopped, or null while it runs. */
  public String failedReason() {
    return failed;
  }

  /**
   * Completes when history has caught up with {@code seq}; at once if it has. Completes
   * exceptionally with {@link HistoryUnavailableException} if history stopped.
   */
  public CompletableFuture<Void> awaitApplied(long seq) {
    if (visibleSeq >= seq) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    synchronized (waiters) {
      if (failed == null && !closed && visibleSeq < seq) {
        waiters.computeIfAbsent(seq, k -> new ArrayList<>(1)).add(f);
        LockSupport.unpark(thread); // a reader waits: apply now, not at the next look
        return f;
      }
    }
    // The applier moved on (or stopped) since the first check: settled here, not registered.
    String why = failed;
    if (why != null) {
      f.completeExceptionally(new HistoryUnavailableException(why));
    } else if (visibleSeq >= seq) {
      f.complete(null);
    } else {
      f.completeExceptionally(new HistoryUnavailableException("history is shutting down"));
    }
    return f;
  }

  private void run() {
    List<HistoryRecord> records = new ArrayList<>();
    boolean applied = false;
    while (true) {
      Batch b = queue.poll();
      if (b == null) {
        if (stopping) {
          break;
        }
        sleeping = true;
        if (!stopping && !waited()) {
          LockSupport.parkNanos(this, applied ? APPLY_EVERY_NANOS : TimeUnit.MILLISECONDS.toNanos(100));
        }
        sleeping = false;
        applied = false;
        continue;
      }
      applied = true;
      long through = b.throughSeq;
      records.clear();
      records.addAll(b.records);
      // Take what else is queued: one write for all of it.
      Batch next;
      while (records.size() < 65_536 && (next = queue.poll()) != null) {
        records.addAll(next.records);
        through = next.throughSeq;
      }
      if (failed != null) {
        continue;
      }
      try {
        if (!records.isEmpty()) {
          store.apply(through, records);
        }
      } catch (Exception | Error e) {
        fail("history store write failed: " + e, e);
        continue;
      }
      pendingRecords.addAndGet(-records.size());
      visibleSeq = through;
      completeWaiters(through, null);
    }
  }

  /** Whether a reader waits for what is queued (then the thread does not sleep). */
  private boolean waited() {
    if (queue.isEmpty()) {
      return false;
    }
    synchronized (waiters) {
      return !waiters.isEmpty();
    }
  }

  /** Hands out the readers waiting for up to {@code upTo}; called after visibleSeq or failed moved. */
  private void completeWaiters(long upTo, Throwable failure) {
    List<CompletableFuture<Void>> due = new ArrayList<>();
    synchronized (waiters) {
      Map<Long, List<CompletableFuture<Void>>> head = waiters.headMap(upTo, true);
      for (List<CompletableFuture<Void>> fs : head.values()) {
        due.addAll(fs);
      }
      head.clear();
    }
    // Completed outside the lock: what a reader chains on its future runs here.
    for (CompletableFuture<Void> f : due) {
      if (failure == null) {
        f.complete(null);
      } else {
        f.completeExceptionally(failure);
      }
    }
  }

  private void fail(String why, Throwable cause) {
    if (failed == null) {
      failed = why;
      log.log(Level.SEVERE, "history stopped; queries are refused until a restart rebuilds it from the journal: " + why,
          cause);
      queue.clear();
      completeWaiters(Long.MAX_VALUE, new HistoryUnavailableException(why));
    }
  }

  /** Applies what is queued, then stops the thread; closes nothing (the store is the caller's). */
  @Override
  public void close() {
    stopping = true;
    LockSupport.unpark(thread);
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closed = true;
    if (failed == null) {
      completeWaiters(Long.MAX_VALUE, new HistoryUnavailableException("history is shutting down"));
    }
  }

  private record Batch(long throughSeq, List<HistoryRecord> records) {}
}
