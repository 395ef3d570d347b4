package gongji.client.cli;

import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one class that sets up picocli for {@code gongji pos} and {@code gongji admin}: strict flags (an
 * unknown or misspelled flag is exit 2 with a suggestion, never ignored), {@code --help} and
 * {@code --version} on every command, and a caller's mistake found while running
 * ({@link IllegalArgumentException}) also exit 2.
 */
final class Commands {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int REFUSED = 3;
  static final int RETRY = 4;

  private Commands() {}

  /** {@code command} as a command line writing to {@code out} and {@code err}, with Gongji's error handling. */
  static CommandLine strict(Object command, PrintStream out, PrintStream err) {
    CommandLine line = new CommandLine(command);
    line.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true));
    line.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true));
    line.setUsageHelpWidth(110);
    line.setParameterExceptionHandler(new CommandLine.IParameterExceptionHandler() {
      @Override
      public int handleParseException(ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        PrintWriter w = failed.getErr();
        String name = failed.getCommandSpec().qualifiedName();
        w.println(name + ": " + e.getMessage());
        UnmatchedArgumentException.printSuggestions(e, w);
        w.println("Try '" + name + " --help' for the flags.");
        w.flush();
        return USAGE;
      }
    });
    line.setExecutionExceptionHandler(new CommandLine.IExecutionExceptionHandler() {
      @Override
      public int handleExecutionException(Exception e, CommandLine failed, CommandLine.ParseResult parsed)
          throws Exception {
        if (e instanceof IllegalArgumentException) {
          failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": " + e.getMessage());
          failed.getErr().flush();
          return USAGE;
        }
        throw e;
      }
    });
    return line;
  }

  /** The version from the jar's manifest, or "development build" when run from classes. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Commands.class.getPackage().getImplementationVersion();
      return new String[] {"gongji " + (v == null ? "(development build)" : v)};
    }
  }
}
