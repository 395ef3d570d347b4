package gongji.server;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one class that sets up picocli for Gongji's command-line tools: strict flags (an unknown or
 * misspelled flag is exit 2 with a suggestion), {@code --help} and {@code --version} on every command,
 * and a caller's mistake found while running ({@link IllegalArgumentException}) also exit 2.
 */
public final class Commands {
  /** Exit status of a caller's mistake: an unknown flag, a missing or malformed value. */
  public static final int USAGE = 2;

  private Commands() {}

  /** {@code line} with Gongji's error handling and help layout on it and on its subcommands. */
  public static CommandLine strict(CommandLine line) {
    line.setUsageHelpWidth(110);
    line.setParameterExceptionHandler(Commands::refuse);
    line.setExecutionExceptionHandler((e, failed, parsed) -> {
      if (e instanceof IllegalArgumentException) {
        failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        return USAGE;
      }
      throw e;
    });
    return line;
  }

  private static int refuse(ParameterException e, String[] args) {
    CommandLine line = e.getCommandLine();
    PrintWriter err = line.getErr();
    String name = line.getCommandSpec().qualifiedName();
    err.println(name + ": " + e.getMessage());
    UnmatchedArgumentException.printSuggestions(e, err);
    err.println("Try '" + name + " --help' for the flags.");
    err.flush();
    return USAGE;
  }

  /** The version from the jar's manifest, or "development build" when run from classes. */
  public static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Commands.class.getPackage().getImplementationVersion();
      return new String[] {"gongji " + (v == null ? "(development build)" : v)};
    }
  }
}
