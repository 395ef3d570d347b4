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
    }
    for (String p : people) {
      sb.append("\nperson ").append(p).append(' ').append(l.balanceOf(p)).append('/').append(l.heldOf(p));
      sb.append("\n  ").append(text(l.apply(new Command.Identify(p), now)));
      sb.append("\n  ").append(text(l.apply(new Command.GetAccount(p), now)));
      for (Command.BindingRole role : Command.BindingRole.values()) {
        sb.append("\n  ").append(text(l.apply(new Command.ListBindings(p, role), now)));
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
    return sb.toString();
  }

  /**
   * Everything history answers about these people and the workload's institutions on the days
   * {@code fromDay..toDay}, as text.
   */
  static String describeHistory(HistoryStore h, Collection<String> people, long fromDay, long toDay) throws IOException {
    StringBuilder sb = new StringBuilder("history applied through ").append(h.appliedSeq());
    for (String code : LedgerWorkload.INSTITUTIONS) {
      for (long day = fromDay; day <= toDay; day++) {
        sb.append("\n  ").append(text(h.answer(new HistoryQuery.Reconcile(code, day))));
        sb.append("\n  ").append(text(h.answer(new HistoryQuery.ReconcileDetail(code, day, 0, 100_000))));
      }
    }
    for (String p : people) {
      for (Command.BindingRole role : Command.BindingRole.values()) {
        sb.append("\n  ").append(text(h.answer(new HistoryQuery.Usage(p, role, 0, Long.MAX_VALUE, 0, 100_000))));
      }
    }
    sb.append("\n").append(text(h.answer(new HistoryQuery.Alerts(0, 100_000))));
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
    List<JournalRecoveryTest.Rec> replayed = new java.util.ArrayList<>();
    LedgerRecovery.Recovered r = LedgerRecovery.recover(storage, null, WINDOW, ReferenceListener.NONE, true,
        (seq, at, command) -> replayed.add(new JournalRecoveryTest.Rec(seq, at, command)));
    return new Recovered(r.ledger(), r.snapshotSeq(), r.journal(), replayed);
  }

}
