package gongji.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.GetTransactionRequest;
import gongji.v1.RecordDeathRequest;
import java.io.File;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runnable examples under {@code client-sdk/examples/} compile for Java 8 without a warning
 * and run to the end against the real server on Netty (each in its own JVM, since a failing
 * example exits).
 */
class ExamplesTest {
  private static final Pattern MONEY = Pattern.compile("[0-9]+\\.[0-9]{2}");

  @TempDir
  Path classes;

  private TestGateway gateway;

  @BeforeEach
  void start() throws Exception {
    gateway = TestGateway.netty();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  @Test
  void pharmacyCheckout_liNa_printsTheSplitAndAReceiptWithEveryPayer() throws Exception {
    compileExamples();

    String out = run("PharmacyCheckout");

    assertTrue(out.contains("to the cashier: transaction T"), out);
    assertTrue(out.contains("collect in cash: 20.00 yuan"), out);
    assertTrue(out.contains("SETTLED"), out);
    assertReceiptLine(out, "total", "133.50");
    assertReceiptLine(out, "own account (个人账户)", "30.00");
    assertReceiptLine(out, "mutual aid (家庭共济)", "83.50");
    assertReceiptLine(out, "cash (现金)", "20.00");
    assertTrue(out.lines().anyMatch(l -> l.strip().startsWith("own account") && l.contains("from 李*")), out);
    assertTrue(out.lines().anyMatch(l -> l.strip().matches("mutual aid B[0-9A-Z]+ +from 张\\*.*")),
        "mutual aid names its binding and whose account:\n" + out);
  }

  @Test
  void hospitalDischarge_afterTheSonsDeath_cancelsInsteadOfPayingAllInCash() throws Exception {
    compileExamples();
    AdminServiceGrpc.newBlockingStub(gateway.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .recordDeath(RecordDeathRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setPsnNo(DemoData.ZHANG_WEI).build());

    String refused = run(5, "HospitalDischarge");
    long stateAfterRefusal = gateway.settlement().getTransaction(GetTransactionRequest.newBuilder()
        .setTerminal(gongji.v1.Terminal.newBuilder().setFixmedinsCode(DemoData.HOSPITAL).setTerminalId("HIS01"))
        .setTransactionId(transactionOf(refused)).build()).getTransaction().getState().getNumber();
    String agreed = run(0, "HospitalDischarge", "--cash-ok");

    assertTrue(refused.contains("no account pays any of this bill"), refused);
    assertEquals(gongji.v1.TransactionState.TRANSACTION_STATE_CANCELLED.getNumber(), stateAfterRefusal, refused);
    assertTrue(agreed.contains("settled for 3357.10 yuan: SETTLED"), agreed);
  }

  private static String transactionOf(String out) {
    java.util.regex.Matcher m = Pattern.compile("transaction (T[0-9A-Z]+)").matcher(out);
    assertTrue(m.find(), out);
    return m.group(1);
  }

  @Test
  void hospitalDischarge_zhangJianguo_preSettlesSettlesForLessAndRefunds() throws Exception {
    compileExamples();

    String out = run("HospitalDischarge");

    assertTrue(out.contains("pre-settled (H62010200001"), out);
    assertTrue(out.contains("settled for 3357.10 yuan: SETTLED"), out);
    assertTrue(out.contains("refunded: REFUNDED"), out);
    assertTrue(out.contains("can share 5000.00 yuan again"), out);
  }

  private static void assertReceiptLine(String out, String label, String yuan) {
    assertTrue(out.lines().anyMatch(l -> l.strip().startsWith(label) && l.strip().endsWith(" " + yuan)),
        label + " " + yuan + " in:\n" + out);
    assertTrue(MONEY.matcher(yuan).matches());
  }

  /** Compiles every example for Java 8 with all lint warnings as errors. */
  private void compileExamples() throws Exception {
    Path dir = examples();
    List<File> sources = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files.filter(f -> f.toString().endsWith(".java")).sorted().forEach(f -> sources.add(f.toFile()));
    }
    assertEquals(2, sources.size(), "examples in " + dir + ": " + sources);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertNotNull(javac, "tests need a JDK");
    StringWriter diagnostics = new StringWriter();
    try (StandardJavaFileManager files = javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)) {
      boolean ok = javac.getTask(diagnostics, files, null,
          List.of("--release", "8", "-Xlint:all", "-Werror", "-encoding", "UTF-8", "-d", classes.toString(),
              "-cp", System.getProperty("java.class.path")),
          null, files.getJavaFileObjectsFromFiles(sources)).call();
      assertTrue(ok, "examples do not compile for Java 8:\n" + diagnostics);
    }
  }

  /** Runs an example's main in a new JVM against the gateway; returns what it printed. */
  private String run(String mainClass, String... args) throws Exception {
    return run(0, mainClass, args);
  }

  /** Runs an example that must exit with {@code exit}; returns what it printed. */
  private String run(int exit, String mainClass, String... args) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path output = classes.resolve(mainClass + ".out");
    List<String> command = new ArrayList<>(List.of(java, "-Dfile.encoding=UTF-8",
        "-cp", classes + File.pathSeparator + System.getProperty("java.class.path"),
        mainClass, "--target", gateway.target()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    boolean ended = p.waitFor(60, TimeUnit.SECONDS);
    if (!ended) {
      p.destroyForcibly().waitFor();
    }
    String out = Files.readString(output, StandardCharsets.UTF_8);
    assertTrue(ended, mainClass + " did not end within 60 s:\n" + out);
    assertEquals(exit, p.exitValue(), mainClass + " exit status:\n" + out);
    return out;
  }

  /** client-sdk/examples, found from where the SDK's classes were built (client-sdk/target/classes). */
  private static Path examples() throws Exception {
    Path sdkClasses = Path.of(GongjiClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path dir = sdkClasses.getParent().getParent().resolve("examples");
    assertTrue(Files.isDirectory(dir), "no examples at " + dir);
    return dir;
  }
}
