package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gongji.server.ledger.Command;
import gongji.server.ledger.Result;
import gongji.server.testing.InProcessGateway;
import gongji.v1.ItemCategory;
import gongji.v1.MutualAidOrder;
import gongji.v1.RegionPolicy;
import gongji.v1.SetRegionPolicyRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AdminService replies: what the gateway applies, with the national defaults written out. */
class AdminGrpcServiceTest {
  private InProcessGateway gw;

  @BeforeEach
  void startGateway() throws Exception {
    gw = InProcessGateway.start();
  }

  @AfterEach
  void auditThenClose() throws Exception {
    try {
      assertEquals(List.of(), gw.audit());
    } finally {
      gw.close();
    }
  }

  @Test
  void setRegionPolicy_zeroWalletSettings_repliesWithTheNationalDefaults() throws Exception {
    RegionPolicy reply = gw.admin().setRegionPolicy(SetRegionPolicyRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setPolicy(
        RegionPolicy.newBuilder().setAdmdvs("620900").setName("酒泉市")).build());

    assertEquals(3, reply.getWalletMaxTransfersPerDay());
    assertEquals(200_000, reply.getWalletMaxTransferFen());
    assertEquals(List.of(22, 6), List.of(reply.getWalletQuietFromHour(), reply.getWalletQuietUntilHour()));
    assertEquals(MutualAidOrder.MUTUAL_AID_ORDER_BINDING, reply.getMutualAidOrder());
    assertEquals(1800, reply.getHoldTtlSeconds());
    assertEquals(gongji.server.domain.RegionPolicy.WalletRules.NATIONAL, storedPolicy("620900").wallet());
  }

  @Test
  void setRegionPolicy_walletSettings_repliesWithThemAsApplied() throws Exception {
    RegionPolicy reply = gw.admin().setRegionPolicy(SetRegionPolicyRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setPolicy(
        RegionPolicy.newBuilder().setAdmdvs("620900").setName("酒泉市").setWalletMaxTransfersPerDay(5)
            .setWalletMaxTransferFen(50_000).setWalletQuietFromHour(8).setWalletQuietUntilHour(8)
            .setMutualAidOrder(MutualAidOrder.MUTUAL_AID_ORDER_LARGEST_AVAILABLE)
            .addOptionalCategoriesAllowed(ItemCategory.ITEM_CATEGORY_HEALTH_CHECKUP)
            .addOptionalCategoriesAllowed(ItemCategory.ITEM_CATEGORY_NON_PROGRAMME_VACCINE)).build());

    assertEquals(5, reply.getWalletMaxTransfersPerDay());
    assertEquals(50_000, reply.getWalletMaxTransferFen());
    assertEquals(List.of(8, 8), List.of(reply.getWalletQuietFromHour(), reply.getWalletQuietUntilHour()));
    assertEquals(MutualAidOrder.MUTUAL_AID_ORDER_LARGEST_AVAILABLE, reply.getMutualAidOrder());
    assertEquals(List.of(ItemCategory.ITEM_CATEGORY_NON_PROGRAMME_VACCINE, ItemCategory.ITEM_CATEGORY_HEALTH_CHECKUP),
        reply.getOptionalCategoriesAllowedList());
    gongji.server.domain.RegionPolicy stored = storedPolicy("620900");
    assertEquals(new gongji.server.domain.RegionPolicy.WalletRules(5, 50_000, 8, 8), stored.wallet());
    assertEquals(gongji.server.domain.RegionPolicy.AidOrder.LARGEST_AVAILABLE, stored.aidOrder());
  }

  private gongji.server.domain.RegionPolicy storedPolicy(String admdvs) throws Exception {
    Result r = gw.node().gateway().admin(new Command.LoadReference(Command.ReferenceKind.POLICY, admdvs))
        .get(10, TimeUnit.SECONDS);
    return (gongji.server.domain.RegionPolicy) ((Result.Reference) r).value();
  }
}
