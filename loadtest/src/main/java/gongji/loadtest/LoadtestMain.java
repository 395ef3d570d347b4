package gongji.loadtest;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * The load-test tool: one jar, one subcommand per benchmark. Only wires: each subcommand parses
 * its own flags and returns its exit status (0 passed, 1 failed verification, 2 bad usage).
 */
public final class LoadtestMain {
  private LoadtestMain() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args));
  }

  static int run(String[] args) throws Exception {
    if (args.length == 0) {
      usage(System.err);
      return 2;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "ledger-bench":
        return LedgerBenchmark.run(rest);
      case "crashtest":
        return CrashTest.run(rest);
      case "history-bench":
        return HistoryBenchmark.run(rest);
      case "ledger-footprint":
        return LedgerFootprint.run(rest);
      case "run":
        return gongji.loadtest.run.RunCommand.run(rest, System.out);

      case "help":
      case "-h":
      case "--help":
        usage(System.out);
        return 0;
      default:
        System.err.println("unknown subcommand: " + args[0]);
        usage(System.err);
        return 2;
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: java -jar gongji-loadtest-all.jar <subcommand> [flags]");
    out.println();
    out.println("subcommands:");
    out.println("  ledger-bench   authorize+settle pairs through the in-memory sequencer (or --raw: the ledger alone)");
    out.println("  history-bench  [settlements usage people seconds]: history queries while history is written");
    out.println("  ledger-footprint  the writer's live heap per insured, binding, open sale, settled sale, request");
    out.println("  run            drive a scenario against a running gateway over gRPC, then audit (run --help)");
    out.println("  crashtest      kill -9 the real gateway under load, restart, check nothing acknowledged was lost");
    out.println("  help           this text");
    out.println();
    out.println(LedgerBenchmark.USAGE);
    out.println();
    out.println(CrashTest.USAGE);
    out.println();
    out.println(LedgerFootprint.USAGE);
  }
}
