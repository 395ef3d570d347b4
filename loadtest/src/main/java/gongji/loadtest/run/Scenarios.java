package gongji.loadtest.run;

import gongji.v1.AdminServiceGrpc;
import gongji.v1.AuthorizeRequest;
import gongji.v1.AuthorizeResponse;
import gongji.v1.CancelRequest;
import gongji.v1.CreditAccountRequest;
import gongji.v1.Credential;
import gongji.v1.CredentialType;
import gongji.v1.FundSource;
import gongji.v1.IdentifyRequest;
import gongji.v1.IdentifyResponse;
import gongji.v1.ItemCategory;
import gongji.v1.LineItem;
import gongji.v1.MedicalType;
import gongji.v1.PaymentLeg;
import gongji.v1.RefundRequest;
import gongji.v1.SettleRequest;
import gongji.v1.SettleResponse;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The scenarios a run can drive, each a chain of RPCs from one seeded random stream per instance
 * (instance {@code i} of a run with seed {@code s} always picks the same patient and bill).
 *
 * <ul>
 *   <li>{@code health}: grpc.health.v1 Check on the same server: the transport's ceiling.
 *   <li>{@code identify}: Identify a random person of the data set by card.
 *   <li>{@code pharmacy-sale}: Identify, Authorize a bill of 1 to 4 drug lines (10 to 100 yuan each)
 *       from the patient's own account, Settle it (one in five for 90% of the total: the rest is released).
 *   <li>{@code mutual-aid-sale}: a patient whose own account is short: CreditAccount 10 to 30 yuan to it
 *       (a contribution landing, its own step, so that the own account is never empty), Identify,
 *       Authorize a bill of what the own account has plus 50 to 300 yuan with mutual aid on, Settle:
 *       one leg on the own account and one or more on relatives. The report counts sales by number
 *       of account legs. Patients are taken in turn.
 *   <li>{@code cancel}: Authorize, then Cancel. {@code refund}: Authorize, Settle, then Refund.
 *   <li>{@code duplicate}: Authorize and Settle where, for a share ({@code --duplicate-share}) of the
 *       requests, the same request is sent twice with the same id: half of them at once (concurrently),
 *       half after the first reply.
 *   <li>{@code hospital-discharge}: at the hospital's terminals, Identify, Authorize an inpatient bill of
 *       20 to 80 lines (drugs, services, consumables, one in ten out of policy scope: cash), 2,000 to
 *       20,000 yuan in all, with mutual aid on, then Settle. Large bills: own account first, relatives
 *       next, cash for the rest (patients who already paid large bills pay mostly cash).
 *   <li>{@code wallet-sale}: across provinces: a resident-insured patient (no account of their own) at a
 *       pharmacy in another province, paying from the quota a relative assigned to their wallet:
 *       Identify, Authorize 10 to 100 yuan with mutual aid on, Settle. Patients are taken in turn.
 *   <li>{@code mixed}: per instance, identify 20%, pharmacy-sale 50%, mutual-aid-sale 10%, cancel 8%,
 *       refund 7%, duplicate 5%: a pharmacy's day, where some patients only ask what they have.
 * </ul>
 *
 * <p>Latency: the first RPC of an instance is timed from the instance's start (in an open loop its
 * <em>intended</em> start, so that a late send counts against the server, not the generator); each
 * later step from its own send, since it can only be sent when the previous reply is in.
 */
final class Scenarios {
  static final List<String> NAMES = List.of("health", "identify", "pharmacy-sale", "mutual-aid-sale", "cancel", "refund",
      "duplicate", "mixed", "hospital-discharge", "wallet-sale");

  private static final String[] MIXED = {"identify", "pharmacy-sale", "mutual-aid-sale", "cancel", "refund", "duplicate"};
  private static final int[] MIXED_WEIGHTS = {20, 50, 10, 8, 7, 5};

  private final Target target;
  private final Workload workload;
  private final Books books;
  private final long seed;
  private final String runId;
  private final double duplicateShare;

  Scenarios(Target target, Workload workload, Books books, long seed, String runId, double duplicateShare) {
    this.target = target;
    this.workload = workload;
    this.books = books;
    this.seed = seed;
    this.runId = runId;
    this.duplicateShare = duplicateShare;
  }

  static void checkName(String scenario) {
    if (!NAMES.contains(scenario)) {
      throw new IllegalArgumentException("--scenario: " + scenario + " (expected one of " + NAMES + ")");
    }
  }

  /** One running instance of a scenario. */
  private final class Instance {
    final long index;
    final long startNanos;
    final Stats stats;
    final SplittableRandom random;
    final Terminal terminal;
    String scenario;
    private boolean started;
    /** The instance's sale and credit in the books, filed when the instance has finished. */
    volatile Books.Sale sale;
    volatile Books.Credit credit;

    Instance(String scenario, long index, long startNanos, Stats stats) {
      this.scenario = scenario;
      this.index = index;
      this.startNanos = startNanos;
      this.stats = stats;
      this.random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
      this.terminal = scenario.equals("hospital-discharge") ? workload.hospitalTerminal(index)
          : scenario.equals("wallet-sale") ? workload.farTerminal(index) : workload.terminal(index);
    }

    /** The first step is timed from the instance's (intended) start, later ones from their own send. */
    long stepStart() {
      if (!started) {
        started = true;
        return startNanos;
      }
      return System.nanoTime();
    }

    String requestId(String step) {
      return "lt-" + runId + "-" + index + "-" + step;
    }
  }

  /**
   * Starts instance {@code index} of {@code scenario}, timed from {@code startNanos}; the future
   * completes (never exceptionally) when its last step has, after recording it in {@code stats}.
   */
  CompletableFuture<Boolean> start(String scenario, long index, long startNanos, Stats stats) {
    Instance in = new Instance(scenario, index, startNanos, stats);
    if (scenario.equals("mixed")) {
      int pick = in.random.nextInt(100);
      int i = 0;
      for (int acc = MIXED_WEIGHTS[0]; pick >= acc; acc += MIXED_WEIGHTS[++i]) {
        // Walks the cumulative weights.
      }
      in.scenario = MIXED[i];
    }
    CompletableFuture<?> chain;
    try {
      chain = switch (in.scenario) {
        case "health" -> step(in, "check", HealthGrpc.getCheckMethod(), HealthCheckRequest.newBuilder().setService("").build());
        case "identify" -> identify(in, workload.anyone(in.random));
        case "pharmacy-sale" -> pharmacySale(in);
        case "mutual-aid-sale" -> mutualAidSale(in);
        case "cancel" -> cancel(in);
        case "refund" -> refund(in);
        case "duplicate" -> duplicate(in);
        case "hospital-discharge" -> hospitalDischarge(in);
        case "wallet-sale" -> walletSale(in);
        default -> throw new IllegalArgumentException("scenario: " + in.scenario);
      };
    } catch (RuntimeException e) {
      chain = CompletableFuture.failedFuture(e);
    }
    return chain.handle((r, e) -> {
      // Every request of the instance has been answered or has failed: its record is complete.
      books.file(in.sale);
      books.file(in.credit);
      in.stats.scenario(in.scenario, (System.nanoTime() - in.startNanos) / 1000, e == null);
      return e == null;
    });
  }

  private <Q, R> CompletableFuture<R> step(Instance in, String step, MethodDescriptor<Q, R> method, Q request) {
    long start = in.stepStart();
    String stepName = in.scenario + "/" + step;
    long busySince = in.stats.sent(System.nanoTime());
    return target.call(method, request).whenComplete((r, e) -> {
      long now = System.nanoTime();
      in.stats.rpc(method.getBareMethodName(), stepName, (now - start) / 1000, e);
      in.stats.spanned(start, now);
      in.stats.replied(busySince, now, e == null || Target.status(e).getCode() != Status.Code.DEADLINE_EXCEEDED);
    });
  }

  private CompletableFuture<IdentifyResponse> identify(Instance in, Workload.Person p) {
    return step(in, "identify", SettlementServiceGrpc.getIdentifyMethod(), IdentifyRequest.newBuilder()
        .setTerminal(in.terminal).setCredential(card(p)).build());
  }

  private CompletableFuture<SettleResponse> pharmacySale(Instance in) {
    Workload.Person p = workload.payer(in.random);
    long totalFen = bill(in.random);
    boolean partial = in.random.nextInt(5) == 0;
    return identify(in, p)
        .thenCompose(id -> authorize(in, p, totalFen, false, false))
        .thenCompose(sale -> settle(in, sale, partial ? totalFen * 9 / 10 : -1, false));
  }

  private CompletableFuture<SettleResponse> mutualAidSale(Instance in) {
    Workload.Person p = workload.shortPatient(in.index);
    long extraFen = 5_000 + in.random.nextLong(25_001);
    Books.Credit credit = books.newCredit(p, 1_000 + in.random.nextLong(2_001), in.requestId("k"));
    in.credit = credit;
    CreditAccountRequest creditRequest = CreditAccountRequest.newBuilder().setRequestId(credit.request.requestId)
        .setPsnNo(p.psnNo()).setAmountFen(credit.amountFen).build();
    return step(in, "credit", AdminServiceGrpc.getCreditAccountMethod(), creditRequest)
        .whenComplete((a, e) -> {
          if (e == null) {
            credit.request.acknowledged("", null);
          } else {
            credit.request.failed(e);
          }
        })
        .thenCompose(a -> identify(in, p))
        .thenCompose(id -> authorize(in, p, id.getAvailableFen() + extraFen, true, false))
        .thenCompose(sale -> {
          long legs = accountLegs(sale.authorize.breakdowns().get(0).getLegsList());
          in.stats.count("mutual-aid-sale account legs=" + legs);
          return settle(in, sale, -1, false);
        });
  }

  private CompletableFuture<?> cancel(Instance in) {
    Workload.Person p = workload.payer(in.random);
    return authorize(in, p, bill(in.random), false, false).thenCompose(sale -> {
      Books.Request r = new Books.Request(in.requestId("c"));
      sale.cancel = r;
      CancelRequest req = CancelRequest.newBuilder().setRequestId(r.requestId).setTerminal(in.terminal)
          .setTransactionId(sale.transactionId()).build();
      return step(in, "cancel", SettlementServiceGrpc.getCancelMethod(), req)
          .whenComplete((reply, e) -> {
            if (e == null) {
              r.acknowledged(reply.getTransactionId(), null);
            } else {
              r.failed(e);
            }
          });
    });
  }

  private CompletableFuture<?> refund(Instance in) {
    Workload.Person p = workload.payer(in.random);
    long totalFen = bill(in.random);
    return authorize(in, p, totalFen, false, false)
        .thenCompose(sale -> settle(in, sale, -1, false).thenCompose(settled -> {
          Books.Request r = new Books.Request(in.requestId("r"));
          sale.refund = r;
          RefundRequest req = RefundRequest.newBuilder().setRequestId(r.requestId).setTerminal(in.terminal)
              .setTransactionId(sale.transactionId()).build();
          return step(in, "refund", SettlementServiceGrpc.getRefundMethod(), req)
              .whenComplete((reply, e) -> {
                if (e == null) {
                  r.acknowledged(reply.getTransactionId(), reply.getBreakdown());
                } else {
                  r.failed(e);
                }
              });
        }));
  }

  private CompletableFuture<SettleResponse> duplicate(Instance in) {
    Workload.Person p = workload.payer(in.random);
    return authorize(in, p, bill(in.random), false, true).thenCompose(sale -> settle(in, sale, -1, true));
  }

  private CompletableFuture<SettleResponse> hospitalDischarge(Instance in) {
    Workload.Person p = workload.payer(in.random);
    int lines = 20 + in.random.nextInt(61);
    long totalFen = 200_000 + in.random.nextLong(1_800_001);
    AuthorizeRequest.Builder req = AuthorizeRequest.newBuilder().setMedicalType(MedicalType.MEDICAL_TYPE_INPATIENT);
    ItemCategory[] kinds = {ItemCategory.ITEM_CATEGORY_DRUG, ItemCategory.ITEM_CATEGORY_MEDICAL_SERVICE,
        ItemCategory.ITEM_CATEGORY_MEDICAL_CONSUMABLE};
    long left = totalFen;
    for (int line = 1; line <= lines; line++) {
      long amount = line == lines ? left : Math.max(1, left / (lines - line + 1) + in.random.nextLong(2_001) - 1_000);
      amount = Math.min(amount, left - (lines - line));
      req.addItems(LineItem.newBuilder().setCode("ZY" + (10_000 + in.random.nextInt(90_000))).setName("住院项目")
          .setCategory(kinds[in.random.nextInt(kinds.length)]).setInPolicyScope(in.random.nextInt(10) != 0)
          .setQuantity(1 + in.random.nextInt(5)).setAmountFen(amount));
      left -= amount;
    }
    return identify(in, p)
        .thenCompose(id -> authorize(in, p, req, true, false))
        .thenCompose(sale -> settle(in, sale, -1, false));
  }

  private CompletableFuture<SettleResponse> walletSale(Instance in) {
    Workload.Person p = workload.walletPatient(in.index);
    long totalFen = 1_000 + in.random.nextLong(9_001);
    return identify(in, p)
        .thenCompose(id -> authorize(in, p, totalFen, true, false))
        .thenCompose(sale -> {
          boolean fromWallet = sale.authorize.breakdowns().get(0).getLegsList().stream()
              .anyMatch(l -> l.getSource() == FundSource.FUND_SOURCE_WALLET && l.getAmountFen() > 0);
          in.stats.count("wallet-sale " + (fromWallet ? "paid from the wallet" : "without wallet quota"));
          return settle(in, sale, -1, false);
        });
  }

  /** Authorizes a pharmacy bill of {@code totalFen} for {@code p}; the future holds the sale, acknowledged. */
  private CompletableFuture<Books.Sale> authorize(Instance in, Workload.Person p, long totalFen, boolean mutualAid,
      boolean duplicates) {
    AuthorizeRequest.Builder req = AuthorizeRequest.newBuilder().setMedicalType(MedicalType.MEDICAL_TYPE_PHARMACY);
    long left = totalFen;
    for (int line = 1; left > 0; line++) {
      long amount = left > 10_000 && line < 200 ? Math.min(left, 1_000 + in.random.nextLong(9_001)) : left;
      req.addItems(LineItem.newBuilder().setCode("YP" + (10_000 + in.random.nextInt(90_000))).setName("药品")
          .setCategory(ItemCategory.ITEM_CATEGORY_DRUG).setInPolicyScope(true).setQuantity(1).setAmountFen(amount));
      left -= amount;
    }
    return authorize(in, p, req, mutualAid, duplicates);
  }

  /** Authorizes the bill in {@code req} for {@code p}; the future holds the sale, acknowledged. */
  private CompletableFuture<Books.Sale> authorize(Instance in, Workload.Person p, AuthorizeRequest.Builder req,
      boolean mutualAid, boolean duplicates) {
    if (in.sale != null) {
      throw new IllegalStateException("instance " + in.index + " of " + in.scenario + ": a second sale");
    }
    Books.Sale sale = books.newSale(p, in.terminal, in.requestId("a"));
    in.sale = sale;
    AuthorizeRequest request = req.setRequestId(sale.authorize.requestId).setTerminal(in.terminal).setCredential(card(p))
        .setSkipMutualAid(!mutualAid).build();
    return send(in, "authorize", SettlementServiceGrpc.getAuthorizeMethod(), request, duplicates,
        (AuthorizeResponse r, Throwable e) -> {
          if (e == null) {
            sale.authorize.acknowledged(r.getTransactionId(), r.getBreakdown());
          } else {
            sale.authorize.failed(e);
          }
        }).thenApply(r -> sale);
  }

  /** Settles a sale for {@code finalTotalFen} (below 0: the authorized total). */
  private CompletableFuture<SettleResponse> settle(Instance in, Books.Sale sale, long finalTotalFen, boolean duplicates) {
    Books.Request r = new Books.Request(in.requestId("s"));
    sale.settle = r;
    SettleRequest.Builder req = SettleRequest.newBuilder().setRequestId(r.requestId).setTerminal(in.terminal)
        .setTransactionId(sale.transactionId());
    if (finalTotalFen >= 0) {
      req.setFinalTotalFen(finalTotalFen);
    }
    return send(in, "settle", SettlementServiceGrpc.getSettleMethod(), req.build(), duplicates,
        (SettleResponse reply, Throwable e) -> {
          if (e == null) {
            r.acknowledged(reply.getTransactionId(), reply.getBreakdown());
          } else {
            r.failed(e);
          }
        });
  }

  /**
   * Sends one request, recording every reply with {@code record}; with {@code duplicates}, a share of
   * requests is sent a second time with the same id, at once or after the first reply. The future
   * has the first acknowledged reply, or fails when none acknowledged.
   */
  private <Q, R> CompletableFuture<R> send(Instance in, String step, MethodDescriptor<Q, R> method, Q request,
      boolean duplicates, BiConsumer<R, Throwable> record) {
    double u = duplicates ? in.random.nextDouble() : 1;
    CompletableFuture<R> first = step(in, step, method, request).whenComplete(record);
    if (u < duplicateShare / 2) {
      in.stats.count("duplicate " + step + " concurrent");
      CompletableFuture<R> second = step(in, step + "-again", method, request).whenComplete(record);
      return firstSuccess(first, second);
    }
    if (u < duplicateShare) {
      in.stats.count("duplicate " + step + " after reply");
      return first.handle((r, e) -> step(in, step + "-again", method, request).whenComplete(record))
          .thenCompose(second -> firstSuccess(first, second));
    }
    return first;
  }

  private static <R> CompletableFuture<R> firstSuccess(CompletableFuture<R> a, CompletableFuture<R> b) {
    return CompletableFuture.allOf(a, b).handle((v, e) -> null).thenCompose(v ->
        !a.isCompletedExceptionally() ? a : b);
  }

  private static long accountLegs(List<PaymentLeg> legs) {
    return legs.stream().filter(l -> l.getSource() != FundSource.FUND_SOURCE_CASH && l.getAmountFen() > 0).count();
  }

  private static Credential card(Workload.Person p) {
    return Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD).setNumber(p.card()).build();
  }

  /** A bill of 1 to 4 lines, 10 to 100 yuan each, in fen. */
  private static long bill(SplittableRandom r) {
    int lines = 1 + r.nextInt(4);
    long total = 0;
    for (int i = 0; i < lines; i++) {
      total += 1_000 + r.nextLong(9_001);
    }
    return total;
  }
}
