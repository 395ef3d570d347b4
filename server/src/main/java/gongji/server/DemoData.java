package gongji.server;

import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.RegionPolicy;
import gongji.server.domain.Relationship;
import gongji.server.gateway.Gateway;
import gongji.server.ledger.Command;
import gongji.server.ledger.Result;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A small, realistic data set so that a newcomer can settle a sale at once: a Lanzhou family whose
 * members share accounts, a region with a retained floor, a pharmacy and a hospital.
 */
public final class DemoData {
  public static final String PHARMACY = "P62010200017";
  public static final String HOSPITAL = "H62010200001";

  /** 张伟: Lanzhou employee with 5,000 yuan; shares with his wife (quota 100 yuan) and his father. */
  public static final String ZHANG_WEI = "62010019800101001100000001";
  /** 李娜: Lanzhou employee with only 30 yuan of her own; draws on her husband, then her mother. */
  public static final String LI_NA = "62010019820304002200000002";
  /** 张建国: Zhang Wei's father, resident-insured: no account of his own. */
  public static final String ZHANG_JIANGUO = "62010019550607003300000003";
  /** 王秀英: Li Na's mother, employee in Tianshui (620500), where 2,000 yuan must stay in the account. */
  public static final String WANG_XIUYING = "62050019580809004400000004";
  /** 赵磊: an unrelated Lanzhou employee, for trying someone else's card. */
  public static final String ZHAO_LEI = "62010019900101005500000005";

  private DemoData() {}

  /** Whether the data set is already in the ledger (a restart on the same data directory). */
  public static boolean loaded(Gateway gateway) throws Exception {
    Result r = gateway.admin(new Command.LoadReference(Command.ReferenceKind.INSTITUTION, PHARMACY))
        .get(10, TimeUnit.SECONDS);
    return ((Result.Reference) r).value() != null;
  }

  /** Loads the data set through the gateway, as the back office would. */
  public static void load(Gateway gateway) throws Exception {
    run(gateway, new Command.SetRegionPolicy(new RegionPolicy("620100", "兰州市", 0, true, true, true,
        Set.of(ItemCategory.NON_PROGRAMME_VACCINE, ItemCategory.HEALTH_CHECKUP), 1800)));
    run(gateway, new Command.SetRegionPolicy(new RegionPolicy("620500", "天水市", 200_000, false, false, true,
        Set.of(), 1800)));
    run(gateway, new Command.RegisterInstitution(new Institution(PHARMACY, "兰州惠民大药房(城关店)", Set.of("POS01", "POS02"))));
    run(gateway, new Command.RegisterInstitution(new Institution(HOSPITAL, "兰州市第一人民医院", Set.of("HIS01"))));

    person(gateway, ZHANG_WEI, "张伟", InsuranceType.EMPLOYEE_BASIC, "620100", "SSC-ZHANGWEI", "620102198001010011");
    person(gateway, LI_NA, "李娜", InsuranceType.EMPLOYEE_BASIC, "620100", "SSC-LINA", "620102198203040022");
    person(gateway, ZHANG_JIANGUO, "张建国", InsuranceType.RESIDENT_BASIC, "620100", "SSC-ZHANGJIANGUO",
        "620102195506070033");
    person(gateway, WANG_XIUYING, "王秀英", InsuranceType.EMPLOYEE_BASIC, "620500", "SSC-WANGXIUYING",
        "620502195808090044");
    person(gateway, ZHAO_LEI, "赵磊", InsuranceType.EMPLOYEE_BASIC, "620100", "SSC-ZHAOLEI", "620102199001010055");

    credit(gateway, ZHANG_WEI, 500_000);
    credit(gateway, LI_NA, 3_000);
    credit(gateway, WANG_XIUYING, 210_000);
    credit(gateway, ZHAO_LEI, 10_000);

    run(gateway, new Command.CreateBinding(ZHANG_WEI, LI_NA, Relationship.SPOUSE, 10_000));
    run(gateway, new Command.CreateBinding(WANG_XIUYING, LI_NA, Relationship.CHILD, 0));
    run(gateway, new Command.CreateBinding(ZHANG_WEI, ZHANG_JIANGUO, Relationship.PARENT, 0));
  }

  private static void person(Gateway gateway, String psnNo, String name, InsuranceType type, String admdvs,
      String card, String idCard) throws Exception {
    run(gateway, new Command.UpsertInsured(new Insured(psnNo, name, type, InsuredStatus.NORMAL, admdvs, List.of(
        new Credential(CredentialType.SOCIAL_SECURITY_CARD, card),
        new Credential(CredentialType.ID_CARD, idCard)))));
  }

  private static void credit(Gateway gateway, String psnNo, long amountFen) throws Exception {
    run(gateway, new Command.Credit("demo-credit-" + psnNo, psnNo.hashCode(), psnNo, amountFen));
  }

  private static void run(Gateway gateway, Command command) throws Exception {
    Result r = gateway.admin(command).get(10, TimeUnit.SECONDS);
    if (r instanceof Result.Rejected rejected) {
      throw new IllegalStateException("demo data refused: " + command + ": " + rejected);
    }
  }

  /** What to print so that a newcomer can copy and try it. */
  public static String guide(String target) {
    return String.join("\n",
        "Demo data loaded. Pharmacy " + PHARMACY + " (terminals POS01, POS02), hospital " + HOSPITAL + " (HIS01).",
        "People (social security card -> who):",
        "  SSC-ZHANGWEI      张伟   employee, Lanzhou 620100, 5,000.00 yuan; shares with wife 李娜 (quota 100 yuan) and father 张建国",
        "  SSC-LINA          李娜   employee, Lanzhou, 30.00 yuan of her own; draws on 张伟, then on her mother 王秀英",
        "  SSC-ZHANGJIANGUO  张建国 resident-insured (no account); draws on his son 张伟",
        "  SSC-WANGXIUYING   王秀英 employee, Tianshui 620500 (2,000 yuan retained floor), 2,100.00 yuan",
        "  SSC-ZHAOLEI       赵磊   unrelated employee, 100.00 yuan",
        "Try (in another terminal):",
        "  ./gongji pos identify  --target " + target + " --card SSC-LINA",
        "  ./gongji pos authorize --target " + target + " --card SSC-LINA --item DRUG:350.00 --item COSMETICS:20.00:out",
        "  ./gongji pos settle    --target " + target + " --txn <transaction id printed above>",
        "  ./gongji pos refund    --target " + target + " --txn <transaction id>");
  }
}
