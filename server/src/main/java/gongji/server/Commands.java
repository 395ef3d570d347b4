package gongji.server;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
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

  /**
   * {@code root} and every command under it, depth first, each once (an alias is not another command),
   * leaving out picocli's {@code help}: what a test walks to see that each one's {@code --help} lists its flags.
   */
  public static List<CommandLine> everyCommand(CommandLine root) {
    List<CommandLine> all = new ArrayList<>();
    collect(root, all);
    return all;
  }

  private static void collect(CommandLine line, List<CommandLine> all) {
    if (line.getCommand() instanceof CommandLine.HelpCommand || all.contains(line)) {
      return;
    }
    all.add(line);
    for (CommandLine sub : line.getSubcommands().values()) {
      collect(sub, all);
    }
  }

  /** The words that run {@code command} under its root: {@code ["wallet", "assign"]}; empty for the root. */
  public static List<String> path(CommandLine command) {
    List<String> words = new ArrayList<>();
    for (CommandLine.Model.CommandSpec s = command.getCommandSpec(); s.parent() != null; s = s.parent()) {
      words.add(0, s.name());
    }
    return words;
  }

  /**
   * What the {@code --help} text of {@code command} leaves out: each flag it does not show or that has
   * no description, each parameter and each subcommand it does not name; empty when it lists them all.
   */
  public static List<String> leftOutOfHelp(CommandLine command, String help) {
    List<String> missing = new ArrayList<>();
    CommandLine.Model.CommandSpec spec = command.getCommandSpec();
    for (CommandLine.Model.OptionSpec o : spec.options()) {
      if (o.hidden()) {
        continue;
      }
      if (!help.contains(o.longestName())) {
        missing.add(o.longestName());
      }
      if (String.join(" ", o.description()).isBlank()) {
        missing.add(o.longestName() + " (no description)");
      }
    }
    for (CommandLine.Model.PositionalParamSpec p : spec.positionalParameters()) {
      if (!help.contains(p.paramLabel())) {
        missing.add(p.paramLabel());
      }
    }
    for (String sub : spec.subcommands().keySet()) {
      if (!help.contains(sub)) {
        missing.add(sub);
      }
    }
    return missing;
  }

  /**
   * The lines of a command's help that picocli cannot format (it formats descriptions, headers and
   * footers with {@link String#format}: a bare {@code %}, as in "20%", fails, and the text is printed
   * raw with a warning on standard error); each as "where: line". For tests.
   */
  public static List<String> unformattableHelp(CommandLine command) {
    List<String> bad = new ArrayList<>();
    CommandLine.Model.UsageMessageSpec usage = command.getCommandSpec().usageMessage();
    checkFormat("description", usage.description(), bad);
    checkFormat("header", usage.header(), bad);
    checkFormat("footer", usage.footer(), bad);
    for (CommandLine.Model.OptionSpec o : command.getCommandSpec().options()) {
      checkFormat(o.longestName(), o.description(), bad);
    }
    return bad;
  }

  private static void checkFormat(String where, String[] lines, List<String> bad) {
    for (String line : lines) {
      try {
        String.format(line);
      } catch (java.util.IllegalFormatException e) {
        bad.add(where + ": " + line);
      }
    }
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
