package gongji.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * {@code gongji pos <command> --help} and {@code gongji admin <command> --help} for every command of
 * the two trees, walked from picocli's model (so a new command or flag is checked without being
 * listed here): each exits 0 and lists every flag with a description, every parameter and every
 * subcommand.
 */
class HelpOfEveryCommandTest {
  private static final PrintStream NOWHERE = new PrintStream(OutputStream.nullOutputStream());

  static Stream<Arguments> everyCommand() {
    Stream<Arguments> pos = gongji.server.Commands.everyCommand(Commands.strict(new Cli(NOWHERE, NOWHERE), NOWHERE,
        NOWHERE)).stream().map(c -> Arguments.of("pos", gongji.server.Commands.path(c), c));
    Stream<Arguments> admin = gongji.server.Commands.everyCommand(Commands.strict(new AdminCli(NOWHERE, NOWHERE),
        NOWHERE, NOWHERE)).stream().map(c -> Arguments.of("admin", gongji.server.Commands.path(c), c));
    return Stream.concat(pos, admin);
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("everyCommand")
  void help_everyCommand_exits0AndListsEveryFlagParameterAndSubcommand(String tool, List<String> path,
      CommandLine command) {
    List<String> args = new ArrayList<>(path);
    args.add("--help");

    CliRun r = CliRun.of((out, err) -> tool.equals("pos") ? new Cli(out, err, Map.of())::run
        : new AdminCli(out, err, Map.of())::run, args.toArray(new String[0]));

    assertEquals(0, r.exit(), r.toString());
    assertEquals("", r.err(), r.toString());
    assertEquals(List.of(), gongji.server.Commands.leftOutOfHelp(command, r.out()), r.toString());
    assertEquals(List.of(), gongji.server.Commands.unformattableHelp(command), "a bare % in the help text");
  }
}
