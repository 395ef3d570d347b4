package gongji.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gongji.client.testing.TestGateway;
import gongji.server.ServeInProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The README's walkthrough, as a newcomer runs it: {@code ./gongji serve --demo} from README.md's
 * "Two commands" on a fresh data directory (on 127.0.0.1, ports 0), then every command of its
 * {@code console} blocks in order, each compared with the output the README shows under it (standard
 * output, then standard error, as a terminal shows them). The commands and outputs are read from
 * README.md itself, so the README cannot drift from what the tools print.
 *
 * <p>The host's clock is the test's: it reads the hour the test names (Beijing time) on 2026-11-25 and
 * moves on {@link #SECONDS_BETWEEN_COMMANDS} before each command, as if a newcomer typed one every ten
 * seconds. The only thing told apart from the README's text is what the CLIs make up afresh on every
 * run, the request ids ({@code P62010200017…} msgids of {@code pos}, {@code ADM…} of {@code admin}):
 * any id of the same form stands for the README's.
 */
class ReadmeWalkthroughTest {
  /** The day the walkthrough is started on, by the host's clock (Beijing time). */
  private static final String START_DAY = "2026-11-25";
  private static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");
  private static final long SECONDS_BETWEEN_COMMANDS = 10;
  private static final Pattern MADE_UP_REQUEST_ID = Pattern.compile("\\b(?:[HP][0-9]{11}[0-9]{18}|ADM[0-9]{20})\\b");

  @TempDir
  Path dataDir;

  @ParameterizedTest(name = "host clock at {0} Beijing time")
  @ValueSource(strings = {"01:50", "10:10"})
  @Timeout(120)
  void walkthrough_atThisHour_printsWhatTheReadmeShows(String hour) throws Exception {
    List<String> readme = Files.readAllLines(readme(), StandardCharsets.UTF_8);
    List<String> serve = serveCommand(readme);
    List<Step> steps = walkthrough(readme);
    TestGateway.Clock clock = new TestGateway.Clock(LocalDateTime.parse(START_DAY + "T" + hour).atZone(CHINA).toInstant());
    List<String> args = new ArrayList<>(serve.subList(2, serve.size()));
    args.addAll(List.of("--port", "0", "--admin-port", "0", "--metrics-port", "-1", "--national-port", "-1",
        "--data-dir", dataDir.toString()));
    ByteArrayOutputStream guide = new ByteArrayOutputStream();
    List<String> mismatches = new ArrayList<>();
    StringBuilder transcript = new StringBuilder();

    try (PrintStream guideOut = new PrintStream(guide, true, StandardCharsets.UTF_8);
        ServeInProcess gateway = ServeInProcess.start(clock, guideOut, guideOut, Duration.ofSeconds(60),
            args.toArray(new String[0]))) {
      Map<String, String> env = new HashMap<>();
      for (Step step : steps) {
        clock.advance(Duration.ofSeconds(SECONDS_BETWEEN_COMMANDS));
        CliRun r = step.run(env, gateway);
        if (r == null) {
          continue; // an export
        }
        List<String> printed = new ArrayList<>(r.out().lines().toList());
        printed.addAll(r.err().lines().toList());
        transcript.append("$ ").append(step.text()).append('\n');
        printed.forEach(l -> transcript.append(l).append('\n'));
        int expectedExit = !step.output().isEmpty() && step.output().get(0).startsWith("refused: ") ? 3 : 0;
        if (!normalized(step.output()).equals(normalized(printed)) || r.exit() != expectedExit) {
          mismatches.add("README.md line " + step.line() + ": $ " + step.text() + "\n--- the README shows\n"
              + String.join("\n", step.output()) + "\n--- printed (exit " + r.exit() + ", expected " + expectedExit
              + ")\n" + String.join("\n", printed));
        }
      }
    }

    assertTrue(steps.size() >= 20, "the walkthrough has " + steps.size() + " commands: " + steps);
    if (!mismatches.isEmpty()) {
      fail(mismatches.size() + " of " + steps.size() + " commands print other than the README shows:\n\n"
          + String.join("\n\n", mismatches) + "\n\n=== the whole run\n" + transcript + "\n=== the gateway\n"
          + guide.toString(StandardCharsets.UTF_8));
    }
  }

  @Test
  void walkthrough_readFromTheReadme_hasTheNewcomersFirstSteps() throws IOException {
    List<String> readme = Files.readAllLines(readme(), StandardCharsets.UTF_8);

    List<Step> steps = walkthrough(readme);

    assertEquals(List.of("./gongji", "serve", "--demo"), serveCommand(readme));
    assertEquals("export GONGJI_TOKEN=demo-pharmacy-pos01 GONGJI_ADMIN_TOKEN=demo-clerk", steps.get(0).text());
    assertEquals(List.of("./gongji", "pos", "identify", "--card", "SSC-LINA"), steps.get(1).words());
    assertTrue(steps.stream().anyMatch(s -> s.words().equals(List.of("./gongji", "admin", "clock", "advance", "--by",
        "13h30m"))), steps.toString());
    assertEquals(List.of("./gongji", "admin", "premium", "--payer", "62010019800101001100000001", "--beneficiary",
        "62010019550607003300000003", "--amount", "380", "--year", "2027", "--request-id", "PREM-2027-1"),
        steps.stream().filter(s -> s.text().contains(" premium ")).findFirst().orElseThrow().words(),
        "a command continued on the next line, its comment left out");
  }

  /** One command of the walkthrough: where it is, what it says, and the output shown under it. */
  record Step(int line, String text, List<String> words, List<String> output) {
    /** Runs the command in this JVM (an {@code export} only sets {@code env}, and returns null). */
    CliRun run(Map<String, String> env, ServeInProcess gateway) {
      List<String> w = new ArrayList<>(words);
      Map<String, String> commandEnv = new HashMap<>(env);
      boolean export = !w.isEmpty() && w.get(0).equals("export");
      if (export) {
        w.remove(0);
      }
      while (!w.isEmpty() && w.get(0).matches("[A-Z_][A-Z0-9_]*=.*")) {
        String[] kv = w.remove(0).split("=", 2);
        (export ? env : commandEnv).put(kv[0], kv[1]);
      }
      if (export && w.isEmpty()) {
        return null;
      }
      if (w.size() < 3 || !w.get(0).equals("./gongji") || !(w.get(1).equals("pos") || w.get(1).equals("admin"))) {
        throw new AssertionError("README.md line " + line + ": the walkthrough runs export, ./gongji pos and"
            + " ./gongji admin only: $ " + text);
      }
      boolean pos = w.get(1).equals("pos");
      List<String> args = new ArrayList<>(w.subList(2, w.size()));
      args.add("--target");
      args.add(pos ? gateway.target() : gateway.adminTarget());
      String[] a = args.toArray(new String[0]);
      return pos ? CliRun.of((out, err) -> new Cli(out, err, commandEnv)::run, a)
          : CliRun.of((out, err) -> new AdminCli(out, err, commandEnv)::run, a);
    }
  }

  /** The commands of every {@code console} block, in order, each with the lines shown under it. */
  static List<Step> walkthrough(List<String> readme) {
    List<Step> steps = new ArrayList<>();
    boolean inConsole = false;
    for (int i = 0; i < readme.size(); i++) {
      String line = readme.get(i);
      if (!inConsole) {
        inConsole = line.equals("```console");
        continue;
      }
      if (line.equals("```")) {
        inConsole = false;
        continue;
      }
      if (!line.startsWith("$ ")) {
        throw new AssertionError("README.md line " + (i + 1) + ": output before any command: " + line);
      }
      int at = i + 1;
      StringBuilder command = new StringBuilder(line.substring(2));
      while (command.toString().endsWith("\\")) {
        command.setLength(command.length() - 1);
        command.append(' ').append(readme.get(++i).strip());
      }
      List<String> output = new ArrayList<>();
      while (!readme.get(i + 1).startsWith("$ ") && !readme.get(i + 1).equals("```")) {
        output.add(readme.get(++i));
      }
      while (!output.isEmpty() && output.get(output.size() - 1).isBlank()) {
        output.remove(output.size() - 1);
      }
      List<String> words = words(command.toString());
      steps.add(new Step(at, String.join(" ", words), words, output));
    }
    return steps;
  }

  /** The first {@code ./gongji serve} of a {@code bash} block (the "Two commands"), as words. */
  static List<String> serveCommand(List<String> readme) {
    boolean inBash = false;
    for (String line : readme) {
      if (line.startsWith("```")) {
        inBash = line.equals("```bash");
      } else if (inBash && line.startsWith("./gongji serve")) {
        return words(line);
      }
    }
    throw new AssertionError("README.md has no ./gongji serve in a bash block");
  }

  /** A command line split as a shell splits it: blanks, "double" and 'single' quotes, a # comment left out. */
  static List<String> words(String command) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    char quote = 0;
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          word.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        word = word == null ? new StringBuilder() : word;
      } else if (Character.isWhitespace(c)) {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else if (c == '#' && word == null) {
        break;
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (quote != 0) {
      throw new AssertionError("an unclosed quote: " + command);
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  private static List<String> normalized(List<String> lines) {
    return lines.stream().map(l -> MADE_UP_REQUEST_ID.matcher(l).replaceAll("<made-up request id>")).toList();
  }

  /** README.md at the top of the checkout, found from the module's directory. */
  private static Path readme() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("client-sdk"))) {
        return dir.resolve("README.md");
      }
    }
    throw new AssertionError("no README.md above " + Path.of("").toAbsolutePath());
  }

  @Test
  void words_quotesAndComments_splitAsAShellDoes() {
    assertEquals(List.of("./gongji", "admin", "clock", "set", "--to", "2026-11-25 23:45"),
        words("./gongji admin clock set --to \"2026-11-25 23:45\"        # or: advance"));
    assertEquals(List.of("GONGJI_TOKEN=demo-fuzhou-pos01", "./gongji", "pos", "x#y"),
        words("GONGJI_TOKEN=demo-fuzhou-pos01 ./gongji pos x#y"));
    assertEquals(Arrays.asList("a", ""), words("a ''"));
  }
}
