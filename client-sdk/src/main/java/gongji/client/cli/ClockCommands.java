package gongji.client.cli;

import gongji.client.cli.AdminCli.AdminCommand;
import gongji.client.cli.AdminCli.Stubs;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "clock", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    description = {"The gateway's clock. A sandbox's (serve --demo) moves forward, never back, to try another hour:",
        "the wallet's night window, the 06:00 return of an unaccepted transfer, a hold's expiry."},
    subcommands = {ClockCommands.ClockShow.class, ClockCommands.ClockSet.class, ClockCommands.ClockAdvance.class})
final class ClockCommands implements Runnable {
  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a clock command is required: show, set or advance");
  }

  @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "The time the ledger goes by (Beijing time), and how far a sandbox moved it.")
  static final class ClockShow extends AdminCommand {
    @Override
    void run(Stubs s) {
      cli.printClock(s.admin.getClock(gongji.v1.GetClockRequest.getDefaultInstance()));
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Moves a sandbox's clock forward to a time (Beijing time); refused on a real gateway.")
  static final class ClockSet extends AdminCommand {
    @Option(names = "--to", required = true, paramLabel = "TIME",
        description = "yyyy-MM-dd HH:mm or yyyy-MM-dd HH:mm:ss, Beijing time, ahead of the clock")
    String to;

    @Mixin
    AdminCli.RequestIdFlag id;

    @Override
    void run(Stubs s) {
      requestId = id.orNew();
      java.time.LocalDateTime at;
      try {
        at = java.time.LocalDateTime.parse(to.length() == 16 ? to + ":00" : to,
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"));
      } catch (java.time.format.DateTimeParseException e) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--to \"" + to + "\" (expected: yyyy-MM-dd HH:mm[:ss], Beijing time)");
      }
      cli.printClock(s.admin.moveClock(gongji.v1.MoveClockRequest.newBuilder().setRequestId(requestId)
          .setToTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(at.atZone(AdminCli.CHINA).toEpochSecond())).build()));
    }
  }

  @Command(name = "advance", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Moves a sandbox's clock forward by a duration; refused on a real gateway.")
  static final class ClockAdvance extends AdminCommand {
    @Option(names = "--by", required = true, paramLabel = "DURATION",
        description = "how far: a number with d, h, m or s, or several (1d, 8h, 90m, 1h30m)")
    String by;

    @Mixin
    AdminCli.RequestIdFlag id;

    @Override
    void run(Stubs s) {
      requestId = id.orNew();
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]{1,6})([dhms])").matcher(by);
      long seconds = 0;
      int end = 0;
      while (m.find() && m.start() == end) {
        long n = Long.parseLong(m.group(1));
        char unit = m.group(2).charAt(0);
        seconds += n * (unit == 'd' ? 86_400 : unit == 'h' ? 3_600 : unit == 'm' ? 60 : 1);
        end = m.end();
      }
      if (end == 0 || end != by.length()) {
        throw new CommandLine.ParameterException(spec.commandLine(),
            "--by \"" + by + "\" (expected: a number with d, h, m or s, or several: 1d, 8h, 1h30m)");
      }
      cli.printClock(s.admin.moveClock(gongji.v1.MoveClockRequest.newBuilder().setRequestId(requestId)
          .setAdvanceSeconds(seconds).build()));
    }
  }
}
