package gongji.server.national;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.domain.ReconcileGroup;
import gongji.server.gateway.Gateway;
import gongji.server.gateway.Terminal;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.Result;
import gongji.server.ledger.Result.Rejected;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Day-end: 3201 total reconciliation and 3202 detail reconciliation, from history's day totals and
 * rows of the caller's institution, compared with the totals the institution sends.
 */
final class Reconciliation {
  /** The longest reconciliation period of a 3201/3202, in days. */
  static final int MAX_RECONCILE_DAYS = 31;
  /** Rows of a 3202 answer; the rest is announced by {@code gongji_more}. */
  static final int MAX_DETAIL_ROWS = 5_000;
  private static final int DETAIL_PAGE = 1_000;
  private static final Pattern COUNT = Pattern.compile("[0-9]{1,10}");
  private static final Pattern INSUTYPE = Pattern.compile("[0-9]{3}");

  private final Gateway gateway;
  private final boolean mulaidInAcctPay;

  /** @param mulaidInAcctPay whether {@code acct_pay} includes {@code acct_mulaid_pay} */
  Reconciliation(Gateway gateway, boolean mulaidInAcctPay) {
    this.gateway = requireNonNull(gateway, "gateway");
    this.mulaidInAcctPay = mulaidInAcctPay;
  }

  private record Period(long fromDay, long toDay) {}

  private static Period period(JsonNode d) {
    String from = Fields.required(d, "stmt_begndate", 19, Fields.DATE, "yyyy-MM-dd");
    String to = Fields.required(d, "stmt_enddate", 19, Fields.DATE, "yyyy-MM-dd");
    long fromDay;
    long toDay;
    try {
      fromDay = LocalDate.parse(from.substring(0, 10)).toEpochDay();
      toDay = LocalDate.parse(to.substring(0, 10)).toEpochDay();
    } catch (DateTimeParseException e) {
      throw Fields.invalid("stmt_begndate", from + "/" + to, "不是有效日期", "expected: yyyy-MM-dd");
    }
    if (toDay < fromDay || toDay - fromDay >= MAX_RECONCILE_DAYS) {
      throw Fields.invalid("stmt_enddate", to, "对账区间应为1至" + MAX_RECONCILE_DAYS + "天",
          "expected: stmt_begndate <= stmt_enddate, at most " + MAX_RECONCILE_DAYS + " days");
    }
    return new Period(fromDay, toDay);
  }

  /**
   * The group a 3201/3202 names: {@code insutype}, {@code clr_type}, {@code setl_optins}, each null
   * when absent (then every value of it). Naming none is the whole institution's period.
   */
  private record GroupFilter(String insutype, String clrType, String setlOptins) {
    static GroupFilter of(JsonNode d) {
      return new GroupFilter(Fields.optional(d, "insutype", 6, INSUTYPE, "3 digits, e.g. 310 or 390"),
          Fields.optional(d, "clr_type", 30), Fields.optional(d, "setl_optins", 6, Fields.ADMDVS, "6 digits"));
    }

    boolean namesAGroup() {
      return insutype != null || clrType != null || setlOptins != null;
    }

    boolean takes(ReconcileGroup g) {
      return (insutype == null || insutype.equals(g.insutypeText()))
          && (clrType == null || clrType.equals(g.clrTypeText()))
          && (setlOptins == null || setlOptins.equals(g.setlOptins()));
    }
  }

  /**
   * 3201 for one group (as {@link GroupFilter}; the platform's day-end sends one per insutype,
   * clr_type and setl_optins): our totals of the group over the period compared with the caller's
   * ({@code gongji_totals}), and our totals of every group of the period ({@code gongji_groups}), so
   * that a caller sees the groups it has not reconciled.
   */
  CompletableFuture<Reply> reconcile(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    GroupFilter filter = GroupFilter.of(d);
    Period p = period(d);
    long theirTotal = Fields.yuan(d, "medfee_sumamt");
    long theirFund = Fields.yuan(d, "fund_pay_sumamt");
    long theirAcct = Fields.yuan(d, "acct_pay");
    String cnt = Fields.required(d, "fixmedins_setl_cnt", 10, COUNT,
        "a count");
    String refd = Fields.optional(d, "refd_setl_flag", 1);
    boolean refunds = "1".equals(refd);
    Terminal terminal = env.terminal();
    // The period's totals per group: [count, total, own account, mutual aid, cash].
    Map<ReconcileGroup, long[]> groups = new TreeMap<>();
    CompletableFuture<Void> read = checkTerminal(terminal);
    for (long day = p.fromDay(); day <= p.toDay(); day++) {
      long today = day;
      read = read.thenCompose(v -> gateway.history(new HistoryQuery.Reconcile(terminal.institution(), today))
          .thenCompose(r -> {
            if (r instanceof Rejected x) {
              return CompletableFuture.failedFuture(new Reply.RefusedException(x));
            }
            for (Result.GroupTotals g : ((Result.Reconciliation) r).groups()) {
              groups.merge(g.group(), refunds ? g.refunds() : g.settlements(), Reconciliation::add);
            }
            return CompletableFuture.completedFuture(null);
          }));
    }
    return Reply.refusalsAsReplies(read.thenApply(v -> {
      long[] t = new long[5];
      ArrayNode ours = Json.array();
      for (Map.Entry<ReconcileGroup, long[]> g : groups.entrySet()) {
        if (filter.takes(g.getKey())) {
          t = add(t, g.getValue());
        }
        ObjectNode group = ours.addObject();
        group.put("insutype", g.getKey().insutypeText());
        group.put("clr_type", g.getKey().clrTypeText());
        group.put("setl_optins", g.getKey().setlOptins());
        totals(group, g.getValue());
      }
      long ourAcct = acctPay(t);
      List<String> diffs = new ArrayList<>();
      compare(diffs, "结算笔数", t[0], Long.parseLong(cnt), false);
      compare(diffs, "医疗费总额", t[1], theirTotal, true);
      compare(diffs, "基金支付总额", 0, theirFund, true);
      compare(diffs, "个人账户支付", ourAcct, theirAcct, true);
      long[] ungrouped = filter.namesAGroup() ? groups.get(ReconcileGroup.UNGROUPED) : null;
      ObjectNode out = Json.object();
      ObjectNode stmt = out.putObject("stmtinfo");
      stmt.put("setl_optins", filter.setlOptins());
      stmt.put("stmt_rslt", diffs.isEmpty() ? "0" : "1");
      stmt.put("stmt_rslt_dscr", (diffs.isEmpty() ? "对账一致" : "对账不一致：" + String.join("；", diffs))
          + ungroupedNote(ungrouped == null ? 0 : ungrouped[0], "gongji_ungrouped"));
      ObjectNode compared = totals(out.putObject("gongji_totals"), t);
      compared.put("insutype", filter.insutype());
      compared.put("clr_type", filter.clrType());
      compared.put("setl_optins", filter.setlOptins());
      compared.put("refd_setl_flag", refunds ? "1" : "0");
      out.set("gongji_groups", ours);
      if (ungrouped != null) {
        totals(out.putObject("gongji_ungrouped"), ungrouped);
      }
      return Reply.of(out);
    }));
  }

  /** {@code acct_pay} of totals: the own accounts', and the relatives' too where the province counts them in. */
  private long acctPay(long[] t) {
    return mulaidInAcctPay ? Math.addExact(t[2], t[3]) : t[2];
  }

  /** Writes totals [count, total, own account, mutual aid, cash] as the interface names them. */
  private ObjectNode totals(ObjectNode into, long[] t) {
    into.put("fixmedins_setl_cnt", t[0]);
    into.put("medfee_sumamt", Yuan.of(t[1]));
    into.put("fund_pay_sumamt", Yuan.of(0));
    into.put("acct_pay", Yuan.of(acctPay(t)));
    into.put("acct_mulaid_pay", Yuan.of(t[3]));
    into.put("psn_cash_pay", Yuan.of(t[4]));
    return into;
  }

  /**
   * What a comparison of one group cannot see: events recorded before events carried a group (a
   * history store of an earlier version), which no group holds.
   */
  private static String ungroupedNote(long count, String field) {
    return count == 0 ? "" : "（另有" + count + "笔结算记录早于分组，未计入本组，见" + field + "）";
  }

  /** Completes when the terminal is registered; fails with its refusal otherwise. */
  private CompletableFuture<Void> checkTerminal(Terminal terminal) {
    return gateway.submit(terminal, new Command.LoadReference(Command.ReferenceKind.INSTITUTION,
        terminal.institution())).thenCompose(checked -> checked instanceof Rejected x
            ? CompletableFuture.failedFuture(new Reply.RefusedException(x)) : CompletableFuture.completedFuture(null));
  }

  /** The sum of two totals, a new array. */
  private static long[] add(long[] sum, long[] day) {
    long[] out = sum.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.addExact(out[i], day[i]);
    }
    return out;
  }

  private static void compare(List<String> diffs, String what, long ours, long theirs, boolean money) {
    if (ours != theirs) {
      diffs.add(what + "本方" + (money ? Yuan.of(ours).toPlainString() : Long.toString(ours)) + "，贵方"
          + (money ? Yuan.of(theirs).toPlainString() : Long.toString(theirs)));
    }
  }

  /**
   * 3202 answered as JSON rather than the file round trip (9101 upload, 3202, 9102 download): our
   * rows of the period in {@code gongji_rows} (refunds negative), each with its group, only those of
   * the group named (by {@code setl_optins}, and {@code insutype}/{@code clr_type} where given), and
   * the totals of those rows compared.
   */
  CompletableFuture<Reply> reconcileDetail(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    GroupFilter filter = GroupFilter.of(d);
    String fileQuryNo = Fields.optional(d, "file_qury_no", 100);
    Period p = period(d);
    long theirTotal = Fields.yuan(d, "medfee_sumamt");
    Long theirCash = Fields.optionalYuan(d, "cash_payamt");
    String cnt = Fields.required(d, "fixmedins_setl_cnt", 10, COUNT,
        "a count");
    Terminal terminal = env.terminal();
    DetailRows rows = new DetailRows(filter);
    CompletableFuture<Void> read = checkTerminal(terminal);
    for (long day = p.fromDay(); day <= p.toDay(); day++) {
      long today = day;
      read = read.thenCompose(v -> readDay(terminal.institution(), today, 0, rows));
    }
    return Reply.refusalsAsReplies(read.thenApply(v -> {
      List<String> diffs = new ArrayList<>();
      compare(diffs, "结算笔数", rows.net[0], Long.parseLong(cnt), false);
      compare(diffs, "医疗费总额", rows.net[1], theirTotal, true);
      if (theirCash != null) {
        compare(diffs, "现金支付", rows.net[2], theirCash, true);
      }
      ObjectNode out = Json.object();
      out.put("file_qury_no", fileQuryNo);
      out.put("setl_optins", filter.setlOptins());
      out.put("stmt_rslt", diffs.isEmpty() ? "0" : "1");
      out.put("stmt_rslt_dscr", (diffs.isEmpty() ? "对账一致" : "对账不一致：" + String.join("；", diffs))
          + ungroupedNote(rows.ungrouped, "gongji_ungrouped_rows"));
      out.set("gongji_rows", rows.rows);
      out.put("gongji_more", rows.more);
      if (rows.ungrouped > 0) {
        out.put("gongji_ungrouped_rows", rows.ungrouped);
      }
      return Reply.of(out);
    }));
  }

  /** The rows of a 3202 as they are read, day by day: those of its group, and their net totals. */
  private static final class DetailRows {
    final GroupFilter filter;
    final ArrayNode rows = Json.array();
    boolean more;
    /** Net count, total and cash of the rows taken (refunds negative). */
    final long[] net = new long[3];
    /** Rows left out because they were recorded before rows had a group, when a group is named. */
    long ungrouped;

    DetailRows(GroupFilter filter) {
      this.filter = filter;
    }
  }

  private CompletableFuture<Void> readDay(String institution, long day, int offset, DetailRows out) {
    if (out.rows.size() >= MAX_DETAIL_ROWS) {
      out.more = true;
      return CompletableFuture.completedFuture(null);
    }
    return gateway.history(new HistoryQuery.ReconcileDetail(institution, day, offset, DETAIL_PAGE)).thenCompose(r -> {
      if (r instanceof Rejected x) {
        return CompletableFuture.failedFuture(new Reply.RefusedException(x));
      }
      Result.ReconcileLines lines = (Result.ReconcileLines) r;
      int read = 0;
      for (Result.ReconcileLine l : lines.lines()) {
        if (out.rows.size() >= MAX_DETAIL_ROWS) {
          out.more = true;
          return CompletableFuture.completedFuture(null);
        }
        read++;
        if (!out.filter.takes(l.group())) {
          out.ungrouped += l.group().grouped() ? 0 : 1;
          continue;
        }
        boolean back = l.kind().equals("REFUNDED") || l.kind().equals("SETTLEMENT_REVERSED");
        int sign = back ? -1 : 1;
        ObjectNode row = out.rows.addObject();
        row.put("setl_id", l.txnId());
        row.put("mdtrt_id", l.txnId());
        row.put("refd_setl_flag", back ? "1" : "0");
        row.put("setl_time", Times.readable(l.atMillis()));
        row.put("insutype", l.group().insutypeText());
        row.put("clr_type", l.group().clrTypeText());
        row.put("setl_optins", l.group().setlOptins());
        row.put("medfee_sumamt", Yuan.of(sign * l.totalFen()));
        row.put("fund_pay_sumamt", Yuan.of(0));
        row.put("acct_pay", Yuan.of(sign * (mulaidInAcctPay ? l.ownFen() + l.aidFen() : l.ownFen())));
        row.put("acct_mulaid_pay", Yuan.of(sign * l.aidFen()));
        row.put("psn_cash_pay", Yuan.of(sign * l.cashFen()));
        row.put("gongji_kind", l.kind());
        out.net[0] += sign;
        out.net[1] += sign * l.totalFen();
        out.net[2] += sign * l.cashFen();
      }
      return lines.more() ? readDay(institution, day, offset + read, out) : CompletableFuture.completedFuture(null);
    });
  }
}
