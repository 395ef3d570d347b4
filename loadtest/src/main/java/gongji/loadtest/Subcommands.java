package gongji.loadtest;

import gongji.server.Commands;
import gongji.server.ledger.Sequencer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The flags of each benchmark, turned into its settings; nothing else. */
final class Subcommands {
  private Subcommands() {}

  @Command(name = "ledger-bench", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      sortOptions = false,
      description = {"Authorize+settle pairs through the in-memory sequencer (or --raw: the ledger alone), then an",
          "audit. Exit status: 0 passed, 1 the audit failed, 2 bad usage."},
      footer = {"", "Example: gongji loadtest ledger-bench --seconds 10 --producers 2 --in-flight 1024 --batch 4096"})
  static final class LedgerBench implements Callable<Integer> {
    @Option(names = "--seconds", defaultValue = "10", paramLabel = "N",
        description = "measured window (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "N",
        description = "warm-up before it, seconds (default: ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(names = "--producers", defaultValue = "1", paramLabel = "N",
        description = "submitting threads (default: ${DEFAULT-VALUE})")
    int producers;

    @Option(names = "--in-flight", defaultValue = "1024", paramLabel = "N",
        description = "sales outstanding, all producers together; < --max-queued (default: ${DEFAULT-VALUE})")
    int inFlight;

    @Option(names = "--batch", paramLabel = "N",
        description = "the sequencer's maxBatchCommands (default: the gateway's, 4096)")
    Integer batch;

    @Option(names = "--max-queued", paramLabel = "N",
        description = "the sequencer's maxQueuedCommands (default: the gateway's, 65536)")
    Integer maxQueued;

    @Option(names = "--patients", defaultValue = "10000", paramLabel = "N",
        description = "patients, each with one mutual-aid binding (default: ${DEFAULT-VALUE})")
    int patients;

    @Option(names = "--institutions", defaultValue = "100", paramLabel = "N",
        description = "institutions (default: ${DEFAULT-VALUE})")
    int institutions;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N", description = "workload seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--max-pairs", paramLabel = "N",
        description = "sales the patients are funded for (default: what the heap holds)")
    Long maxPairs;

    @Option(names = "--window-days", defaultValue = "35", paramLabel = "N",
        description = "the ledger's idempotency window (default: ${DEFAULT-VALUE}, as the gateway)")
    int windowDays;

    @Option(names = "--raw", description = "Ledger.apply alone on this thread, no sequencer (the upper bound)")
    boolean raw;

    @Option(names = "--recent-window-seconds", defaultValue = "0", paramLabel = "N",
        description = "sweeps on: closed sales and request entries go to a RocksDB history in a temporary directory"
            + " after N s, and every command is looked up there first (default: ${DEFAULT-VALUE}, off: everything"
            + " stays in memory)")
    int recentWindowSeconds;

    @Option(names = "--journal-dir", paramLabel = "DIR",
        description = "journal to segment files in DIR (a new, empty directory) with one fsync per batch"
            + " (default: the sequencer runs in memory, Journal.NONE)")
    String journalDir;

    @Override
    public Integer call() throws Exception {
      Sequencer.Config defaults = Sequencer.Config.defaults();
      return LedgerBenchmark.run(new LedgerBenchmark.Options(raw, seconds, warmupSeconds, producers, inFlight,
          batch != null ? batch : defaults.maxBatchCommands(),
          maxQueued != null ? maxQueued : defaults.maxQueuedCommands(), patients, institutions, seed,
          maxPairs != null ? maxPairs : Runtime.getRuntime().maxMemory() / LedgerBenchmark.PLANNED_BYTES_PER_PAIR,
          Duration.ofDays(windowDays), journalDir, recentWindowSeconds));
    }
  }

  @Command(name = "history-bench", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "History queries (usage records, 3201 totals, 3202 detail) while history is written.")
  static final class HistoryBench implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", defaultValue = "100000", paramLabel = "SETTLEMENTS",
        description = "settlements written first (default: ${DEFAULT-VALUE})")
    int settlements;

    @Parameters(index = "1", arity = "0..1", defaultValue = "1000", paramLabel = "USAGE",
        description = "usage records per person queried (default: ${DEFAULT-VALUE})")
    int usage;

    @Parameters(index = "2", arity = "0..1", defaultValue = "10000", paramLabel = "PEOPLE",
        description = "people (default: ${DEFAULT-VALUE})")
    int people;

    @Parameters(index = "3", arity = "0..1", defaultValue = "10", paramLabel = "SECONDS",
        description = "the measured window (default: ${DEFAULT-VALUE})")
    long seconds;

    @Override
    public Integer call() throws Exception {
      return HistoryBenchmark.run(new HistoryBenchmark.Config(settlements, usage, people, seconds, null), System.out);
    }
  }

  /** The ledger's size, the same flags for every benchmark that builds one: insured persons and bindings. */
  static final class Population {
    @Option(names = "--insured", defaultValue = "1000000", paramLabel = "N",
        description = "insured persons, employees with an account and a card (default: ${DEFAULT-VALUE})")
    int insured;

    @Option(names = "--bindings", defaultValue = "2000000", paramLabel = "N",
        description = "mutual-aid bindings among them (default: ${DEFAULT-VALUE})")
    int bindings;
  }

  @Command(name = "ledger-footprint", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      sortOptions = false,
      description = "The writer's live heap per insured, binding, open sale, settled sale and request entry.")
  static final class LedgerFootprintCommand implements Callable<Integer> {
    @Mixin
    Population population;

    @Option(names = "--open-sales", defaultValue = "200000", paramLabel = "N",
        description = "authorized, unsettled sales (default: ${DEFAULT-VALUE})")
    int openSales;

    @Option(names = "--settled-sales", defaultValue = "1000000", paramLabel = "N",
        description = "authorized and settled sales (default: ${DEFAULT-VALUE})")
    int settledSales;

    @Option(names = "--entries", defaultValue = "200000", paramLabel = "N",
        description = "back-office request entries (credits) (default: ${DEFAULT-VALUE})")
    int entries;

    @Option(names = "--swept-sales", split = ",", paramLabel = "N,N",
        description = "then settled sales with sweeps on, the live heap measured after each count in the list"
            + " (e.g. 10000000,30000000,50000000; default: none)")
    List<Long> sweptSales = new ArrayList<>();

    @Option(names = "--sales-per-second", defaultValue = "15000", paramLabel = "N",
        description = "the ledger-time pace of those sales (default: ${DEFAULT-VALUE})")
    int salesPerSecond;

    @Option(names = "--recent-window-seconds", defaultValue = "10", paramLabel = "N",
        description = "how long closed sales and request entries stay, as the gateway's"
            + " ledger.recent.window.seconds (default: ${DEFAULT-VALUE})")
    int recentWindowSeconds;

    @Option(names = "--closed-transfers", defaultValue = "0", paramLabel = "N",
        description = "then, on a ledger of their own, N wallet transfers assigned and declined: the writer's heap"
            + " per closed transfer kept, and after the sweep that hands them to history (default: ${DEFAULT-VALUE},"
            + " none)")
    int closedTransfers;

    @Option(names = "--ended-transfers", defaultValue = "0", paramLabel = "N",
        description = "then, on a ledger of their own, N wallet transfers assigned, accepted and ended with their"
            + " binding: the writer's heap per ended transfer kept, and after the sweep that hands them to history"
            + " (default: ${DEFAULT-VALUE}, none)")
    int endedTransfers;

    @Override
    public Integer call() {
      long[] swept = sweptSales.stream().mapToLong(Long::longValue).sorted().toArray();
      return LedgerFootprint.run(population.insured, population.bindings, openSales, settledSales, entries, swept,
          salesPerSecond, Duration.ofSeconds(recentWindowSeconds), closedTransfers, endedTransfers, System.out);
    }
  }

  @Command(name = "snapshot-pause", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      sortOptions = false,
      description = {"How long the writer stops while a snapshot is made: images made on the writer, then off it (the",
          "snapshot follower), on the same ledger in one run; batch time and command latency percentiles."},
      footer = {"", "Example: java -Xmx12g -jar gongji-loadtest-all.jar snapshot-pause --insured 1000000"})
  static final class SnapshotPauseCommand implements Callable<Integer> {
    @Mixin
    Population population;

    @Option(names = "--in-flight", defaultValue = "64", paramLabel = "N",
        description = "sales (authorize, then settle) in flight (default: ${DEFAULT-VALUE})")
    int inFlight;

    @Option(names = "--seconds", defaultValue = "40", paramLabel = "N",
        description = "each phase's length, the first fifth (at most 5 s) discarded (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--snapshot-every-seconds", defaultValue = "8", paramLabel = "N",
        description = "a snapshot this often (default: ${DEFAULT-VALUE})")
    int snapshotEverySeconds;

    @Override
    public Integer call() throws Exception {
      return SnapshotPause.run(new SnapshotPause.Options(population.insured, population.bindings, inFlight,
          Duration.ofSeconds(seconds),
          Duration.ofSeconds(snapshotEverySeconds)), System.out);
    }
  }

  @Command(name = "restart", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      sortOptions = false,
      description = {"Restart to serving against how long the ledger has run: the same ledger's snapshot after each",
          "count of settled sales, with a journal tail, started as a node (snapshot, replay, history catch-up)."},
      footer = {"", "Example: java -Xmx12g -jar gongji-loadtest-all.jar restart --swept-sales 1000000,10000000"})
  static final class RestartCommand implements Callable<Integer> {
    @Mixin
    Population population;

    @Option(names = "--swept-sales", split = ",", defaultValue = "1000000,10000000", paramLabel = "N,N",
        description = "restart after each of these counts of settled sales (default: ${DEFAULT-VALUE})")
    List<Long> sweptSales;

    @Option(names = "--tail-commands", defaultValue = "100000", paramLabel = "N",
        description = "journal records after the snapshot, replayed at the restart (default: ${DEFAULT-VALUE})")
    int tailCommands;

    @Option(names = "--sales-per-second", defaultValue = "15000", paramLabel = "N",
        description = "the ledger-time pace of those sales (default: ${DEFAULT-VALUE})")
    int salesPerSecond;

    @Option(names = "--recent-window-seconds", defaultValue = "10", paramLabel = "N",
        description = "how long closed sales and request entries stay (default: ${DEFAULT-VALUE})")
    int recentWindowSeconds;

    @Option(names = "--in-process",
        description = "restart in this JVM, whose heap still holds the ledger that made the image, instead of in a"
            + " new one")
    boolean inProcess;

    @Option(names = "--jvm-option", paramLabel = "OPTION",
        description = "an option of the new JVM the restart runs in (repeatable; default: none, as ./gongji serve)")
    List<String> jvmOptions = new java.util.ArrayList<>();

    @Option(names = "--restarts", defaultValue = "1", paramLabel = "N",
        description = "new JVMs started one after the other on each data directory (default: ${DEFAULT-VALUE})")
    int restarts;

    @Option(names = "--keep-data-dirs", paramLabel = "DIR",
        description = "keep each data directory made, as DIR/after-N-sales, for --data-dir later (default: deleted)")
    java.nio.file.Path keepIn;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "restart this data directory, kept by an earlier --keep-data-dirs, in a new JVM instead of"
            + " making one (repeatable; the other options of the data set are then unused)")
    List<java.nio.file.Path> existing = new java.util.ArrayList<>();

    @Override
    public Integer call() throws Exception {
      if (!existing.isEmpty()) {
        return RestartTime.again(existing, List.copyOf(jvmOptions), Math.max(1, restarts), System.out);
      }
      long[] swept = sweptSales.stream().mapToLong(Long::longValue).sorted().toArray();
      return RestartTime.run(new RestartTime.Options(population.insured, population.bindings, swept, tailCommands,
          salesPerSecond, Duration.ofSeconds(recentWindowSeconds), inProcess, List.copyOf(jvmOptions),
          Math.max(1, restarts), keepIn), System.out);
    }
  }

  @Command(name = "jfr-top", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      sortOptions = false,
      description = "The top of a JFR recording's execution samples: by thread, by method self and inclusive.",
      footer = {"", "Example: gongji loadtest jfr-top server.jfr --top 25 --thread grpc-"})
  static final class JfrTopCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "a .jfr recording (jcmd PID JFR.start settings=profile)")
    Path file;

    @Option(names = "--top", defaultValue = "25", paramLabel = "N",
        description = "rows per table (default: ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--thread", paramLabel = "PREFIX",
        description = "only samples of threads whose name starts with PREFIX (default: all)")
    String thread;

    @Override
    public Integer call() throws Exception {
      JfrTop.print(JfrTop.read(file, thread), top, System.out);
      return 0;
    }
  }

  @Command(name = "crashtest", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      sortOptions = false,
      description = {"Kills the real gateway with SIGKILL under load, restarts it, and checks that nothing acknowledged",
          "was lost, duplicated or torn; then `gongji ledger verify` on its data directory.",
          "Exit status: 0 passed, 1 something was lost, duplicated or torn, 2 bad usage."},
      footer = {"", "Example: gongji crashtest --cycles 50"})
  static final class Crash implements Callable<Integer> {
    @Option(names = "--cycles", defaultValue = "50", paramLabel = "N",
        description = "kill -9 and restart this many times (default: ${DEFAULT-VALUE})")
    int cycles;

    @Option(names = "--clients", defaultValue = "4", paramLabel = "N",
        description = "concurrent clients per cycle (default: ${DEFAULT-VALUE})")
    int clients;

    @Option(names = "--seed", paramLabel = "S", description = "the random seed (default: from the clock; printed)")
    Long seed;

    @Option(names = "--min-ms", defaultValue = "200", paramLabel = "N",
        description = "least time under load before the kill (default: ${DEFAULT-VALUE})")
    int minMillis;

    @Option(names = "--max-ms", defaultValue = "1200", paramLabel = "N",
        description = "most time under load before the kill (default: ${DEFAULT-VALUE})")
    int maxMillis;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "where the child keeps its ledger (default: a new temporary directory)")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
      Path dir = dataDir != null ? dataDir : Files.createTempDirectory("gongji-crashtest").resolve("data");
      return new CrashTest(cycles, clients, seed != null ? seed : System.nanoTime(), minMillis, maxMillis, dir).run();
    }
  }
}
