package gongji.server.ledger;

import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Ways to compare ledgers in tests: their snapshot bytes, and what they answer to every query a
 * client could make about the people, sales and request ids a workload used; and recovery as a
 * node does it.
 */
final class LedgerStates {
  /** Long enough that no request id expires during a test. */
  static final Duration WINDOW = Duration.ofDays(365);

  private LedgerStates() {}

  static byte[] bytes(Ledger ledger) {
    CommandCodec.Output out = new CommandCodec.Output(1 << 12);
    ledger.snapshot(out);
    return Arrays.copyOf(out.array(), out.size());
  }

  /** An independent ledger with the same state, through {@link Ledger#snapshot} and {@link Ledger#restore}. */
  static Ledger copy(Ledger ledger) {
    return Ledger.restore(ByteBuffer.wrap(bytes(ledger)), WINDOW, ReferenceListener.NONE);
  }

  /**
   * Everything the ledger answers about these people, transactions and request ids, as text (the
   * queries run at the ledger's own time, so nothing expires and nothing changes).
   */
  static String describe(Ledger l, Collection<String> people, Collection<String> txnIds, Collection<String> requestIds) {
    StringBuilder sb = new StringBuilder();
    long now = l.nowMillis();
    sb.append("now ").append(now).append(" requests ").append(l.requestsKept()).append(" audit ").append(l.audit());
    for (String code : LedgerWorkload.INSTITUTIONS) {
      sb.append("\ninstitution ").append(code).append(' ').append(l.institutionBalance(code));
      for (long day = Ledger.localDay(now) - 1; day <= Ledger.localDay(now); day++) {
        sb.append("\n  ").append(text(l.apply(new Command.Reconcile(code, day), now)));
        sb.append("\n  ").append(text(l.apply(new Command.ReconcileDetail(code, day, 0, 1_000), now)));
      }
    }
    for (String p : people) {
      sb.append("\nperson ").append(p).append(' ').append(l.balanceOf(p)).append('/').append(l.heldOf(p));
      sb.append("\n  ").append(text(l.apply(new Command.Identify(p), now)));
      sb.append("\n  ").append(text(l.apply(new Command.GetAccount(p), now)));
      for (Command.BindingRole role : Command.BindingRole.values()) {
        sb.append("\n  ").append(text(l.apply(new Command.ListBindings(p, role), now)));
        sb.append("\n  ").append(text(l.apply(new Command.ListUsage(p, role, 0, Long.MAX_VALUE, 0, 10_000), now)));
      }
    }
    for (String t : txnIds) {
      for (String code : LedgerWorkload.INSTITUTIONS) {
        sb.append("\ntxn ").append(t).append(' ').append(text(l.apply(new Command.GetTransaction(code, t, null), now)));
      }
    }
    for (String r : requestIds) {
      for (String code : LedgerWorkload.INSTITUTIONS) {
        sb.append("\nrequest ").append(r).append(' ')
            .append(text(l.apply(new Command.GetTransaction(code, null, r), now)));
      }
    }
    sb.append("\n").append(text(l.apply(new Command.ListAlerts(0, 100_000), now)));
    return sb.toString();
  }

  /** Fails with the lines that differ (not two pages of text) when two descriptions differ. */
  static void assertSameAnswers(String expected, String actual, String what) {
    if (expected.equals(actual)) {
      return;
    }
    String[] e = expected.split("\n");
    String[] a = actual.split("\n");
    StringBuilder sb = new StringBuilder(what + ": the ledgers answer differently");
    int shown = 0;
    for (int i = 0; i < Math.max(e.length, a.length) && shown < 6; i++) {
      String x = i < e.length ? e[i] : "(none)";
      String y = i < a.length ? a[i] : "(none)";
      if (!x.equals(y)) {
        sb.append("\n  line ").append(i).append("\n    expected: ").append(x).append("\n    actual:   ").append(y);
        shown++;
      }
    }
    throw new AssertionError(sb.toString());
  }

  /** A result as text; records print their parts, arrays need help. */
  static String text(Result r) {
    if (r instanceof Result.Reconciliation c) {
      return "Reconciliation[" + c.institution() + ", " + c.dayEpoch() + ", " + Arrays.toString(c.settlements()) + ", "
          + Arrays.toString(c.refunds()) + "]";
    }
    return String.valueOf(r);
  }

  /** What a node recovers from a data directory: the newest good snapshot and the journal after it. */
  record Recovered(Ledger ledger, long snapshotSeq, JournalRecovery.Report report, List<JournalRecoveryTest.Rec> replayed) {}

  static Recovered recover(Storage storage) throws IOException {
    Snapshots.Loaded snapshot = Snapshots.loadNewest(storage, WINDOW, ReferenceListener.NONE);
    Ledger ledger = snapshot == null ? new Ledger(WINDOW, ReferenceListener.NONE) : snapshot.ledger();
    long after = snapshot == null ? 0 : snapshot.seq();
    List<JournalRecoveryTest.Rec> replayed = new java.util.ArrayList<>();
    JournalRecovery.Report report = JournalRecovery.replay(storage, after, true, (seq, at, command) -> {
      replayed.add(new JournalRecoveryTest.Rec(seq, at, command));
      ledger.apply(command, at);
    });
    return new Recovered(ledger, after, report, replayed);
  }
}
