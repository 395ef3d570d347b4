package gongji.loadtest;

import gongji.server.GatewayConfig;
import gongji.server.Node;
import gongji.server.domain.Bill;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.history.RocksHistoryStore;
import gongji.server.ledger.Command;
import gongji.server.ledger.FileJournal;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Recaller;
import gongji.server.ledger.ReferenceListener;
import gongji.server.ledger.Snapshots;
import gongji.server.ledger.storage.FileStorage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;

/**
 * Restart to serving, as a function of how long the ledger has run: one ledger of {@code insured}
 * persons and {@code bindings} bindings settles sales with sweeps on (history dropped, as in
 * {@code ledger-footprint}); at each count in {@code sweptSales} its snapshot goes into a new data
 * directory with {@code tailCommands} journal records after it and a history store that has applied
 * up to the snapshot, and {@link Node#open} starts a node there: snapshot load (checks, decode,
 * audit, write-out check), journal tail replay, history catch-up, the sequencer started. The time
 * to the node's return is the restart; the same ledger after more sales must restart in about the
 * same time, because the snapshot holds the working state only.
 */
// Node.close() may throw InterruptedException: the benchmark ends with it (javac's "try" lint)
@SuppressWarnings("try")
public final class RestartTime {
  private static final long T0 = 1_764_036_000_000L;
  private static final String INSTITUTION = "P62010200017";

  /** What one run asks for. */
  record Options(int insured, int bindings, long[] sweptSales, int tailCommands, int salesPerSecond,
      Duration recentWindow, boolean inProcess, List<String> jvmOptions, int restarts, Path keepIn) {}

  /** How long the child process may take from its start to its exit. */
  private static final long CHILD_BOUND_SECONDS = 600;

  private RestartTime() {}

  static int run(Options o, PrintStream out) throws Exception {
    long t = System.nanoTime();
    Ledger ledger = SnapshotPause.populate(o.insured(), o.bindings());
    out.printf(Locale.ROOT, "restart: %,d insured, %,d bindings loaded in %.1f s%n", o.insured(), o.bindings(),
        (System.nanoTime() - t) / 1e9);
    LedgerFootprint.SweepCounter history = new LedgerFootprint.SweepCounter();
    Recaller recaller = new Recaller(history);
    long sale = 0;
    int failed = 0;
    for (long checkpoint : o.sweptSales()) {
      sale = LedgerFootprint.settleSwept(ledger, history, recaller, sale, checkpoint, o.salesPerSecond(),
          o.recentWindow().toMillis(), o.insured(), T0);
      failed += restart(ledger, checkpoint, o, out);
    }
    return failed == 0 ? 0 : 1;
  }

  /** Writes the data directory after {@code sales} sales, starts a node on it, and reports the time. */
  private static int restart(Ledger ledger, long sales, Options o, PrintStream out) throws Exception {
    Path dir = o.keepIn() == null ? Files.createTempDirectory("gongji-restart")
        : Files.createDirectories(o.keepIn()).resolve("after-" + sales + "-sales");
    if (o.keepIn() != null) {
      Files.createDirectory(dir); // a new one: an old directory's journal would not match this snapshot
    }
    FileStorage storage = new FileStorage(dir);
    long seq = 2 * sales + 3L * o.insured() + o.bindings(); // about the records such a node's journal has held
    byte[] image = Snapshots.image(ledger, seq);
    Snapshots.write(storage, seq, image);
    GatewayConfig config = GatewayConfig.forTests();
    gongji.server.IdentityCheck.stamp(storage, config.identityKey());
    try (RocksHistoryStore h = RocksHistoryStore.open(dir.resolve("history"), config.idempotencyWindow().plusDays(1))) {
      h.apply(seq, List.of());
      h.flush();
    }
    long tailAt = T0 + 60_000 + sales * 1_000 / o.salesPerSecond() + 1_000;
    try (FileJournal journal = new FileJournal(storage, seq + 1, 64L << 20)) {
      Bill bill = Bill.of(List.of(new LineItem("XA01", ItemCategory.DRUG, true, 1, 1)));
      for (int i = 0; i < o.tailCommands(); i++) {
        journal.append(new Command.Authorize("T" + sales + "-" + i, i, INSTITUTION, "POS01",
            LedgerFootprint.psnNo(i % o.insured()), MedicalType.PHARMACY, bill, true, true), tailAt + i / 10);
        if (i % 4_096 == 4_095) {
          journal.force();
        }
      }
      journal.force();
    }
    // The load alone, as recovery does it first (read, decode, audit, write-out check): for the breakdown.
    long r0 = System.nanoTime();
    Snapshots.read(image, seq, config.idempotencyWindow(), ReferenceListener.NONE);
    long loadNanos = System.nanoTime() - r0;
    image = null;
    System.gc();

    if (!o.inProcess()) {
      // Each restart on the same directory: the same snapshot and tail (a node makes no snapshot at close).
      int exit = 0;
      for (int i = 0; i < o.restarts(); i++) {
        exit |= restartInChild(dir, sales, o.jvmOptions(), o.tailCommands(), loadNanos, out);
      }
      if (o.keepIn() == null) {
        SnapshotPause.delete(dir);
      } else {
        out.println("    kept: " + dir);
      }
      return exit;
    }
    // On a thread of its own, so that a profile can tell the restart from the set-up (jfr-top --thread gongji-restart).
    Node[] started = new Node[1];
    Exception[] failed = new Exception[1];
    long t0 = System.nanoTime();
    Thread starter = new Thread(() -> {
      try {
        started[0] = Node.open(config, InstantSource.system(), storage);
      } catch (Exception e) {
        failed[0] = e;
      }
    }, "gongji-restart");
    starter.start();
    starter.join();
    if (failed[0] != null) {
      throw failed[0];
    }
    int exit = 0;
    try (Node node = started[0]) {
      long opened = System.nanoTime() - t0;
      out.printf(Locale.ROOT, "  after %,d swept sales: restart to serving %.2f s (snapshot %d MiB; its load alone"
          + " %.2f s; %,d journal records replayed after it)%n", sales, opened / 1e9,
          Files.size(dir.resolve(node.snapshotFile())) >> 20, loadNanos / 1e9, node.recovery().records());
      if (node.recovery().records() != o.tailCommands()) {
        out.println("  RESTART FAILED: replayed " + node.recovery().records() + " of " + o.tailCommands());
        exit = 1;
      }
    }
    if (o.keepIn() == null) {
      SnapshotPause.delete(dir);
    } else {
      out.println("    kept: " + dir);
    }
    return exit;
  }

  /**
   * Restarts data directories kept by an earlier run ({@code --keep-data-dirs}), each {@code restarts}
   * times in a new JVM: the same measure on a machine that has gone quiet, without making the ledger again.
   * A node makes no snapshot at close, so each start recovers the same snapshot and journal tail.
   */
  static int again(List<Path> dirs, List<String> jvmOptions, int restarts, PrintStream out) throws Exception {
    int exit = 0;
    for (Path dir : dirs) {
      String name = dir.getFileName().toString();
      long sales = name.matches("after-[0-9]+-sales") ? Long.parseLong(name.split("-")[1]) : -1;
      out.println("restart: " + dir);
      for (int i = 0; i < restarts; i++) {
        exit |= restartInChild(dir, sales, jvmOptions, -1, -1, out);
      }
    }
    return exit;
  }

  /**
   * The restart as an operator meets it: a new JVM ({@link Child}, with {@code jvmOptions} and
   * otherwise the JVM's defaults, as {@code ./gongji serve} starts one) on the data directory, timed
   * from the process's start to its line saying the node serves. Its heap holds nothing but the
   * node, unlike the in-process restart's, which shares the heap with the ledger that made the image.
   */
  private static int restartInChild(Path dir, long sales, List<String> jvmOptions, int tailCommands, long loadNanos,
      PrintStream out) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Child.class.getName(), dir.toString()));
    long t0 = System.nanoTime();
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    long servingNanos = -1;
    String serving = null;
    StringBuilder log = new StringBuilder();
    try (java.io.BufferedReader lines = new java.io.BufferedReader(
        new java.io.InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        if (line.startsWith(Child.SERVING)) {
          servingNanos = System.nanoTime() - t0;
          serving = line;
        } else if (line.contains("recovered in ")) {
          out.println("    " + line.substring(line.indexOf("recovered in ")));
        } else if (line.startsWith(Child.CPU)) {
          out.println("    " + line);
        } else if (log.length() < 8_192) {
          log.append("    | ").append(line).append('\n');
        }
      }
    }
    if (!child.waitFor(CHILD_BOUND_SECONDS, java.util.concurrent.TimeUnit.SECONDS)) {
      child.destroyForcibly();
    }
    if (serving == null) {
      out.printf(Locale.ROOT, "  after %,d swept sales: RESTART FAILED (exit %s):%n%s", sales,
          child.isAlive() ? "none" : String.valueOf(child.exitValue()), log);
      return 1;
    }
    // SERVING <open nanos> <records replayed> <snapshot bytes>
    String[] f = serving.split(" ");
    long openNanos = Long.parseLong(f[1]);
    long replayed = Long.parseLong(f[2]);
    String options = jvmOptions.isEmpty() ? "the JVM's default options" : String.join(" ", jvmOptions);
    String load = loadNanos < 0 ? "" : String.format(Locale.ROOT, "its load with every check, in this process: %.2f s; ",
        loadNanos / 1e9);
    out.printf(Locale.ROOT, "  after %,d swept sales: restart to serving %.2f s in a new JVM (%s), of which"
        + " Node.open %.2f s (snapshot %d MiB; %s%,d journal records replayed after it)%n", sales, servingNanos / 1e9,
        options, openNanos / 1e9, Long.parseLong(f[3]) >> 20, load, replayed);
    if (tailCommands >= 0 && replayed != tailCommands) {
      out.println("  RESTART FAILED: replayed " + replayed + " of " + tailCommands);
      return 1;
    }
    return 0;
  }

  /** The node of {@link #restartInChild}: opens the data directory given, says so, and closes it. */
  public static final class Child {
    static final String SERVING = "SERVING ";
    /** The line before {@link #SERVING}: the CPU the process took until then, by thread. */
    static final String CPU = "CPU to serving by thread, s: ";

    private Child() {}

    public static void main(String[] args) throws Exception {
      Path dir = Path.of(args[0]);
      long t0 = System.nanoTime();
      try (Node node = Node.open(GatewayConfig.forTests(), InstantSource.system(), new FileStorage(dir))) {
        long openNanos = System.nanoTime() - t0;
        StringBuilder cpu = new StringBuilder(CPU);
        gongji.loadtest.run.ProcStat.selfByThreadName().entrySet().stream().filter(e -> e.getValue() >= 0.05)
            .forEach(e -> cpu.append(String.format(Locale.ROOT, "%s %.2f, ", e.getKey(), e.getValue())));
        System.out.println(cpu.substring(0, cpu.length() - 2));
        System.out.println(SERVING + openNanos + " " + node.recovery().records() + " "
            + Files.size(dir.resolve(node.snapshotFile())));
        System.out.flush();
      }
    }
  }
}
