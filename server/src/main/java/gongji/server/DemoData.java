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
import gongji.server.ledger.Outcome;
import gongji.server.ledger.Result;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A small, realistic data set so that a newcomer can settle a sale at once: a Lanzhou family whose
 * members share accounts, a region with a retained floor, a pharmacy and a hospital, and a daughter
 * studying in Fuzhou who spends her grandmother's quota from her wallet at a pharmacy there.
 */
public final class DemoData {
  public static final String PHARMACY = "P62010200017";
  public static final String HOSPITAL = "H62010200001";
  /** A pharmacy in Fuzhou (Fujian): another province, where only wallet quota and cross-province aid reach. */
  public static final String FUZHOU_PHARMACY = "P35010200003";

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
  /** 张小雨: Zhang Wei's daughter, resident-insured in Lanzhou, at university in Fuzhou; has a wallet. */
  public static final String ZHANG_XIAOYU = "62010020050505006600000006";
  /** 刘桂兰: Zhang Wei's mother, retired Lanzhou employee with 3,000 yuan; shares with her granddaughter. */
  public static final String LIU_GUILAN = "62010019560303007700000007";
  /** The quota Liu Guilan assigns to her granddaughter's wallet: 500 yuan. */
  public static final long WALLET_QUOTA_FEN = 50_000;

  /**
   * The demo's bearer tokens, token to principal (see {@code gongji.server.grpc.Principal}): the
   * gateway accepts them in {@code --demo} without a tokens file. They are printed at start and
   * written here, so {@code --demo} listens on loopback only.
   */
  public static final Map<String, String> TOKENS = tokens();

  /** The token of the pharmacy's terminal POS01, the demo guide's default terminal. */
  public static final String POS01_TOKEN = "demo-pharmacy-pos01";
  /** The token of the agency clerk (AdminService, FamilyService). */
  public static final String CLERK_TOKEN = "demo-clerk";

  private DemoData() {}

  private static Map<String, String> tokens() {
    Map<String, String> t = new LinkedHashMap<>();
    t.put(POS01_TOKEN, PHARMACY + "/POS01");
    t.put("demo-pharmacy-pos02", PHARMACY + "/POS02");
    t.put("demo-hospital-his01", HOSPITAL + "/HIS01");
    t.put("demo-fuzhou-pos01", FUZHOU_PHARMACY + "/POS01");
    t.put(CLERK_TOKEN, "admin:clerk:demo");
    t.put("demo-auditor", "admin:auditor:demo");
    return java.util.Collections.unmodifiableMap(t);
  }

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
    run(gateway, new Command.SetRegionPolicy(new RegionPolicy("350100", "福州市", 0, true, true, true, Set.of(), 1800)));
    run(gateway, new Command.RegisterInstitution(new Institution(PHARMACY, "兰州惠民大药房(城关店)", Set.of("POS01", "POS02"))));
    run(gateway, new Command.RegisterInstitution(new Institution(HOSPITAL, "兰州市第一人民医院", Set.of("HIS01"))));
    run(gateway, new Command.RegisterInstitution(new Institution(FUZHOU_PHARMACY, "福州鼓楼百姓大药房", Set.of("POS01"))));

    person(gateway, ZHANG_WEI, "张伟", InsuranceType.EMPLOYEE_BASIC, "620100", "SSC-ZHANGWEI", "620102198001010011");
    person(gateway, LI_NA, "李娜", InsuranceType.EMPLOYEE_BASIC, "620100", "SSC-LINA", "620102198203040022");
    person(gateway, ZHANG_JIANGUO, "张建国", InsuranceType.RESIDENT_BASIC, "620100", "SSC-ZHANGJIANGUO",
        "620102195506070033");
    person(gateway, WANG_XIUYING, "王秀英", InsuranceType.EMPLOYEE_BASIC, "620500", "SSC-WANGXIUYING",
        "620502195808090044");
    person(gateway, ZHAO_LEI, "赵磊", InsuranceType.EMPLOYEE_BASIC, "620100", "SSC-ZHAOLEI", "620102199001010055");
    person(gateway, ZHANG_XIAOYU, "张小雨", InsuranceType.RESIDENT_BASIC, "620100", "SSC-ZHANGXIAOYU",
        "620102200505050066");
    person(gateway, LIU_GUILAN, "刘桂兰", InsuranceType.EMPLOYEE_BASIC, "620100", "SSC-LIUGUILAN", "620102195603030077");

    credit(gateway, ZHANG_WEI, 500_000);
    credit(gateway, LI_NA, 3_000);
    credit(gateway, WANG_XIUYING, 210_000);
    credit(gateway, ZHAO_LEI, 10_000);
    credit(gateway, LIU_GUILAN, 300_000);

    run(gateway, new Command.CreateBinding(ZHANG_WEI, LI_NA, Relationship.SPOUSE, 10_000));
    run(gateway, new Command.CreateBinding(WANG_XIUYING, LI_NA, Relationship.CHILD, 0));
    run(gateway, new Command.CreateBinding(ZHANG_WEI, ZHANG_JIANGUO, Relationship.PARENT, 0));
    run(gateway, new Command.CreateBinding(LIU_GUILAN, ZHANG_XIAOYU, Relationship.GRANDCHILD, 0));
    run(gateway, new Command.OpenWallet(ZHANG_XIAOYU));
    assignDemoWalletQuota(gateway);
  }

  /**
   * Liu Guilan assigns quota to her granddaughter's wallet and she accepts it. Wallet transfers are closed
   * from 22:00 to 06:00 Beijing time: loaded at night, the demo starts without it, and returns false
   * ({@link #guide} then says how to make the transfer in the morning).
   */
  public static boolean assignDemoWalletQuota(Gateway gateway) throws Exception {
    Result r = gateway.admin(new Command.AssignWalletQuota("demo-wallet-" + ZHANG_XIAOYU, 1, LIU_GUILAN, ZHANG_XIAOYU,
        WALLET_QUOTA_FEN)).get(10, TimeUnit.SECONDS);
    if (r instanceof Result.Rejected rejected && rejected.outcome() == Outcome.WALLET_TRANSFER_WINDOW_CLOSED) {
      return false;
    }
    if (!(r instanceof Result.WalletTransferView transfer)) {
      throw new IllegalStateException("demo data refused: wallet transfer: " + r);
    }
    run(gateway, new Command.AnswerWalletTransfer(transfer.transferId(), ZHANG_XIAOYU, true));
    return true;
  }

  /** When a new demo starts, Beijing time: daytime, so the README's walkthrough gives its output at any hour. */
  public static final java.time.LocalTime START_TIME = java.time.LocalTime.of(10, 10);
  private static final java.time.ZoneId CHINA = java.time.ZoneId.of("Asia/Shanghai");

  /**
   * Moves a new demo's sandbox clock forward to the next {@link #START_TIME} (Beijing time): today's if
   * it is not past yet (at {@link #START_TIME} itself the clock stays), else tomorrow's.
   */
  public static void startAtDaytime(SandboxClock clock) {
    java.time.ZonedDateTime now = clock.instant().atZone(CHINA);
    java.time.ZonedDateTime start = now.toLocalDate().atTime(START_TIME).atZone(CHINA);
    if (start.isBefore(now)) {
      start = start.plusDays(1);
    }
    long aheadMillis = java.time.Duration.between(now, start).toMillis();
    if (aheadMillis > 0) {
      clock.advance(aheadMillis);
    }
  }

  /** The guide's line about a sandbox's clock: where it stands and how to move it. */
  public static String clockGuide(SandboxClock clock, String adminTarget) {
    java.time.ZonedDateTime now = clock.instant().atZone(CHINA);
    return "Sandbox clock: " + now.toLocalDate() + " " + now.toLocalTime().withNano(0) + " Beijing time, "
        + clock.offsetMillis() / 60_000 + " min ahead of this host (a new demo starts at " + START_TIME + "). To"
        + " try the night window or the 06:00 return: ./gongji admin clock advance --by 12h --target " + adminTarget
        + " --token " + CLERK_TOKEN;
  }

  /** Whether the demo wallet holds the quota its guide talks about. */
  public static boolean walletFunded(Gateway gateway) throws Exception {
    Result r = gateway.admin(new Command.GetWallet(ZHANG_XIAOYU)).get(10, TimeUnit.SECONDS);
    return r instanceof Result.WalletView w && (w.availableFen() > 0 || w.pendingFen() > 0);
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

  /**
   * What to print when {@code serve --demo} starts on a data directory that already holds the demo data
   * set: the figures as they are now (sales and transfers since may have changed every one of them), not
   * those the set starts with, and the demo's tokens. {@code target} is the terminal port,
   * {@code adminTarget} the back office's.
   */
  public static String restartGuide(String target, String adminTarget, String dataDir, long journalRecords,
      Gateway gateway) throws Exception {
    StringBuilder s = new StringBuilder();
    s.append("Demo data not loaded again: ").append(dataDir).append(" holds it from an earlier run (")
        .append(journalRecords).append(" journal records in all, sales and changes since included).\n");
    s.append(tokensGuide(adminTarget)).append('\n');
    s.append("What it holds now (yuan; start with an empty --data-dir for the demo's starting figures):\n");
    String[][] people = {{ZHANG_WEI, "SSC-ZHANGWEI", "张伟"}, {LI_NA, "SSC-LINA", "李娜"},
        {ZHANG_JIANGUO, "SSC-ZHANGJIANGUO", "张建国"}, {WANG_XIUYING, "SSC-WANGXIUYING", "王秀英"},
        {ZHAO_LEI, "SSC-ZHAOLEI", "赵磊"}, {LIU_GUILAN, "SSC-LIUGUILAN", "刘桂兰"},
        {ZHANG_XIAOYU, "SSC-ZHANGXIAOYU", "张小雨"}};
    for (String[] p : people) {
      Result account = gateway.admin(new Command.GetAccount(p[0])).get(10, TimeUnit.SECONDS);
      s.append(String.format("  %-17s %-4s ", p[1], p[2]));
      if (account instanceof Result.Account a) {
        s.append("balance ").append(yuan(a.balanceFen())).append(", held ").append(yuan(a.heldFen()));
      } else {
        s.append("no account of their own");
      }
      Result wallet = gateway.admin(new Command.GetWallet(p[0])).get(10, TimeUnit.SECONDS);
      if (wallet instanceof Result.WalletView w && w.open()) {
        s.append("; wallet available ").append(yuan(w.availableFen())).append(", pending ").append(yuan(w.pendingFen()));
      }
      s.append('\n');
    }
    s.append("Try (in another terminal):\n");
    s.append("  ./gongji pos identify --target ").append(target).append(" --token ").append(POS01_TOKEN)
        .append(" --card SSC-LINA\n");
    s.append("  ./gongji admin wallet show --target ").append(adminTarget).append(" --token ").append(CLERK_TOKEN)
        .append(" --psn-no ").append(ZHANG_XIAOYU);
    return s.toString();
  }

  private static String yuan(long fen) {
    return String.format("%d.%02d", fen / 100, Math.abs(fen % 100));
  }

  /** The demo's bearer tokens, one per line, for both guides; {@code adminTarget} is the back office's port. */
  private static String tokensGuide(String adminTarget) {
    StringBuilder tokens = new StringBuilder();
    TOKENS.forEach((token, who) -> tokens.append("\n  ").append(String.format("%-20s", token)).append(' ').append(who));
    return "Demo mode listens on loopback only. Every call needs a credential; the demo's bearer tokens"
        + " (token -> who; a terminal token acts only for its own terminal, the back office is on "
        + adminTarget + "):" + tokens;
  }

  /**
   * What to print so that a newcomer can copy and try it: {@code target} is the terminal port,
   * {@code adminTarget} the back office's; {@code walletFunded} from {@link #walletFunded}.
   */
  public static String guide(String target, String adminTarget, boolean walletFunded) {
    String pos = " --target " + target + " --token " + POS01_TOKEN;
    String admin = " --target " + adminTarget + " --token " + CLERK_TOKEN;
    return String.join("\n",
        "Demo data loaded. Pharmacy " + PHARMACY + " (terminals POS01, POS02), hospital " + HOSPITAL + " (HIS01),",
        "Fuzhou pharmacy " + FUZHOU_PHARMACY + " (POS01, another province).",
        tokensGuide(adminTarget),
        "People (social security card -> who):",
        "  SSC-ZHANGWEI      张伟   employee, Lanzhou 620100, 5,000.00 yuan; shares with wife 李娜 (quota 100 yuan)"
            + " and father 张建国",
        "  SSC-LINA          李娜   employee, Lanzhou, 30.00 yuan of her own; draws on 张伟, then on her mother 王秀英",
        "  SSC-ZHANGJIANGUO  张建国 resident-insured (no account); draws on his son 张伟",
        "  SSC-WANGXIUYING   王秀英 employee, Tianshui 620500 (2,000 yuan retained floor), 2,100.00 yuan",
        "  SSC-ZHAOLEI       赵磊   unrelated employee, 100.00 yuan",
        "  SSC-LIUGUILAN     刘桂兰 张伟's mother, retired employee, Lanzhou, 3,000.00 yuan; shares with granddaughter 张小雨",
        "  SSC-ZHANGXIAOYU   张小雨 resident-insured, studies in Fuzhou; her wallet (医保钱包) holds "
            + (walletFunded ? "500.00 yuan of quota from 刘桂兰" : "nothing yet (see below)"),
        "Try (in another terminal):",
        "  ./gongji pos identify " + pos + " --card SSC-LINA",
        "  ./gongji pos authorize" + pos + " --card SSC-LINA --item DRUG:350.00 --item COSMETICS:20.00:out",
        "  ./gongji pos settle   " + pos + " --txn <transaction id printed above>",
        "  ./gongji pos refund   " + pos + " --txn <transaction id>",
        "The wallet, across provinces (a sale in Fuzhou paid from 刘桂兰's quota in 张小雨's wallet):",
        walletFunded ? "" : "  (wallet transfers are closed from 22:00 to 06:00 Beijing time, so the demo transfer was not"
            + " made; after 06:00 run: ./gongji admin wallet assign" + admin + " --from " + LIU_GUILAN
            + " --to " + ZHANG_XIAOYU + " --amount 500.00, then ./gongji admin wallet accept" + admin
            + " --transfer <id printed> --by " + ZHANG_XIAOYU + ")",
        "  ./gongji pos authorize --target " + target + " --token demo-fuzhou-pos01 --institution " + FUZHOU_PHARMACY
            + " --card SSC-ZHANGXIAOYU --item DRUG:120.00",
        "  ./gongji admin wallet show" + admin + " --psn-no " + ZHANG_XIAOYU).replace("\n\n", "\n");
  }
}
