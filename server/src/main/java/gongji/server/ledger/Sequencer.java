package gongji.server.ledger;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The single writer: one thread that owns the {@link Ledger} and applies every command to it.
 *
 * <p>How it works. Callers {@link #submit} a command from any thread and get a future. The sequencer
 * thread takes whatever is queued, up to {@code maxBatchCommands}, gives the batch one ledger time
 * from the injected clock, applies each command in order and appends the mutating ones to the
 * journal. A batch's queries ({@link Command.Query}: identify, look-ups) are applied first, before
 * its sweep and its writes. A batch closes as soon as the queue is empty: there is no timer delay
 * when the load is light.
 *
 * <p>Pipelined group commit ({@code pipelinedForce}, with a journal that
 * {@linkplain Journal#forcesOffTheWriter allows it}). The writer ends batch k with
 * {@link Journal#write} and hands it to the forcer, a second thread, which forces the journal once
 * for it and then, in order: submits its history records, moves {@link #acknowledgedSeq}, hands its
 * commands to the snapshot follower, and completes the futures. Meanwhile the writer takes batch
 * k+1 and applies it. Before anything of batch k+1 leaves or is written, the writer waits (parked)
 * until batch k is completed: so at most two batches are applied and not forced (k at the forcer,
 * k+1 on the writer), the journal's file is written by the writer only between forces
 * (see {@link FileJournal} for why that makes the concurrent append safe), and every reply of batch
 * k+1 leaves after batch k's force. Which replies of batch k+1 wait for more: its writes and their
 * refusals (which are journaled: the request id is taken) leave after batch k+1's own force; its
 * queries, answered before its writes, read exactly what batches up to k left, so they leave as
 * soon as batch k is forced (at once when no batch is in flight). That is the smallest wait that
 * keeps the rule: no answer leaves before every command it depends on is durable. Each batch's
 * force covers everything written before it, so the forcer's one force per hand-off is group
 * commit across all the commands queued while the previous force ran. With it off, or a journal
 * that does not allow it, the writer forces each batch itself and completes it before the next
 * (one thread; the same order of what follows a force).
 *
 * <p>Replies are never completed on the sequencer's threads: each caller's on the executor
 * {@link #repliesOnCaller} named on the thread that submitted it (the transport's event loop the
 * call arrived on, which must write the reply anyway: one task per event loop per batch, and the
 * batch's replies leave in one flush), or on the replies executor when it named none.
 *
 * <p>Why it is safe. Only the writer touches the ledger, so the ledger needs no locks and every
 * check it makes holds when it acts. No result leaves before the journal has made durable every
 * command its answer depends on. History and the snapshot follower are handed only forced
 * batches, in order; a snapshot image taken on the writer at a batch is written only after that
 * batch's force. If moving the ledger's time ({@link Ledger#advanceTo}, once per batch, before any
 * command) or applying a mutating command throws (a bug), or the journal fails, the sequencer is
 * poisoned: the failing batch and everything after it is refused with
 * {@link LedgerUnavailableException}, because state may be half-changed, and after a failed fsync
 * nothing in memory can be trusted to be on disk. When the forcer's force of batch k fails, batch
 * k+1, already applied in memory, is refused with it, queries included, and is never written;
 * nothing after is acknowledged. A batch handed to the forcer before the writer poisoned itself is
 * still acknowledged once forced: it was whole, and it is durable. A {@link Command.Query} that
 * throws changes nothing (time has already moved for the batch), so it fails alone with
 * {@link LedgerQueryFailedException} and the sequencer keeps serving; each distinct cause is logged
 * once with its stack trace, the rest only counted ({@link QueryFailures}). Bounds: at most
 * {@code maxQueuedCommands} wait; past that, submit refuses at once rather than queue without
 * limit; at most two batches between applied and forced; at most
 * {@value QueryFailures#MAX_LOGGED_CAUSES} causes of failed queries are remembered for logging.
 *
 * <p>When nothing is queued, the thread parks; submitters unpark it only when it said it was about
 * to sleep, and the forcer only when the writer said it waits for it. While parked it wakes every
 * {@code idleTickMillis} to expire holds that came due, and to take a snapshot that fell due while
 * another was in flight (the end of that one also wakes it: see {@link SnapshotSchedule}).
 *
 * <p>Its parts: this class runs the batches (queue, time, queries, sweeps, writes, the journal's
 * append) and what follows a force ({@code complete}); {@link ForceStage} is the forcer and its
 * hand-off; {@link SnapshotSchedule} says when a snapshot is due and has it made and written;
 * {@link BatchReplies} hands results to their callers; {@link QueryFailures} logs failed queries once;
 * {@link StaleRecalls} looks again in history for what a sweep took from under a command's look-up.
 */
// close() waits for threads and calls in flight; an interrupt while it waits goes to the caller
// (javac's "try" lint warns of any close() that may throw InterruptedException).
@SuppressWarnings("try")
public final class Sequencer implements AutoCloseable {
  private static final Logger log = Logger.getLogger(Sequencer.class.getName());

  /**
   * The bounds of a sequencer, and whether it forces the journal on a thread of its own while it
   * applies the next batch ({@code pipelinedForce}; it does only with a journal that
   * {@linkplain Journal#forcesOffTheWriter allows it}).
   */
  public record Config(int maxQueuedCommands, int maxBatchCommands, long idleTickMillis, boolean pipelinedForce) {
    public Config {
      checkArgument(maxQueuedCommands > 0, "maxQueuedCommands: %s (expected: > 0)", maxQueuedCommands);
      checkArgument(maxBatchCommands > 0, "maxBatchCommands: %s (expected: > 0)", maxBatchCommands);
      checkArgument(idleTickMillis > 0, "idleTickMillis: %s (expected: > 0)", idleTickMillis);
    }

    /** These bounds, with the force pipelined. */
    public Config(int maxQueuedCommands, int maxBatchCommands, long idleTickMillis) {
      this(maxQueuedCommands, maxBatchCommands, idleTickMillis, true);
    }

    public static Config defaults() {
      return new Config(65_536, 4_096, 200, true);
    }

    /** These bounds, with the force pipelined or not. */
    public Config withPipelinedForce(boolean on) {
      return new Config(maxQueuedCommands, maxBatchCommands, idleTickMillis, on);
    }
  }

  /**
   * Told after every batch, once it is forced ({@code forceNanos}: how long its force took; 0 for a
   * batch without records); for metrics. Called on the sequencer thread: must be cheap.
   */
  public interface BatchObserver {
    BatchObserver NONE = (commands, mutating, forceNanos) -> {};

    void batchDone(int commands, int mutating, long forceNanos);
  }

  /**
   * When and where to write snapshots: after {@code everyCommands} journaled commands, or after
   * {@code everyMillis} with at least one. The image is taken on the sequencer thread (the ledger
   * is only consistent there) and written by {@code sink} on its own thread; one at a time (one that
   * falls due meanwhile is taken once the writer is idle after it, without waiting for a command).
   */
  public record Snapshotting(long everyCommands, long everyMillis, SnapshotSink sink, Executor executor) {
    public Snapshotting {
      checkArgument(everyCommands > 0, "everyCommands: %s (expected: > 0)", everyCommands);
      checkArgument(everyMillis > 0, "everyMillis: %s (expected: > 0)", everyMillis);
      requireNonNull(sink, "sink");
      requireNonNull(executor, "executor");
    }
  }

  /** Writes a snapshot image durably. */
  public interface SnapshotSink {
    /**
     * Writes the image of {@code payload} as of record {@code seq} on this thread (the payload may be
     * a ledger only this thread may read: {@link Snapshots#write(gongji.server.ledger.storage.Storage, long,
     * Snapshots.Payload)} makes it as it writes it); returns its length in bytes.
     */
    long write(long seq, Snapshots.Payload payload) throws IOException;
  }

  private static final Command TICK = new Command.Tick();

  private final Ledger ledger;
  private final Journal journal;
  private final InstantSource clock;
  private final Executor replies;
  private final Config config;
  private final BatchObserver observer;

  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger depth = new AtomicInteger();
  private final AtomicLong applied = new AtomicLong();
  private final Thread thread;
  private volatile boolean sleeping;
  private volatile boolean stopping;
  private volatile String poisoned;
  /** Set by {@link #halt} from another thread; the writer poisons itself with it before its next batch. */
  private volatile String haltRequested;
  /** The time given to the last batch: batches never go back in time, even if the clock does. */
  private long lastNow = Long.MIN_VALUE;
  /** When snapshots are due, and who makes them; null: none are taken. */
  private SnapshotSchedule snapshots;
  /** Follows durable batches to make snapshot images off this thread; null: this thread makes them. */
  private SnapshotFollower follower;
  /**
   * The commands journaled in a batch, in order, for the follower: two arrays, used in turn, so that
   * the writer fills one while the forcer hands the other to the follower (null without a follower).
   */
  private Command[][] journaledInBatch;
  private int journaledFlip;
  /** Forces written batches, on a thread of its own while the writer applies the next when pipelined. */
  private final ForceStage force;
  /** Where a submitting thread wants its results delivered (null: the replies executor). */
  private volatile Supplier<Executor> callerExecutor = () -> null;
  private final java.util.List<Runnable> poisonListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private HistoryApplier history;
  /** The recent window of the sweeps the sequencer sends, in ms (0: none; everything stays in memory). */
  private long recentWindowMillis;
  private Recaller recaller;
  /** The journal sequence number of the last mutating command applied (this thread only). */
  private long seq;
  /** The sequence number of the last command whose result was released: what readers must see. */
  private volatile long acknowledgedSeq;
  private final QueryFailures queryFailures = new QueryFailures();
  private final AtomicLong deadlinesPassed = new AtomicLong();
  /** The submitting caller's deadline, in {@link System#nanoTime} terms, or {@link Long#MAX_VALUE} for none. */
  private volatile java.util.function.LongSupplier callerDeadline = () -> Long.MAX_VALUE;
  /** Commands answered {@link Result.Stale}, looked up again. */
  private final StaleRecalls recalls;
  private final AtomicLong overloaded = new AtomicLong();
  // As of the last batch, for the meters, which must not read the ledger from another thread.
  private volatile int keptSales;
  private volatile int keptRequests;
  private volatile int keptTransfers;
  private volatile long sweeps;
  private volatile LedgerFigures figures;
  /**
   * When the next change of wallet transfers that time alone makes (a 06:00 return, an expiry of a
   * sale holding wallet quota) falls due, as of the last batch; {@link Long#MIN_VALUE} while one
   * made already waits for a journaled command to reach history. Published after
   * {@link #acknowledgedSeq}.
   */
  private volatile long transferChangeDueMillis = Long.MIN_VALUE;
  /** Writer only: {@link #transferChangeDueMillis} as of the batch being run, published when it completes. */
  private long transferChangeDueOfBatch = Long.MIN_VALUE;
  /** What Identify shows, published after each batch's force, before its replies leave. */
  private final IdentityView identityView;

  public Sequencer(Ledger ledger, Journal journal, InstantSource clock, Executor replies, Config config,
      BatchObserver observer) {
    this.ledger = requireNonNull(ledger, "ledger");
    this.journal = requireNonNull(journal, "journal");
    this.clock = requireNonNull(clock, "clock");
    this.identityView = new IdentityView(clock);
    this.replies = requireNonNull(replies, "replies");
    this.config = requireNonNull(config, "config");
    this.observer = requireNonNull(observer, "observer");
    this.seq = journal.lastSeq();
    this.acknowledgedSeq = seq;
    this.figures = ledger.figures(null); // before the writer's thread starts: as recovered
    this.thread = new Thread(this::run, "gongji-sequencer");
    this.thread.setDaemon(false);
    this.force = new ForceStage(journal, thread, config.pipelinedForce(), this::complete, this::poison);
    this.recalls = new StaleRecalls(() -> history, replies,
        p -> enqueue(p.command(), p.future(), p.replyOn(), p.recalls(), p.deadlineNanos()));
  }

  /** Takes snapshots as configured; call before {@link #start}. */
  public Sequencer snapshotting(Snapshotting snapshotting) {
    this.snapshots = new SnapshotSchedule(requireNonNull(snapshotting, "snapshotting"), journal, ledger, this::poison,
        this::wake);
    return this;
  }

  /**
   * Has snapshot images made off this thread, by a second ledger that applies every durable batch
   * after this one (see {@link SnapshotFollower}); {@code seed} rebuilds, on the follower's thread,
   * the ledger this sequencer starts with. At most {@code maxLagCommands} commands wait for it; past
   * that it is given up and images are made here again. Needs {@link #snapshotting}; call before
   * {@link #start}.
   */
  public Sequencer snapshotsOffTheWriter(java.util.concurrent.Callable<Ledger> seed, long maxLagCommands) {
    return snapshotsOffTheWriter(seed, maxLagCommands, SnapshotFollower.Reseeding.NEVER);
  }

  /**
   * The same; a follower given up is replaced by one that {@code reseeding} seeds again, after a
   * backoff on this sequencer's clock (see {@link SnapshotFollower}).
   */
  public Sequencer snapshotsOffTheWriter(java.util.concurrent.Callable<Ledger> seed, long maxLagCommands,
      SnapshotFollower.Reseeding reseeding) {
    checkArgument(snapshots != null, "snapshotsOffTheWriter needs snapshotting first");
    checkArgument(maxLagCommands > 0, "maxLagCommands: %s (expected: > 0)", maxLagCommands);
    this.follower = new SnapshotFollower(seed, seq, maxLagCommands, reseeding, clock::millis);
    snapshots.madeBy(follower);
    this.journaledInBatch = new Command[2][config.maxBatchCommands() + 2];
    return this;
  }

  /** Commands handed to the snapshot follower that it has not applied yet (0 without one). */
  public long snapshotFollowerLag() {
    SnapshotFollower f = follower;
    return f == null ? 0 : f.lagCommands();
  }

  /** How many times a snapshot follower given up was replaced by one seeded again (0 without one). */
  public long snapshotFollowerReseeds() {
    SnapshotFollower f = follower;
    return f == null ? 0 : f.reseeds();
  }

  /** Whether a snapshot is being made or written (one at a time). */
  boolean snapshotPending() {
    return snapshots != null && snapshots.pending();
  }

  /** Whether snapshot images are being made off the writer (a follower configured and not given up). */
  public boolean snapshotsOffTheWriter() {
    SnapshotFollower f = follower;
    return f != null && f.following();
  }

  /**
   * Hands the history records of every durable batch to {@code history}; call before {@link #start}.
   * Without it they are dropped (a node that answers no history questions).
   */
  public Sequencer history(HistoryApplier history) {
    this.history = requireNonNull(history, "history");
    return this;
  }

  /**
   * Lets the ledger hand to history what has been closed for {@code recentWindow} (see
   * {@link Recall}): the sequencer sends a journaled {@link Command.Sweep} before a batch when one is
   * due, and looks up in history, before a command is queued, what it may need. Needs
   * {@link #history}, whose store {@code recaller} reads; call before {@link #start}.
   */
  public Sequencer sweeping(java.time.Duration recentWindow, Recaller recaller) {
    checkArgument(recentWindow.toMillis() > 0, "recentWindow: %s (expected: > 0)", recentWindow);
    this.recentWindowMillis = recentWindow.toMillis();
    this.recaller = requireNonNull(recaller, "recaller");
    return this;
  }

  /**
   * The journal sequence number of the last acknowledged mutating command: a reader of history who
   * waits until history has applied it sees every write acknowledged before it asked.
   */
  public long acknowledgedSeq() {
    return acknowledgedSeq;
  }

  /**
   * The read-only view Identify is answered from without this writer (see {@link IdentityView}):
   * each batch's changes are published in it after the batch's force, before its replies leave.
   */
  public IdentityView identityView() {
    return identityView;
  }

  /**
   * Completes each command's future on the executor {@code callerExecutor} returns on the thread
   * that submitted it, or on the replies executor where it returns null; call before {@link #start}.
   * The executor must not run tasks on the sequencer thread, and should not block; if it refuses a
   * task (shut down), the replies executor runs it.
   */
  public Sequencer repliesOnCaller(Supplier<Executor> callerExecutor) {
    this.callerExecutor = requireNonNull(callerExecutor, "callerExecutor");
    return this;
  }

  /**
   * Stops the ledger from any thread, as a broken invariant would: the writer takes it before its
   * next batch (a batch under way finishes first), and from then on nothing is acknowledged. For a
   * fault found off the writer's thread, such as the snapshot this ledger started from failing its
   * checks on the follower.
   */
  public void halt(String why) {
    haltRequested = requireNonNull(why, "why");
    LockSupport.unpark(thread);
  }

  /**
   * Runs {@code listener} once when the sequencer poisons itself, on the thread that found the
   * failure (the sequencer's, or its forcer's for a failed force).
   */
  public void onPoisoned(Runnable listener) {
    poisonListeners.add(requireNonNull(listener, "listener"));
  }

  /** Starts the sequencer thread. */
  public Sequencer start() {
    if (recentWindowMillis > 0 && history == null) {
      throw new IllegalStateException("sweeping needs history: what is let go of must be looked up again");
    }
    if (follower != null) {
      follower.start();
    }
    force.start();
    thread.start();
    return this;
  }

  /**
   * Queues a command. The future completes, after the command is durable, with its result; or
   * exceptionally with {@link LedgerUnavailableException} if it was not applied.
   */
  public CompletableFuture<Result> submit(Command command) {
    requireNonNull(command, "command");
    CompletableFuture<Result> future = new CompletableFuture<>();
    Executor replyOn = callerExecutor.get();
    enqueue(command, future, replyOn != null ? replyOn : replies, 0, callerDeadline.getAsLong());
    return future;
  }

  /** Looks up what the command needs from history (if sweeping), then queues it. */
  private void enqueue(Command command, CompletableFuture<Result> future, Executor replyOn, int recalls,
      long deadlineNanos) {
    if (recaller != null) {
      try {
        command = recaller.recall(command);
      } catch (IOException | RuntimeException e) {
        future.completeExceptionally(new HistoryUnavailableException("history cannot be read: " + e.getMessage()));
        return;
      }
    }
    String why = poisoned;
    if (why != null) {
      future.completeExceptionally(new LedgerUnavailableException("ledger stopped: " + why));
      return;
    }
    if (stopping) {
      future.completeExceptionally(new LedgerUnavailableException("ledger is shutting down"));
      return;
    }
    if (depth.incrementAndGet() > config.maxQueuedCommands()) {
      depth.decrementAndGet();
      overloaded.incrementAndGet();
      future.completeExceptionally(new LedgerOverloadedException(
          "ledger queue full (maxQueuedCommands=" + config.maxQueuedCommands() + "): not applied"));
      return;
    }
    queue.offer(new Pending(command, future, replyOn, recalls, deadlineNanos));
    if (sleeping) {
      LockSupport.unpark(thread);
    }
  }

  /** Sales the writer keeps (open, and closed within the recent window), as of the last batch. */
  public int keptSales() {
    return keptSales;
  }

  /** Request entries the writer keeps, as of the last batch. */
  public int keptRequests() {
    return keptRequests;
  }

  /** Wallet transfers the writer keeps (open, and closed ones of the day or named by kept sales), as of the last batch. */
  public int keptTransfers() {
    return keptTransfers;
  }

  /**
   * Whether a change of wallet transfers that time alone makes may have come due since the last
   * batch, or one made waits to reach history: then a list of transfers read from history needs a
   * {@link Command.Tick} first. Otherwise history holds, once it has applied {@link #acknowledgedSeq}
   * (read after this), every change of a transfer due by now. Any thread.
   */
  public boolean transferChangeDue() {
    return clock.millis() >= transferChangeDueMillis;
  }

  /** Holds outstanding, open sales and alerts raised, as of the last batch. */
  public LedgerFigures figures() {
    return figures;
  }

  /** Sweeps applied so far, as of the last batch. */
  public long sweeps() {
    return sweeps;
  }

  /**
   * Takes each command's deadline from the thread that submits it ({@code deadline} returns it in
   * {@link System#nanoTime} terms, or {@link Long#MAX_VALUE} for none): a command whose deadline has
   * passed when its batch starts is not applied and fails with {@link DeadlinePassedException}.
   * Call before {@link #start}.
   */
  public Sequencer deadlinesOnCaller(java.util.function.LongSupplier deadline) {
    this.callerDeadline = requireNonNull(deadline, "deadline");
    return this;
  }

  /** Commands refused because the queue was full, since start. */
  public long overloadedCount() {
    return overloaded.get();
  }

  /** Commands not applied because their caller's deadline had passed, since start. */
  public long deadlinesPassedCount() {
    return deadlinesPassed.get();
  }

  /** Commands looked up again because the writer swept after their look-up, since start. */
  public long recalledAgain() {
    return recalls.count();
  }

  /** Commands waiting for the sequencer. */
  public int queueDepth() {
    return depth.get();
  }

  /** Commands applied since start. */
  public long appliedCount() {
    return applied.get();
  }

  /** Queries that threw and failed alone since start. */
  public long queryFailures() {
    return queryFailures.count();
  }

  /** Why the sequencer refuses everything, or null while it is healthy. */
  public String poisonedReason() {
    return poisoned;
  }

  private void run() {
    Pending[] batch = new Pending[config.maxBatchCommands()];
    while (true) {
      String halt = haltRequested;
      if (halt != null && poisoned == null) {
        poison(halt, null);
      }
      int n = 0;
      Pending p;
      while (n < batch.length && (p = queue.poll()) != null) {
        batch[n++] = p;
      }
      if (n > 0) {
        depth.addAndGet(-n);
      } else {
        if (force.holdsBatch() && !force.forcing()) {
          awaitForced(); // forced while this thread was idle: reported now
          continue;
        }
        if (stopping) {
          break;
        }
        // Poisoned, a tick would be refused and the hold stay due: the loop would spin on it.
        // A tick too when wallet transfers changed as time moved: their records go to history with it.
        // Not while a batch is being forced: the tick comes once it is reported.
        if (poisoned == null && !force.holdsBatch()
            && (ledger.nextExpiryMillis() <= clock.millis() || ledger.transfersChanged())) {
          batch[n++] = new Pending(TICK, null, null, 0, Long.MAX_VALUE);
        } else if (poisoned == null && !force.holdsBatch() && snapshots != null
            && snapshots.dueWhenIdle(Math.max(clock.millis(), lastNow))) {
          // Fell due while another was in flight (or by time alone): taken now, not at the next batch.
          maybeSnapshot(0, Math.max(clock.millis(), lastNow), null);
          continue;
        } else {
          // Woken by a submit, or by the forcer when the batch in flight is done.
          boolean forcing = force.holdsBatch();
          sleeping = true;
          force.writerWaits(forcing);
          if (queue.isEmpty() && !stopping && (!forcing || force.forcing())) {
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(config.idleTickMillis()));
          }
          force.writerWaits(false);
          sleeping = false;
          continue;
        }
      }
      runBatch(batch, n);
    }
    awaitForced();
    force.stop();
    drainRefused("ledger is shutting down");
  }

  private void runBatch(Pending[] batch, int n) {
    Result[] results = new Result[n];
    Throwable[] failedAlone = null;
    Throwable failure = null;
    int mutating = 0;
    long now = Math.max(clock.millis(), lastNow);
    lastNow = now;
    long firstSeq = seq + 1;
    // The follower's copy of this batch's records; the batch in flight, if any, holds the other one.
    Command[] journaled = null;
    if (journaledInBatch != null) {
      journaledFlip ^= 1;
      journaled = journaledInBatch[journaledFlip];
    }
    Answers queries = null;
    if (poisoned != null) {
      failure = new LedgerUnavailableException("ledger stopped: " + poisoned);
    } else {
      try {
        // Moves time and expires due holds: the batch's only state change that no command makes.
        ledger.advanceTo(now);
      } catch (RuntimeException e) {
        poison("advancing ledger time to " + now + " failed: " + e, e);
        failure = new LedgerUnavailableException("ledger stopped: " + poisoned, e);
      }
    }
    if (failure == null) {
      queries = answerQueries(batch, n, now);
    }
    // Nothing more is let go of once history has stopped: it could not be looked up again. Commands that
    // need what was let go of before then fail with HISTORY_UNAVAILABLE until a restart rebuilds history.
    if (failure == null && recentWindowMillis > 0 && history.failedReason() == null
        && ledger.sweepDue(now, recentWindowMillis)) {
      // Journaled like any command, before the batch's: replay lets go of the same at the same point.
      Command sweep = new Command.Sweep(recentWindowMillis);
      try {
        ledger.apply(sweep, now);
        journal.append(sweep, now);
        seq++;
        if (journaled != null) {
          journaled[mutating] = sweep;
        }
        mutating++;
      } catch (IOException | RuntimeException e) {
        poison("sweeping to history failed: " + e, e);
        failure = new LedgerUnavailableException("ledger stopped: " + poisoned, e);
      }
    }
    boolean[] stale = null;
    long batchNanos = System.nanoTime();
    for (int i = 0; i < n && failure == null; i++) {
      if (batch[i] == null) {
        continue; // a query, answered
      }
      Command c = batch[i].command();
      if (poisoned != null) {
        failure = new LedgerUnavailableException("ledger stopped: " + poisoned);
        break;
      }
      long deadline = batch[i].deadlineNanos();
      if (deadline != Long.MAX_VALUE && batchNanos - deadline > 0) {
        // The caller has given up: applying it now would surprise it. Not applied, not journaled.
        deadlinesPassed.incrementAndGet();
        if (failedAlone == null) {
          failedAlone = new Throwable[n];
        }
        failedAlone[i] = new DeadlinePassedException("the call's deadline passed "
            + (batchNanos - deadline) / 1_000_000 + " ms before the ledger reached it: not applied");
        continue;
      }
      if (!c.mutating()) {
        continue; // answered before the batch's writes (answerQueries)
      }
      try {
        results[i] = ledger.apply(c, now);
        if (results[i] instanceof Result.Stale) {
          stale = markStale(stale, n, i); // applied to nothing: not journaled
          continue;
        }
        journal.append(c, now);
        seq++;
        if (journaled != null) {
          journaled[mutating] = c;
        }
        mutating++;
      } catch (IOException | RuntimeException e) {
        poison("applying " + c.getClass().getSimpleName() + " failed: " + e, e);
        failure = new LedgerUnavailableException("ledger stopped: " + poisoned, e);
      }
    }
    // History follows durable batches only; the records of a failed one are dropped with it.
    java.util.List<HistoryRecord> made = ledger.takeHistory();
    // What the batch changed in the Identify view, collected now (the next batch changes the state),
    // published once it is forced (complete). A refused batch publishes nothing: the view is closed then.
    IdentityView.Publication identities = failure == null ? ledger.identityChanges() : null;
    applied.addAndGet(n);
    if (failure == null) {
      // For the meters, which must not read the ledger from another thread.
      keptSales = ledger.salesKept();
      keptTransfers = ledger.transfersKeptCount();
      // Published with the batch's acknowledgement (complete), not before: until this batch is forced, a
      // list must still see the change due as of the last one, and send a Tick that orders it after this batch.
      transferChangeDueOfBatch = ledger.transfersChanged() ? Long.MIN_VALUE : ledger.nextExpiryMillis();
      keptRequests = ledger.requestsKept();
      sweeps = ledger.sweeps();
      figures = ledger.figures(figures);
    }
    // Nothing of this batch leaves, and nothing of it is written, before the batch in flight is forced:
    // this batch's queries and writes read what that one wrote.
    awaitForced();
    Throwable forceFailed = force.failed();
    if (forceFailed != null && failure == null) {
      failure = new LedgerUnavailableException("ledger stopped: " + poisoned, forceFailed);
    }
    if (queries != null) {
      deliver(queries.answered(), queries.results(), queries.failedAlone(),
          forceFailed == null ? null : new LedgerUnavailableException("ledger stopped: " + poisoned, forceFailed));
    }
    Pending[] done = new Pending[n];
    System.arraycopy(batch, 0, done, 0, n);
    java.util.Arrays.fill(batch, 0, n, null);
    WrittenBatch w = new WrittenBatch(done, results, failedAlone, stale, n, mutating, firstSeq, seq, now, made, journaled);
    w.transferChangeDue = transferChangeDueOfBatch;
    w.identities = identities;
    if (failure != null || mutating == 0) {
      // No record to force: acknowledged now (the batch before is durable), or refused.
      observer.batchDone(n, mutating, 0);
      complete(w, failure);
      if (failure == null) {
        maybeSnapshot(0, now, null);
      }
      return;
    }
    maybeSnapshot(mutating, now, w);
    if (force.pipelined()) {
      try {
        journal.write();
      } catch (IOException | RuntimeException e) {
        poison("journal write failed: " + e, e);
        observer.batchDone(n, mutating, 0);
        complete(w, new LedgerUnavailableException("ledger stopped: " + poisoned, e));
        return;
      }
      force.handOff(w);
      return;
    }
    long start = System.nanoTime();
    try {
      journal.force();
    } catch (IOException | RuntimeException e) {
      poison("journal force failed: " + e, e);
      failure = new LedgerUnavailableException("ledger stopped: " + poisoned, e);
    }
    w.forceNanos = System.nanoTime() - start;
    observer.batchDone(n, mutating, w.forceNanos);
    complete(w, failure);
  }

  /**
   * What follows a batch's force (or a batch without records), in order: history gets its records,
   * {@link #acknowledgedSeq} moves, commands swept from under their look-up are looked up again,
   * the replies leave, the follower gets the records, and the snapshot asked at this batch is made
   * or written. With {@code failure}, only the refusals leave. On the forcer's thread when
   * pipelined, else on the writer's.
   */
  private void complete(WrittenBatch w, Throwable failure) {
    if (failure == null && w.mutating > 0) {
      if (history != null) {
        history.submit(w.lastSeq, w.history);
      }
      acknowledgedSeq = w.lastSeq;
    }
    if (failure == null) {
      transferChangeDueMillis = w.transferChangeDue; // after acknowledgedSeq: see transferChangeDue()
    }
    if (failure == null && w.stale != null) {
      // Looked up again once history holds this batch, with the sweep the look-up missed.
      for (int i = 0; i < w.commands; i++) {
        if (w.stale[i]) {
          recalls.recall(w.done[i], w.lastSeq);
          w.done[i] = null;
        }
      }
    }
    if (failure == null && w.identities != null) {
      identityView.publish(w.identities); // before the replies: a reply's effect is in the view when it arrives
    }
    deliver(w.done, w.results, w.failedAlone, failure);
    // After the replies are on their way: the follower gets the batch, then the image is asked of it.
    if (failure == null && follower != null && w.mutating > 0) {
      follower.follow(w.firstSeq, w.atMillis, w.journaled, w.mutating);
    }
    if (w.journaled != null) {
      java.util.Arrays.fill(w.journaled, 0, w.mutating, null);
    }
    if (snapshots != null) {
      snapshots.afterForce(w, failure);
    }
  }

  /**
   * Writer: waits (parked) until the batch handed to the forcer, if any, is forced and completed,
   * then reports it to the observer, and refuses it if its force failed. After it,
   * {@link ForceStage#failed} says whether that force failed.
   */
  private void awaitForced() {
    WrittenBatch w = force.awaitForced();
    if (w == null) {
      return;
    }
    observer.batchDone(w.commands, w.mutating, w.forceNanos);
    if (w.failure != null) {
      complete(w, w.failure);
    }
  }

  /**
   * Applies the batch's queries before its sweep and its writes. A query reads the state every
   * earlier batch left, so it sees every write acknowledged before it was asked; it must not leave
   * before all of that is durable. When no batch is in flight (or the one handed over is forced),
   * everything applied is durable, and the answers are handed out at once; otherwise they are
   * returned, to leave once the batch in flight is forced (and with a refusal if its force failed).
   * Each answered query's slot in {@code batch} is cleared.
   */
  private Answers answerQueries(Pending[] batch, int n, long now) {
    Pending[] answered = null;
    Result[] results = null;
    Throwable[] failedAlone = null;
    long batchNanos = System.nanoTime();
    for (int i = 0; i < n; i++) {
      Pending p = batch[i];
      if (p.command().mutating()) {
        continue;
      }
      if (answered == null) {
        answered = new Pending[n];
        results = new Result[n];
        failedAlone = new Throwable[n];
      }
      batch[i] = null;
      if (p.deadlineNanos() != Long.MAX_VALUE && batchNanos - p.deadlineNanos() > 0) {
        deadlinesPassed.incrementAndGet();
        failedAlone[i] = new DeadlinePassedException("the call's deadline passed "
            + (batchNanos - p.deadlineNanos()) / 1_000_000 + " ms before the ledger reached it: not applied");
        answered[i] = p;
        continue;
      }
      try {
        results[i] = ledger.apply(p.command(), now);
      } catch (RuntimeException e) {
        failedAlone[i] = queryFailures.failed(p.command(), e);
      }
      if (results[i] instanceof Result.Stale) {
        // Looked up again once history holds the last batch, which holds the sweep it missed.
        recalls.recall(p, seq);
        continue;
      }
      answered[i] = p;
    }
    if (answered == null) {
      return null;
    }
    if (!force.answersMustWait()) {
      deliver(answered, results, failedAlone, null); // everything they read is durable
      return null;
    }
    return new Answers(answered, results, failedAlone);
  }

  /** Tells the snapshot schedule, if any, of {@code journaled} more records; see {@link SnapshotSchedule#maybeTake}. */
  private void maybeSnapshot(int journaled, long now, WrittenBatch w) {
    if (snapshots != null) {
      snapshots.maybeTake(journaled, now, w);
    }
  }

  private static boolean[] markStale(boolean[] stale, int n, int i) {
    boolean[] s = stale != null ? stale : new boolean[n];
    s[i] = true;
    return s;
  }

  /** Hands results to their callers (see {@link BatchReplies}), on the replies executor where a caller's refuses. */
  private void deliver(Pending[] done, Result[] results, Throwable[] failedAlone, Throwable failure) {
    BatchReplies.deliver(done, results, failedAlone, failure, replies);
  }

  /** Any thread: wakes the writer if it is parked, to look again at what is due. */
  private void wake() {
    LockSupport.unpark(thread);
  }

  /** Stops the ledger (the first reason stays); returns the reason it is stopped for. */
  private synchronized String poison(String why, Throwable cause) {
    if (poisoned == null) {
      poisoned = why;
      identityView.close(); // Identify goes to the writer, which refuses it
      log.log(Level.SEVERE, "ledger poisoned; nothing more will be acknowledged: " + why, cause);
      for (Runnable listener : poisonListeners) {
        try {
          listener.run();
        } catch (RuntimeException e) {
          log.log(Level.WARNING, "poison listener failed", e);
        }
      }
    }
    return poisoned;
  }

  private void drainRefused(String why) {
    Pending p;
    while ((p = queue.poll()) != null) {
      depth.decrementAndGet();
      if (p.future() != null) {
        p.future().completeExceptionally(new LedgerUnavailableException(why));
      }
    }
  }

  /**
   * Stops taking commands, applies what is queued, and waits for the thread to end; then closes
   * the journal.
   */
  @Override
  public void close() throws IOException, InterruptedException {
    stopping = true;
    identityView.close();
    LockSupport.unpark(thread);
    if (thread.isAlive()) {
      thread.join();
    }
    if (follower != null) {
      follower.close();
    }
    journal.close();
  }

  /** Whether the journal is forced on a thread of its own while the writer applies the next batch. */
  public boolean pipelined() {
    return force.pipelined();
  }

  /** The queries of a batch answered while the batch before it is being forced, and their answers. */
  private record Answers(Pending[] answered, Result[] results, Throwable[] failedAlone) {}
}
