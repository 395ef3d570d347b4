package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.FieldMask;
import gongji.server.ledger.Command;
import gongji.server.ledger.Result;
import gongji.server.testing.InProcessGateway;
import gongji.server.testing.Refusal;
import gongji.v1.Binding;
import gongji.v1.GetBindingRequest;
import gongji.v1.GetRegionPolicyRequest;
import gongji.v1.ItemCategory;
import gongji.v1.MutualAidOrder;
import gongji.v1.RegionPolicy;
import gongji.v1.UpdateRegionPolicyRequest;
import io.grpc.Status.Code;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * AdminService's policies (GetRegionPolicy, UpdateRegionPolicy with an AIP-134 update mask) and
 * FamilyService.GetBinding: what the gateway applies, read back as it is.
 */
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

  private static UpdateRegionPolicyRequest update(RegionPolicy.Builder values, String... paths) {
    return UpdateRegionPolicyRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setPolicy(values).setUpdateMask(FieldMask.newBuilder().addAllPaths(List.of(paths))).build();
  }

  private RegionPolicy read(String admdvs) {
    return gw.admin().getRegionPolicy(GetRegionPolicyRequest.newBuilder().setAdmdvs(admdvs).build());
  }

  @Test
  void getRegionPolicy_ofARegionWithoutOne_givesTheNationalDefaults() {
    RegionPolicy p = read("620900");

    assertEquals("620900", p.getAdmdvs());
    assertEquals(3, p.getWalletMaxTransfersPerDay());
    assertEquals(200_000, p.getWalletMaxTransferFen());
    assertEquals(List.of(22, 6), List.of(p.getWalletQuietFromHour(), p.getWalletQuietUntilHour()));
    assertEquals(MutualAidOrder.MUTUAL_AID_ORDER_BINDING, p.getMutualAidOrder());
    assertEquals(1800, p.getHoldTtlSeconds());
  }

  @Test
  void updateRegionPolicy_changesOnlyTheNamedSettings_anOmittedOneKeepsItsValue() throws Exception {
    gw.admin().updateRegionPolicy(update(RegionPolicy.newBuilder().setAdmdvs("620500").setRetainedFloorFen(200_000)
        .setQuotaAllowed(false), "retained_floor_fen", "quota_allowed"));
    RegionPolicy after = gw.admin().updateRegionPolicy(update(RegionPolicy.newBuilder().setAdmdvs("620500")
        .setWalletMaxTransfersPerDay(5), "wallet_max_transfers_per_day"));

    assertEquals(after, read("620500"));
    assertEquals(200_000, after.getRetainedFloorFen(), "kept: not named by the second update");
    assertEquals(false, after.getQuotaAllowed());
    assertEquals(5, after.getWalletMaxTransfersPerDay());
    assertEquals(List.of(22, 6), List.of(after.getWalletQuietFromHour(), after.getWalletQuietUntilHour()));
    assertEquals(new gongji.server.domain.RegionPolicy.WalletRules(5, 200_000, 22, 6), storedPolicy("620500").wallet());
  }

  @Test
  void updateRegionPolicy_walletHoursBothZero_areMidnightToMidnight_notTheNationalWindow() throws Exception {
    RegionPolicy after = gw.admin().updateRegionPolicy(update(RegionPolicy.newBuilder().setAdmdvs("620900")
        .setWalletQuietFromHour(0).setWalletQuietUntilHour(0), "wallet_quiet_from_hour", "wallet_quiet_until_hour"));

    assertEquals(List.of(0, 0), List.of(after.getWalletQuietFromHour(), after.getWalletQuietUntilHour()));
    assertEquals(false, storedPolicy("620900").wallet().quiet(23), "equal hours: no quiet window");
  }

  @Test
  void updateRegionPolicy_star_replacesEverySetting() throws Exception {
    RegionPolicy reply = gw.admin().updateRegionPolicy(update(RegionPolicy.newBuilder().setAdmdvs("620900")
        .setName("酒泉市").setHoldTtlSeconds(600).setWalletMaxTransfersPerDay(5).setWalletMaxTransferFen(50_000)
        .setWalletQuietFromHour(8).setWalletQuietUntilHour(8)
        .setMutualAidOrder(MutualAidOrder.MUTUAL_AID_ORDER_LARGEST_AVAILABLE)
        .addOptionalCategoriesAllowed(ItemCategory.ITEM_CATEGORY_HEALTH_CHECKUP)
        .addOptionalCategoriesAllowed(ItemCategory.ITEM_CATEGORY_NON_PROGRAMME_VACCINE), "*"));

    assertEquals(false, reply.getExtendedRelativesAllowed(), "replaced: false as given");
    assertEquals(List.of(ItemCategory.ITEM_CATEGORY_NON_PROGRAMME_VACCINE, ItemCategory.ITEM_CATEGORY_HEALTH_CHECKUP),
        reply.getOptionalCategoriesAllowedList());
    gongji.server.domain.RegionPolicy stored = storedPolicy("620900");
    assertEquals(new gongji.server.domain.RegionPolicy.WalletRules(5, 50_000, 8, 8), stored.wallet());
    assertEquals(gongji.server.domain.RegionPolicy.AidOrder.LARGEST_AVAILABLE, stored.aidOrder());
    assertEquals(600, stored.holdTtlSeconds());
  }

  @Test
  void updateRegionPolicy_badMasks_refusedNamingUpdateMaskAndThePath() {
    RegionPolicy.Builder values = RegionPolicy.newBuilder().setAdmdvs("620900").setRetainedFloorFen(1);
    Refusal empty = Refusal.of(() -> gw.admin().updateRegionPolicy(update(values)));
    Refusal unknown = Refusal.of(() -> gw.admin().updateRegionPolicy(update(values, "retained_floor")));
    Refusal admdvs = Refusal.of(() -> gw.admin().updateRegionPolicy(update(values, "admdvs")));
    Refusal starAndMore = Refusal.of(() -> gw.admin().updateRegionPolicy(update(values, "*", "name")));

    empty.assertFieldInvalid("update_mask");
    unknown.assertFieldInvalid("update_mask");
    assertEquals(true, unknown.message().contains("\"retained_floor\""), unknown.message());
    admdvs.assertFieldInvalid("update_mask");
    starAndMore.assertFieldInvalid("update_mask");
    assertEquals(0, read("620900").getRetainedFloorFen(), "nothing applied");
  }

  @Test
  void updateRegionPolicy_namedSettingTakenAsGiven_zeroIsNoDefault() {
    Refusal hold = Refusal.of(() -> gw.admin().updateRegionPolicy(update(RegionPolicy.newBuilder().setAdmdvs("620900"),
        "hold_ttl_seconds")));
    Refusal transfers = Refusal.of(() -> gw.admin().updateRegionPolicy(update(RegionPolicy.newBuilder()
        .setAdmdvs("620900"), "wallet_max_transfers_per_day")));
    Refusal order = Refusal.of(() -> gw.admin().updateRegionPolicy(update(RegionPolicy.newBuilder().setAdmdvs("620900"),
        "mutual_aid_order")));

    hold.assertFieldInvalid("policy.hold_ttl_seconds", "0");
    transfers.assertFieldInvalid("policy.wallet_max_transfers_per_day", "0");
    order.assertFieldInvalid("policy.mutual_aid_order");
  }

  @Test
  void getBinding_byId_givesItInAnyState_andAnUnknownIdIsNotFound() {
    gw.region("620100", 0, true, 1800);
    gw.employee("A1", "张三", "620100", "SSC-A1");
    gw.resident("P1", "张四", "620100", "SSC-P1");
    Binding requested = gw.requestBinding("A1", "P1", gongji.v1.Relationship.RELATIONSHIP_PARENT, 0);

    Binding read = gw.family().getBinding(GetBindingRequest.newBuilder().setBindingId(requested.getBindingId()).build());

    assertEquals(requested, read);
    Refusal.expect(Code.NOT_FOUND, "BINDING_NOT_FOUND",
        () -> gw.family().getBinding(GetBindingRequest.newBuilder().setBindingId("B99").build()));
    Refusal.of(() -> gw.family().getBinding(GetBindingRequest.getDefaultInstance())).assertFieldInvalid("binding_id");
  }

  private gongji.server.domain.RegionPolicy storedPolicy(String admdvs) throws Exception {
    Result r = gw.node().gateway().admin(new Command.LoadReference(Command.ReferenceKind.POLICY, admdvs))
        .get(10, TimeUnit.SECONDS);
    return (gongji.server.domain.RegionPolicy) ((Result.Reference) r).value();
  }
}
