package gongji.server;

import gongji.server.ledger.JournalRecovery;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.logging.ServerLogging;
import gongji.server.national.NationalServer;
import gongji.server.national.NationalService;
import gongji.server.national.TifSignatures;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;

/**
 * {@code gongji serve}: runs the gateway. Its flags are the settings of {@link GatewayConfig}, one
 * {@code --flag-name} per {@code setting.name}, made from {@link GatewayConfig#DEFAULTS} so that a new
 * setting is a new flag; only flags given on the command line override the file and the environment.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    sortOptions = false,
    description = {"Runs the gateway: gRPC (SettlementService; the back office, FamilyService and AdminService, on",
        "--admin-port; health, reflection), the national interface (HTTP/JSON) and Prometheus metrics. Every",
        "call needs a credential (a certificate or a bearer token; --demo prints its tokens).",
        "Each setting below can also come from a properties file (--config) or a GONGJI_<SETTING> variable",
        "(GONGJI_PORT, GONGJI_MAX_BATCH_COMMANDS); a flag wins over both. The effective configuration is",
        "printed at start."},
    footer = {"", "Exit status: 0 stopped, 2 bad usage or settings (or settings that would expose the gateway),",
        "3 the data directory is damaged or cannot be opened.",
        "Example: gongji serve --demo"})
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = Logger.getLogger(ServeCommand.class.getName());

  /** What each setting means, for {@code --help}; a setting without one still gets its flag. */
  static final Map<String, String> DESCRIPTIONS = descriptions(Map.ofEntries(
      Map.entry("host", "the address every port binds"),
      Map.entry("port", "the gRPC port (0: any free port)"),
      Map.entry("metrics.port", "the Prometheus /metrics port (-1: off, 0: any free port)"),
      Map.entry("data.dir", "the ledger's directory: journal, snapshots, history/"),
      Map.entry("demo", "load the demo data set (if the data directory does not hold it yet) and print a guide"),
      Map.entry("max.queued.commands", "commands waiting for the ledger before new ones are refused"),
      Map.entry("max.batch.commands", "commands the ledger applies and journals in one group commit"),
      Map.entry("idempotency.window.days", "how long a request id is remembered"),
      Map.entry("ledger.recent.window.seconds",
          "how long the writer keeps closed sales and request entries before they go to history (0: off)"),
      Map.entry("max.inbound.message.bytes", "the largest gRPC request accepted"),
      Map.entry("cache.max.entries", "the reference cache's bound"),
      Map.entry("drain.timeout.seconds", "how long calls in flight may finish at shutdown"),
      Map.entry("journal.segment.bytes", "a journal segment's size before the next one starts"),
      Map.entry("ledger.pipelined.force", "force the journal on a thread of its own while the ledger applies the next"
          + " batch (false: apply, then force, in turn)"),
      Map.entry("ledger.identity.view.max.persons", "persons Identify is answered for without the writer (about 190"
          + " bytes of heap each, 90 more per relative paying for them); past it the view starts again empty (0: off, the writer answers every Identify);"
          + " see docs/OPERATIONS.md"),
      Map.entry("snapshot.every.commands", "a snapshot after this many journal records"),
      Map.entry("snapshot.every.seconds", "a snapshot after this long"),
      Map.entry("tls.cert.chain", "PEM certificate chain: serve TLS (empty: plaintext)"),
      Map.entry("tls.private.key", "PEM private key for --tls-cert-chain"),
      Map.entry("tls.client.ca",
          "PEM CA of terminal certificates (mTLS), each naming its terminal in a subjectAltName URI"),
      Map.entry("auth.tokens.file", "bearer tokens, one <token or sha256:hash>=<principal> a line (see ./gongji token)"),
      Map.entry("auth.required",
          "whether every call needs a credential; false (no caller authentication) only on a loopback host"),
      Map.entry("admin.port", "the back office's gRPC port: AdminService, FamilyService (0: any free port; -1: on --port)"),
      Map.entry("admin.tls.client.ca",
          "PEM CA of admin certificates on the admin port (needs --tls-cert-chain and a separate --admin-port)"),
      Map.entry("national.port", "the national interface's HTTP port (empty: 9091 with --demo, else off; -1: off)"),
      Map.entry("national.path", "the national interface's path"),
      Map.entry("national.mulaid.in.acct.pay", "whether acct_pay includes acct_mulaid_pay (a per-province convention)"),
      Map.entry("national.paas.file", "the national interface's callers, one <paasid> <paasToken> <principal> a line:"
          + " every request must then be signed (x-tif-*) and name the signer's institution (empty: unsigned, loopback"
          + " only)"),
      Map.entry("national.signature.max.skew.seconds",
          "how far x-tif-timestamp may be from the gateway's clock; a nonce is remembered this long"),
      Map.entry("national.signature.max.nonces",
          "nonces remembered within the skew window (about 80 bytes each); past it, signed requests are refused"
              + " as busy"),
      Map.entry("audit.dir", "the audit log's directory: a JSON line per call that moves money or changes a binding,"
          + " a person or an institution (empty: <data-dir>/audit; off: none)"),
      Map.entry("audit.max.file.bytes", "the audit log's file size before it is rotated (also rotated daily)"),
      Map.entry("identity.key.file", "the key identity and credential numbers are kept under (a keyed hash): its"
          + " generation and 64 hex digits on one line (echo \"1 $(openssl rand -hex 32)\"), in a file outside the data"
          + " directory; required but with --demo or --auth-required false, which use a published key"),
      Map.entry("identity.previous.key.files", "during a rotation, the older identity keys' files (comma-separated),"
          + " under which numbers kept before it are still found and keyed again; see docs/OPERATIONS.md")));

  private static Map<String, String> descriptions(Map<String, String> own) {
    Map<String, String> all = new java.util.HashMap<>(own);
    all.putAll(ConnectionLimits.DESCRIPTIONS);
    all.putAll(AdmissionLimits.DESCRIPTIONS);
    return Map.copyOf(all);
  }

  @Option(names = "--config", paramLabel = "FILE",
      description = "a properties file of settings (also GONGJI_CONFIG); flags win over it")
  String config;

  @Option(names = "--accept-journal-loss",
      description = {"start even though the journal is damaged or lost its newest segment: the records that cannot"
          + " be replayed are LOST (logged once, recorded in the journal; the damaged files are kept as *.damaged)."
          + " Run `gongji ledger verify` first to see what is lost. Not a setting: give it for one start only."})
  boolean acceptJournalLoss;

  @Option(names = "--new-identity-key",
      description = {"start with an identity key other than the one the data directory was written with, because that"
          + " one is LOST: the new key's check value replaces the old one (logged once), and every credential stored"
          + " under the old key matches nothing until it is registered again. Not a setting: give it for one start"
          + " only."})
  boolean newIdentityKey;

  @Option(names = "--add-identity-key",
      description = {"rotate the identity key: the key of identity.key.file is a new generation, added to the data"
          + " directory's identity.check (logged once); numbers kept under the older keys (identity.previous.key.files)"
          + " are still found and keyed again under the new one. Not a setting: give it for one start only."})
  boolean addIdentityKey;

  @Option(names = "--retire-identity-key", paramLabel = "GENERATION",
      description = {"stop using an older identity key whose file is no longer in identity.previous.key.files: its"
          + " generation leaves identity.check (logged once); credentials still kept under it match nothing until"
          + " registered again (`gongji ledger identity-keys` counts them first). Not a setting: one start only."})
  int retireIdentityKey;

  private final PrintStream out;
  private final InstantSource hostClock;
  private final Lifecycle lifecycle;
  private CommandSpec spec;

  /**
   * How a running gateway is told to stop, and who hears that it listens: the JVM's shutdown hook for
   * the launcher, {@link ServeInProcess} for a gateway inside a test.
   */
  interface Lifecycle {
    /** The launcher's: {@code shutdown} runs on SIGTERM or Ctrl-C. */
    Lifecycle JVM = new Lifecycle() {
      @Override
      public void onStop(Runnable shutdown) {
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "gongji-shutdown"));
      }

      @Override
      public void listening(String target, String adminTarget) {}
    };

    /** Takes the shutdown to run when the gateway is to stop; called once, before it listens. */
    void onStop(Runnable shutdown);

    /** The gateway listens (and has printed its guide) on these two addresses. */
    void listening(String target, String adminTarget);
  }

  private ServeCommand(PrintStream out, InstantSource hostClock, Lifecycle lifecycle) {
    this.out = out;
    this.hostClock = hostClock;
    this.lifecycle = lifecycle;
  }

  /** The {@code serve} command with one flag per setting, on the host's clock, stopped by the JVM's shutdown. */
  static CommandLine commandLine(PrintStream out) {
    return commandLine(out, InstantSource.system(), Lifecycle.JVM);
  }

  /** The {@code serve} command on {@code hostClock}, stopped through {@code lifecycle}. */
  static CommandLine commandLine(PrintStream out, InstantSource hostClock, Lifecycle lifecycle) {
    ServeCommand serve = new ServeCommand(out, hostClock, lifecycle);
    CommandLine line = new CommandLine(serve);
    serve.spec = line.getCommandSpec();
    for (Map.Entry<String, String> s : GatewayConfig.DEFAULTS.entrySet()) {
      serve.spec.addOption(setting(s.getKey(), s.getValue()));
    }
    return line;
  }

  /** The flag of one setting: {@code --max-batch-commands N}; a true/false setting may be given bare. */
  private static OptionSpec setting(String key, String defaultValue) {
    boolean bool = defaultValue.equals("true") || defaultValue.equals("false");
    String env = "GONGJI_" + key.toUpperCase().replace('.', '_');
    OptionSpec.Builder b = OptionSpec.builder(flag(key))
        .type(String.class)
        .paramLabel(bool ? "true|false" : label(key, defaultValue))
        .description(DESCRIPTIONS.getOrDefault(key, "the setting " + key) + " (default: "
            + (defaultValue.isEmpty() ? "none" : defaultValue) + "; env " + env + ")");
    if (bool) {
      b.arity("0..1").fallbackValue("true");
    }
    return b.build();
  }

  private static String label(String key, String defaultValue) {
    if (key.endsWith(".dir")) {
      return "DIR";
    }
    if (key.startsWith("tls.") || key.contains(".tls.") || key.endsWith(".file")) {
      return "FILE";
    }
    if (key.endsWith("port") || defaultValue.matches("-?[0-9]+")) {
      return "N";
    }
    return key.substring(key.lastIndexOf('.') + 1).toUpperCase();
  }

  static String flag(String key) {
    return "--" + key.replace('.', '-');
  }

  @Override
  public Integer call() throws Exception {
    GatewayConfig gatewayConfig;
    try {
      gatewayConfig = GatewayConfig.load(givenFlags(), System.getenv());
    } catch (IOException e) {
      throw new IllegalArgumentException("--config: cannot read the settings file: " + e, e);
    }
    try {
      GatewayServer.checkExposure(gatewayConfig);
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("gongji: refusing to start: " + e.getMessage());
      return Commands.USAGE;
    }
    gongji.server.domain.IdentityKeys identityKeys;
    try {
      identityKeys = identityKeys(gatewayConfig);
    } catch (IOException | IllegalArgumentException e) {
      spec.commandLine().getErr().println("gongji: refusing to start: identity.key.file: " + oneLine(e));
      return Commands.USAGE;
    }
    TifSignatures nationalCallers = null;
    if (gatewayConfig.nationalPort() >= 0 && !gatewayConfig.nationalPaasFile().isEmpty()) {
      try {
        nationalCallers = TifSignatures.fromFile(Path.of(gatewayConfig.nationalPaasFile()),
            gatewayConfig.nationalSignatureMaxSkew(), gatewayConfig.nationalSignatureMaxNonces(), hostClock);
      } catch (IOException | IllegalArgumentException e) {
        spec.commandLine().getErr().println("gongji: refusing to start: national.paas.file: " + e.getMessage());
        return Commands.USAGE;
      }
    }
    out.println("Effective configuration:\n" + gatewayConfig.describe().replaceAll("(?m)^", "  "));
    log.info("starting " + new Commands.Version().getVersion()[0] + ": data directory "
        + gatewayConfig.dataDir().toAbsolutePath() + ", gRPC on " + gatewayConfig.host() + ":" + gatewayConfig.port());
    if (gatewayConfig.identityKeyFile().isEmpty()) {
      log.warning("identity key: the demo's published key (" + (gatewayConfig.demo() ? "--demo" : "auth.required=false")
          + " without identity.key.file): it protects nothing");
    }
    Node node;
    try {
      node = Node.open(gatewayConfig, hostClock, new FileStorage(gatewayConfig.dataDir()),
          acceptJournalLoss, identityKeys,
          new IdentityCheck.Changes(newIdentityKey, addIdentityKey, retireIdentityKey));
    } catch (JournalRecovery.CorruptJournalException e) {
      spec.commandLine().getErr().println("gongji: " + e.getMessage());
      return 3;
    } catch (IOException | RuntimeException e) {
      spec.commandLine().getErr().println("gongji: cannot open the data directory "
          + gatewayConfig.dataDir().toAbsolutePath() + ": " + oneLine(e));
      return 3;
    }
    if (node.recovered().acceptedLoss() != null) {
      out.println("ledger: JOURNAL LOSS ACCEPTED: " + node.recovered().acceptedLoss() + " (see the log)");
    }
    out.println("ledger: " + gatewayConfig.dataDir().toAbsolutePath() + " recovered from "
        + (node.snapshotFile() == null ? "the journal" : node.snapshotFile() + " and the journal") + ": "
        + node.recovery());
    out.println("history: " + gatewayConfig.dataDir().resolve("history").toAbsolutePath() + " applied through record "
        + node.history().store().appliedSeq() + " (" + node.recovered().historyRecordsApplied()
        + " records caught up from the journal)");
    boolean demoFromEarlierRun = gatewayConfig.demo() && DemoData.loaded(node.gateway());
    if (gatewayConfig.demo() && !demoFromEarlierRun) {
      DemoData.startAtDaytime(node.sandboxClock());
      DemoData.load(node.gateway());
    }
    GatewayServer server = GatewayServer.startNetty(node, gatewayConfig);
    if (gatewayConfig.metricsPort() >= 0) {
      int port = node.metrics().serve(gatewayConfig.host(), gatewayConfig.metricsPort());
      out.println("metrics: http://" + gatewayConfig.host() + ":" + port + "/metrics");
    }
    NationalServer national = null;
    if (gatewayConfig.nationalPort() >= 0) {
      NationalService service = nationalCallers == null ? node.national() : node.national().signedBy(nationalCallers);
      national = NationalServer.start(server.audit() == null ? service : service.auditedBy(server.audit()),
          gatewayConfig.host(), gatewayConfig.nationalPort(), gatewayConfig.nationalPath(), node.callsInFlight());
      out.println("national interface (两定接口, HTTP/JSON): http://" + gatewayConfig.host() + ":" + national.port()
          + gatewayConfig.nationalPath());
    }
    NationalServer nationalServer = national;
    // Before anything tells the world it is up: a stop right after the guide must still close the ledger.
    CountDownLatch stopped = new CountDownLatch(1);
    lifecycle.onStop(() -> {
      log.info("shutting down: health NOT_SERVING, draining calls, closing the ledger");
      try {
        if (nationalServer != null) {
          nationalServer.close();
        }
        server.close();
        log.info("stopped: the ledger is closed, every acknowledged command is on disk");
      } catch (Exception e) {
        log.severe("shutdown failed: " + e);
      } finally {
        ServerLogging.flush();
        stopped.countDown();
      }
    });
    String target = gatewayConfig.host() + ":" + server.port();
    String adminTarget = gatewayConfig.host() + ":" + server.adminPort();
    boolean adminApart = server.adminPort() != server.port();
    out.println("Gongji gateway listening on " + target + " (gongji.v1.SettlementService; health; reflection)"
        + (adminApart ? "; back office (AdminService, FamilyService) on " + adminTarget
            : ", back office on the same port"));
    if (node.sandboxClock() != null) {
      out.println(DemoData.clockGuide(node.sandboxClock(), adminTarget));
    }
    if (demoFromEarlierRun) {
      out.println(DemoData.restartGuide(target, adminTarget, gatewayConfig.dataDir().toAbsolutePath().toString(),
          node.recovery().lastSeq(), node.gateway()));
    } else if (gatewayConfig.demo()) {
      out.println(DemoData.guide(target, adminTarget, DemoData.walletFunded(node.gateway())));
    }
    out.flush();
    lifecycle.listening(target, adminTarget);
    log.info("started: gRPC on " + target + (adminApart ? ", back office on " + adminTarget : ""));
    server.awaitTermination();
    stopped.await();
    return 0;
  }

  /**
   * The identity key of the settings: a real gateway needs a key file of its own outside the data
   * directory; {@code --demo} or {@code auth.required=false} (both on loopback only) without one uses
   * the published demo key (and says so).
   *
   * @throws IllegalArgumentException saying what to change
   */
  static gongji.server.domain.IdentityKey identityKey(GatewayConfig config) throws IOException {
    if (config.identityKeyFile().isEmpty()) {
      // --demo and auth.required=false listen on loopback only (checkExposure): development, not data to protect.
      if (!config.demo() && config.authRequired()) {
        throw new IllegalArgumentException("no key is set: identity and credential numbers are kept only as a keyed"
            + " hash, under a key kept outside the data directory. Make one (openssl rand -hex 32 > FILE, readable by"
            + " the gateway only), keep a copy apart from the data's backups, and set identity.key.file (or"
            + " GONGJI_IDENTITY_KEY_FILE); see docs/OPERATIONS.md, \"The identity key\"");
      }
      return gongji.server.domain.IdentityKey.DEMO;
    }
    outsideData(config, config.identityKeyFile());
    return config.identityKey();
  }

  /**
   * The current identity key ({@link #identityKey}) and the older ones of
   * {@code identity.previous.key.files}, each a file outside the data directory.
   *
   * @throws IllegalArgumentException saying which file and what to change
   */
  static gongji.server.domain.IdentityKeys identityKeys(GatewayConfig config) throws IOException {
    gongji.server.domain.IdentityKey current = identityKey(config);
    java.util.List<gongji.server.domain.IdentityKey> older = new java.util.ArrayList<>();
    for (String f : config.identityPreviousKeyFiles()) {
      outsideData(config, f);
      try {
        older.add(gongji.server.domain.IdentityKey.fromFile(Path.of(f)));
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IllegalArgumentException("identity.previous.key.files: " + f + " does not exist: the numbers kept"
            + " under that key are found only with it (restore the file; or, if that key is to be retired, see"
            + " `gongji ledger identity-keys` and --retire-identity-key)", e);
      }
    }
    return new gongji.server.domain.IdentityKeys(current, older);
  }

  private static void outsideData(GatewayConfig config, String name) {
    Path file = Path.of(name).toAbsolutePath().normalize();
    Path data = config.dataDir().toAbsolutePath().normalize();
    if (file.startsWith(data) || realPath(file).startsWith(realPath(data))) {
      throw new IllegalArgumentException(file + " is inside the data directory " + data + ": keep the key apart from"
          + " the data it protects (and from their backups)");
    }
  }

  /** The real path of {@code p}, or {@code p} itself when it does not exist (yet). */
  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p;
    }
  }

  /**
   * An exception as one line: what failed, without a stack trace (a missing parent directory, a
   * read-only file system, a file where the directory should be).
   */
  static String oneLine(Throwable e) {
    String message = e.getMessage();
    if (e instanceof java.nio.file.FileSystemException fs) {
      String kind = e instanceof java.nio.file.AccessDeniedException ? "permission denied"
          : e instanceof java.nio.file.NoSuchFileException ? "no such file or directory"
          : e instanceof java.nio.file.FileAlreadyExistsException ? "exists and is not a directory"
          : e instanceof java.nio.file.NotDirectoryException ? "not a directory" : fs.getReason();
      message = fs.getFile() + ": " + kind;
    }
    String line = message == null ? e.getClass().getSimpleName() : message;
    return line.replace('\n', ' ');
  }

  /** The settings given as flags, by setting name, and {@code config}; absent ones are left to file and env. */
  private Map<String, String> givenFlags() {
    ParseResult parsed = spec.commandLine().getParseResult();
    Map<String, String> flags = new LinkedHashMap<>();
    if (config != null) {
      flags.put("config", config);
    }
    for (Map.Entry<String, String> s : GatewayConfig.DEFAULTS.entrySet()) {
      String name = flag(s.getKey());
      if (parsed.hasMatchedOption(name)) {
        String value = parsed.matchedOptionValue(name, "");
        boolean bool = s.getValue().equals("true") || s.getValue().equals("false");
        if (bool && !value.equals("true") && !value.equals("false")) {
          throw new IllegalArgumentException(name + ": \"" + value + "\" (expected: true or false)");
        }
        flags.put(s.getKey(), value);
      }
    }
    return flags;
  }
}
