package gongji.server.ledger;

import java.util.List;
import java.util.Map;

/**
 * Figures of the ledger for the meters, as of the end of a batch: the sequencer publishes them after
 * each one (see {@link Sequencer#figures}), so that nothing reads the ledger from another thread.
 *
 * @param holdsOutstandingFen what open authorizations hold, wallet quota in a sale included
 * @param openSales authorizations neither settled, cancelled nor expired
 * @param alertsRaised alerts raised since the ledger was read at start (replay included)
 * @param alertsByKind {@code alertsRaised} by kind
 */
public record LedgerFigures(long holdsOutstandingFen, int openSales, long alertsRaised,
    Map<String, Long> alertsByKind) {

  /** The kinds of alert the ledger raises, so that each is metered before the first one. */
  public static final List<String> ALERT_KINDS = List.of("IMPERSONATION", "MUTUAL_AID_LIMIT_EXCEEDED",
      "ALERTS_SUPPRESSED");

  public LedgerFigures {
    alertsByKind = Map.copyOf(alertsByKind);
  }

  /** The alerts of {@code kind} raised so far. */
  public long alerts(String kind) {
    return alertsByKind.getOrDefault(kind, 0L);
  }
}
