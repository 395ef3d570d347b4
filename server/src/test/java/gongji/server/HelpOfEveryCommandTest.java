package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/**
 * {@code gongji <command> --help} for every command of the gateway jar ({@code serve}, {@code ledger
 * verify}, {@code token}), walked from picocli's model so that a new command or flag is checked
 * without being listed: each exits 0 and lists every flag with a description, every parameter and
 * every subcommand. Run in this JVM; {@link ServeCommandLineTest} runs the jar's main as the launcher does.
 */
class HelpOfEveryCommandTest {
  static Stream<Arguments> everyCommand() {
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
    return Commands.everyCommand(Main.commandLine(nowhere, nowhere)).stream()
        .map(c -> Arguments.of(Commands.path(c), c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyCommand")
  void help_everyCommand_exits0AndListsEveryFlagParameterAndSubcommand(List<String> path, CommandLine command) {
    List<String> args = new ArrayList<>(path);
    args.add("--help");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int exit = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
        StandardCharsets.UTF_8), args.toArray(new String[0]));

    String help = out.toString(StandardCharsets.UTF_8);
    String context = "exit " + exit + "\n" + help + err.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, context);
    assertEquals(List.of(), Commands.leftOutOfHelp(command, help), context);
    assertEquals(List.of(), Commands.unformattableHelp(command), "a bare % in the help text");
  }

  @Test
  void leftOutOfHelp_aHelpTextWithoutTheFlags_namesEachOne() {
    PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream());
    CommandLine verify = Main.commandLine(nowhere, nowhere).getSubcommands().get("ledger").getSubcommands().get("verify");

    List<String> missing = Commands.leftOutOfHelp(verify, "Usage: gongji ledger verify [-hV]");

    assertEquals(List.of("--data-dir", "--help", "--version"), missing.stream().sorted().toList());
  }
}
