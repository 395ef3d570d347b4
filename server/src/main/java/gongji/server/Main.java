package gongji.server;

import gongji.server.logging.ServerLogging;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The runnable gateway jar, {@code gongji serve}, {@code gongji ledger verify} and {@code gongji token}:
 * only wires the commands together. Exit status: 0 done, 1 failed, 2 bad usage, 3 the data directory is damaged.
 */
@Command(name = "gongji", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    description = "The Gongji settlement gateway.",
    subcommands = {LedgerCommand.class, TokenCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Every setting of serve can also come from a properties file (--config FILE) or a",
        "GONGJI_<SETTING> environment variable; `gongji serve --help` lists them with their defaults."})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    ServerLogging.install();
    System.exit(run(System.out, System.err, args));
  }

  /** Parses {@code args}, runs the command and returns its exit status. */
  static int run(PrintStream out, PrintStream err, String... args) {
    return commandLine(out, err).execute(args);
  }

  /** The whole command tree, writing to {@code out} and {@code err}. */
  static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine line = new CommandLine(new Main());
    line.addSubcommand(ServeCommand.commandLine(out));
    line.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    line.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    return Commands.strict(line);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: serve, ledger or token");
  }
}
