package gongji.server;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import gongji.server.cache.ReferenceCache;
import gongji.server.domain.IdentityKey;
import gongji.server.domain.IdentityKeys;
import gongji.server.gateway.AlertGate;
import gongji.server.gateway.Gateway;
import gongji.server.cache.RateBuckets;
import gongji.server.grpc.AdminGrpcService;
import gongji.server.gateway.CallsInFlight;
import gongji.server.grpc.Admission;
import gongji.server.grpc.FamilyGrpcService;
import gongji.server.grpc.SettlementGrpcService;
import gongji.server.ledger.FileJournal;
import gongji.server.ledger.Journal;
import gongji.server.history.MemoryHistoryStore;
import gongji.server.history.RocksHistoryStore;
import gongji.server.ledger.HistoryApplier;
import gongji.server.ledger.HistoryStore;
import gongji.server.ledger.JournalRecovery;
import gongji.server.ledger.LedgerRecovery;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Recaller;
import gongji.server.ledger.Sequencer;
import gongji.server.ledger.SnapshotFollower;
import gongji.server.ledger.Snapshots;
import gongji.server.metrics.Metrics;
import gongji.server.national.NationalService;
import io.grpc.BindableService;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One gateway node, wired: ledger, sequencer, reference cache, gateway, services, metrics. Knows
 * nothing of the transport, so tests host it on an in-process server and Main on Netty.
 */
// close() waits for threads and calls in flight; an interrupt while it waits goes to the caller
// (javac's "try" lint warns of any close() that may throw InterruptedException).
@SuppressWarnings("try")
public final class Node implements AutoCloseable {
  /** History records the applier may fall behind by before history stops (and is rebuilt at restart). */
  private static final int MAX_PENDING_HISTORY_RECORDS = 4_000_000;
  /**
   * Commands that may wait for the snapshot follower: about a minute of a busy node's commands, a
   * few hundred MB at most; past it the follower is given up and the writer makes images itself.
   */
  private static final long SNAPSHOT_FOLLOWER_MAX_LAG_COMMANDS = 2_000_000;
  /**
   * Snapshot followers seeded again in a row, after one was given up, without an image made between;
   * past it the writer makes the images until the next restart.
   */
  private static final int SNAPSHOT_FOLLOWER_MAX_RESEEDS = 5;
  /** How long after a give-up the first new follower is seeded; each next one waits twice as long. */
  private static final long SNAPSHOT_FOLLOWER_FIRST_BACKOFF_MILLIS = 60_000;
  /** How long a snapshot waits for history to catch up with it before it is skipped. */
  private static final long SNAPSHOT_WAITS_FOR_HISTORY_SECONDS = 60;
  /** The transport event loop a thread is, if the transport said so: where its calls' results go. */
  private static final ThreadLocal<Executor> TRANSPORT_LOOP = new ThreadLocal<>();

  private final Ledger ledger;
  private final HistoryStore historyStore;
  private final HistoryApplier history;
  private final ExecutorService historyReaders;
  private final ExecutorService snapshotWriter;
  private final Sequencer sequencer;
  private final ReferenceCache cache;
  private final Gateway gateway;
  private final NationalService national;
  private final Metrics metrics;
  private final SandboxClock sandboxClock;
  private final ExecutorService replies;
  private final List<BindableService> services;
  private final Admission admission;
  private final CallsInFlight callsInFlight;
  private JournalRecovery.Report recovery;
  private String snapshotFile;
  private LedgerRecovery.Recovered recovered;

  /**
   * A node on the given journal, starting from an empty ledger, with history in memory (tests,
   * benchmarks: {@link Journal#NONE}).
   */
  public Node(GatewayConfig config, InstantSource clock, Journal journal) {
    this(config, clock, null, requireNonNull(journal, "journal"), new MemoryHistoryStore(), false,
        identityKeyOf(config));
  }

  /**
   * A node on a data directory: replays the journal into the ledger (cutting a torn tail, refusing a
   * damaged middle), then journals to a new segment.
   */
  public static Node open(GatewayConfig config, InstantSource clock, Storage storage) throws IOException {
    return open(config, clock, storage, false);
  }

  /**
   * The same; with {@code acceptJournalLoss} (the operator's explicit choice), damage to the journal
   * that would refuse the start is accepted, logged and recorded instead (see
   * {@link LedgerRecovery#recover(Storage, HistoryStore, java.time.Duration, gongji.server.ledger.ReferenceListener,
   * boolean, boolean, JournalRecovery.Consumer)}).
   */
  public static Node open(GatewayConfig config, InstantSource clock, Storage storage, boolean acceptJournalLoss)
      throws IOException {
    return open(config, clock, storage, acceptJournalLoss, config.identityKeys(), IdentityCheck.Changes.NONE);
  }

  /**
   * The same, with identity and credential numbers kept under {@code identityKey}, which must be the
   * key the data directory was written with ({@link IdentityCheck}) unless {@code newIdentityKey}
   * (the operator's explicit choice: the old key is lost) replaces it.
   */
  public static Node open(GatewayConfig config, InstantSource clock, Storage storage, boolean acceptJournalLoss,
      IdentityKey identityKey, boolean newIdentityKey) throws IOException {
    return open(config, clock, storage, acceptJournalLoss, IdentityKeys.of(identityKey),
        new IdentityCheck.Changes(newIdentityKey, false, 0));
  }

  /**
   * The same, with numbers kept under the current key of {@code identityKeys} and found under its
   * older keys too (a rotation under way), which must be the keys the data directory has
   * ({@link IdentityCheck}) but for the {@code changes} the operator asked for at this start.
   */
  public static Node open(GatewayConfig config, InstantSource clock, Storage storage, boolean acceptJournalLoss,
      IdentityKeys identityKey, IdentityCheck.Changes changes) throws IOException {
    checkWritable(storage);
    IdentityCheck.verify(storage, identityKey, changes);
    HistoryStore history = storage instanceof FileStorage f
        ? RocksHistoryStore.open(f.directory().resolve("history"),
            config.idempotencyWindow().plusDays(1)) : new MemoryHistoryStore();
    try {
      return open(config, clock, storage, history, acceptJournalLoss, identityKey);
    } catch (IOException | RuntimeException e) {
      history.close();
      throw e;
    }
  }

  private static IdentityKeys identityKeyOf(GatewayConfig config) {
    try {
      return config.identityKeys();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Refuses, before anything is read or changed, a data directory that cannot be written (read-only,
   * full, another user's), with one line that says so instead of a failure deep in recovery.
   */
  private static void checkWritable(Storage storage) throws IOException {
    String probe = "write-probe.tmp";
    try {
      storage.delete(probe);
      try (Storage.AppendFile f = storage.create(probe)) {
        f.append(new byte[] {1}, 0, 1);
        f.force();
      }
      storage.delete(probe);
    } catch (IOException e) {
      throw new IOException("it cannot be written (read-only, full, or another user's?): "
          + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /**
   * A node on a data directory and a history store: recovers the ledger from the newest snapshot
   * history has caught up with and the journal after it, bringing history up to the journal.
   */
  public static Node open(GatewayConfig config, InstantSource clock, Storage storage, HistoryStore history)
      throws IOException {
    IdentityKeys key = config.identityKeys();
    IdentityCheck.verify(storage, key, IdentityCheck.Changes.NONE);
    return open(config, clock, storage, history, false, key);
  }

  private static Node open(GatewayConfig config, InstantSource clock, Storage storage, HistoryStore history,
      boolean acceptJournalLoss, IdentityKeys identityKey) throws IOException {
    try {
      return new Node(config, clock, requireNonNull(storage, "storage"), null, requireNonNull(history, "history"),
          acceptJournalLoss, identityKey);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private Node(GatewayConfig config, InstantSource hostClock, Storage storage, Journal journal,
      HistoryStore historyStore, boolean acceptJournalLoss, IdentityKeys identityKey) {
    this.historyStore = historyStore;
    requireNonNull(config, "config");
    this.sandboxClock = config.demo() ? new SandboxClock(hostClock) : null;
    InstantSource clock = sandboxClock != null ? sandboxClock : hostClock;
    this.metrics = new Metrics();
    this.replies = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "gongji-replies");
      t.setDaemon(true);
      return t;
    });
    Sequencer[] holder = new Sequencer[1];
    this.cache = new ReferenceCache(Gateway.loaderFor(() -> holder[0]),
        new ReferenceCache.Config(config.cacheMaxEntries(), ReferenceCache.Config.defaults().expireAfterWrite()),
        ticker(clock), Runnable::run);
    Ledger recoveredLedger = null;
    if (storage != null) {
      try {
        long recoveryStart = System.nanoTime();
        // The snapshot's audit and write-out check are made by the snapshot follower's seed, after the start.
        recovered = LedgerRecovery.recover(storage, historyStore, config.idempotencyWindow(), cache, true,
            acceptJournalLoss, Snapshots.Checks.AFTER_START, (seq, at, command) -> {});
        recoveredLedger = recovered.ledger();
        recovery = recovered.journal();
        snapshotFile = recovered.snapshotFile();
        metrics.recovered(System.nanoTime() - recoveryStart);
        journal = new FileJournal(storage, recovered.nextSeq(), config.journalSegmentBytes(),
            recovered.acceptedLoss());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    this.ledger = recoveredLedger != null ? recoveredLedger : new Ledger(config.idempotencyWindow(), cache);
    ledger.boundIdentityView(config.identityViewMaxPersons());
    if (sandboxClock != null) {
      sandboxClock.catchUpTo(ledger.nowMillis()); // a sandbox's moves are in the ledger's time
    }
    this.history = new HistoryApplier(historyStore, MAX_PENDING_HISTORY_RECORDS).start();
    this.historyReaders = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "gongji-history-reader");
      t.setDaemon(true);
      return t;
    });
    this.sequencer = new Sequencer(ledger, journal, clock, replies,
        new Sequencer.Config(config.maxQueuedCommands(), config.maxBatchCommands(), 200, config.pipelinedForce()),
        metrics.batchObserver());
    sequencer.history(history);
    if (!config.recentWindow().isZero()) {
      sequencer.sweeping(config.recentWindow(), new Recaller(historyStore));
    }
    sequencer.repliesOnCaller(TRANSPORT_LOOP::get);
    // A gRPC call's deadline travels in its Context, attached while its handler runs.
    sequencer.deadlinesOnCaller(() -> {
      io.grpc.Deadline d = io.grpc.Context.current().getDeadline();
      return d == null ? Long.MAX_VALUE : System.nanoTime() + d.timeRemaining(TimeUnit.NANOSECONDS);
    });
    holder[0] = sequencer;
    this.snapshotWriter = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "gongji-snapshots");
      t.setDaemon(true);
      return t;
    });
    if (storage != null) {
      sequencer.snapshotting(new Sequencer.Snapshotting(config.snapshotEveryCommands(),
          config.snapshotEvery().toMillis(), metrics.timed((seq, payload) -> {
            // History must cover the snapshot: a restart from it catches history up from the journal after it.
            awaitHistory(seq);
            return Snapshots.write(storage, seq, payload);
          }), snapshotWriter));
      // Images made by a second ledger that follows the journal, so that the writer never stops for one.
      LedgerRecovery.Recovered from = recovered;
      // One given up (it lagged, say) is replaced from the newest good snapshot on disk and the journal.
      sequencer.snapshotsOffTheWriter(() -> seedFollower(storage, from, config.idempotencyWindow()),
          SNAPSHOT_FOLLOWER_MAX_LAG_COMMANDS, new SnapshotFollower.Reseeding(
              seq -> LedgerRecovery.at(storage, seq, config.idempotencyWindow()), SNAPSHOT_FOLLOWER_MAX_RESEEDS,
              SNAPSHOT_FOLLOWER_FIRST_BACKOFF_MILLIS));
    }
    AdmissionLimits limits = config.admission();
    this.gateway = new Gateway(sequencer, cache, metrics.fraudObserver(), history, historyReaders,
        limits.alertsPerMinute() == 0 ? AlertGate.OPEN : new AlertGate(new RateBuckets(
            java.time.Duration.ofMinutes(1).dividedBy(limits.alertsPerMinute()), limits.alertBurst(),
            limits.maxCallers(), ticker(clock))), identityKey);
    this.national = new NationalService(gateway, clock, config.nationalMulaidInAcctPay());
    this.admission = admission(config.admission(), ticker(clock), metrics.admissionObserver());
    this.callsInFlight = new CallsInFlight(config.admission().maxInFlightCalls(),
        TimeUnit.MILLISECONDS.toNanos(config.admission().targetHeldMillis()), metrics.overloadObserver());
    metrics.bindCallsInFlight(callsInFlight);
    this.services = List.of(new SettlementGrpcService(gateway), new AdminGrpcService(gateway, clock, sandboxClock),
        new FamilyGrpcService(gateway));
    metrics.bindSequencer(sequencer);
    metrics.bindCaches(cache.caches());
    sequencer.start();
  }

  /**
   * The snapshot follower's seed: the ledger this node started with, decoded again from the same
   * snapshot and journal records, with the checks the start left out ({@link Snapshots.Checks#AFTER_START}).
   * If the snapshot fails them, the ledger this node serves from is unsound as well: it is stopped
   * (nothing more acknowledged), and the snapshot is set aside as {@code <name>.damaged}, so that the
   * next start recovers from an older snapshot and the journal after it.
   */
  private Ledger seedFollower(Storage storage, LedgerRecovery.Recovered from, java.time.Duration window)
      throws IOException {
    try {
      return LedgerRecovery.again(storage, from, window);
    } catch (Snapshots.CorruptSnapshotException e) {
      String file = from.snapshotFile();
      String why = "the snapshot this node started from, " + file + ", failed its checks after the start: "
          + e.getMessage() + "; it is set aside as " + file + ".damaged: restart, and recovery starts from an"
          + " older snapshot and the journal after it";
      // Set aside first, then stopped: whoever sees the stop finds the file already out of the way.
      try {
        storage.rename(file, file + ".damaged");
        storage.syncDirectory();
      } catch (IOException | RuntimeException renameFailed) {
        e.addSuppressed(renameFailed);
      }
      sequencer.halt(why);
      throw e;
    }
  }

  /**
   * Waits until history has applied the journal up to {@code seq}, and makes the store say so
   * durably even when those records made no history (a batch of credits, say): a restart from a
   * snapshot at {@code seq} needs the store's own number to reach it, after a flush.
   */
  private void awaitHistory(long seq) throws IOException {
    try {
      history.awaitApplied(seq).get(SNAPSHOT_WAITS_FOR_HISTORY_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while the snapshot at record " + seq + " waited for history", e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("history has not caught up with record " + seq + " (" + e + "); snapshot skipped", e);
    }
    markHistoryAt(seq);
    // The store's batches are durable only once flushed: the snapshot must not outrun them.
    historyStore.flush();
  }

  /**
   * Records in the store that history is complete up to {@code seq}. Safe from any thread once
   * history has applied every record up to it: a later batch of the applier has a higher number,
   * and the store ignores a number below the one it has.
   */
  private void markHistoryAt(long seq) throws IOException {
    if (historyStore.appliedSeq() < seq) {
      historyStore.apply(seq, java.util.List.of());
    }
  }

  /**
   * Says that the calling thread is the transport event loop {@code loop}: results of the commands
   * it submits are then completed on it (where their replies are written) instead of on the
   * replies thread. Call on each event loop thread before it serves calls; {@code loop} must never
   * block and must run its tasks on this thread.
   */
  public static void repliesOnThisLoop(Executor loop) {
    TRANSPORT_LOOP.set(requireNonNull(loop, "loop"));
  }

  private static Ticker ticker(InstantSource clock) {
    return () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }

  private static Admission admission(AdmissionLimits limits, Ticker ticker, Admission.Observer observer) {
    return new Admission(
        limits.terminalRatePerSecond() == 0 ? null : new RateBuckets(limits.terminalRatePerSecond(),
            limits.terminalBurst(), limits.maxCallers(), ticker),
        limits.institutionRatePerSecond() == 0 ? null : new RateBuckets(limits.institutionRatePerSecond(),
            limits.institutionBurst(), limits.maxCallers(), ticker),
        observer);
  }

  /** Admission per caller, for the settlement service: token buckets per terminal and institution. */
  public Admission admission() {
    return admission;
  }

  /**
   * The bound on calls in flight that every transport of this node shares (the gRPC services, the
   * national interface).
   */
  public CallsInFlight callsInFlight() {
    return callsInFlight;
  }

  /** The node's gRPC services (the same instances on every call). */
  public List<BindableService> services() {
    return services;
  }

  /** What recovery found on start, or null for a node without a data directory. */
  public JournalRecovery.Report recovery() {
    return recovery;
  }

  /** What recovery did, history included, or null for a node without a data directory. */
  public LedgerRecovery.Recovered recovered() {
    return recovered;
  }

  /** The history applier: where the node stands in bringing history up to the journal. */
  public HistoryApplier history() {
    return history;
  }

  /** The snapshot recovery started from, or null (none, or no data directory). */
  public String snapshotFile() {
    return snapshotFile;
  }

  public Gateway gateway() {
    return gateway;
  }

  /** The national interface (两定接口) in front of the same gateway; Main serves it over HTTP when configured. */
  public NationalService national() {
    return national;
  }

  public Sequencer sequencer() {
    return sequencer;
  }

  /** The sandbox's movable clock ({@code --demo}), or null on a real gateway. */
  public SandboxClock sandboxClock() {
    return sandboxClock;
  }

  public Metrics metrics() {
    return metrics;
  }

  /** Stops the sequencer (applying what is queued), closes the journal, brings history up to it, then the rest. */
  @Override
  public void close() throws Exception {
    sequencer.close();
    history.close();
    snapshotWriter.shutdown();
    snapshotWriter.awaitTermination(60, TimeUnit.SECONDS);
    if (history.failedReason() == null) {
      markHistoryAt(history.visibleSeq()); // at rest: a restart starts from the newest snapshot
    }
    historyReaders.shutdown();
    historyReaders.awaitTermination(30, TimeUnit.SECONDS);
    historyStore.close();
    replies.shutdown();
    replies.awaitTermination(5, TimeUnit.SECONDS);
    metrics.close();
  }
}
