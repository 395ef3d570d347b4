package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway jar's command line, run as the launcher runs it: a separate JVM on {@code gongji.server.Main}. */
class ServeCommandLineTest {
  /** A log record: UTC time, level, logger, message, all on one line. */
  private static final Pattern LOG_LINE =
      Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST) \\S+ .+");

  @TempDir
  Path dir;

  @Test
  void help_everyCommand_exits0AndListsEveryFlagWithItsDefault() throws Exception {
    Ran serve = java("serve", "--help");
    Ran ledger = java("ledger", "--help");
    Ran verify = java("ledger", "verify", "--help");
    Ran token = java("token", "--help");
    Ran top = java("--help");

    assertEquals(0, serve.exit, serve.toString());
    for (String key : GatewayConfig.DEFAULTS.keySet()) {
      String flag = "--" + key.replace('.', '-');
      assertTrue(Pattern.compile(Pattern.quote(flag) + "[=\\[]").matcher(serve.out).find(), flag + "\n" + serve);
      String description = ServeCommand.DESCRIPTIONS.get(key);
      assertNotNull(description, key + " has no description: add one to ServeCommand.DESCRIPTIONS");
      assertTrue(serve.out.replaceAll("\\s+", " ").contains(description), "the description of " + flag + "\n" + serve);
    }
    assertTrue(serve.out.contains("--config"), serve.toString());
    assertTrue(serve.out.contains("(default: 9090; env GONGJI_PORT)"), serve.toString());
    assertEquals(0, ledger.exit, ledger.toString());
    assertTrue(ledger.out.contains("verify"), ledger.toString());
    assertEquals(0, verify.exit, verify.toString());
    assertTrue(verify.out.contains("--data-dir=DIR"), verify.toString());
    assertEquals(0, token.exit, token.toString());
    assertTrue(token.out.contains("PRINCIPAL") && token.out.contains("admin:clerk:NAME"), token.toString());
    assertEquals(0, top.exit, top.toString());
    assertTrue(top.out.contains("serve") && top.out.contains("ledger") && top.out.contains("token"), top.toString());
  }

  @Test
  void token_terminal_printsATokenAndTheHashedLineForTheTokensFile() throws Exception {
    Ran r = java("token", "P62010200017/POS01");

    assertEquals(0, r.exit, r.toString());
    assertTrue(Pattern.compile("(?m)^line for auth.tokens.file: +sha256:[0-9a-f]{64}=P62010200017/POS01$")
        .matcher(r.out).find(), r.toString());
  }

  @Test
  void token_malformedPrincipal_exits2SayingWhatIsExpected() throws Exception {
    Ran r = java("token", "POS01");

    assertEquals(2, r.exit, r.toString());
    assertTrue(r.err.startsWith("gongji token: \"POS01\" (expected: "), r.toString());
  }

  @Test
  void serve_noCredentialConfigured_refusesToStartBeforeOpeningTheDataDirectory() throws Exception {
    Path data = dir.resolve("data");
    Ran r = java("serve", "--port", "0", "--admin-port", "0", "--metrics-port", "-1", "--data-dir", data.toString());

    assertEquals(2, r.exit, r.toString());
    assertTrue(r.err.startsWith("gongji: refusing to start: no caller authentication is configured"), r.toString());
    assertFalse(Files.exists(data), r.toString());
    assertFalse(r.out.contains("listening"), r.toString());
  }

  @Test
  void serve_misspelledFlag_exits2WithASuggestion() throws Exception {
    Ran r = java("serve", "--data-dri", dir.toString());

    assertEquals(2, r.exit, r.toString());
    assertTrue(r.err.startsWith("gongji serve: Unknown option"), r.toString());
    assertTrue(r.err.contains("'--data-dri'"), r.toString());
    assertTrue(r.err.contains("Possible solutions: --data-dir"), r.toString());
    assertFalse(r.out.contains("listening"), r.toString());
  }

  @Test
  void version_exits0WithTheVersion() throws Exception {
    Ran r = java("--version");

    assertEquals(0, r.exit, r.toString());
    assertTrue(r.out.startsWith("gongji "), r.toString());
  }

  @Test
  void serveDemo_stopAndRestart_logsOneLineRecordsStartAndStopAndSaysWhatTheDataDirectoryHolds() throws Exception {
    Ran first = serveUntilListeningThenStop();
    Ran again = serveUntilListeningThenStop();

    assertTrue(first.out.contains("Demo data loaded."), first.toString());
    assertFalse(again.out.contains("Demo data loaded"), again.toString());
    assertTrue(again.out.contains("Demo data not loaded again: " + dir.toAbsolutePath() + " holds it from an earlier run"),
        again.toString());
    assertTrue(again.out.contains("李娜   balance 30.00, held 0.00"), again.toString());
    // A new demo starts at 10:10 Beijing time, whatever the hour; a restart keeps the sandbox's time.
    Matcher started = Pattern.compile("Sandbox clock: (\\S+) 10:1\\d").matcher(first.out);
    assertTrue(started.find(), first.toString());
    assertTrue(again.out.contains("Sandbox clock: " + started.group(1) + " 10:1"), again.toString());
    for (Ran r : List.of(first, again)) {
      assertTrue(r.out.contains("demo-pharmacy-pos01") && r.out.contains("demo-clerk"), "the demo's tokens\n" + r);
      Matcher admin = Pattern.compile("back office \\(AdminService, FamilyService\\) on (127\\.0\\.0\\.1:\\d+)")
          .matcher(r.out);
      assertTrue(admin.find(), r.toString());
      assertTrue(r.out.contains("./gongji admin wallet show --target " + admin.group(1) + " --token demo-clerk"),
          r.toString());
    }
    for (Ran r : List.of(first, again)) {
      List<String> logs = r.err.lines().toList();
      assertFalse(logs.isEmpty(), r.toString());
      for (String line : logs) {
        assertTrue(LOG_LINE.matcher(line).matches(), "not a one-line record: " + line + "\n" + r);
        assertFalse(line.contains("\u001b"), line);
      }
      assertTrue(logs.get(0).contains(" INFO gongji.server.ServeCommand starting gongji "), r.toString());
      assertTrue(logs.get(logs.size() - 1).contains(" INFO gongji.server.ServeCommand stopped: "), r.toString());
    }
  }

  /** Starts {@code serve --demo} on {@link #dir}, waits for it to listen, stops it with SIGTERM. */
  private Ran serveUntilListeningThenStop() throws Exception {
    Process p = start("serve", "--demo", "--port", "0", "--admin-port", "0", "--metrics-port", "-1",
        "--national-port", "-1", "--data-dir", dir.toString());
    StringBuilder out = new StringBuilder();
    try (var reader = p.inputReader(StandardCharsets.UTF_8)) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        out.append(line).append('\n');
        if (line.contains("./gongji admin wallet show")) {
          break; // the guide's last line
        }
      }
      p.toHandle().destroy(); // SIGTERM, as Ctrl-C or a service manager stops it; keeps the pipes open
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        out.append(line).append('\n');
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "stopped");
    return new Ran(p.exitValue(), out.toString(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  /** Finding 5 of issue 11: a data directory that cannot be used ended in a stack trace. */
  @Test
  void serve_dataDirIsAFile_refusesInOneLineWithoutAStackTrace() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("data"), "not a directory");

    Ran r = java("serve", "--demo", "--port", "0", "--admin-port", "0", "--metrics-port", "-1", "--national-port", "-1",
        "--data-dir", notADirectory.toString());

    assertEquals(3, r.exit, r.toString());
    List<String> errors = r.err.lines().filter(l -> !LOG_LINE.matcher(l).matches()).toList();
    assertEquals(List.of("gongji: cannot open the data directory " + notADirectory.toAbsolutePath() + ": "
        + notADirectory + ": exists and is not a directory"), errors, r.toString());
    assertFalse(r.err.contains("\tat "), r.toString());
  }

  private record Ran(int exit, String out, String err) {
    @Override
    public String toString() {
      return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  private static Ran java(String... args) throws Exception {
    Process p = start(args);
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return new Ran(p.exitValue(), new String(out, StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        "gongji.server.Main"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }
}
