package gongji.server;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.terminal;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_COSMETICS;
import static gongji.v1.ItemCategory.ITEM_CATEGORY_DRUG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.InProcessGateway;
import gongji.server.testing.MutableClock;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Breakdown;
import gongji.v1.FundSource;
import gongji.v1.GetWalletRequest;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo data set does what the README walkthrough and the printed guide say it does. */
class DemoDataTest {

  @Test
  void demo_liNasSale_splitsOwnAccountHusbandMotherAndCash() throws Exception {
    try (InProcessGateway gw = InProcessGateway.startWithDemoData()) {
      AuthorizeResponse a = gw.settlement().authorize(authorize("DEMO-1", terminal(DemoData.PHARMACY, "POS01"),
          card("SSC-LINA"), item(ITEM_CATEGORY_DRUG, 35_000), item(ITEM_CATEGORY_COSMETICS, 2_000, false)).build());

      Breakdown b = a.getBreakdown();
      // 30 yuan own; 100 yuan from 张伟 (his quota for her); 100 yuan from 王秀英 (above her 2,000 floor); rest cash.
      assertEquals(List.of(37_000L, 3_000L, 20_000L, 14_000L),
          List.of(b.getTotalFen(), b.getAccountPayFen(), b.getMutualAidPayFen(), b.getCashPayFen()));
      assertEquals(List.of(), gw.audit());
    }
  }

  @Test
  void demo_daughterInFuzhou_paysFromHerWalletQuota() throws Exception {
    try (InProcessGateway gw = InProcessGateway.startWithDemoData()) {
      AuthorizeResponse a = gw.settlement().authorize(authorize("DEMO-2", terminal(DemoData.FUZHOU_PHARMACY, "POS01"),
          card("SSC-ZHANGXIAOYU"), item(ITEM_CATEGORY_DRUG, 12_000)).build());

      assertEquals(FundSource.FUND_SOURCE_WALLET, a.getBreakdown().getLegs(0).getSource());
      assertEquals(12_000, a.getBreakdown().getMutualAidPayFen());
      assertTrue(DemoData.guide("127.0.0.1:9090", "127.0.0.1:9092", true).contains("500.00 yuan of quota from 刘桂兰"));
      assertEquals(List.of(), gw.audit());
    }
  }

  @Test
  void demo_loadedAtNight_startsWithoutTheWalletTransferAndSaysWhy() throws Exception {
    // 23:30 Beijing time: wallet transfers are closed.
    try (InProcessGateway gw = InProcessGateway.start(new MutableClock(Instant.parse("2026-03-02T15:30:00Z")))) {
      DemoData.load(gw.node().gateway());

      assertFalse(DemoData.walletFunded(gw.node().gateway()));
      assertTrue(gw.family().getWallet(GetWalletRequest.newBuilder().setPsnNo(DemoData.ZHANG_XIAOYU).build()).getOpen());
      String guide = DemoData.guide("127.0.0.1:9090", "127.0.0.1:9092", false);
      assertTrue(guide.contains("after 06:00") && guide.contains("wallet assign"), guide);
      assertEquals(List.of(), gw.audit());
    }
  }
}
