package gongji.loadtest;

import gongji.loadtest.run.RunCommand;
import gongji.server.Commands;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The load-test tool: one jar, one subcommand per benchmark. Only wires: each subcommand declares its
 * own flags and returns its exit status (0 passed, 1 failed verification, 2 bad usage).
 */
@Command(name = "gongji loadtest", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    description = "Benchmarks, the load generator and the crash test.",
    subcommands = {Subcommands.LedgerBench.class, Subcommands.HistoryBench.class,
        Subcommands.LedgerFootprintCommand.class, Subcommands.SnapshotPauseCommand.class, Subcommands.RestartCommand.class, Subcommands.Crash.class, Subcommands.JfrTopCommand.class,
        CommandLine.HelpCommand.class})
public final class LoadtestMain implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  /** Runs one subcommand; help, usage errors and the run command's report go to {@code out} and {@code err}. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return commandLine(out, err).execute(args);
  }

  /** The whole command tree, writing to {@code out} and {@code err}. */
  static CommandLine commandLine(PrintStream out, PrintStream err) {
    CommandLine line = new CommandLine(new LoadtestMain());
    line.addSubcommand(RunCommand.commandLine(out));
    line.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    line.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    Commands.strict(line);
    // On the root: picocli asks the handler of the command execute is called on, not the subcommand's.
    RunCommand.handleFailures(line);
    return line;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "a command is required: ledger-bench, history-bench, ledger-footprint, snapshot-pause, restart, run, crashtest or jfr-top");
  }
}
