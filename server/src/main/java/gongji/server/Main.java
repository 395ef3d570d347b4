package gongji.server;

import gongji.server.ledger.JournalRecovery;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.national.NationalServer;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/** Runs the gateway: {@code serve [--demo] [--port N] [--data-dir DIR] [--config FILE] [--<setting> V]}. */
public final class Main {
  private static final Logger log = Logger.getLogger(Main.class.getName());

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      System.out.println(usage());
      return;
    }
    switch (args[0]) {
      case "serve" -> serve(flags(args, 1));
      case "ledger" -> System.exit(ledger(args));
      case "token" -> System.exit(token(args));
      default -> {
        System.err.println("unknown command: " + args[0] + "\n" + usage());
        System.exit(2);
      }
    }
  }

  static String usage() {
    return String.join("\n",
        "usage: gongji serve [--demo] [--port N] [--host H] [--data-dir DIR] [--metrics-port N] [--config FILE]",
        "                   [--national-port N] [--national-path /fsi/api/rsfComIfsService/callService]",
        "       gongji ledger verify --data-dir DIR   check a stopped ledger offline; exit 0 sound, 1 violations, 3 damaged",
        "       gongji token PRINCIPAL   a new bearer token and its hashed line for auth.tokens.file",
        "                                (PRINCIPAL: P62010200017/POS01, P62010200017, admin:clerk:NAME, admin:auditor:NAME)",
        "  every setting can also come from a properties file (--config) or GONGJI_<SETTING> variables;",
        "  settings: " + String.join(", ", GatewayConfig.DEFAULTS.keySet()));
  }

  private static void serve(Map<String, String> flags) throws Exception {
    GatewayConfig config;
    try {
      config = GatewayConfig.load(flags, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("gongji: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      GatewayServer.checkExposure(config);
    } catch (IllegalArgumentException e) {
      System.err.println("gongji: refusing to start: " + e.getMessage());
      System.exit(2);
      return;
    }
    System.out.println("Effective configuration:\n" + config.describe().replaceAll("(?m)^", "  "));
    Node node;
    try {
      node = Node.open(config, InstantSource.system(), new FileStorage(config.dataDir()));
    } catch (JournalRecovery.CorruptJournalException e) {
      System.err.println("gongji: " + e.getMessage());
      System.exit(3);
      return;
    } catch (java.io.IOException e) {
      System.err.println("gongji: cannot open the data directory " + config.dataDir().toAbsolutePath() + ": " + e);
      System.exit(3);
      return;
    }
    System.out.println("ledger: " + config.dataDir().toAbsolutePath() + " recovered from "
        + (node.snapshotFile() == null ? "the journal" : node.snapshotFile() + " and the journal") + ": " + node.recovery());
    System.out.println("history: " + config.dataDir().resolve("history").toAbsolutePath() + " applied through record "
        + node.history().store().appliedSeq() + " (" + node.recovered().historyRecordsApplied()
        + " records caught up from the journal)");
    if (config.demo() && !DemoData.loaded(node.gateway())) {
      DemoData.load(node.gateway());
    }
    GatewayServer server = GatewayServer.startNetty(node, config);
    if (config.metricsPort() >= 0) {
      int port = node.metrics().serve(config.host(), config.metricsPort());
      System.out.println("metrics: http://" + config.host() + ":" + port + "/metrics");
    }
    NationalServer national = null;
    if (config.nationalPort() >= 0) {
      national = NationalServer.start(node.national(), config.host(), config.nationalPort(), config.nationalPath());
      System.out.println("national interface (两定接口, HTTP/JSON): http://" + config.host() + ":" + national.port()
          + config.nationalPath());
    }
    NationalServer nationalServer = national;
    String target = config.host() + ":" + server.port();
    String adminTarget = config.host() + ":" + server.adminPort();
    System.out.println("Gongji gateway listening on " + target + " (gongji.v1.SettlementService; health; reflection)"
        + (server.adminPort() == server.port() ? ", back office on the same port"
        : "; back office (AdminService, FamilyService) on " + adminTarget));
    if (config.demo()) {
      System.out.println(DemoData.guide(target, adminTarget, DemoData.walletFunded(node.gateway())));
    }
    System.out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down: health NOT_SERVING, draining calls, closing the ledger");
      try {
        if (nationalServer != null) {
          nationalServer.close();
        }
        server.close();
      } catch (Exception e) {
        log.severe("shutdown failed: " + e);
      }
      stopped.countDown();
    }, "gongji-shutdown"));
    server.awaitTermination();
    stopped.await();
  }

  /**
   * {@code ledger verify --data-dir DIR}: replays the journal read-only (a torn tail is reported,
   * not cut) into a fresh ledger and audits it: sequence continuity, checksums, double-entry totals,
   * no negative balance, holds that match their open legs, quotas kept.
   */
  static int ledger(String[] args) throws Exception {
    if (args.length < 2 || !args[1].equals("verify")) {
      System.err.println(usage());
      return 2;
    }
    Map<String, String> flags = flags(args, 2);
    String dir = flags.get("data-dir");
    if (dir == null || !java.nio.file.Files.isDirectory(java.nio.file.Path.of(dir))) {
      System.err.println("gongji ledger verify: --data-dir DIR is required and must be a directory (got: " + dir + ")");
      return 2;
    }
    FileStorage storage = new FileStorage(java.nio.file.Path.of(dir));
    java.time.Duration window = java.time.Duration.ofDays(36_500);
    gongji.server.ledger.Snapshots.Loaded snapshot =
        gongji.server.ledger.Snapshots.loadNewest(storage, window, gongji.server.ledger.ReferenceListener.NONE);
    Ledger ledger = snapshot == null ? new Ledger(window, gongji.server.ledger.ReferenceListener.NONE) : snapshot.ledger();
    System.out.println("verify: starting from " + (snapshot == null ? "an empty ledger" : snapshot.file()));
    JournalRecovery.Report report;
    try {
      report = JournalRecovery.replay(storage, snapshot == null ? 0 : snapshot.seq(), false,
          (seq, at, command) -> ledger.apply(command, at));
    } catch (JournalRecovery.CorruptJournalException e) {
      System.out.println("verify: DAMAGED " + e.getMessage());
      return 3;
    }
    java.util.List<String> violations = ledger.audit();
    System.out.println("verify: journal " + report);
    java.nio.file.Path historyDir = java.nio.file.Path.of(dir).resolve("history");
    if (java.nio.file.Files.isDirectory(historyDir)) {
      long applied;
      try (gongji.server.history.RocksHistoryStore history = gongji.server.history.RocksHistoryStore.open(historyDir)) {
        applied = history.appliedSeq();
      } catch (java.io.IOException e) {
        System.out.println("verify: DAMAGED the history store cannot be opened: " + e.getMessage());
        return 3;
      }
      if (applied > report.lastSeq()) {
        System.out.println("verify: DAMAGED history has applied record " + applied + " but the journal ends at "
            + report.lastSeq() + ": acknowledged records are missing from the journal");
        return 3;
      }
      System.out.println("verify: history applied through record " + applied + " of " + report.lastSeq()
          + (applied == report.lastSeq() ? "" : " (the rest is caught up from the journal at start)"));
    } else {
      System.out.println("verify: no history store (it is rebuilt from the journal at start, if the journal reaches back)");
    }
    for (String v : violations) {
      System.out.println("verify: VIOLATION " + v);
    }
    System.out.println("verify: " + (violations.isEmpty() ? "OK" : violations.size() + " violations")
        + " (requests kept: " + ledger.requestsKept() + ")");
    return violations.isEmpty() ? 0 : 1;
  }

  /** {@code token PRINCIPAL}: prints a new bearer token and the hashed line for the tokens file. */
  static int token(String[] args) {
    if (args.length != 2) {
      System.err.println(usage());
      return 2;
    }
    try {
      System.out.println(gongji.server.grpc.BearerTokens.issue(args[1]));
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("gongji token: " + e.getMessage());
      return 2;
    }
  }

  /** {@code --key value} pairs; a flag without a value ({@code --demo}) means "true". */
  static Map<String, String> flags(String[] args, int from) {
    Map<String, String> flags = new LinkedHashMap<>();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + a + " (expected: --flag [value])");
      }
      String key = a.substring(2);
      int eq = key.indexOf('=');
      if (eq >= 0) {
        flags.put(key.substring(0, eq), key.substring(eq + 1));
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        flags.put(key, args[++i]);
      } else {
        flags.put(key, "true");
      }
    }
    return flags;
  }
}
