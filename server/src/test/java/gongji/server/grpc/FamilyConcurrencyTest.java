package gongji.server.grpc;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.cancel;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.refund;
import static gongji.server.testing.Sales.settle;
import static gongji.server.testing.Sales.terminal;
import static gongji.v1.BindingRole.BINDING_ROLE_AUTHORIZER;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_DRUG;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_MEDICAL_DEVICE;
import static gongji.v1.Relationship.RELATIONSHIP_CHILD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.InProcessGateway;
import gongji.v1.AcceptWalletTransferRequest;
import gongji.v1.Account;
import gongji.v1.AssignWalletQuotaRequest;
import gongji.v1.GetWalletRequest;
import gongji.v1.ListWalletTransfersRequest;
import gongji.v1.OpenWalletRequest;
import gongji.v1.Wallet;
import gongji.v1.WalletTransfer;
import gongji.v1.AuthorizeRequest;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Binding;
import gongji.v1.Breakdown;
import gongji.v1.FundSource;
import gongji.v1.ListReconcileDetailsRequest;
import gongji.v1.ListReconcileDetailsResponse;
import gongji.v1.PaymentLeg;
import gongji.v1.ReconcileDetail;
import gongji.v1.ReconcileRequest;
import gongji.v1.ReconcileResponse;
import gongji.v1.RefundResponse;
import gongji.v1.RegionPolicy;
import gongji.v1.SettleRequest;
import gongji.v1.SettleResponse;
import gongji.v1.Terminal;
import gongji.v1.UsageRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Many relatives drawing on one authorizer's account at the same moment, through 40 client threads
 * on the in-process server: each relative is served at a pharmacy and at a hospital at once (two
 * clients per binding), and each client keeps up to three authorizations open before it settles
 * (sometimes for less, sometimes twice with the same request id), cancels or refunds them, in a
 * loop bounded by count.
 *
 * <p>The authorizer's shareable money (balance above the retained floor) and every beneficiary's
 * quota are far smaller than what the relatives ask for, so the holds contend for the same fen.
 * Afterwards the invariants are checked against what the clients were told: the floor held, the
 * authorizer's balance fell by exactly the acknowledged mutual aid, no quota was exceeded, every
 * acknowledged settlement and refund appears exactly once in reconciliation and usage records, and
 * the ledger audit is clean. The seed (system property {@code gongji.family.seed}) is printed in
 * every failure; it fixes each client's choices, not the interleaving.
 */
class FamilyConcurrencyTest {
  private static final int CLIENTS = 40;
  private static final int BENEFICIARIES = CLIENTS / 2;
  private static final int SALES_PER_CLIENT = 25;
  private static final int MAX_OPEN_PER_CLIENT = 3;
  private static final int TERMINALS = 4;
  private static final long AUTHORIZER_START_FEN = 1_000_000;
  private static final long FLOOR_FEN = 200_000;
  /** Twenty quotas add up to more than the 800,000 fen above the floor: both limits bind. */
  private static final long QUOTA_FEN = 50_000;
  private static final String REGION = "620100";
  private static final String PHARMACY = "P62010200017";
  private static final String HOSPITAL = "H62010200001";
  private static final List<String> INSTITUTIONS = List.of(PHARMACY, HOSPITAL);
  private static final String AUTHORIZER = "A0";
  private static final String DAY = "2026-03-02";

  /** Quota each relative accepts into their wallet before the run. */
  private static final long WALLET_FEN = 20_000;

  private final long seed = Long.getLong("gongji.family.seed", 20260302L);
  private final java.util.concurrent.atomic.AtomicInteger transfersMade = new java.util.concurrent.atomic.AtomicInteger();
  private boolean withWallet;
  private InProcessGateway gw;

  @BeforeEach
  void startGateway() throws Exception {
    gw = InProcessGateway.start();
    gw.policy(RegionPolicy.newBuilder().setAdmdvs(REGION).setName("兰州市").setRetainedFloorFen(FLOOR_FEN)
        .setExtendedRelativesAllowed(true).setQuotaAllowed(true).setCrossProvinceEnabled(true)
        .setHoldTtlSeconds(1800).build());
    String[] terminals = new String[TERMINALS];
    for (int t = 0; t < TERMINALS; t++) {
      terminals[t] = "POS" + t;
    }
    gw.institution(PHARMACY, terminals);
    gw.institution(HOSPITAL, terminals);
  }

  @AfterEach
  void auditAndClose() throws Exception {
    try {
      assertEquals(List.of(), gw.audit(), "ledger audit, seed " + seed);
    } finally {
      gw.close();
    }
  }

  @Test
  void settle_manyBeneficiariesDrawOnOneAuthorizerAtOnce_floorQuotasAndAcknowledgementsHold() throws Exception {
    run(false);
  }

  /**
   * The same, with wallet quota: before the clients start each relative accepts a wallet transfer
   * from the authorizer, and while they buy the authorizer assigns more (earmarks contending with
   * the sales' holds for the same fen). Wallet legs count as the relative's mutual aid.
   */
  @Test
  void settle_walletQuotaAndDirectMutualAidAtOnce_floorQuotasEarmarksAndAcknowledgementsHold() throws Exception {
    run(true);
  }

  private void run(boolean withWallet) throws Exception {
    this.withWallet = withWallet;
    gw.employee(AUTHORIZER, "张伟", REGION, "SSC-" + AUTHORIZER);
    gw.credit(AUTHORIZER, AUTHORIZER_START_FEN);
    Map<String, String> bindingOf = new HashMap<>();
    for (int i = 0; i < BENEFICIARIES; i++) {
      String psnNo = "B" + i;
      gw.resident(psnNo, "亲属" + i, REGION, "SSC-" + psnNo);
      bindingOf.put(psnNo, gw.bind(AUTHORIZER, psnNo, RELATIONSHIP_CHILD, QUOTA_FEN));
      if (withWallet) {
        gw.family().openWallet(OpenWalletRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setPsnNo(psnNo).build());
        assignAndAccept(psnNo, WALLET_FEN);
      }
    }

    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean clientsDone = new AtomicBoolean();
    List<Future<Client>> clients = new ArrayList<>();
    try {
      Future<List<String>> watcher = pool.submit(() -> watchTheFloor(start, clientsDone));
      Future<Integer> assigner = pool.submit(() -> withWallet ? assignWhileTheyBuy(start) : 0);
      for (int i = 0; i < CLIENTS; i++) {
        String psnNo = "B" + (i % BENEFICIARIES);
        Terminal at = terminal(INSTITUTIONS.get(i / BENEFICIARIES), "POS" + (i % TERMINALS));
        Client c = new Client("C" + i, psnNo, bindingOf.get(psnNo), at, new SplittableRandom(seed * 31 + i));
        clients.add(pool.submit(() -> c.run(start)));
      }
      start.countDown();
      List<Client> done = new ArrayList<>();
      for (Future<Client> f : clients) {
        done.add(f.get(5, TimeUnit.MINUTES));
      }
      clientsDone.set(true);
      List<String> floorViolations = watcher.get(5, TimeUnit.MINUTES);
      assertTrue(!withWallet || assigner.get(5, TimeUnit.MINUTES) > 0, "no wallet transfer during the run, seed " + seed);

      check(done, bindingOf, floorViolations);
    } finally {
      clientsDone.set(true);
      pool.shutdownNow();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
  }

  /** Assigns quota to a relative's wallet and accepts it for them; false if a rule refused it. */
  private boolean assignAndAccept(String psnNo, long amountFen) {
    try {
      WalletTransfer t = gw.family().assignWalletQuota(AssignWalletQuotaRequest.newBuilder()
          .setRequestId("WQ-" + psnNo + "-" + transfersMade.incrementAndGet()).setAuthorizerPsnNo(AUTHORIZER)
          .setBeneficiaryPsnNo(psnNo).setAmountFen(amountFen).build());
      gw.family().acceptWalletTransfer(AcceptWalletTransferRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setTransferId(t.getTransferId())
          .setByPsnNo(psnNo).build());
      return true;
    } catch (io.grpc.StatusRuntimeException e) {
      assertEquals(io.grpc.Status.Code.FAILED_PRECONDITION, e.getStatus().getCode(), e.toString());
      return false;
    }
  }

  /** The authorizer keeps assigning small wallet quotas while the relatives buy (at most 3 a day each). */
  private int assignWhileTheyBuy(CountDownLatch start) throws InterruptedException {
    start.await();
    int made = 0;
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < BENEFICIARIES; i++) {
        made += assignAndAccept("B" + i, 1_000 + 500 * i) ? 1 : 0;
      }
    }
    return made;
  }

  /** Reads the authorizer's account while the clients run; every reading must keep the floor. */
  private List<String> watchTheFloor(CountDownLatch start, AtomicBoolean clientsDone) throws InterruptedException {
    start.await();
    List<String> violations = new ArrayList<>();
    for (int reads = 0; reads < 100_000 && !clientsDone.get(); reads++) {
      Account a = gw.account(AUTHORIZER);
      if (a.getAvailableFen() < FLOOR_FEN || a.getBalanceFen() < FLOOR_FEN) {
        violations.add("read " + reads + ": " + a);
      }
    }
    return violations;
  }

  private void check(List<Client> clients, Map<String, String> bindingOf, List<String> floorViolations) {
    String seedNote = ", seed " + seed;
    Map<String, Long> settledAid = new TreeMap<>();
    Map<String, Long> refundedAid = new TreeMap<>();
    Map<String, Long> usedByBinding = new HashMap<>();
    long settledTotal = 0;
    long cappedAuthorizations = 0;
    for (Client c : clients) {
      for (Map.Entry<String, Long> e : c.settledAid.entrySet()) {
        assertEquals(null, settledAid.put(e.getKey(), e.getValue()), "transaction settled twice: " + e.getKey());
        usedByBinding.merge(c.bindingId, e.getValue(), Long::sum);
      }
      for (Map.Entry<String, Long> e : c.refundedAid.entrySet()) {
        refundedAid.put(e.getKey(), e.getValue());
        usedByBinding.merge(c.bindingId, -e.getValue(), Long::sum);
      }
      settledTotal += c.settledTotalFen;
      cappedAuthorizations += c.cappedAuthorizations;
    }
    long aidOut = settledAid.values().stream().mapToLong(Long::longValue).sum();
    long aidBack = refundedAid.values().stream().mapToLong(Long::longValue).sum();

    // The contention was real: the relatives asked for more than the floor and quotas let them have.
    assertTrue(cappedAuthorizations > 0, "no authorization was capped by the floor or a quota" + seedNote);
    assertTrue(refundedAid.size() > 0 && settledAid.size() > refundedAid.size(), "settles and refunds" + seedNote);

    // The floor held at every reading and at the end; the balance fell by exactly the acknowledged aid.
    assertEquals(List.of(), floorViolations, "readings below the retained floor" + seedNote);
    Account authorizer = gw.account(AUTHORIZER);
    long earmarked = 0;
    Map<String, Long> walletSpentByBinding = new HashMap<>();
    for (String psnNo : bindingOf.keySet()) {
      Wallet w = gw.family().getWallet(GetWalletRequest.newBuilder().setPsnNo(psnNo).build());
      earmarked += w.getAvailableFen();
      assertEquals(0, w.getPendingFen(), "pending in " + w + seedNote);
      for (WalletTransfer t : gw.family().listWalletTransfers(ListWalletTransfersRequest.newBuilder().setPsnNo(psnNo)
          .setRole(gongji.v1.BindingRole.BINDING_ROLE_BENEFICIARY).setPageSize(100).build()).getTransfersList()) {
        walletSpentByBinding.merge(t.getBindingId(), t.getSpentFen(), Long::sum);
      }
    }
    assertTrue(!withWallet || walletSpentByBinding.values().stream().mapToLong(Long::longValue).sum() > 0,
        "nothing was spent from a wallet" + seedNote);
    assertEquals(earmarked, authorizer.getHeldFen(), "held after every sale was closed: the unspent wallet quota"
        + seedNote);
    assertTrue(authorizer.getBalanceFen() >= FLOOR_FEN, "final balance " + authorizer.getBalanceFen() + seedNote);
    assertEquals(AUTHORIZER_START_FEN - authorizer.getBalanceFen(), aidOut - aidBack,
        "the authorizer's balance drop vs the acknowledged mutual aid (settled less refunded)" + seedNote);

    // No binding over its quota; each binding's use is exactly what its beneficiary was told.
    List<Binding> bindings = gw.bindings(AUTHORIZER, BINDING_ROLE_AUTHORIZER, 7);
    assertEquals(BENEFICIARIES, bindings.size());
    for (Binding b : bindings) {
      assertTrue(b.getUsedFen() + b.getWalletFen() <= b.getQuotaFen(), "binding over quota: " + b + seedNote);
      assertEquals(usedByBinding.getOrDefault(b.getBindingId(), 0L),
          b.getUsedFen() + walletSpentByBinding.getOrDefault(b.getBindingId(), 0L),
          "used and spent from the wallet through " + b.getBindingId() + seedNote);
    }
    assertEquals(bindingOf.size(), bindings.stream().map(Binding::getBindingId).distinct().count());

    // Every acknowledged settlement and refund is in the day's reconciliation exactly once.
    List<ReconcileDetail> details = new ArrayList<>();
    long[] totals = new long[6];
    for (String institution : INSTITUTIONS) {
      String token = "";
      do {
        ListReconcileDetailsResponse page = gw.admin().listReconcileDetails(ListReconcileDetailsRequest.newBuilder()
            .setFixmedinsCode(institution).setDate(InProcessGateway.date(DAY)).setPageSize(97).setPageToken(token).build());
        details.addAll(page.getDetailsList());
        token = page.getNextPageToken();
      } while (!token.isEmpty());
      ReconcileResponse day = gw.admin().reconcile(
          ReconcileRequest.newBuilder().setFixmedinsCode(institution).setDate(InProcessGateway.date(DAY)).build());
      totals[0] += day.getSettlements().getCount();
      totals[1] += day.getSettlements().getTotalFen();
      totals[2] += day.getSettlements().getAccountPayFen();
      totals[3] += day.getSettlements().getMutualAidPayFen();
      totals[4] += day.getRefunds().getCount();
      totals[5] += day.getRefunds().getMutualAidPayFen();
    }
    assertEquals(settledAid, aidByTransaction(details, "SETTLED"), "settled lines of the day" + seedNote);
    assertEquals(refundedAid, aidByTransaction(details, "REFUNDED"), "refunded lines of the day" + seedNote);
    assertEquals(settledAid.size() + refundedAid.size(), details.size(), "no other lines" + seedNote);
    assertEquals(List.of((long) settledAid.size(), settledTotal, 0L, aidOut, (long) refundedAid.size(), aidBack),
        Arrays.stream(totals).boxed().toList(),
        "day totals: settlements, their total, own account, mutual aid; refunds, their mutual aid" + seedNote);

    // The usage records show each draw and each return once.
    List<UsageRecord> usage = gw.usage(AUTHORIZER, BINDING_ROLE_AUTHORIZER, 0, 0, 333);
    assertEquals(withoutZeros(settledAid), usageByTransaction(usage, "SETTLED", 1), "usage: draws" + seedNote);
    assertEquals(withoutZeros(refundedAid), usageByTransaction(usage, "REFUNDED", -1), "usage: returns" + seedNote);
  }

  private static Map<String, Long> aidByTransaction(List<ReconcileDetail> details, String kind) {
    Map<String, Long> out = new TreeMap<>();
    for (ReconcileDetail d : details) {
      if (d.getKind().equals(kind)) {
        assertEquals(null, out.put(d.getTransactionId(), d.getMutualAidPayFen()),
            kind + " twice: " + d.getTransactionId());
      }
    }
    return out;
  }

  private static Map<String, Long> usageByTransaction(List<UsageRecord> usage, String kind, int sign) {
    Map<String, Long> out = new TreeMap<>();
    for (UsageRecord u : usage) {
      if (u.getKind().equals(kind)) {
        assertEquals(null, out.put(u.getTransactionId(), sign * u.getAmountFen()), kind + " twice: " + u);
      }
    }
    return out;
  }

  private static Map<String, Long> withoutZeros(Map<String, Long> m) {
    Map<String, Long> out = new TreeMap<>(m);
    out.values().removeIf(v -> v == 0);
    return out;
  }

  /** One relative at one counter: their sales there, and what they were told. */
  private final class Client {
    final String name;
    final String psnNo;
    final String bindingId;
    final Terminal terminal;
    final SplittableRandom random;
    /** Acknowledged settlements: transaction id to mutual aid paid. */
    final Map<String, Long> settledAid = new HashMap<>();
    /** Acknowledged refunds: transaction id to mutual aid returned. */
    final Map<String, Long> refundedAid = new HashMap<>();
    long settledTotalFen;
    long cappedAuthorizations;

    Client(String name, String psnNo, String bindingId, Terminal terminal, SplittableRandom random) {
      this.name = name;
      this.psnNo = psnNo;
      this.bindingId = bindingId;
      this.terminal = terminal;
      this.random = random;
    }

    Client run(CountDownLatch start) throws InterruptedException {
      start.await();
      List<String> refundable = new ArrayList<>();
      int k = 0;
      while (k < SALES_PER_CLIENT) {
        // Open a few authorizations at once: their holds overlap with each other and with the other counter's.
        List<AuthorizeResponse> open = new ArrayList<>();
        for (int n = 1 + random.nextInt(MAX_OPEN_PER_CLIENT); n > 0 && k < SALES_PER_CLIENT; n--, k++) {
          long inScopeFen = 500 + random.nextInt(5_500);
          AuthorizeRequest.Builder req = authorize(name + "-" + k, terminal, card("SSC-" + psnNo),
              item(random.nextBoolean() ? ITEM_CATEGORY_DRUG : ITEM_CATEGORY_MEDICAL_DEVICE, inScopeFen));
          if (random.nextInt(4) == 0) {
            req.addItems(item(ITEM_CATEGORY_DRUG, 100 + random.nextInt(900), false));
          }
          AuthorizeResponse a = gw.settlement().authorize(req.build());
          assertEquals(inScopeFen, a.getBreakdown().getInScopeFen(), "in scope: " + a);
          if (aid(a.getBreakdown()) < inScopeFen) {
            cappedAuthorizations++;
          }
          open.add(a);
        }
        for (AuthorizeResponse a : open) {
          String id = a.getRequestId();
          int choice = random.nextInt(100);
          if (choice < 15) {
            gw.settlement().cancel(cancel(id + "-C", terminal, a.getTransactionId()));
            continue;
          }
          long total = a.getBreakdown().getTotalFen();
          SettleRequest s = choice < 35
              ? settle(id + "-S", terminal, a.getTransactionId(), 1 + random.nextLong(total))
              : settle(id + "-S", terminal, a.getTransactionId());
          SettleResponse settled = gw.settlement().settle(s);
          if (random.nextInt(10) == 0) {
            assertEquals(settled, gw.settlement().settle(s), "a resent settle returns the first answer");
          }
          settledAid.put(settled.getTransactionId(), aid(settled.getBreakdown()));
          settledTotalFen += settled.getBreakdown().getTotalFen();
          refundable.add(settled.getTransactionId());
        }
        if (!refundable.isEmpty() && random.nextInt(4) == 0) {
          String txn = refundable.remove(random.nextInt(refundable.size()));
          RefundResponse r = gw.settlement().refund(refund(name + "-R" + k, terminal, txn));
          assertEquals(settledAid.get(txn), aid(r.getBreakdown()), "a refund returns what was drawn: " + r);
          refundedAid.put(txn, aid(r.getBreakdown()));
        }
      }
      return this;
    }

    /** The mutual aid of a split; every leg of it must be this client's own binding. */
    private long aid(Breakdown b) {
      long sum = 0;
      for (PaymentLeg leg : b.getLegsList()) {
        if (leg.getSource() == FundSource.FUND_SOURCE_MUTUAL_AID || leg.getSource() == FundSource.FUND_SOURCE_WALLET) {
          assertEquals(bindingId, leg.getBindingId(), "leg of another binding: " + b);
          sum += leg.getAmountFen();
        }
        assertTrue(leg.getSource() != FundSource.FUND_SOURCE_OWN_ACCOUNT, "a resident has no account: " + b);
      }
      assertEquals(b.getMutualAidPayFen(), sum, "mutual_aid_pay_fen vs its legs: " + b);
      return sum;
    }
  }
}
