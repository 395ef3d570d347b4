package gongji.server.logging;

import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * The gateway process's java.util.logging set-up: every record as one line ({@link OneLineFormatter})
 * on standard error, and handlers that stay open while shutdown hooks run, so that the shutdown hook's
 * last lines are written. (The JDK's {@link LogManager} closes every handler from a shutdown hook of
 * its own, which races with ours; {@link Manager} skips that reset once the JVM is shutting down.)
 */
public final class ServerLogging {
  private ServerLogging() {}

  /**
   * Installs the format and the manager; call first thing in {@code main}, before any class asks for a
   * logger (the manager can only be chosen before the JDK's is created).
   */
  public static void install() {
    System.setProperty("java.util.logging.manager", Manager.class.getName());
    Logger root = LogManager.getLogManager().getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    ConsoleHandler console = new ConsoleHandler();
    console.setFormatter(new OneLineFormatter());
    console.setLevel(Level.ALL);
    root.addHandler(console);
  }

  /** Flushes the root logger's handlers (at the end of a shutdown hook). */
  public static void flush() {
    for (Handler h : LogManager.getLogManager().getLogger("").getHandlers()) {
      h.flush();
    }
  }

  /** A {@link LogManager} whose {@link #reset} does nothing once the JVM is shutting down. */
  public static final class Manager extends LogManager {
    @Override
    public void reset() {
      if (!shuttingDown()) {
        super.reset();
      }
    }

    private static boolean shuttingDown() {
      Thread probe = new Thread(() -> { });
      try {
        Runtime.getRuntime().addShutdownHook(probe);
        Runtime.getRuntime().removeShutdownHook(probe);
        return false;
      } catch (IllegalStateException e) {
        return true;
      }
    }
  }
}
