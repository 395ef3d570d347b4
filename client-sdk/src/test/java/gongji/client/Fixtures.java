package gongji.client;

import gongji.server.DemoData;
import java.util.ArrayList;
import java.util.List;

/**
 * The counter side of the demo data set ({@link DemoData}): terminals, cards and baskets.
 *
 * <p>李娜 (SSC-LINA) has 30 yuan of her own; her husband 张伟 shares up to 100 yuan (binding B1,
 * quota) and her mother 王秀英 in Tianshui 100 yuan above a 2,000 yuan floor (B2). So her basket of
 * 350 yuan of drugs and 20 yuan of cosmetics splits 30 own, 100 + 100 mutual aid, 140 cash.
 */
final class Fixtures {
  static final Terminal POS = new Terminal(DemoData.PHARMACY, "POS01", "cashier-7");
  static final Terminal HIS = new Terminal(DemoData.HOSPITAL, "HIS01", "billing-2");

  static final Credential LI_NA = Credential.card("SSC-LINA");
  static final Credential ZHAO_LEI = Credential.card("SSC-ZHAOLEI");

  /** 李娜's split of {@link #basket}: own account, husband, mother, cash. */
  static final List<String> LI_NA_SPLIT = List.of("OWN_ACCOUNT 3000", "MUTUAL_AID B1 10000", "MUTUAL_AID B2 10000",
      "CASH 14000");

  private Fixtures() {}

  /** Options for a client at the given terminal (the target is not used with a channel builder). */
  static ClientOptions.Builder options(Terminal terminal) {
    return ClientOptions.builder("in-process", terminal);
  }

  /** 350 yuan of drugs in policy scope and 20 yuan of cosmetics outside it. */
  static SaleRequest.Builder basket(Credential credential) {
    return SaleRequest.builder(credential, SaleRequest.MedicalType.PHARMACY)
        .item(new Item("XY0001", "阿莫西林胶囊", Item.Category.DRUG, true, 2, 35_000))
        .item(new Item("RY0001", "护手霜", Item.Category.COSMETICS, false, 1, 2_000));
  }

  /** A small sale paid in cash only: it holds nothing. */
  static SaleRequest.Builder cashOnly(Credential credential, long amountFen) {
    return SaleRequest.builder(credential, SaleRequest.MedicalType.PHARMACY)
        .item(new Item("XY0002", "维生素C片", Item.Category.DRUG, true, 1, amountFen))
        .usePersonalAccount(false);
  }

  /** The legs of a split as "SOURCE [binding] fen", in drawing order. */
  static List<String> legs(Split split) {
    List<String> out = new ArrayList<>();
    for (Leg leg : split.legs()) {
      out.add(leg.source() + (leg.bindingId().isEmpty() ? "" : " " + leg.bindingId()) + " " + leg.amountFen());
    }
    return out;
  }

  /** total, own account, mutual aid, cash. */
  static List<Long> amounts(Split split) {
    return List.of(split.totalFen(), split.accountPayFen(), split.mutualAidPayFen(), split.cashPayFen());
  }
}
