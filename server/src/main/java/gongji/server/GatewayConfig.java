package gongji.server;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The gateway's settings, each with a named bound. Read in this order, later wins: the defaults, a
 * properties file ({@code --config FILE}), environment variables ({@code GONGJI_PORT} for
 * {@code port}, {@code GONGJI_MAX_BATCH_COMMANDS} for {@code max.batch.commands}), command-line flags.
 */
public record GatewayConfig(
    String host,
    int port,
    int metricsPort,
    Path dataDir,
    boolean demo,
    int maxQueuedCommands,
    int maxBatchCommands,
    Duration idempotencyWindow,
    Duration recentWindow,
    int maxInboundMessageBytes,
    long cacheMaxEntries,
    Duration drainTimeout,
    long journalSegmentBytes,
    long snapshotEveryCommands,
    Duration snapshotEvery,
    String tlsCertChain,
    String tlsPrivateKey,
    String tlsClientCa,
    String authTokensFile,
    boolean authRequired,
    int adminPort,
    String adminTlsClientCa,
    int nationalPort,
    String nationalPath,
    boolean nationalMulaidInAcctPay,
    String nationalPaasFile,
    Duration nationalSignatureMaxSkew,
    int nationalSignatureMaxNonces,
    ConnectionLimits connections,
    String auditDir,
    long auditMaxFileBytes,
    AdmissionLimits admission,
    String identityKeyFile,
    List<String> identityPreviousKeyFiles,
    boolean pipelinedForce,
    int identityViewMaxPersons) {

  public GatewayConfig {
    checkArgument(port >= 0 && port <= 65535, "port: %s (expected: 0..65535)", port);
    checkArgument(metricsPort >= -1 && metricsPort <= 65535, "metrics.port: %s (expected: -1 (off)..65535)", metricsPort);
    checkArgument(maxQueuedCommands > 0, "max.queued.commands: %s (expected: > 0)", maxQueuedCommands);
    checkArgument(maxBatchCommands > 0, "max.batch.commands: %s (expected: > 0)", maxBatchCommands);
    checkArgument(tlsCertChain.isEmpty() == tlsPrivateKey.isEmpty(),
        "tls.cert.chain and tls.private.key go together (got: %s, %s)", tlsCertChain, tlsPrivateKey.isEmpty() ? "" : "(set)");
    checkArgument(tlsClientCa.isEmpty() || !tlsCertChain.isEmpty(), "tls.client.ca needs tls.cert.chain");
    checkArgument(snapshotEveryCommands > 0, "snapshot.every.commands: %s (expected: > 0)", snapshotEveryCommands);
    checkArgument(journalSegmentBytes >= 4096, "journal.segment.bytes: %s (expected: >= 4096)", journalSegmentBytes);
    checkArgument(nationalPort >= -1 && nationalPort <= 65535, "national.port: %s (expected: -1 (off)..65535)",
        nationalPort);
    checkArgument(nationalPath.matches("/[A-Za-z0-9/._-]{0,200}"), "national.path: %s (expected: /..., e.g. %s)",
        nationalPath, DEFAULT_NATIONAL_PATH);
    checkArgument(!recentWindow.isNegative() && recentWindow.compareTo(idempotencyWindow) < 0,
        "ledger.recent.window.seconds: %s (expected: 0 (off) up to below idempotency.window.days)",
        recentWindow.toSeconds());
    checkArgument(adminPort >= -1 && adminPort <= 65535, "admin.port: %s (expected: -1 (on the terminal port)..65535)",
        adminPort);
    checkArgument(adminTlsClientCa.isEmpty() || (!tlsCertChain.isEmpty() && adminPort >= 0),
        "admin.tls.client.ca needs tls.cert.chain and a separate admin.port");
    checkArgument(!nationalSignatureMaxSkew.isNegative() && !nationalSignatureMaxSkew.isZero(),
        "national.signature.max.skew.seconds: %s (expected: > 0)", nationalSignatureMaxSkew.toSeconds());
    checkArgument(nationalSignatureMaxNonces > 0, "national.signature.max.nonces: %s (expected: > 0)",
        nationalSignatureMaxNonces);
    checkArgument(maxInboundMessageBytes >= 1024, "max.inbound.message.bytes: %s (expected: >= 1024)", maxInboundMessageBytes);
    java.util.Objects.requireNonNull(connections, "connections");
    java.util.Objects.requireNonNull(admission, "admission");
    checkArgument(auditMaxFileBytes >= 4096, "audit.max.file.bytes: %s (expected: >= 4096)", auditMaxFileBytes);
    java.util.Objects.requireNonNull(identityKeyFile, "identityKeyFile");
    identityPreviousKeyFiles = List.copyOf(identityPreviousKeyFiles);
    checkArgument(identityPreviousKeyFiles.isEmpty() || !identityKeyFile.isEmpty(),
        "identity.previous.key.files needs identity.key.file (the current key)");
    checkArgument(identityViewMaxPersons >= 0 && identityViewMaxPersons <= MAX_IDENTITY_VIEW_PERSONS,
        "ledger.identity.view.max.persons: %s (expected: 0 (off)..%s)", identityViewMaxPersons,
        MAX_IDENTITY_VIEW_PERSONS);
  }

  /**
   * The most persons the Identify view may be set to hold: the most a Java identity set (the writer's
   * record of who is in the view) holds, far past any province's population.
   */
  static final int MAX_IDENTITY_VIEW_PERSONS = 1 << 29;

  /**
   * The key identity and credential numbers are kept under ({@link gongji.server.domain.IdentityKey}):
   * from {@code identity.key.file}, or, when none is set, the demo's published key (for {@code --demo}
   * and tests: {@code serve} refuses to start a real gateway without a key file).
   *
   * @throws IllegalArgumentException saying what is wrong with the file
   */
  public gongji.server.domain.IdentityKey identityKey() throws IOException {
    return identityKeyFile.isEmpty() ? gongji.server.domain.IdentityKey.DEMO
        : gongji.server.domain.IdentityKey.fromFile(Path.of(identityKeyFile));
  }

  /**
   * The current key ({@link #identityKey()}) and the older ones still in use, from
   * {@code identity.previous.key.files} (a comma-separated list of key files, each naming its generation).
   *
   * @throws IllegalArgumentException saying which file is wrong and how (a missing file: {@link java.nio.file.NoSuchFileException})
   */
  public gongji.server.domain.IdentityKeys identityKeys() throws IOException {
    List<gongji.server.domain.IdentityKey> older = new java.util.ArrayList<>();
    for (String f : identityPreviousKeyFiles) {
      older.add(gongji.server.domain.IdentityKey.fromFile(Path.of(f)));
    }
    return new gongji.server.domain.IdentityKeys(identityKey(), older);
  }

  /** Where the audit log goes: {@code audit.dir}, else {@code <data.dir>/audit}; null when off. */
  public Path auditDirectory() {
    if (auditDir.equals("off") || (auditDir.isEmpty() && dataDir == null)) {
      return null;
    }
    return auditDir.isEmpty() ? dataDir.resolve("audit") : Path.of(auditDir);
  }

  /** The national interface's path on most provincial platforms. */
  public static final String DEFAULT_NATIONAL_PATH = "/fsi/api/rsfComIfsService/callService";
  /** The national interface's port in {@code --demo} when none is set (off otherwise). */
  static final int DEMO_NATIONAL_PORT = 9091;

  static final Map<String, String> DEFAULTS = defaults();

  private static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("host", "127.0.0.1");
    d.put("port", "9090");
    d.put("metrics.port", "9464");
    d.put("data.dir", "data");
    d.put("demo", "false");
    // A few hundred milliseconds of the writer's work: past it, calls are refused (RESOURCE_EXHAUSTED), not queued.
    d.put("max.queued.commands", "8192");
    d.put("max.batch.commands", "4096");
    d.put("idempotency.window.days", "35");
    // How long the writer keeps closed sales and request entries before they go to history; 0 = off.
    d.put("ledger.recent.window.seconds", "10");
    d.put("max.inbound.message.bytes", "1048576");
    d.put("cache.max.entries", "1000000");
    d.put("drain.timeout.seconds", "10");
    d.put("journal.segment.bytes", "67108864");
    d.put("snapshot.every.commands", "1000000");
    d.put("snapshot.every.seconds", "600");
    d.put("tls.cert.chain", "");
    d.put("tls.private.key", "");
    d.put("tls.client.ca", "");
    d.put("auth.tokens.file", "");
    // false: no caller authentication at all (body trusted); only on a loopback host, for development.
    d.put("auth.required", "true");
    // The AdminService and FamilyService listen here, never on the terminal port; -1 = on the terminal
    // port, behind the same per-service authorization (a terminal credential never reaches them).
    d.put("admin.port", "9092");
    d.put("admin.tls.client.ca", "");
    // The national interface (HTTP/JSON): empty = off, or 9091 with --demo; -1 = off.
    d.put("national.port", "");
    d.put("national.path", DEFAULT_NATIONAL_PATH);
    // Whether acct_pay includes acct_mulaid_pay (a per-province convention; see README).
    d.put("national.mulaid.in.acct.pay", "true");
    // The national interface's signed callers (x-tif-*): empty = unsigned, loopback only.
    d.put("national.paas.file", "");
    d.put("national.signature.max.skew.seconds", "300");
    // Nonces remembered within the skew window; past it, signed calls are refused as busy (never forgotten early).
    d.put("national.signature.max.nonces", "1000000");
    // Per gRPC connection, on both ports: see ConnectionLimits.
    ConnectionLimits.defaults(d);
    // The audit log (JSON lines): empty = <data.dir>/audit; off = none.
    d.put("audit.dir", "");
    d.put("audit.max.file.bytes", "67108864");
    // Settlement calls a second per terminal and per institution: see AdmissionLimits.
    AdmissionLimits.defaults(d);
    // The key identity and credential numbers are kept under (a keyed hash): a file outside data.dir.
    d.put("identity.key.file", "");
    // The older identity keys still in use during a rotation, comma-separated (docs/OPERATIONS.md).
    d.put("identity.previous.key.files", "");
    // The journal forced on a thread of its own while the writer applies the next batch; false: in turn.
    // Off: measured on this machine (2 cores, a fast fsync), the pipeline made smaller batches and cost
    // more CPU per sale than it saved by overlapping the force (docs/PERFORMANCE.md, 2026-12-04 21:26).
    d.put("ledger.pipelined.force", "false");
    // The persons Identify is answered for without the writer; past it, the view starts again empty.
    // About 190 bytes of heap a person, 90 more for each relative paying for them (docs/OPERATIONS.md).
    d.put("ledger.identity.view.max.persons",
        Integer.toString(gongji.server.ledger.Ledger.DEFAULT_IDENTITY_VIEW_MAX_PERSONS));
    return d;
  }

  /** Builds the settings from the defaults, the file, the environment and the flags (in that order). */
  static GatewayConfig load(Map<String, String> flags, Map<String, String> env) throws IOException {
    Map<String, String> s = new LinkedHashMap<>(DEFAULTS);
    String file = flags.getOrDefault("config", env.get("GONGJI_CONFIG"));
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(Path.of(file))) {
        p.load(r);
      }
      for (String key : p.stringPropertyNames()) {
        checkArgument(DEFAULTS.containsKey(key), "%s: unknown setting %s (known: %s)", file, key, DEFAULTS.keySet());
        s.put(key, p.getProperty(key).trim());
      }
    }
    for (String key : DEFAULTS.keySet()) {
      String v = env.get("GONGJI_" + key.toUpperCase().replace('.', '_'));
      if (v != null) {
        s.put(key, v.trim());
      }
    }
    for (Map.Entry<String, String> f : flags.entrySet()) {
      if (f.getKey().equals("config")) {
        continue;
      }
      String key = f.getKey().replace('-', '.');
      checkArgument(DEFAULTS.containsKey(key), "--%s: unknown flag (known: --%s)", f.getKey(),
          String.join(", --", DEFAULTS.keySet()).replace('.', '-'));
      s.put(key, f.getValue());
    }
    boolean demo = Boolean.parseBoolean(s.get("demo"));
    String nationalPort = s.get("national.port");
    return new GatewayConfig(
        s.get("host"),
        integer(s, "port"),
        integer(s, "metrics.port"),
        Path.of(s.get("data.dir")),
        Boolean.parseBoolean(s.get("demo")),
        integer(s, "max.queued.commands"),
        integer(s, "max.batch.commands"),
        Duration.ofDays(integer(s, "idempotency.window.days")),
        Duration.ofSeconds(integer(s, "ledger.recent.window.seconds")),
        integer(s, "max.inbound.message.bytes"),
        Long.parseLong(s.get("cache.max.entries")),
        Duration.ofSeconds(integer(s, "drain.timeout.seconds")),
        Long.parseLong(s.get("journal.segment.bytes")),
        Long.parseLong(s.get("snapshot.every.commands")),
        Duration.ofSeconds(integer(s, "snapshot.every.seconds")),
        s.get("tls.cert.chain"),
        s.get("tls.private.key"),
        s.get("tls.client.ca"),
        s.get("auth.tokens.file"),
        Boolean.parseBoolean(s.get("auth.required")),
        integer(s, "admin.port"),
        s.get("admin.tls.client.ca"),
        nationalPort.isEmpty() ? (demo ? DEMO_NATIONAL_PORT : -1) : integer(s, "national.port"),
        s.get("national.path"),
        Boolean.parseBoolean(s.get("national.mulaid.in.acct.pay")),
        s.get("national.paas.file"),
        Duration.ofSeconds(integer(s, "national.signature.max.skew.seconds")),
        integer(s, "national.signature.max.nonces"),
        ConnectionLimits.from(s),
        s.get("audit.dir"),
        Long.parseLong(s.get("audit.max.file.bytes")),
        AdmissionLimits.from(s),
        s.get("identity.key.file"),
        files(s.get("identity.previous.key.files")),
        bool(s, "ledger.pipelined.force"),
        integer(s, "ledger.identity.view.max.persons"));
  }

  /** A comma-separated list of files (blank space around each ignored; empty: none). */
  static List<String> files(String v) {
    return java.util.Arrays.stream(v.split(",")).map(String::strip).filter(f -> !f.isEmpty()).toList();
  }

  /** A true/false setting; anything else is refused rather than read as false. */
  static boolean bool(Map<String, String> s, String key) {
    String v = s.get(key);
    checkArgument(v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false"), "%s: \"%s\" (expected: true or false)",
        key, v);
    return Boolean.parseBoolean(v);
  }

  static int integer(Map<String, String> s, String key) {
    try {
      return Integer.parseInt(s.get(key));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + ": \"" + s.get(key) + "\" (expected: a whole number)", e);
    }
  }

  /**
   * Settings for tests: loopback, any free port, no metrics endpoint, in memory, no caller
   * authentication ({@code auth.required=false}) and the back office on the terminal port. The
   * journal forced on the writer, as by default ({@code ledger.pipelined.force=false}).
   */
  public static GatewayConfig forTests() {
    return new GatewayConfig("127.0.0.1", 0, -1, null, false, 65_536, 4_096, Duration.ofDays(35),
        Duration.ofSeconds(30), 1 << 20,
        100_000, Duration.ofSeconds(5), 64L << 20, 1_000_000, Duration.ofMinutes(10), "", "", "", "", false, -1, "",
        -1, DEFAULT_NATIONAL_PATH, true, "", Duration.ofSeconds(300), 1_000_000, ConnectionLimits.defaults(),
        "", 64L << 20, AdmissionLimits.off(), "", List.of(), false,
        gongji.server.ledger.Ledger.DEFAULT_IDENTITY_VIEW_MAX_PERSONS);
  }

  /**
   * These settings with caller authentication required: TLS (PEM files; empty strings for none), the
   * CA of terminal certificates, and the bearer tokens file.
   */
  public GatewayConfig withSecurity(String certChain, String privateKey, String clientCa, String tokensFile) {
    Edit e = new Edit(this);
    e.tlsCertChain = certChain;
    e.tlsPrivateKey = privateKey;
    e.tlsClientCa = clientCa;
    e.authTokensFile = tokensFile;
    e.authRequired = true;
    return e.build();
  }

  /** These settings as a sandbox ({@code --demo}): its clock may be moved. */
  public GatewayConfig asSandbox() {
    Edit e = new Edit(this);
    e.demo = true;
    return e.build();
  }

  /** These settings with the back office on {@code port} (0: any free port; -1: on the terminal port). */
  public GatewayConfig withAdminPort(int port, String clientCa) {
    Edit e = new Edit(this);
    e.adminPort = port;
    e.adminTlsClientCa = clientCa;
    return e.build();
  }

  /** These settings with the national interface on {@code port} (0: any free port) at {@code path}. */
  public GatewayConfig withNational(int port, String path, boolean mulaidInAcctPay) {
    Edit e = new Edit(this);
    e.nationalPort = port;
    e.nationalPath = path;
    e.nationalMulaidInAcctPay = mulaidInAcctPay;
    return e.build();
  }

  /** These settings with the national interface's requests signed by the callers in {@code paasFile}. */
  public GatewayConfig withNationalSignatures(String paasFile) {
    Edit e = new Edit(this);
    e.nationalPaasFile = paasFile;
    return e.build();
  }

  /** These settings with snapshots after {@code everyCommands} journal records or {@code every}. */
  public GatewayConfig withSnapshots(long everyCommands, Duration every) {
    Edit e = new Edit(this);
    e.snapshotEveryCommands = everyCommands;
    e.snapshotEvery = every;
    return e.build();
  }

  /** These settings with the writer keeping closed sales and request entries for {@code recentWindow} (0: off). */
  public GatewayConfig withRecentWindow(Duration recentWindow) {
    Edit e = new Edit(this);
    e.recentWindow = recentWindow;
    return e.build();
  }

  /** One line per setting, for the log at start. */
  public String describe() {
    return "host=" + host + "\nport=" + port + "\nmetrics.port=" + metricsPort + "\ndata.dir=" + dataDir
        + "\ndemo=" + demo + "\nmax.queued.commands=" + maxQueuedCommands + "\nmax.batch.commands=" + maxBatchCommands
        + "\nidempotency.window.days=" + idempotencyWindow.toDays()
        + "\nledger.recent.window.seconds=" + recentWindow.toSeconds() + "\nmax.inbound.message.bytes="
        + maxInboundMessageBytes + "\ncache.max.entries=" + cacheMaxEntries + "\ndrain.timeout.seconds="
        + drainTimeout.toSeconds() + "\njournal.segment.bytes=" + journalSegmentBytes
        + "\nsnapshot.every.commands=" + snapshotEveryCommands + "\nsnapshot.every.seconds=" + snapshotEvery.toSeconds()
        + "\ntls.cert.chain=" + tlsCertChain + "\ntls.private.key=" + (tlsPrivateKey.isEmpty() ? "" : "(set)")
        + "\ntls.client.ca=" + tlsClientCa + "\nauth.tokens.file=" + authTokensFile
        + "\nauth.required=" + authRequired + "\nadmin.port=" + adminPort + "\nadmin.tls.client.ca=" + adminTlsClientCa
        + "\nnational.port=" + nationalPort + "\nnational.path=" + nationalPath
        + "\nnational.mulaid.in.acct.pay=" + nationalMulaidInAcctPay + "\nnational.paas.file=" + nationalPaasFile
        + "\nnational.signature.max.skew.seconds=" + nationalSignatureMaxSkew.toSeconds()
        + "\nnational.signature.max.nonces=" + nationalSignatureMaxNonces + "\n" + connections.describe()
        + "\naudit.dir=" + auditDir + "\naudit.max.file.bytes=" + auditMaxFileBytes + "\n" + admission.describe()
        + "\nidentity.key.file=" + identityKeyFile
        + "\nidentity.previous.key.files=" + String.join(",", identityPreviousKeyFiles) + "\nledger.pipelined.force=" + pipelinedForce
        + "\nledger.identity.view.max.persons=" + identityViewMaxPersons;
  }

  /** These settings with the audit log in {@code dir} ("off": none), rotated at {@code maxFileBytes}. */
  public GatewayConfig withAudit(String dir, long maxFileBytes) {
    Edit e = new Edit(this);
    e.auditDir = dir;
    e.auditMaxFileBytes = maxFileBytes;
    return e.build();
  }

  /** These settings with other limits per caller. */
  public GatewayConfig withAdmission(AdmissionLimits admission) {
    Edit e = new Edit(this);
    e.admission = admission;
    return e.build();
  }

  /** These settings with identity numbers kept under the key in {@code file} (empty: the demo's key). */
  public GatewayConfig withIdentityKeyFile(String file) {
    Edit e = new Edit(this);
    e.identityKeyFile = file;
    return e.build();
  }

  /** These settings with the current identity key in {@code file} and older ones in {@code previous}. */
  public GatewayConfig withIdentityKeyFiles(String file, List<String> previous) {
    Edit e = new Edit(this);
    e.identityKeyFile = file;
    e.identityPreviousKeyFiles = previous;
    return e.build();
  }

  /** These settings with the journal forced while the writer applies the next batch, or in turn. */
  public GatewayConfig withPipelinedForce(boolean on) {
    Edit e = new Edit(this);
    e.pipelinedForce = on;
    return e.build();
  }

  /** These settings with the Identify view holding at most {@code persons} (0: off, the writer answers every Identify). */
  public GatewayConfig withIdentityViewMaxPersons(int persons) {
    Edit e = new Edit(this);
    e.identityViewMaxPersons = persons;
    return e.build();
  }

  /** These settings with other connection limits. */
  public GatewayConfig withConnections(ConnectionLimits connections) {
    Edit e = new Edit(this);
    e.connections = connections;
    return e.build();
  }

  /**
   * A copy of some settings to change a few of: each {@code with...} above sets what it names and
   * builds, so that a new setting is added here once instead of in every one of them.
   */
  private static final class Edit {
    private String host;
    private int port;
    private int metricsPort;
    private Path dataDir;
    private boolean demo;
    private int maxQueuedCommands;
    private int maxBatchCommands;
    private Duration idempotencyWindow;
    private Duration recentWindow;
    private int maxInboundMessageBytes;
    private long cacheMaxEntries;
    private Duration drainTimeout;
    private long journalSegmentBytes;
    private long snapshotEveryCommands;
    private Duration snapshotEvery;
    private String tlsCertChain;
    private String tlsPrivateKey;
    private String tlsClientCa;
    private String authTokensFile;
    private boolean authRequired;
    private int adminPort;
    private String adminTlsClientCa;
    private int nationalPort;
    private String nationalPath;
    private boolean nationalMulaidInAcctPay;
    private String nationalPaasFile;
    private Duration nationalSignatureMaxSkew;
    private int nationalSignatureMaxNonces;
    private ConnectionLimits connections;
    private String auditDir;
    private long auditMaxFileBytes;
    private AdmissionLimits admission;
    private String identityKeyFile;
    private List<String> identityPreviousKeyFiles;
    private boolean pipelinedForce;
    private int identityViewMaxPersons;

    Edit(GatewayConfig c) {
      host = c.host;
      port = c.port;
      metricsPort = c.metricsPort;
      dataDir = c.dataDir;
      demo = c.demo;
      maxQueuedCommands = c.maxQueuedCommands;
      maxBatchCommands = c.maxBatchCommands;
      idempotencyWindow = c.idempotencyWindow;
      recentWindow = c.recentWindow;
      maxInboundMessageBytes = c.maxInboundMessageBytes;
      cacheMaxEntries = c.cacheMaxEntries;
      drainTimeout = c.drainTimeout;
      journalSegmentBytes = c.journalSegmentBytes;
      snapshotEveryCommands = c.snapshotEveryCommands;
      snapshotEvery = c.snapshotEvery;
      tlsCertChain = c.tlsCertChain;
      tlsPrivateKey = c.tlsPrivateKey;
      tlsClientCa = c.tlsClientCa;
      authTokensFile = c.authTokensFile;
      authRequired = c.authRequired;
      adminPort = c.adminPort;
      adminTlsClientCa = c.adminTlsClientCa;
      nationalPort = c.nationalPort;
      nationalPath = c.nationalPath;
      nationalMulaidInAcctPay = c.nationalMulaidInAcctPay;
      nationalPaasFile = c.nationalPaasFile;
      nationalSignatureMaxSkew = c.nationalSignatureMaxSkew;
      nationalSignatureMaxNonces = c.nationalSignatureMaxNonces;
      connections = c.connections;
      auditDir = c.auditDir;
      auditMaxFileBytes = c.auditMaxFileBytes;
      admission = c.admission;
      identityKeyFile = c.identityKeyFile;
      identityPreviousKeyFiles = c.identityPreviousKeyFiles;
      pipelinedForce = c.pipelinedForce;
      identityViewMaxPersons = c.identityViewMaxPersons;
    }

    GatewayConfig build() {
      return new GatewayConfig(
          host, port, metricsPort, dataDir, demo, maxQueuedCommands, maxBatchCommands, idempotencyWindow,
          recentWindow, maxInboundMessageBytes, cacheMaxEntries, drainTimeout, journalSegmentBytes,
          snapshotEveryCommands, snapshotEvery, tlsCertChain, tlsPrivateKey, tlsClientCa, authTokensFile,
          authRequired, adminPort, adminTlsClientCa, nationalPort, nationalPath, nationalMulaidInAcctPay,
          nationalPaasFile, nationalSignatureMaxSkew, nationalSignatureMaxNonces, connections, auditDir,
          auditMaxFileBytes, admission, identityKeyFile, identityPreviousKeyFiles, pipelinedForce,
          identityViewMaxPersons);
    }
  }
}
