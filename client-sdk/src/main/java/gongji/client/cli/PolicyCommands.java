package gongji.client.cli;

import gongji.client.Money;
import gongji.client.cli.AdminCli.AdminCommand;
import gongji.client.cli.AdminCli.RequestIdFlag;
import gongji.client.cli.AdminCli.Stubs;
import gongji.v1.ItemCategory;
import gongji.v1.MutualAidOrder;
import gongji.v1.RegionPolicy;
import gongji.v1.UpdateRegionPolicyRequest;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code admin policy} command: show a region's policy, or change the settings its flags name. */
final class PolicyCommands {
  private PolicyCommands() {}

  @Command(name = "policy", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      sortOptions = false,
      description = {"Shows a region's policy, or changes the settings its flags name: the others stay as they are",
          "(a region without a policy of its own starts from the national defaults: holds of 1,800 s, wallet 3",
          "transfers a day of 2,000 yuan each, quiet 22-6, aid in binding order; nothing else allowed)."})
  static final class Policy extends AdminCommand {
    @Option(names = "--admdvs", required = true, paramLabel = "CODE", description = "the region, e.g. 620100")
    String admdvs;

    @Option(names = "--name", paramLabel = "N", description = "the region's name")
    String name;

    @Option(names = "--floor", paramLabel = "YUAN", description = "retained floor: what must stay in an authorizer's"
        + " account")
    String floor;

    @Option(names = "--extended", arity = "0..1", paramLabel = "true|false",
        description = "relatives beyond spouse, parents and children may bind")
    Boolean extended;

    @Option(names = "--quota-allowed", arity = "0..1", paramLabel = "true|false",
        description = "an authorizer may set a quota per binding")
    Boolean quotaAllowed;

    @Option(names = "--cross-province", arity = "0..1", paramLabel = "true|false",
        description = "mutual aid and wallets work across provinces")
    Boolean crossProvince;

    @Option(names = "--optional", paramLabel = "CAT,CAT", split = ",",
        description = "the optional item categories mutual aid may pay, e.g. NON_PROGRAMME_VACCINE,HEALTH_CHECKUP;"
            + " none: none")
    List<String> optional;

    @Option(names = "--hold-ttl-seconds", paramLabel = "N", description = "how long an authorization holds, 60-86400")
    Integer holdTtlSeconds;

    @Option(names = "--max-aid-uses", paramLabel = "N", description = "mutual-aid uses a day per beneficiary (0: no limit)")
    Integer maxAidUses;

    @Option(names = "--max-aid-per-day", paramLabel = "YUAN", description = "mutual aid a day per beneficiary"
        + " (0: no limit)")
    String maxAidPerDay;

    @Option(names = "--wallet-transfers-per-day", paramLabel = "N", description = "transfers a day into one wallet, 1-100")
    Integer walletTransfersPerDay;

    @Option(names = "--wallet-max-transfer", paramLabel = "YUAN", description = "the most one wallet transfer may assign")
    String walletMaxTransfer;

    @Option(names = "--wallet-quiet-hours", paramLabel = "FROM-UNTIL",
        description = "no wallet transfers from FROM to UNTIL o'clock, e.g. 22-6; equal hours: no quiet window")
    String walletQuietHours;

    @Option(names = "--aid-order", paramLabel = "binding|closest-relative|largest-available",
        description = "the order relatives' accounts pay in")
    String aidOrder;

    @Mixin
    RequestIdFlag id;

    @Override
    void run(Stubs s) {
      RegionPolicy.Builder p = RegionPolicy.newBuilder().setAdmdvs(admdvs);
      List<String> mask = new ArrayList<String>();
      if (name != null) {
        p.setName(name);
        mask.add("name");
      }
      if (floor != null) {
        p.setRetainedFloorFen(Money.parseYuan(floor));
        mask.add("retained_floor_fen");
      }
      if (extended != null) {
        p.setExtendedRelativesAllowed(extended);
        mask.add("extended_relatives_allowed");
      }
      if (quotaAllowed != null) {
        p.setQuotaAllowed(quotaAllowed);
        mask.add("quota_allowed");
      }
      if (crossProvince != null) {
        p.setCrossProvinceEnabled(crossProvince);
        mask.add("cross_province_enabled");
      }
      if (holdTtlSeconds != null) {
        p.setHoldTtlSeconds(holdTtlSeconds);
        mask.add("hold_ttl_seconds");
      }
      if (maxAidUses != null) {
        p.setMaxMutualAidUsesPerDay(maxAidUses);
        mask.add("max_mutual_aid_uses_per_day");
      }
      if (maxAidPerDay != null) {
        p.setMaxMutualAidFenPerDay(Money.parseYuan(maxAidPerDay));
        mask.add("max_mutual_aid_fen_per_day");
      }
      if (walletTransfersPerDay != null) {
        p.setWalletMaxTransfersPerDay(walletTransfersPerDay);
        mask.add("wallet_max_transfers_per_day");
      }
      if (walletMaxTransfer != null) {
        p.setWalletMaxTransferFen(Money.parseYuan(walletMaxTransfer));
        mask.add("wallet_max_transfer_fen");
      }
      if (aidOrder != null) {
        p.setMutualAidOrder(aidOrder(aidOrder));
        mask.add("mutual_aid_order");
      }
      if (walletQuietHours != null) {
        if (!walletQuietHours.matches("[0-9]{1,2}-[0-9]{1,2}")) {
          throw new IllegalArgumentException("--wallet-quiet-hours \"" + walletQuietHours + "\" (expected: FROM-UNTIL,"
              + " e.g. 22-6; equal hours: no quiet window)");
        }
        String[] h = walletQuietHours.split("-");
        p.setWalletQuietFromHour(Integer.parseInt(h[0])).setWalletQuietUntilHour(Integer.parseInt(h[1]));
        mask.add("wallet_quiet_from_hour");
        mask.add("wallet_quiet_until_hour");
      }
      if (optional != null) {
        for (String c : optional) {
          if (c.trim().equalsIgnoreCase("none")) {
            continue;
          }
          ItemCategory category;
          try {
            category = ItemCategory.valueOf("ITEM_CATEGORY_" + c.trim().toUpperCase());
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--optional: unknown category " + c.trim());
          }
          p.addOptionalCategoriesAllowed(category);
        }
        mask.add("optional_categories_allowed");
      }
      RegionPolicy r;
      if (mask.isEmpty()) {
        r = s.admin.getRegionPolicy(gongji.v1.GetRegionPolicyRequest.newBuilder().setAdmdvs(admdvs).build());
      } else {
        requestId = id.orNew();
        r = s.admin.updateRegionPolicy(UpdateRegionPolicyRequest.newBuilder().setRequestId(requestId).setPolicy(p)
            .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addAllPaths(mask)).build());
      }
      cli.out.println("policy of " + r.getAdmdvs() + (mask.isEmpty() ? ":" : " set:") + " floor "
          + Money.yuan(r.getRetainedFloorFen())
          + " yuan, extended relatives " + r.getExtendedRelativesAllowed() + ", quota " + r.getQuotaAllowed()
          + ", cross-province " + r.getCrossProvinceEnabled() + ", optional " + r.getOptionalCategoriesAllowedList()
          + ", wallet " + r.getWalletMaxTransfersPerDay() + " a day up to " + Money.yuan(r.getWalletMaxTransferFen())
          + " yuan, quiet " + r.getWalletQuietFromHour() + "-" + r.getWalletQuietUntilHour() + ", aid order "
          + r.getMutualAidOrder().name().replace("MUTUAL_AID_ORDER_", ""));
    }
  }

  static MutualAidOrder aidOrder(String name) {
    String n = name.toUpperCase().replace('-', '_');
    if (!n.equals("BINDING") && !n.equals("CLOSEST_RELATIVE") && !n.equals("LARGEST_AVAILABLE")) {
      throw new IllegalArgumentException("--aid-order \"" + name + "\" (expected: binding, closest-relative or"
          + " largest-available)");
    }
    return MutualAidOrder.valueOf("MUTUAL_AID_ORDER_" + n);
  }
}
