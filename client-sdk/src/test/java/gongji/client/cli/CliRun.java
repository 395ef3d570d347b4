package gongji.client.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What one run of a command-line tool printed and returned, for the CLI tests. */
record CliRun(int exit, String out, String err) {

  /** Runs a tool built on two streams (Cli, AdminCli) with {@code args} and captures what it did. */
  static CliRun of(BiFunction<PrintStream, PrintStream, Function<String[], Integer>> tool, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = tool.apply(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8)).apply(args);
    return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  List<String> lines() {
    return out.lines().toList();
  }

  /** The first group of the first match of {@code pattern} in what was printed. */
  String first(Pattern pattern) {
    Matcher m = pattern.matcher(out);
    assertTrue(m.find(), out);
    return m.group(1);
  }

  Map<String, Object> json() {
    return JsonReader.object(out.strip());
  }

  @Override
  public String toString() {
    return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
  }
}
