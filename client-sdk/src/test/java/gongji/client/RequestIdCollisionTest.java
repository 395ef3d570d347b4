package gongji.client;

import static gongji.client.Fixtures.LI_NA;
import static gongji.client.Fixtures.POS;
import static gongji.client.Fixtures.ZHAO_LEI;
import static gongji.client.Fixtures.basket;
import static gongji.client.Fixtures.cashOnly;
import static gongji.client.Fixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gongji.client.internal.RequestIds;
import gongji.client.testing.ClientFault;
import gongji.client.testing.TestGateway;
import gongji.v1.SettlementServiceGrpc;
import gongji.server.DemoData;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two terminals of one pharmacy that make up the same msgid (the form has four digits to tell them
 * apart): the second is answered REQUEST_ID_REUSED, nothing applied, and the client sends it again
 * under a fresh id of its own; an id the caller chose is never replaced.
 */
class RequestIdCollisionTest {
  private static final Clock SAME_SECOND = Clock.fixed(Instant.parse("2026-03-02T01:00:00Z"), ZoneOffset.UTC);

  private TestGateway gateway;
  private GongjiClient first;
  private GongjiClient second;

  @BeforeEach
  void start() throws Exception {
    gateway = TestGateway.inProcess();
    // Both terminals start their sequence at the same place in the same second.
    first = GongjiClient.create(options(POS).build(), gateway.channelBuilder(),
        new RequestIds(DemoData.PHARMACY, 0, SAME_SECOND));
    second = GongjiClient.create(options(new Terminal(DemoData.PHARMACY, "POS02", "cashier-8")).build(),
        gateway.channelBuilder(), new RequestIds(DemoData.PHARMACY, 0, SAME_SECOND));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      assertEquals(List.of(), gateway.audit());
    } finally {
      first.close();
      second.close();
      gateway.close();
    }
  }

  @Test
  void authorize_madeUpIdTakenByAnotherTerminal_sentAgainUnderAFreshIdAndHeldOnce() {
    Sale a = first.authorize(basket(LI_NA).build());
    Sale b = second.authorize(cashOnly(ZHAO_LEI, 2_000).usePersonalAccount(true).build());

    assertEquals("P62010200017202603020900000000", a.requestId());
    assertEquals("P62010200017202603020900000001", b.requestId());
    assertNotEquals(a.transactionId(), b.transactionId());
    assertEquals(2_000, gateway.account(DemoData.ZHAO_LEI).getHeldFen());
  }

  @Test
  void settle_madeUpIdTakenByAnotherTerminal_sentAgainUnderAFreshId() {
    Sale a = first.authorize(basket(LI_NA).build());
    Sale b = second.authorize(cashOnly(ZHAO_LEI, 2_000).usePersonalAccount(true).build()); // ids 0000 (taken), 0001
    first.settle(a.transactionId()); // 0001 of the first terminal: taken by the second's authorization

    Sale settled = second.settle(b.transactionId()); // 0002, taken by the first's settlement, then 0003

    assertEquals(Sale.State.SETTLED, settled.state());
    assertEquals("P62010200017202603020900000003", settled.requestId());
  }

  @Test
  void authorize_callersOwnIdTaken_refusedNotReplaced() {
    Sale a = first.authorize(basket(LI_NA).build());

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> second.authorize(cashOnly(ZHAO_LEI, 2_000).usePersonalAccount(true).requestId(a.requestId()).build()));

    assertEquals(RejectionReason.REQUEST_ID_REUSED, e.reason());
    assertEquals(0, gateway.account(DemoData.ZHAO_LEI).getHeldFen());
  }

  @Test
  void authorize_madeUpIdTakenAndOutcomeUnknown_notTakenForTheOtherTerminalsSale() throws Exception {
    Sale other = first.authorize(basket(LI_NA).build()); // takes id ...0000
    ClientFault fault = ClientFault.deadlineBeforeSending(1, SettlementServiceGrpc.getAuthorizeMethod());
    try (GongjiClient unlucky = GongjiClient.create(options(new Terminal(DemoData.PHARMACY, "POS02", "cashier-8"))
        .build(), gateway.channelBuilder().intercept(fault), new RequestIds(DemoData.PHARMACY, 0, SAME_SECOND))) {

      // Its first id is ...0000 too; the call times out unsent, and the look-up finds the other sale.
      GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
          () -> unlucky.authorize(cashOnly(ZHAO_LEI, 2_000).usePersonalAccount(true).build()));

      assertEquals(RejectionReason.NOT_APPLIED, e.reason());
      assertEquals(other.requestId(), e.metadata().get("request_id"));
      assertEquals(0, gateway.account(DemoData.ZHAO_LEI).getHeldFen());
    }
  }

  @Test
  void authorize_madeUpIdTakenBySameKindAndTotal_outcomeUnknown_toldApartByTheContentHash() throws Exception {
    Sale other = first.authorize(basket(LI_NA).build()); // takes id ...0000
    ClientFault fault = ClientFault.deadlineBeforeSending(1, SettlementServiceGrpc.getAuthorizeMethod());
    try (GongjiClient unlucky = GongjiClient.create(options(new Terminal(DemoData.PHARMACY, "POS02", "cashier-8"))
        .build(), gateway.channelBuilder().intercept(fault), new RequestIds(DemoData.PHARMACY, 0, SAME_SECOND))) {

      // The same basket from another terminal: the same kind and total, another request.
      GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
          () -> unlucky.authorize(basket(LI_NA).build()));

      assertEquals(RejectionReason.NOT_APPLIED, e.reason(), "not taken for " + other.transactionId());
      assertEquals(other.requestId(), e.metadata().get("request_id"));
    }
  }
}
