package gongji.server;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.refund;
import static gongji.server.testing.Sales.settle;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.Journal;
import gongji.server.testing.Refusal;
import gongji.v1.Account;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Breakdown;
import gongji.v1.GetAccountRequest;
import gongji.v1.IdentifyResponse;
import gongji.v1.ItemCategory;
import gongji.v1.PaymentLeg;
import gongji.v1.RefundResponse;
import gongji.v1.SettleResponse;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import gongji.v1.TransactionState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real server on Netty at 127.0.0.1:0 with the demo data, called over a plain channel. */
class GatewayServerEndToEndTest {
  private static final Terminal POS = terminal(DemoData.PHARMACY, "POS01");

  private GatewayServer server;
  private ManagedChannel channel;

  @BeforeEach
  void startServer() throws Exception {
    // Loopback, any free port, no metrics endpoint, in memory.
    GatewayConfig config = GatewayConfig.forTests();
    assertEquals("127.0.0.1", config.host());
    assertEquals(0, config.port());
    Node node = new Node(config, InstantSource.system(), Journal.NONE);
    try {
      DemoData.load(node.gateway());
      server = GatewayServer.startNetty(node, config);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stopServer() throws Exception {
    try {
      if (channel != null) {
        channel.shutdown();
        assertTrue(channel.awaitTermination(10, TimeUnit.SECONDS), "channel terminated");
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  private SettlementServiceGrpc.SettlementServiceBlockingStub settlement() {
    return SettlementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private Account account(String psnNo) {
    return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getAccount(GetAccountRequest.newBuilder().setPsnNo(psnNo).build());
  }

  @Test
  void pharmacySale_liNa_identifyAuthorizeSettleRefund() {
    assertTrue(server.port() > 0, "bound to a real port");

    // 李娜 has 30 yuan; her husband 张伟 shares up to 100 yuan (quota); her mother 王秀英 in Tianshui
    // keeps a 2,000 yuan floor of her 2,100 yuan, so 100 yuan is shareable.
    IdentifyResponse who = settlement().identify(identify(POS, card("SSC-LINA")));
    assertEquals(DemoData.LI_NA, who.getPsnNo());
    assertEquals(3_000, who.getAvailableFen());
    assertEquals(2, who.getMutualAidSourcesCount());
    String husband = who.getMutualAidSources(0).getBindingId();
    String mother = who.getMutualAidSources(1).getBindingId();
    assertEquals(List.of(10_000L, 10_000L),
        who.getMutualAidSourcesList().stream().map(s -> s.getAvailableFen()).toList());

    AuthorizeResponse a = settlement().authorize(authorize("P6201020001720260302090000" + "0001", POS, card("SSC-LINA"),
        item(ItemCategory.ITEM_CATEGORY_DRUG, 35_000), item(ItemCategory.ITEM_CATEGORY_COSMETICS, 2_000, false)).build());
    List<String> split = List.of("OWN_ACCOUNT 3000", "MUTUAL_AID " + husband + " 10000", "MUTUAL_AID " + mother + " 10000",
        "CASH 14000");
    assertEquals(split, legs(a.getBreakdown()));
    assertEquals(List.of(37_000L, 3_000L, 20_000L, 14_000L), List.of(a.getBreakdown().getTotalFen(),
        a.getBreakdown().getAccountPayFen(), a.getBreakdown().getMutualAidPayFen(), a.getBreakdown().getCashPayFen()));

    SettleResponse s = settlement().settle(settle("S-0001", POS, a.getTransactionId()));
    assertEquals(TransactionState.TRANSACTION_STATE_SETTLED, s.getState());
    assertEquals(split, legs(s.getBreakdown()));
    assertEquals(List.of(0L, 490_000L, 200_000L), balances());

    RefundResponse r = settlement().refund(refund("R-0001", POS, a.getTransactionId()));
    assertEquals(TransactionState.TRANSACTION_STATE_REFUNDED, r.getState());
    assertEquals(split, legs(r.getBreakdown()));
    assertEquals(List.of(3_000L, 500_000L, 210_000L), balances());
  }

  @Test
  void authorize_oversizedRequestIdOverNetty_invalidArgument() {
    // The id is echoed nowhere in full: the refusal must still fit in the client's trailer limit.
    Refusal r = Refusal.of(() -> settlement().authorize(authorize("A".repeat(20_000), POS, card("SSC-LINA"),
        item(ItemCategory.ITEM_CATEGORY_DRUG, 100)).build()));

    r.assertFieldInvalid("request_id");
    assertEquals(65, r.errorInfo().getMetadataOrThrow("request_id").length(), "echoed cut to 64 characters and an ellipsis");
  }

  @Test
  void authorize_everyItemMalformedOverNetty_invalidArgument() {
    var b = authorize("A-1", POS, card("SSC-LINA"));
    for (int i = 0; i < 200; i++) {
      b.addItems(item(ItemCategory.ITEM_CATEGORY_DRUG, -1).toBuilder().setCode("C".repeat(60)).setQuantity(0));
    }

    Refusal r = Refusal.of(() -> settlement().authorize(b.build()));

    r.assertFieldInvalid("items[0].amount_fen");
    assertTrue(r.violatedFields().size() < 600, "a bounded number of violations is listed");
    assertTrue(r.message().endsWith(" more"), r.message());
  }

  private List<Long> balances() {
    List<Long> out = new ArrayList<>();
    for (String p : List.of(DemoData.LI_NA, DemoData.ZHANG_WEI, DemoData.WANG_XIUYING)) {
      Account a = account(p);
      assertEquals(0, a.getHeldFen(), "held of " + p);
      out.add(a.getBalanceFen());
    }
    return out;
  }

  private static List<String> legs(Breakdown b) {
    List<String> out = new ArrayList<>();
    for (PaymentLeg leg : b.getLegsList()) {
      String source = leg.getSource().name().substring("FUND_SOURCE_".length());
      out.add(source + (leg.getBindingId().isEmpty() ? "" : " " + leg.getBindingId()) + " " + leg.getAmountFen());
    }
    return out;
  }
}
