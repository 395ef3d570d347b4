package gongji.loadtest.run;

import gongji.v1.AdminServiceGrpc;
import gongji.v1.Breakdown;
import gongji.v1.FundSource;
import gongji.v1.GetAccountRequest;
import gongji.v1.GetTransactionRequest;
import gongji.v1.GetTransactionResponse;
import gongji.v1.PaymentLeg;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Transaction;
import gongji.v1.TransactionState;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The auditor: after the load, rebuilds what every account must hold from the requests the run
 * sent and the replies it got ({@link Books}), reads the accounts and transactions back through the
 * API, and lists every discrepancy.
 *
 * <p>What it checks:
 * <ul>
 *   <li><b>unknown outcomes resolved</b>: a request with no definite reply (a deadline, UNAVAILABLE,
 *       INTERNAL) is looked up with GetTransaction by its request id; a refused one is looked up too,
 *       and must not have been applied;
 *   <li><b>nothing acknowledged missing</b>: the transaction of every acknowledged Settle is SETTLED
 *       (or REFUNDED, after an applied Refund) with the split that was acknowledged; an acknowledged
 *       Refund's is REFUNDED, an acknowledged Cancel's CANCELLED;
 *   <li><b>nothing applied twice</b>: every acknowledged reply to one request id names the same
 *       transaction and the same split;
 *   <li><b>money conserved per account</b>: for every account read back before the load (see below),
 *       the opening balance, plus the credits the run made (one not acknowledged is sent again with its
 *       id, which CreditAccount makes idempotent), less the legs of every settlement drawn on it, plus the legs of every
 *       refund paid back to it, equals the balance read back; held funds equal the opening held funds
 *       plus the legs of the authorizations still open, less the wallet legs settled (wallet quota is
 *       an earmark, held on the authorizer's account until spent), plus the wallet legs refunded; a
 *       leg on an account that was not read back is itself a discrepancy;
 *   <li><b>the institutions' side</b>: each institution's day-end totals (Reconcile: count, total,
 *       account, mutual aid, cash of settlements and of refunds) grew during the run by exactly what
 *       the replies acknowledged there.
 * </ul>
 * Expected balances come from the replies (resolved unknowns from the server's record of them), never
 * from the server's own list of what it did: a server that lost an acknowledged settlement, or applied
 * one twice, cannot agree with itself here.
 *
 * <p><b>Which accounts, and why that is enough.</b> The run's sales are those of an active set of
 * persons ({@code --active-people}, every person by default; see {@link Workload}), and the accounts
 * read back before the load and again here are exactly those a sale of the run can draw on: each
 * active person's own, and the authorizer's of every binding in which an active person is the
 * beneficiary (a mutual-aid leg or a wallet leg names its binding, and a binding draws on its
 * authorizer's account only), found by listing the bindings, not assumed from the families; plus,
 * when the active set is smaller than the data set, a seeded sample of accounts outside it that
 * must not have changed. A leg drawing on any other account is reported, so the audit never passes
 * over money it did not see move. So the audit's cost is the run's, not the data set's: a run of a
 * few thousand sales on a million persons reads a few thousand accounts, twice. What it no longer
 * sees is a change to an account outside the active set that no reply names and the sample misses;
 * with every person active (the default) it reads every account as before.
 */
final class Auditor {
  /**
   * The audit's outcome: counts, every discrepancy in words, what was read back before the load
   * ({@code readBack}) and how long this audit took ({@code auditMillis}).
   */
  record Report(int sales, int unknownResolved, int accountsChecked, long settledFen, long refundedFen,
      List<String> discrepancies, Workload.ReadBack readBack, long auditMillis) {
    boolean ok() {
      return discrepancies.isEmpty();
    }
  }

  private final Target target;
  private final Workload workload;
  private final int maxInFlight;
  private final List<String> discrepancies = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, GetTransactionResponse> byRequestId = new ConcurrentHashMap<>();
  private final Map<String, Transaction> byTransactionId = new ConcurrentHashMap<>();
  /** What the sales checked so far settled and refunded, by institution (see {@link #checkReconciliation}). */
  private final Map<String, Totals> settledAt = new HashMap<>();
  private final Map<String, Totals> refundedAt = new HashMap<>();

  Auditor(Target target, Workload workload, int maxInFlight) {
    this.target = target;
    this.workload = workload;
    this.maxInFlight = maxInFlight;
  }

  Report audit(Books books, long deadlineNanos) throws InterruptedException {
    long start = System.nanoTime();
    // The sales are read back from the books one at a time, in each pass.
    Iterable<Books.Sale> sales = books.eachSale();
    // 1. Resolve every request without an acknowledgement by its id.
    Bounded calls = new Bounded(maxInFlight, deadlineNanos);
    int[] toResolve = {0};
    int saleCount = 0;
    for (Books.Sale sale : sales) {
      saleCount++;
      for (Books.Request r : requests(sale)) {
        if (r.known() != Books.Known.ACKNOWLEDGED) {
          toResolve[0]++;
          calls.submit(() -> lookUpRequest(sale, r.requestId));
        }
      }
    }
    calls.awaitAll("looking up requests by id");
    // 2. Read back every transaction the run opened.
    Set<String> transactions = new HashSet<>();
    for (Books.Sale sale : sales) {
      String txn = transactionOf(sale);
      if (txn != null && transactions.add(txn)) {
        calls.submit(() -> call(SettlementServiceGrpc.getGetTransactionMethod(), GetTransactionRequest.newBuilder()
            .setTerminal(sale.terminal).setTransactionId(txn).build()).thenAccept(r -> byTransactionId.put(txn, r.getTransaction())));
      }
    }
    calls.awaitAll("reading transactions back");
    // 3. Rebuild the expected accounts, checking each sale on the way.
    Map<String, Long> drawn = new HashMap<>();
    Map<String, Long> held = new HashMap<>();
    long[] settledFen = {0};
    long[] refundedFen = {0};
    for (Books.Sale sale : sales) {
      checkSale(sale, drawn, held, settledFen, refundedFen);
    }
    // Credits: an acknowledged one counts; any other is sent again with its id (idempotent), so that it
    // is applied exactly once or refused for good, and counts as that second reply says.
    Map<String, Long> credited = new ConcurrentHashMap<>();
    for (Books.Credit c : books.eachCredit()) {
      if (c.request.known() == Books.Known.ACKNOWLEDGED) {
        credited.merge(c.psnNo, c.amountFen, Long::sum);
      } else {
        toResolve[0]++;
        calls.submit(() -> call(AdminServiceGrpc.getCreditAccountMethod(), gongji.v1.CreditAccountRequest.newBuilder()
            .setRequestId(c.request.requestId).setPsnNo(c.psnNo).setAmountFen(c.amountFen).build())
            .handle((a, e) -> {
              if (e == null) {
                credited.merge(c.psnNo, c.amountFen, Long::sum);
              } else if (!Books.refusal(e)) {
                discrepancies.add("credit " + c.request.requestId + ": still unknown after resending: " + Target.describe(e));
              }
              return null;
            }));
      }
    }
    calls.awaitAll("resolving credits");
    credited.forEach((psnNo, fen) -> drawn.merge(psnNo, -fen, Long::sum));
    // 4. Read every account back and compare.
    Map<String, gongji.v1.Account> accounts = new ConcurrentHashMap<>();
    for (String psnNo : workload.openingBalanceFen().keySet()) {
      calls.submit(() -> call(AdminServiceGrpc.getGetAccountMethod(), GetAccountRequest.newBuilder().setPsnNo(psnNo).build())
          .thenAccept(a -> accounts.put(psnNo, a)));
    }
    calls.awaitAll("reading accounts back");
    for (String psnNo : new java.util.TreeSet<>(workload.openingBalanceFen().keySet())) {
      gongji.v1.Account a = accounts.get(psnNo);
      long expectedBalance = workload.openingBalanceFen().get(psnNo) - drawn.getOrDefault(psnNo, 0L);
      long expectedHeld = workload.openingHeldFen().get(psnNo) + held.getOrDefault(psnNo, 0L);
      if (a.getBalanceFen() != expectedBalance) {
        discrepancies.add(String.format("account %s: balance %d fen read back, expected %d (opening %d, net drawn less credits %d):"
            + " money not conserved", psnNo, a.getBalanceFen(), expectedBalance, workload.openingBalanceFen().get(psnNo),
            drawn.getOrDefault(psnNo, 0L)));
      }
      if (a.getHeldFen() != expectedHeld) {
        discrepancies.add(String.format("account %s: held %d fen read back, expected %d", psnNo, a.getHeldFen(), expectedHeld));
      }
    }
    for (String psnNo : drawn.keySet()) {
      if (!workload.openingBalanceFen().containsKey(psnNo)) {
        discrepancies.add("a leg drew on " + psnNo + ", an account not read back before the run (neither an active"
            + " person's nor an authorizer's of a binding to one): not checked");
      }
    }
    checkReconciliation(calls);
    List<String> sorted = new ArrayList<>(discrepancies);
    Collections.sort(sorted);
    return new Report(saleCount, toResolve[0], accounts.size(), settledFen[0], refundedFen[0], sorted,
        workload.readBackDone(), (System.nanoTime() - start) / 1_000_000);
  }

  /** Totals of one kind of movement at one institution, as Reconcile counts them. */
  private static final class Totals {
    long count;
    long totalFen;
    long accountFen;
    long mutualAidFen;
    long cashFen;

    void add(Breakdown b) {
      count++;
      totalFen += b.getTotalFen();
      accountFen += b.getAccountPayFen();
      mutualAidFen += b.getMutualAidPayFen();
      cashFen += b.getCashPayFen();
    }

    static String diff(gongji.v1.ReconcileTotals before, gongji.v1.ReconcileTotals after, Totals expected) {
      long[] got = {after.getCount() - before.getCount(), after.getTotalFen() - before.getTotalFen(),
          after.getAccountPayFen() - before.getAccountPayFen(), after.getMutualAidPayFen() - before.getMutualAidPayFen(),
          after.getCashPayFen() - before.getCashPayFen()};
      long[] want = {expected.count, expected.totalFen, expected.accountFen, expected.mutualAidFen, expected.cashFen};
      return java.util.Arrays.equals(got, want) ? null
          : "count/total/account/mutual_aid/cash grew by " + java.util.Arrays.toString(got) + ", the replies say "
              + java.util.Arrays.toString(want);
    }
  }

  /**
   * The institutions' side of the books: what each institution's day-end totals (Reconcile) grew by
   * during the run must be the settlements and refunds the replies acknowledged there. Skipped when
   * the day (China time) changed during the run.
   */
  private void checkReconciliation(Bounded calls) throws InterruptedException {
    String day = Workload.today();
    Map<String, gongji.v1.ReconcileResponse> closing = new ConcurrentHashMap<>();
    for (Map.Entry<String, gongji.v1.ReconcileResponse> e : workload.openingReconcile().entrySet()) {
      if (!e.getValue().getDate().equals(Workload.wireDate(day))) {
        return;
      }
      calls.submit(() -> call(AdminServiceGrpc.getReconcileMethod(), gongji.v1.ReconcileRequest.newBuilder()
          .setFixmedinsCode(e.getKey()).setDate(Workload.wireDate(day)).build()).thenAccept(r -> closing.put(e.getKey(), r)));
    }
    calls.awaitAll("reading day-end totals");
    Map<String, Totals> settled = settledAt;
    Map<String, Totals> refunded = refundedAt;
    for (Map.Entry<String, gongji.v1.ReconcileResponse> e : closing.entrySet()) {
      gongji.v1.ReconcileResponse before = workload.openingReconcile().get(e.getKey());
      String s = Totals.diff(before.getSettlements(), e.getValue().getSettlements(),
          settled.getOrDefault(e.getKey(), new Totals()));
      if (s != null) {
        discrepancies.add("reconcile " + e.getKey() + " " + day + ": settlements " + s);
      }
      String r = Totals.diff(before.getRefunds(), e.getValue().getRefunds(), refunded.getOrDefault(e.getKey(), new Totals()));
      if (r != null) {
        discrepancies.add("reconcile " + e.getKey() + " " + day + ": refunds " + r);
      }
    }
  }

  private static List<Books.Request> requests(Books.Sale sale) {
    List<Books.Request> rs = new ArrayList<>();
    rs.add(sale.authorize);
    for (Books.Request r : new Books.Request[] {sale.settle, sale.cancel, sale.refund}) {
      if (r != null) {
        rs.add(r);
      }
    }
    return rs;
  }

  private CompletableFuture<Void> lookUpRequest(Books.Sale sale, String requestId) {
    return call(SettlementServiceGrpc.getGetTransactionMethod(), GetTransactionRequest.newBuilder()
        .setTerminal(sale.terminal).setRequestId(requestId).build())
        .handle((r, e) -> {
          if (e == null) {
            byRequestId.put(requestId, r);
          } else if (Target.status(e).getCode() != Status.Code.NOT_FOUND) {
            discrepancies.add("request " + requestId + ": look-up failed: " + Target.describe(e));
          }
          return null;
        });
  }

  /** Whether a request took effect: from its acknowledgement, else from the server's record of it. */
  private boolean applied(Books.Request r, String what) {
    if (r == null) {
      return false;
    }
    Books.Known known = r.known();
    if (known == Books.Known.ACKNOWLEDGED) {
      return true;
    }
    GetTransactionResponse found = byRequestId.get(r.requestId);
    boolean applied = found != null && found.hasRequest() && found.getRequest().getApplied();
    if (known == Books.Known.REFUSED && applied) {
      discrepancies.add(what + " " + r.requestId + ": refused (" + r.refusals() + ") but applied");
    }
    return applied;
  }

  private String transactionOf(Books.Sale sale) {
    String txn = sale.transactionId();
    if (txn != null) {
      return txn;
    }
    GetTransactionResponse found = byRequestId.get(sale.authorize.requestId);
    return found != null && found.getRequest().getApplied() && found.hasTransaction()
        ? found.getTransaction().getTransactionId() : null;
  }

  private void checkSale(Books.Sale sale, Map<String, Long> drawn, Map<String, Long> held, long[] settledFen,
      long[] refundedFen) {
    String id = sale.authorize.requestId;
    boolean authorized = applied(sale.authorize, "authorize");
    onlyOneOutcome(sale.authorize, "authorize");
    String txn = transactionOf(sale);
    if (!authorized || txn == null) {
      return;
    }
    Transaction server = byTransactionId.get(txn);
    if (server == null) {
      discrepancies.add("sale " + id + ": transaction " + txn + " acknowledged but not found");
      return;
    }
    boolean settled = applied(sale.settle, "settle");
    boolean cancelled = applied(sale.cancel, "cancel");
    boolean refunded = applied(sale.refund, "refund");
    onlyOneOutcome(sale.settle, "settle");
    Breakdown authorizedSplit = sale.authorize.known() == Books.Known.ACKNOWLEDGED
        ? sale.authorize.breakdowns().get(0) : server.getAuthorized();
    if (!sameSplit(authorizedSplit, server.getAuthorized())) {
      discrepancies.add("sale " + id + ": authorized split acknowledged " + brief(authorizedSplit) + " but the server has "
          + brief(server.getAuthorized()));
    }
    TransactionState expected = refunded ? TransactionState.TRANSACTION_STATE_REFUNDED
        : settled ? TransactionState.TRANSACTION_STATE_SETTLED
        : cancelled ? TransactionState.TRANSACTION_STATE_CANCELLED
        : TransactionState.TRANSACTION_STATE_AUTHORIZED;
    if (server.getState() != expected) {
      discrepancies.add("sale " + id + " (" + txn + "): the server has it " + server.getState() + ", the replies say "
          + expected + " (settle " + known(sale.settle) + ", cancel " + known(sale.cancel) + ", refund " + known(sale.refund)
          + ")" + (expected == TransactionState.TRANSACTION_STATE_SETTLED ? ": an acknowledged settlement is missing" : ""));
    }
    if (settled) {
      Breakdown split = sale.settle.known() == Books.Known.ACKNOWLEDGED ? sale.settle.breakdowns().get(0) : server.getSettled();
      if (!sameSplit(split, server.getSettled())) {
        discrepancies.add("sale " + id + ": settled split acknowledged " + brief(split) + " but the server has "
            + brief(server.getSettled()));
      }
      settledFen[0] += split.getAccountPayFen() + split.getMutualAidPayFen();
      settledAt.computeIfAbsent(sale.terminal.getFixmedinsCode(), k -> new Totals()).add(split);
      addLegs(sale, split, drawn, 1, id, ANY_ACCOUNT);
      // Wallet quota is an earmark (held) on the authorizer's account: spending it ends that much of it.
      addLegs(sale, split, held, -1, id, WALLET);
      if (refunded) {
        Breakdown back = sale.refund.known() == Books.Known.ACKNOWLEDGED ? sale.refund.breakdowns().get(0) : split;
        refundedFen[0] += back.getAccountPayFen() + back.getMutualAidPayFen();
        refundedAt.computeIfAbsent(sale.terminal.getFixmedinsCode(), k -> new Totals()).add(back);
        addLegs(sale, back, drawn, -1, id, ANY_ACCOUNT);
        addLegs(sale, back, held, 1, id, WALLET);
      }
    } else if (refunded) {
      discrepancies.add("sale " + id + ": refunded but never settled");
    } else if (!cancelled) {
      // An open authorization holds its legs; a wallet leg is held by its earmark already.
      addLegs(sale, authorizedSplit, held, 1, id, OWN_OR_MUTUAL_AID);
    }
  }

  /** Every acknowledged reply to one request id must name the same transaction and split. */
  private void onlyOneOutcome(Books.Request r, String what) {
    if (r == null) {
      return;
    }
    List<String> txns = r.transactionIds();
    List<Breakdown> splits = r.breakdowns();
    for (int i = 1; i < txns.size(); i++) {
      if (!txns.get(i).equals(txns.get(0))) {
        discrepancies.add(what + " " + r.requestId + ": one request id answered with two transactions " + txns
            + ": applied twice");
      }
    }
    for (int i = 1; i < splits.size(); i++) {
      if (!sameSplit(splits.get(i), splits.get(0))) {
        discrepancies.add(what + " " + r.requestId + ": one request id answered with two splits " + brief(splits.get(0))
            + " and " + brief(splits.get(i)));
      }
    }
  }

  private static final Set<FundSource> ANY_ACCOUNT = java.util.EnumSet.of(FundSource.FUND_SOURCE_OWN_ACCOUNT,
      FundSource.FUND_SOURCE_MUTUAL_AID, FundSource.FUND_SOURCE_WALLET);
  private static final Set<FundSource> OWN_OR_MUTUAL_AID = java.util.EnumSet.of(FundSource.FUND_SOURCE_OWN_ACCOUNT,
      FundSource.FUND_SOURCE_MUTUAL_AID);
  private static final Set<FundSource> WALLET = java.util.EnumSet.of(FundSource.FUND_SOURCE_WALLET);

  private void addLegs(Books.Sale sale, Breakdown split, Map<String, Long> into, int sign, String id,
      Set<FundSource> sources) {
    for (PaymentLeg leg : split.getLegsList()) {
      if (!sources.contains(leg.getSource())) {
        continue;
      }
      String account;
      if (leg.getSource() == FundSource.FUND_SOURCE_OWN_ACCOUNT) {
        account = sale.patientPsnNo;
      } else if (leg.getSource() == FundSource.FUND_SOURCE_MUTUAL_AID || leg.getSource() == FundSource.FUND_SOURCE_WALLET) {
        account = workload.authorizerOf(leg.getBindingId());
        if (account == null) {
          discrepancies.add("sale " + id + ": a leg draws on binding " + leg.getBindingId() + ", unknown to the data set");
          continue;
        }
      } else {
        continue;
      }
      into.merge(account, sign * leg.getAmountFen(), Long::sum);
    }
  }

  private static String known(Books.Request r) {
    return r == null ? "not sent" : r.known().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static boolean sameSplit(Breakdown a, Breakdown b) {
    if (a.getTotalFen() != b.getTotalFen() || a.getAccountPayFen() != b.getAccountPayFen()
        || a.getMutualAidPayFen() != b.getMutualAidPayFen() || a.getCashPayFen() != b.getCashPayFen()
        || a.getLegsCount() != b.getLegsCount()) {
      return false;
    }
    for (int i = 0; i < a.getLegsCount(); i++) {
      PaymentLeg x = a.getLegs(i);
      PaymentLeg y = b.getLegs(i);
      if (x.getSource() != y.getSource() || x.getAmountFen() != y.getAmountFen() || !x.getBindingId().equals(y.getBindingId())) {
        return false;
      }
    }
    return true;
  }

  private static String brief(Breakdown b) {
    return "{total=" + b.getTotalFen() + " account=" + b.getAccountPayFen() + " mutual_aid=" + b.getMutualAidPayFen()
        + " cash=" + b.getCashPayFen() + " legs=" + b.getLegsCount() + "}";
  }

  /**
   * An audit call: a generous deadline, and UNAVAILABLE retried a few times, as is RESOURCE_EXHAUSTED
   * (the gateway shed it: nothing applied) after a pause, for a gateway still busy with the run.
   */
  private <Q, R> CompletableFuture<R> call(io.grpc.MethodDescriptor<Q, R> method, Q request) {
    return retry(method, request, 3);
  }

  private <Q, R> CompletableFuture<R> retry(io.grpc.MethodDescriptor<Q, R> method, Q request, int attemptsLeft) {
    return target.call(method, request, 30_000).handle((r, e) -> {
      if (e == null) {
        return CompletableFuture.completedFuture(r);
      }
      if (attemptsLeft > 1 && Target.status(e).getCode() == Status.Code.UNAVAILABLE) {
        return retry(method, request, attemptsLeft - 1);
      }
      if (attemptsLeft > 1 && Target.status(e).getCode() == Status.Code.RESOURCE_EXHAUSTED) {
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS))
            .thenCompose(x -> retry(method, request, attemptsLeft - 1));
      }
      return CompletableFuture.<R>failedFuture(e);
    }).thenCompose(f -> f);
  }
}
