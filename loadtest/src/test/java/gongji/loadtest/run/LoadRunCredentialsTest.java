package gongji.loadtest.run;

import static gongji.loadtest.run.LoadRunTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gongji.server.DemoData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code loadtest run} against the real gateway with caller authentication on (bearer tokens from an
 * {@code auth.tokens.file}, the back office on a port of its own): with the right tokens a short run
 * passes its audit; without them it fails and says UNAUTHENTICATED.
 */
@Timeout(120)
class LoadRunCredentialsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String GENERATED_TAG = "authgen";

  @TempDir
  static Path dir;

  private static TestGateway gateway;
  private static Workload generated;

  @BeforeAll
  static void startGateway() throws Exception {
    generated = Workload.generated(GENERATED_TAG, 16, 8);
    Path tokens = dir.resolve("tokens");
    Files.writeString(tokens, String.join("\n",
        "tok-pos01=" + DemoData.PHARMACY + "/POS01",
        "tok-pos02=" + DemoData.PHARMACY + "/POS02",
        "tok-hospital=" + DemoData.HOSPITAL,
        "tok-generated-pharmacy=" + generated.institution(),
        "tok-clerk=admin:clerk:loadtest", ""));
    gateway = TestGateway.startWithTokens(dir.resolve("data"), true, tokens);
  }

  @AfterAll
  static void stopGateway() {
    if (gateway != null) {
      gateway.close();
    }
  }

  @Test
  void run_demoDataWithATokenPerTerminal_passesAudit() throws Exception {
    Path json = dir.resolve("demo.json");
    LoadRunTest.Result r = run("--target", gateway.target(), "--admin-target", gateway.adminTarget(),
        "--admin-token", "tok-clerk", "--token", DemoData.PHARMACY + "/POS01=tok-pos01", "--token",
        DemoData.PHARMACY + "/POS02=tok-pos02", "--data", "demo", "--scenario", "mixed", "--rate", "30", "--warmup",
        "0.2", "--duration", "1", "--seed", "21", "--report-json", json.toString());

    assertEquals(0, r.exitCode(), r.output());
    JsonNode report = JSON.readTree(json.toFile());
    assertEquals(0, report.get("errors").get("total").asLong(), report.get("errors").toString());
    assertTrue(report.get("audit_ok").asBoolean(), report.get("audit").toString());
    assertTrue(report.get("rpcs").get("Authorize").get("count").asLong() > 0, report.get("rpcs").toString());
  }

  @Test
  void run_generatedDataWithAnInstitutionToken_setsUpThroughTheBackOfficeAndPassesAudit() throws Exception {
    Path json = dir.resolve("generated.json");
    LoadRunTest.Result r = run("--target", gateway.target(), "--admin-target", gateway.adminTarget(),
        "--admin-token", "tok-clerk", "--token", generated.institution() + "=tok-generated-pharmacy",
        "--scenario", "pharmacy-sale", "--rate", "30", "--warmup", "0.2", "--duration", "1", "--seed", "22",
        "--people", "16", "--bindings", "8", "--data-tag", GENERATED_TAG, "--report-json", json.toString());

    assertEquals(0, r.exitCode(), r.output());
    JsonNode report = JSON.readTree(json.toFile());
    assertEquals(0, report.get("errors").get("total").asLong(), report.get("errors").toString());
    assertTrue(report.get("audit_ok").asBoolean(), report.get("audit").toString());
  }

  @Test
  void run_withoutTerminalTokens_failsNamingUnauthenticated() throws Exception {
    Path json = dir.resolve("no-token.json");
    LoadRunTest.Result r = run("--target", gateway.target(), "--admin-target", gateway.adminTarget(),
        "--admin-token", "tok-clerk", "--data", "demo", "--scenario", "pharmacy-sale", "--rate", "20", "--warmup", "0",
        "--duration", "0.5", "--seed", "23", "--report-json", json.toString());

    assertEquals(1, r.exitCode(), r.output());
    assertTrue(r.output().contains("CREDENTIALS REFUSED") && r.output().contains("UNAUTHENTICATED"), r.output());
    JsonNode report = JSON.readTree(json.toFile());
    assertTrue(report.get("errors").get("by_code").get("UNAUTHENTICATED").asLong() > 0, report.get("errors").toString());
    assertTrue(report.get("credentials_refused").asText().contains("UNAUTHENTICATED"), report.toString());
  }

  @Test
  void run_withoutAdminToken_failsAtSetUpNamingUnauthenticated() {
    LoadRunTest.Result r = runCapturingErrors("--target", gateway.target(), "--admin-target", gateway.adminTarget(),
        "--token", generated.institution() + "=tok-generated-pharmacy", "--scenario", "pharmacy-sale", "--rate", "20",
        "--warmup", "0", "--duration", "0.5", "--seed", "24", "--people", "8", "--data-tag", "authnone");

    assertEquals(1, r.exitCode(), r.output());
    assertTrue(r.output().contains("UNAUTHENTICATED") && r.output().contains("--admin-token"), r.output());
  }

  @Test
  void run_tokenOfAnotherTerminal_failsNamingPermissionDenied() throws Exception {
    LoadRunTest.Result r = run("--target", gateway.target(), "--admin-target", gateway.adminTarget(),
        "--admin-token", "tok-clerk", "--token", "tok-pos01", "--data", "demo", "--scenario", "identify", "--rate",
        "20", "--warmup", "0", "--duration", "0.5", "--seed", "25");

    assertEquals(1, r.exitCode(), r.output());
    assertTrue(r.output().contains("CREDENTIALS REFUSED") && r.output().contains("PERMISSION_DENIED"), r.output());
  }

  /** Runs as {@code main} does, with what it prints to standard error in the output too. */
  private static LoadRunTest.Result runCapturingErrors(String... args) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cl = RunCommand.commandLine(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
    gongji.server.Commands.strict(cl);
    RunCommand.handleFailures(cl);
    cl.setErr(new java.io.PrintWriter(err, true));
    int code = cl.execute(args);
    return new LoadRunTest.Result(code, out.toString(StandardCharsets.UTF_8) + err);
  }

  @Test
  void credentials_badTokens_refusedAsUsage() {
    assertThrows(IllegalArgumentException.class, () -> new Credentials(List.of("a", "b"), null));
    assertThrows(IllegalArgumentException.class,
        () -> new Credentials(List.of("P1234/POS01=a", "P1234/POS01=b"), null));
    assertThrows(IllegalArgumentException.class, () -> new Credentials(List.of("has space"), null));
    assertEquals(2, run("--target", "127.0.0.1:1", "--rate", "1", "--token", "x", "--token", "y").exitCode());
  }
}
