package gongji.server.national;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

  CompletableFuture<Reply> reconcile(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    Fields.optional(d, "insutype", 6);
    Fields.optional(d, "clr_type", 30);
    String optins = Fields.optional(d, "setl_optins", 6);
    Period p = period(d);
    long theirTotal = Fields.yuan(d, "medfee_sumamt");
    long theirFund = Fields.yuan(d, "fund_pay_sumamt");
    long theirAcct = Fields.yuan(d, "acct_pay");
    String cnt = Fields.required(d, "fixmedins_setl_cnt", 10, COUNT,
        "a count");
    String refd = Fields.optional(d, "refd_setl_flag", 1);
    boolean refunds = "1".equals(refd);
    Terminal terminal = env.terminal();
    CompletableFuture<long[]> totals = checkTerminal(terminal).thenApply(v -> new long[5]);
    for (long day = p.fromDay(); day <= p.toDay(); day++) {
      long today = day;
      totals = totals.thenCompose(sum -> gateway.history(new HistoryQuery.Reconcile(terminal.institution(), today))
          .thenCompose(r -> r instanceof Rejected x ? CompletableFuture.failedFuture(new Reply.RefusedException(x))
              : CompletableFuture.completedFuture(add(sum, refunds ? ((Result.Reconciliation) r).refunds()
                  : ((Result.Reconciliation) r).settlements()))));
    }
    return Reply.refusalsAsReplies(totals.thenApply(t -> {
      long ourAcct = mulaidInAcctPay ? Math.addExact(t[2], t[3]) : t[2];
      List<String> diffs = new ArrayList<>();
      compare(diffs, "结算笔数", t[0], Long.parseLong(cnt), false);
      compare(diffs, "医疗费总额", t[1], theirTotal, true);
      compare(diffs, "基金支付总额", 0, theirFund, true);
      compare(diffs, "个人账户支付", ourAcct, theirAcct, true);
      ObjectNode out = Json.object();
      ObjectNode stmt = out.putObject("stmtinfo");
      stmt.put("setl_optins", optins);
      stmt.put("stmt_rslt", diffs.isEmpty() ? "0" : "1");
      stmt.put("stmt_rslt_dscr", diffs.isEmpty() ? "对账一致" : "对账不一致：" + String.join("；", diffs));
      ObjectNode ours = out.putObject("gongji_totals");
      ours.put("refd_setl_flag", refunds ? "1" : "0");
      ours.put("fixmedins_setl_cnt", t[0]);
      ours.put("medfee_sumamt", Yuan.of(t[1]));
      ours.put("fund_pay_sumamt", Yuan.of(0));
      ours.put("acct_pay", Yuan.of(ourAcct));
      ours.put("acct_mulaid_pay", Yuan.of(t[3]));
      ours.put("psn_cash_pay", Yuan.of(t[4]));
      return Reply.of(out);
    }));
  }

  /** Completes when the terminal is registered; fails with its refusal otherwise. */
  private CompletableFuture<Void> checkTerminal(Terminal terminal) {
    return gateway.submit(terminal, new Command.LoadReference(Command.ReferenceKind.INSTITUTION,
        terminal.institution())).thenCompose(checked -> checked instanceof Rejected x
            ? CompletableFuture.failedFuture(new Reply.RefusedException(x)) : CompletableFuture.completedFuture(null));
  }

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
   * rows of the period in {@code gongji_rows} (refunds negative), and the totals compared.
   */
  CompletableFuture<Reply> reconcileDetail(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    String optins = Fields.optional(d, "setl_optins", 6);
    String fileQuryNo = Fields.optional(d, "file_qury_no", 100);
    Period p = period(d);
    long theirTotal = Fields.yuan(d, "medfee_sumamt");
    Long theirCash = Fields.optionalYuan(d, "cash_payamt");
    String cnt = Fields.required(d, "fixmedins_setl_cnt", 10, COUNT,
        "a count");
    Terminal terminal = env.terminal();
    ArrayNode rows = Json.array();
    boolean[] more = new boolean[1];
    long[] net = new long[3];
    CompletableFuture<Void> read = checkTerminal(terminal);
    for (long day = p.fromDay(); day <= p.toDay(); day++) {
      long today = day;
      read = read.thenCompose(v -> readDay(terminal.institution(), today, 0, rows, more, net));
    }
    return Reply.refusalsAsReplies(read.thenApply(v -> {
      List<String> diffs = new ArrayList<>();
      compare(diffs, "结算笔数", net[0], Long.parseLong(cnt), false);
      compare(diffs, "医疗费总额", net[1], theirTotal, true);
      if (theirCash != null) {
        compare(diffs, "现金支付", net[2], theirCash, true);
      }
      ObjectNode out = Json.object();
      out.put("file_qury_no", fileQuryNo);
      out.put("setl_optins", optins);
      out.put("stmt_rslt", diffs.isEmpty() ? "0" : "1");
      out.put("stmt_rslt_dscr", diffs.isEmpty() ? "对账一致" : "对账不一致：" + String.join("；", diffs));
      out.set("gongji_rows", rows);
      out.put("gongji_more", more[0]);
      return Reply.of(out);
    }));
  }

  private CompletableFuture<Void> readDay(String institution, long day, int offset, ArrayNode rows, boolean[] more,
      long[] net) {
    if (rows.size() >= MAX_DETAIL_ROWS) {
      more[0] = true;
      return CompletableFuture.completedFuture(null);
    }
    int limit = Math.min(DETAIL_PAGE, MAX_DETAIL_ROWS - rows.size());
    return gateway.history(new HistoryQuery.ReconcileDetail(institution, day, offset, limit)).thenCompose(r -> {
      if (r instanceof Rejected x) {
        return CompletableFuture.failedFuture(new Reply.RefusedException(x));
      }
      Result.ReconcileLines lines = (Result.ReconcileLines) r;
      for (Result.ReconcileLine l : lines.lines()) {
        boolean back = l.kind().equals("REFUNDED") || l.kind().equals("SETTLEMENT_REVERSED");
        int sign = back ? -1 : 1;
        ObjectNode row = rows.addObject();
        row.put("setl_id", l.txnId());
        row.put("mdtrt_id", l.txnId());
        row.put("refd_setl_flag", back ? "1" : "0");
        row.put("setl_time", Times.readable(l.atMillis()));
        row.put("medfee_sumamt", Yuan.of(sign * l.totalFen()));
        row.put("fund_pay_sumamt", Yuan.of(0));
        row.put("acct_pay", Yuan.of(sign * (mulaidInAcctPay ? l.ownFen() + l.aidFen() : l.ownFen())));
        row.put("acct_mulaid_pay", Yuan.of(sign * l.aidFen()));
        row.put("psn_cash_pay", Yuan.of(sign * l.cashFen()));
        row.put("gongji_kind", l.kind());
        net[0] += sign;
        net[1] += sign * l.totalFen();
        net[2] += sign * l.cashFen();
      }
      return lines.more() ? readDay(institution, day, offset + lines.lines().size(), rows, more, net)
          : CompletableFuture.completedFuture(null);
    });
  }
}
