package gongji.client;

import static gongji.client.Fixtures.LI_NA;
import static gongji.client.Fixtures.LI_NA_SPLIT;
import static gongji.client.Fixtures.POS;
import static gongji.client.Fixtures.ZHAO_LEI;
import static gongji.client.Fixtures.amounts;
import static gongji.client.Fixtures.basket;
import static gongji.client.Fixtures.cashOnly;
import static gongji.client.Fixtures.legs;
import static gongji.client.Fixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.testing.CallRecorder;
import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.v1.Account;
import gongji.v1.AuthorizeRequest;
import gongji.v1.CancelRequest;
import gongji.v1.SettleRequest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every call of {@link GongjiClient}, blocking and async, against the real service on an
 * in-process server loaded with the demo data. Every test ends with a ledger audit.
 */
class GongjiClientTest {
  private static final long HOLD_TTL_MILLIS = 1_800_000;

  private TestGateway gateway;
  private CallRecorder recorder;
  private GongjiClient client;

  @BeforeEach
  void start() throws Exception {
    gateway = TestGateway.inProcess();
    recorder = new CallRecorder();
    client = GongjiClient.create(options(POS).build(), gateway.channelBuilder().intercept(recorder));
  }

  @AfterEach
  void auditAndClose() throws Exception {
    try {
      client.close();
      assertEquals(List.of(), gateway.audit(), "ledger audit after the test");
    } finally {
      gateway.close();
    }
  }

  // ---- identify -------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void identify_liNa_ownBalanceAndFamilyFundsInDrawingOrder(Form form) {
    Identity who = form.identify(client, LI_NA);

    assertEquals(DemoData.LI_NA, who.psnNo());
    assertEquals("EMPLOYEE_BASIC", who.insuranceType());
    assertEquals("NORMAL", who.status());
    assertEquals("620100", who.admdvs());
    assertTrue(who.hasPersonalAccount());
    assertEquals(3_000, who.balanceFen());
    assertEquals(3_000, who.availableFen());
    assertFalse(who.nameMasked().contains("李娜"), who.nameMasked());
    List<String> sources = new ArrayList<>();
    for (Identity.AidSource s : who.aidSources()) {
      sources.add(s.bindingId() + " " + s.relationship() + " " + s.availableFen());
      assertFalse(s.authorizerMasked().isEmpty());
    }
    assertEquals(List.of("B1 SPOUSE 10000", "B2 PARENT 10000"), sources);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void identify_residentFather_noAccountButHisSonsFunds(Form form) {
    Identity who = form.identify(client, Credential.card("SSC-ZHANGJIANGUO"));

    assertEquals(DemoData.ZHANG_JIANGUO, who.psnNo());
    assertEquals("RESIDENT_BASIC", who.insuranceType());
    assertFalse(who.hasPersonalAccount());
    assertEquals(0, who.balanceFen());
    assertEquals(1, who.aidSources().size());
    assertEquals("CHILD", who.aidSources().get(0).relationship());
    assertEquals(500_000, who.aidSources().get(0).availableFen());
  }

  // ---- authorize ------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void authorize_liNa_ownAccountThenFamilyThenCashHeld(Form form) {
    Sale sale = form.authorize(client, basket(LI_NA).build());

    assertEquals(Sale.State.AUTHORIZED, sale.state());
    assertTrue(sale.transactionId().matches("T[0-9A-Z]+"), sale.transactionId());
    assertEquals(30, sale.requestId().length(), sale.requestId());
    assertEquals(LI_NA_SPLIT, legs(sale.split()));
    assertEquals(List.of(37_000L, 3_000L, 20_000L, 14_000L), amounts(sale.split()));
    assertEquals(35_000, sale.split().inScopeFen());
    assertEquals(0, sale.split().balanceAfterFen());
    assertEquals(gateway.clock().millis() + HOLD_TTL_MILLIS, sale.expireTimeMillis());
    assertHeld(3_000, 10_000, 10_000);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void authorize_withItsOwnRequestId_sameIdSameContentReturnsTheSameSaleHeldOnce(Form form) {
    String id = client.newRequestId();
    SaleRequest request = basket(LI_NA).requestId(id).build();

    Sale first = form.authorize(client, request);
    Sale again = form.authorize(client, request);

    assertEquals(id, first.requestId());
    assertEquals(first.transactionId(), again.transactionId());
    assertEquals(legs(first.split()), legs(again.split()));
    assertHeld(3_000, 10_000, 10_000);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void authorize_noAccountNoMutualAid_allCash(Form form) {
    Sale sale = form.authorize(client, basket(LI_NA).useMutualAid(false).build());
    Sale cash = form.authorize(client, basket(LI_NA).usePersonalAccount(false).build());

    assertEquals(List.of("OWN_ACCOUNT 3000", "CASH 34000"), legs(sale.split()));
    assertEquals(List.of("CASH 37000"), legs(cash.split()));
  }

  // ---- settle ---------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void settle_authorizedTotal_paysTheHeldSplit(Form form) {
    Sale held = client.authorize(basket(LI_NA).build());

    Sale paid = form.settle(client, held.transactionId());

    assertEquals(Sale.State.SETTLED, paid.state());
    assertEquals(held.transactionId(), paid.transactionId());
    assertEquals(30, paid.requestId().length());
    assertFalse(paid.requestId().equals(held.requestId()), "a settle has its own request id");
    assertEquals(LI_NA_SPLIT, legs(paid.split()));
    assertBalances(0, 490_000, 200_000);
    assertHeld(0, 0, 0);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void settle_lowerFinalTotal_takesMutualAidOffLastBoundFirst(Form form) {
    Sale held = client.authorize(basket(LI_NA).build());

    // 370 -> 220 yuan: 150 less comes off the mother (100), then the husband (50); cash stays.
    Sale paid = form.settle(client, held.transactionId(), 22_000);

    assertEquals(Sale.State.SETTLED, paid.state());
    assertEquals(List.of(22_000L, 3_000L, 5_000L, 14_000L), amounts(paid.split()));
    assertEquals(List.of("OWN_ACCOUNT 3000", "MUTUAL_AID B1 5000", "CASH 14000"), legs(paid.split()));
    assertBalances(0, 495_000, 210_000);
    assertHeld(0, 0, 0);
  }

  // ---- cancel, refund, reverse ----------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void cancel_authorized_releasesEveryHold(Form form) {
    Sale held = client.authorize(basket(LI_NA).build());

    Sale cancelled = form.cancel(client, held.transactionId());

    assertEquals(Sale.State.CANCELLED, cancelled.state());
    assertEquals(held.transactionId(), cancelled.transactionId());
    assertEquals(3_000, cancelled.split().balanceAfterFen());
    assertHeld(0, 0, 0);
    assertBalances(3_000, 500_000, 210_000);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void refund_settled_returnsEachFenWhereItCameFrom(Form form) {
    Sale held = client.authorize(basket(LI_NA).build());
    client.settle(held.transactionId());

    Sale refunded = form.refund(client, held.transactionId());

    assertEquals(Sale.State.REFUNDED, refunded.state());
    assertEquals(LI_NA_SPLIT, legs(refunded.split()));
    assertEquals(3_000, refunded.split().balanceAfterFen());
    assertBalances(3_000, 500_000, 210_000);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void reverse_appliedSettle_returnsTheMoneyAndCancelsTheSale(Form form) {
    Sale held = client.authorize(basket(LI_NA).build());
    Sale paid = client.settle(held.transactionId());

    Reversal reversal = form.reverse(client, paid.requestId());

    assertEquals(Reversal.Outcome.REVERSED, reversal.outcome());
    assertEquals(paid.requestId(), reversal.originalRequestId());
    assertEquals(held.transactionId(), reversal.transactionId());
    assertEquals(Sale.State.CANCELLED, client.getTransaction(held.transactionId()).state());
    assertBalances(3_000, 500_000, 210_000);
    assertHeld(0, 0, 0);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void reverse_neverSent_notReceivedAndTheIdIsRefusedLater(Form form) {
    String id = client.newRequestId();

    Reversal reversal = form.reverse(client, id);
    Reversal again = form.reverse(client, id);
    GongjiRejectedException late = assertThrows(GongjiRejectedException.class,
        () -> form.authorize(client, basket(LI_NA).requestId(id).build()));

    assertEquals(Reversal.Outcome.NOT_RECEIVED, reversal.outcome());
    assertEquals("", reversal.transactionId());
    assertEquals(Reversal.Outcome.NOT_RECEIVED, again.outcome());
    assertEquals(RejectionReason.REQUEST_ID_REVERSED, late.reason());
    assertHeld(0, 0, 0);
  }

  // ---- getTransaction -------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void getTransaction_throughItsLife_authorizedSplitThenSettledSplit(Form form) {
    Sale held = client.authorize(basket(LI_NA).build());
    Sale authorized = form.getTransaction(client, held.transactionId());
    client.settle(held.transactionId(), 22_000);

    Sale settled = form.getTransaction(client, held.transactionId());

    assertEquals(Sale.State.AUTHORIZED, authorized.state());
    assertEquals("", authorized.requestId());
    assertEquals(LI_NA_SPLIT, legs(authorized.split()));
    assertEquals(held.expireTimeMillis(), authorized.expireTimeMillis());
    assertEquals(Sale.State.SETTLED, settled.state());
    assertEquals(List.of(22_000L, 3_000L, 5_000L, 14_000L), amounts(settled.split()));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void getTransaction_holdsPastTheirTime_expiredAndSettleRefused(Form form) {
    Sale held = client.authorize(basket(LI_NA).build());

    gateway.clock().advance(Duration.ofMillis(HOLD_TTL_MILLIS));

    assertEquals(Sale.State.EXPIRED, form.getTransaction(client, held.transactionId()).state());
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> form.settle(client, held.transactionId()));
    assertEquals(RejectionReason.TRANSACTION_STATE_CONFLICT, e.reason());
    assertHeld(0, 0, 0);
  }

  // ---- request ids ----------------------------------------------------------------------------

  @Test
  void requestIds_ofManyCalls_msgidFormDistinctAndSentAsGiven() {
    ZoneId beijing = ZoneId.of("Asia/Shanghai");
    LocalDateTime before = LocalDateTime.now(beijing).withNano(0);
    List<String> returned = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      Sale sale = client.authorize(cashOnly(ZHAO_LEI, 100 + i).build());
      returned.add(sale.requestId());
      returned.add(i % 2 == 0 ? client.settle(sale.transactionId()).requestId()
          : client.cancel(sale.transactionId()).requestId());
    }
    LocalDateTime after = LocalDateTime.now(beijing).withNano(0);

    List<String> sent = new ArrayList<>();
    for (Object request : recorder.requests()) {
      if (request instanceof AuthorizeRequest a) {
        sent.add(a.getRequestId());
      } else if (request instanceof SettleRequest s) {
        sent.add(s.getRequestId());
      } else if (request instanceof CancelRequest c) {
        sent.add(c.getRequestId());
      }
    }
    assertEquals(returned, sent, "each call sent the id it reports");
    assertEquals(300, new HashSet<>(sent).size(), "distinct");
    DateTimeFormatter stamp = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    for (String id : sent) {
      assertTrue(id.matches("P62010200017[0-9]{14}[0-9]{4}"), id);
      LocalDateTime at = LocalDateTime.parse(id.substring(12, 26), stamp);
      assertFalse(at.isBefore(before) || at.isAfter(after), id + " stamped " + at + ", not in " + before + ".." + after);
    }
    Set<String> fresh = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      fresh.add(client.newRequestId());
    }
    assertEquals(20_000, fresh.size(), "newRequestId never repeats, even past 10,000 ids in a second");
  }

  // ---- life cycle -----------------------------------------------------------------------------

  @Test
  void close_thenCall_refusedAsTheCallersMistake() {
    client.close();
    client.close();

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> client.identify(LI_NA));
    assertThrows(IllegalStateException.class, () -> client.settleAsync("T1", RequestOptions.DEFAULTS));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void authorize_eightThreadsOnOneClient_eachSalePaidOnce() throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<Sale> sales = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread = new Thread(() -> {
        for (int i = 0; i < 10; i++) {
          Sale s = client.authorize(cashOnly(ZHAO_LEI, 100).usePersonalAccount(true).build());
          sales.add(client.settle(s.transactionId()));
        }
      });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(30_000);
    }

    assertEquals(80, sales.size());
    assertEquals(80, sales.stream().map(Sale::transactionId).distinct().count());
    Account zhaoLei = gateway.account(DemoData.ZHAO_LEI);
    assertEquals(10_000 - 80 * 100, zhaoLei.getBalanceFen());
    assertEquals(0, zhaoLei.getHeldFen());
  }

  private void assertBalances(long liNaFen, long zhangWeiFen, long wangXiuyingFen) {
    assertEquals(List.of(liNaFen, zhangWeiFen, wangXiuyingFen), List.of(gateway.account(DemoData.LI_NA).getBalanceFen(),
        gateway.account(DemoData.ZHANG_WEI).getBalanceFen(), gateway.account(DemoData.WANG_XIUYING).getBalanceFen()),
        "balances of 李娜, 张伟, 王秀英");
  }

  private void assertHeld(long liNaFen, long zhangWeiFen, long wangXiuyingFen) {
    assertEquals(List.of(liNaFen, zhangWeiFen, wangXiuyingFen), List.of(gateway.account(DemoData.LI_NA).getHeldFen(),
        gateway.account(DemoData.ZHANG_WEI).getHeldFen(), gateway.account(DemoData.WANG_XIUYING).getHeldFen()),
        "held of 李娜, 张伟, 王秀英");
  }
}
