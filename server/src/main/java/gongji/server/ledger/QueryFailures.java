package gongji.server.ledger;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Queries that threw and failed alone (a {@link Command.Query} changes nothing, so the ledger keeps
 * serving): each distinct cause, its exception type and the frame that threw, is logged once with its
 * stack trace, the rest only counted, so that a client repeating a failing question cannot flood the
 * log. At most {@value #MAX_LOGGED_CAUSES} causes are remembered. Writer only, but for {@link #count}.
 */
final class QueryFailures {
  private static final Logger log = Logger.getLogger(QueryFailures.class.getName());
  static final int MAX_LOGGED_CAUSES = 256;

  private final Set<String> logged = new HashSet<>();
  private final AtomicLong count = new AtomicLong();

  /** Counts the failure of query {@code c}, logs it if its cause is new, and returns what the caller gets. */
  LedgerQueryFailedException failed(Command c, RuntimeException e) {
    count.incrementAndGet();
    String name = c.getClass().getSimpleName();
    StackTraceElement[] trace = e.getStackTrace();
    String cause = name + ": " + e.getClass().getName() + (trace.length > 0 ? " at " + trace[0] : "");
    if (logged.contains(cause)) {
      // Logged before: counted only.
    } else if (logged.size() < MAX_LOGGED_CAUSES) {
      logged.add(cause);
      log.log(Level.WARNING, "query " + name + " failed; it alone is refused, the ledger keeps serving (further"
          + " failures with this cause are counted, not logged): " + e, e);
    } else if (logged.add("(more causes)")) {
      log.warning("more than " + MAX_LOGGED_CAUSES + " causes of failed queries; new ones are"
          + " counted, not logged. Latest: " + cause);
    }
    return new LedgerQueryFailedException("query " + name + " failed in the ledger", e);
  }

  /** Queries that failed alone since start. */
  long count() {
    return count.get();
  }
}
