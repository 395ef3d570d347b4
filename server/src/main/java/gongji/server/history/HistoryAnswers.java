package gongji.server.history;

import gongji.server.domain.ReconcileGroup;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryRecord;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The answers to history queries from records read in order: shared by every store. */
final class HistoryAnswers {
  private HistoryAnswers() {}

  /** A page of a person's usage records, filled from their records oldest first. */
  static final class UsagePage {
    private final HistoryQuery.Usage q;
    private final List<Result.Usage> out = new ArrayList<>();
    private int skipped;
    private boolean more;

    UsagePage(HistoryQuery.Usage q) {
      this.q = q;
    }

    /** Takes the next record of the person; false once the page is full (then there is more). */
    boolean offer(Result.Usage u) {
      if (u.atMillis() < q.fromMillis() || u.atMillis() >= q.toMillis()) {
        return true;
      }
      if (q.role() == Command.BindingRole.AUTHORIZER && !u.authorizerPsnNo().equals(q.psnNo())) {
        return true;
      }
      if (q.role() == Command.BindingRole.BENEFICIARY && !u.beneficiaryPsnNo().equals(q.psnNo())) {
        return true;
      }
      if (skipped < q.offset()) {
        skipped++;
        return true;
      }
      if (out.size() == q.limit()) {
        more = true;
        return false;
      }
      out.add(u);
      return true;
    }

    Result.Usages result() {
      return new Result.Usages(List.copyOf(out), more);
    }
  }

  /**
   * A day's totals: [count, total, own account, mutual aid, cash] of settlements and of refunds, for
   * the whole day and for each reconciliation group in it (in group order).
   */
  static Result.Reconciliation reconcile(HistoryQuery.Reconcile q, List<HistoryRecord.Settlement> day) {
    long[] settlements = new long[5];
    long[] refunds = new long[5];
    Map<ReconcileGroup, Result.GroupTotals> groups = new TreeMap<>();
    for (HistoryRecord.Settlement s : day) {
      add(s, s.settles() ? settlements : refunds);
      Result.GroupTotals g = groups.computeIfAbsent(s.line().group(),
          k -> new Result.GroupTotals(k, new long[5], new long[5]));
      add(s, s.settles() ? g.settlements() : g.refunds());
    }
    return new Result.Reconciliation(q.institution(), q.dayEpoch(), settlements, refunds,
        List.copyOf(groups.values()));
  }

  static void add(HistoryRecord.Settlement s, long[] into) {
    into[0]++;
    into[1] += s.line().totalFen();
    into[2] += s.line().ownFen();
    into[3] += s.line().aidFen();
    into[4] += s.line().cashFen();
  }

  /** A page of a day's lines of the groups asked for, from {@code offset}. */
  static Result.ReconcileLines detail(HistoryQuery.ReconcileDetail q, List<HistoryRecord.Settlement> all) {
    List<HistoryRecord.Settlement> day = q.group().namesAGroup()
        ? all.stream().filter(s -> q.group().takes(s.line().group())).toList() : all;
    int from = Math.min(Math.max(0, q.offset()), day.size());
    int to = (int) Math.min(day.size(), (long) from + q.limit());
    List<Result.ReconcileLine> lines = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      lines.add(day.get(i).line());
    }
    return new Result.ReconcileLines(List.copyOf(lines), to < day.size());
  }

  /** A page of a person's wallet transfers, filled from their transfers newest first. */
  static final class TransferPage {
    private final HistoryQuery.WalletTransfers q;
    private final List<Result.WalletTransferView> out = new ArrayList<>();
    private boolean more;

    TransferPage(HistoryQuery.WalletTransfers q) {
      this.q = q;
    }

    /** Takes the person's next transfer, newer ones first; false once the page is full (then there is more). */
    boolean offer(Result.WalletTransferView t) {
      if (Ledger.number(t.transferId()) >= q.beforeNumber()) {
        return true;
      }
      if (q.role() == Command.BindingRole.AUTHORIZER && !t.authorizerPsnNo().equals(q.psnNo())) {
        return true;
      }
      if (q.role() == Command.BindingRole.BENEFICIARY && !t.beneficiaryPsnNo().equals(q.psnNo())) {
        return true;
      }
      if (out.size() == q.limit()) {
        more = true;
        return false;
      }
      out.add(t);
      return true;
    }

    Result.WalletTransfers result() {
      return new Result.WalletTransfers(List.copyOf(out), more);
    }
  }
}
