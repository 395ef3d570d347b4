package gongji.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.Commands;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** {@code gongji loadtest} and {@code gongji crashtest}: help, strict flags; nothing is run. */
class LoadtestMainTest {

  static Stream<Arguments> helpOfEveryCommand() {
    return Stream.of(
        Arguments.of(List.of(), List.of("ledger-bench", "history-bench", "ledger-footprint", "run", "crashtest",
            "jfr-top")),
        Arguments.of(List.of("ledger-bench"), List.of("--seconds", "--warmup", "--producers", "--in-flight", "--batch",
            "--max-queued", "--patients", "--institutions", "--seed", "--max-pairs", "--window-days", "--raw",
            "--journal-dir", "--recent-window-seconds")),
        Arguments.of(List.of("history-bench"), List.of("SETTLEMENTS", "USAGE", "PEOPLE", "SECONDS")),
        Arguments.of(List.of("ledger-footprint"), List.of("--insured", "--bindings", "--open-sales", "--settled-sales",
            "--entries", "--swept-sales", "--sales-per-second", "--recent-window-seconds")),
        Arguments.of(List.of("crashtest"), List.of("--cycles", "--clients", "--seed", "--min-ms", "--max-ms",
            "--data-dir")),
        Arguments.of(List.of("jfr-top"), List.of("FILE", "--top", "--thread")),
        Arguments.of(List.of("run"), List.of("--target", "--scenario", "--rate", "--concurrency", "--duration")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("helpOfEveryCommand")
  void help_everyCommand_exits0AndListsEveryFlag(List<String> command, List<String> flags) {
    List<String> args = new ArrayList<>(command);
    args.add("--help");

    Ran r = run(args.toArray(new String[0]));

    assertEquals(0, r.exit, r.toString());
    for (String flag : List.of("--help", "--version")) {
      assertTrue(r.out.contains(flag), flag + "\n" + r);
    }
    for (String flag : flags) {
      assertTrue(r.out.contains(flag), flag + "\n" + r);
    }
  }

  /** Every command of the tree, walked from picocli's model: a new command or flag is checked without being listed. */
  static Stream<Arguments> everyCommand() {
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
    return Commands.everyCommand(LoadtestMain.commandLine(nowhere, nowhere)).stream()
        .map(c -> Arguments.of(Commands.path(c), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyCommand")
  void help_everyCommandOfTheTree_exits0AndListsEveryFlagWithADescription(List<String> path, CommandLine command) {
    List<String> args = new ArrayList<>(path);
    args.add("--help");

    Ran r = run(args.toArray(new String[0]));

    assertEquals(0, r.exit, r.toString());
    assertEquals(List.of(), Commands.leftOutOfHelp(command, r.out), r.toString());
    assertEquals(List.of(), Commands.unformattableHelp(command), "a bare % in the help text");
  }

  @Test
  void run_aGatewayThatCannotBeReached_exits1WithWhatFailedInOneLine_noStackTrace() {
    Ran r = run("run", "--target", "127.0.0.1:1", "--concurrency", "1", "--people", "10", "--warmup", "0",
        "--duration", "1", "--max-wall-seconds", "30");

    assertEquals(1, r.exit, r.toString());
    assertTrue(r.err.startsWith("gongji loadtest run: failed: region and institution: UNAVAILABLE"), r.toString());
    assertEquals(1, r.err.strip().lines().count(), r.toString());
  }

  @Test
  void crashtest_misspelledFlag_exits2WithASuggestion() {
    Ran r = run("crashtest", "--cycle", "1");

    assertEquals(2, r.exit, r.toString());
    assertTrue(r.err.startsWith("gongji loadtest crashtest: Unknown option"), r.toString());
    assertTrue(r.err.contains("--cycles"), r.toString());
  }

  @Test
  void ledgerBench_inFlightBelowProducers_exits2WithTheRule() {
    Ran r = run("ledger-bench", "--producers", "4", "--in-flight", "2");

    assertEquals(2, r.exit, r.toString());
    assertTrue(r.err.contains("--in-flight: 2 (expected: >= --producers 4)"), r.toString());
  }

  private record Ran(int exit, String out, String err) {}

  private static Ran run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = LoadtestMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Ran(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
