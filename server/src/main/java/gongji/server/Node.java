package gongji.server;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import gongji.server.cache.ReferenceCache;
import gongji.server.gateway.Gateway;
import gongji.server.grpc.AdminGrpcService;
import gongji.server.grpc.FamilyGrpcService;
import gongji.server.grpc.SettlementGrpcService;
import gongji.server.ledger.FileJournal;
import gongji.server.ledger.Journal;
import gongji.server.ledger.JournalRecovery;
import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Sequencer;
import gongji.server.ledger.Snapshots;
import gongji.server.metrics.Metrics;
import io.grpc.BindableService;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One gateway node, wired: ledger, sequencer, reference cache, gateway, services, metrics. Knows
 * nothing of the transport, so tests host it on an in-process server and Main on Netty.
 */
public final class Node implements AutoCloseable {
  private final Ledger ledger;
  private final ExecutorService snapshotWriter;
  private final Sequencer sequencer;
  private final ReferenceCache cache;
  private final Gateway gateway;
  private final Metrics metrics;
  private final ExecutorService replies;
  private final List<BindableService> services;
  private JournalRecovery.Report recovery;
  private String snapshotFile;

  /** A node on the given journal, starting from an empty ledger (tests, benchmarks: {@link Journal#NONE}). */
  public Node(GatewayConfig config, InstantSource clock, Journal journal) {
    this(config, clock, null, requireNonNull(journal, "journal"));
  }

  /**
   * A node on a data directory: replays the journal into the ledger (cutting a torn tail, refusing a
   * damaged middle), then journals to a new segment.
   */
  public static Node open(GatewayConfig config, InstantSource clock, Storage storage) throws IOException {
    try {
      return new Node(config, clock, requireNonNull(storage, "storage"), null);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private Node(GatewayConfig config, InstantSource clock, Storage storage, Journal journal) {
    requireNonNull(config, "config");
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
    Ledger recovered = null;
    if (storage != null) {
      try {
        Snapshots.Loaded snapshot = Snapshots.loadNewest(storage, config.idempotencyWindow(), cache);
        recovered = snapshot == null ? new Ledger(config.idempotencyWindow(), cache) : snapshot.ledger();
        Ledger target = recovered;
        recovery = JournalRecovery.replay(storage, snapshot == null ? 0 : snapshot.seq(), true,
            (seq, at, command) -> target.apply(command, at));
        snapshotFile = snapshot == null ? null : snapshot.file();
        journal = new FileJournal(storage, recovery.lastSeq() + 1, config.journalSegmentBytes());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    this.ledger = recovered != null ? recovered : new Ledger(config.idempotencyWindow(), cache);
    this.sequencer = new Sequencer(ledger, journal, clock, replies,
        new Sequencer.Config(config.maxQueuedCommands(), config.maxBatchCommands(), 200), metrics.batchObserver());
    holder[0] = sequencer;
    this.snapshotWriter = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "gongji-snapshots");
      t.setDaemon(true);
      return t;
    });
    if (storage != null) {
      sequencer.snapshotting(new Sequencer.Snapshotting(config.snapshotEveryCommands(),
          config.snapshotEvery().toMillis(), (seq, image) -> Snapshots.write(storage, seq, image), snapshotWriter));
    }
    this.gateway = new Gateway(sequencer, cache, metrics.fraudObserver());
    this.services = List.of(new SettlementGrpcService(gateway), new AdminGrpcService(gateway),
        new FamilyGrpcService(gateway));
    metrics.bindSequencer(sequencer);
    metrics.bindCaches(cache::stats);
    sequencer.start();
  }

  private static Ticker ticker(InstantSource clock) {
    return () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
  }

  /** The node's gRPC services (the same instances on every call). */
  public List<BindableService> services() {
    return services;
  }

  /** What recovery found on start, or null for a node without a data directory. */
  public JournalRecovery.Report recovery() {
    return recovery;
  }

  /** The snapshot recovery started from, or null (none, or no data directory). */
  public String snapshotFile() {
    return snapshotFile;
  }

  public Gateway gateway() {
    return gateway;
  }

  public Sequencer sequencer() {
    return sequencer;
  }

  public Metrics metrics() {
    return metrics;
  }

  /** Stops the sequencer (applying what is queued), closes the journal, then the rest. */
  @Override
  public void close() throws Exception {
    sequencer.close();
    snapshotWriter.shutdown();
    snapshotWriter.awaitTermination(60, TimeUnit.SECONDS);
    replies.shutdown();
    replies.awaitTermination(5, TimeUnit.SECONDS);
    metrics.close();
  }
}
