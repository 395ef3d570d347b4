package gongji.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.ClientOptions;
import gongji.client.GongjiAdminClient;
import gongji.client.Item;
import gongji.client.RegionPolicySettings;
import gongji.client.Terminal;
import gongji.client.WalletTransfer;
import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.server.domain.Masking;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code gongji pos} against the real server on Netty at 127.0.0.1:0 with the demo data. */
class CliTest {
  private static final Pattern TRANSACTION = Pattern.compile("transaction (T[0-9A-Z]+)");
  /** 李娜's basket: 350 yuan of drugs, 20 yuan of cosmetics out of policy scope. */
  private static final String[] BASKET = {"--card", "SSC-LINA", "--item", "DRUG:350.00", "--item", "COSMETICS:20.00:out"};
  private static final String LI_NA_SUMMARY =
      "  own account 30.00 | mutual aid 200.00 | cash 140.00 | in scope 350.00 | own balance after 0.00 (yuan)";

  private TestGateway gateway;

  @BeforeEach
  void start() throws Exception {
    gateway = TestGateway.netty();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  private CliRun run(String command, String... flags) {
    List<String> args = new ArrayList<>();
    args.add(command);
    args.addAll(Arrays.asList(flags));
    args.add("--target");
    args.add(gateway.target());
    return runRaw(args.toArray(new String[0]));
  }

  private static CliRun runRaw(String... args) {
    return CliRun.of((out, err) -> new Cli(out, err)::run, args);
  }


  private static String[] with(String[] a, String... b) {
    return Stream.concat(Arrays.stream(a), Arrays.stream(b)).toArray(String[]::new);
  }

  @Test
  void identify_liNa_printsHerBalanceAndFamilyFunds() {
    CliRun r = run("identify", "--card", "SSC-LINA");

    assertEquals(0, r.exit(), r.toString());
    assertEquals(5, r.lines().size(), r.toString());
    assertTrue(r.lines().get(0).matches("patient {5}李\\*  " + DemoData.LI_NA), r.lines().get(0));
    assertEquals("insurance   EMPLOYEE_BASIC, NORMAL, region 620100", r.lines().get(1));
    assertEquals("own account balance 30.00 yuan, available 30.00", r.lines().get(2));
    assertTrue(r.lines().get(3).matches("mutual aid  B1 +SPOUSE +张\\* .* available 100\\.00 yuan"), r.lines().get(3));
    assertTrue(r.lines().get(4).matches("mutual aid  B2 +PARENT +王\\*\\* .* available 100\\.00 yuan"), r.lines().get(4));
    assertEquals("", r.err());
  }

  @Test
  void authorizeSettleShowRefund_liNasBasket_printTheSplitAtEachStep() {
    CliRun authorized = run("authorize", BASKET);
    String txn = authorized.first(TRANSACTION);
    CliRun settled = run("settle", "--txn", txn);
    CliRun shown = run("show", "--txn", txn);
    CliRun refunded = run("refund", "--txn", txn);

    assertEquals(0, authorized.exit(), authorized.toString());
    assertTrue(authorized.lines().get(0).matches(
        "authorized  transaction " + txn + "  state AUTHORIZED  request P62010200017[0-9]{18}"), authorized.toString());
    assertSplitLines(authorized, LI_NA_SUMMARY);
    assertEquals(0, settled.exit(), settled.toString());
    assertTrue(settled.lines().get(0).startsWith("settled  transaction " + txn + "  state SETTLED  request "), settled.out());
    assertSplitLines(settled, LI_NA_SUMMARY);
    assertEquals(0, shown.exit(), shown.toString());
    assertEquals("transaction  transaction " + txn + "  state SETTLED", shown.lines().get(0));
    assertSplitLines(shown, LI_NA_SUMMARY);
    assertEquals(0, refunded.exit(), refunded.toString());
    assertTrue(refunded.lines().get(0).startsWith("refunded  transaction " + txn + "  state REFUNDED"), refunded.out());
    assertSplitLines(refunded,
        "  own account 30.00 | mutual aid 200.00 | cash 140.00 | in scope 350.00 | own balance after 30.00 (yuan)");
  }

  private static void assertSplitLines(CliRun r, String summary) {
    List<String> lines = r.lines();
    assertEquals(7, lines.size(), r.toString());
    assertTrue(lines.get(1).matches("  own account +李\\* \\S+ +30\\.00"), lines.get(1));
    assertTrue(lines.get(2).matches("  mutual aid B1 +张\\* \\S+ +100\\.00"), lines.get(2));
    assertTrue(lines.get(3).matches("  mutual aid B2 +王\\*\\* \\S+ +100\\.00"), lines.get(3));
    assertTrue(lines.get(4).matches("  cash +140\\.00"), lines.get(4));
    assertTrue(lines.get(5).matches("  total +370\\.00"), lines.get(5));
    assertEquals(summary, lines.get(6));
  }

  @Test
  void settleFinalTotalAndCancel_printWhatWasPaidAndReleased() {
    String paidTxn = run("authorize", BASKET).first(TRANSACTION);
    CliRun paid = run("settle", "--txn", paidTxn, "--final-total", "220");
    String cancelledTxn = run("authorize", "--card", "SSC-ZHAOLEI", "--item", "DRUG:12.50:x3").first(TRANSACTION);
    CliRun cancelled = run("cancel", "--txn", cancelledTxn);

    assertEquals(0, paid.exit(), paid.toString());
    assertTrue(paid.out().contains("own account 30.00 | mutual aid 50.00 | cash 140.00"), paid.out());
    assertEquals(0, cancelled.exit(), cancelled.toString());
    assertEquals("  every hold released; own account available now 100.00 yuan", cancelled.lines().get(1));
  }

  @Test
  void reverse_requestNeverSent_printsNotReceived() {
    CliRun r = run("reverse", "--request-id", "P62010200017202603020900000001");

    assertEquals(0, r.exit(), r.toString());
    assertEquals("reversal of P62010200017202603020900000001: NOT_RECEIVED", r.out().strip());
  }

  @Test
  void json_identifyAuthorizeSettleRefund_parseableWithFenAmounts() {
    Map<String, Object> who = run("identify", "--card", "SSC-LINA", "--json").json();
    CliRun authorizedRun = run("authorize", with(BASKET, "--json"));
    Map<String, Object> authorized = authorizedRun.json();
    String txn = (String) authorized.get("transaction_id");
    Map<String, Object> settled = run("settle", "--txn", txn, "--json").json();
    Map<String, Object> refunded = run("refund", "--txn", txn, "--json").json();

    assertEquals(DemoData.LI_NA, who.get("psn_no"));
    assertEquals(3_000L, who.get("balance_fen"));
    assertEquals(List.of(10_000L, 10_000L), ((List<?>) who.get("mutual_aid_sources")).stream()
        .map(s -> ((Map<?, ?>) s).get("available_fen")).toList());
    assertEquals(0, authorizedRun.exit());
    assertEquals("AUTHORIZED", authorized.get("state"));
    assertEquals(30, ((String) authorized.get("request_id")).length());
    for (Map<String, Object> sale : List.of(authorized, settled, refunded)) {
      assertEquals(txn, sale.get("transaction_id"));
      assertEquals(List.of(37_000L, 35_000L, 3_000L, 20_000L, 14_000L), List.of(sale.get("total_fen"),
          sale.get("in_scope_fen"), sale.get("account_pay_fen"), sale.get("mutual_aid_pay_fen"), sale.get("cash_pay_fen")));
      assertEquals(List.of("OWN_ACCOUNT  3000", "MUTUAL_AID B1 10000", "MUTUAL_AID B2 10000", "CASH  14000"),
          ((List<?>) sale.get("legs")).stream().map(l -> (Map<?, ?>) l)
              .map(l -> l.get("source") + " " + l.get("binding_id") + " " + l.get("amount_fen")).toList());
    }
    assertEquals("SETTLED", settled.get("state"));
    assertEquals("REFUNDED", refunded.get("state"));
    assertEquals(3_000L, refunded.get("balance_after_fen"));
  }

  @Test
  void authorize_someoneElsesCard_exits3WithTheReasonAndWhatToDo() {
    CliRun r = run("authorize", "--card", "SSC-ZHAOLEI", "--psn-no", DemoData.LI_NA, "--item", "DRUG:10.00");

    assertEquals(3, r.exit(), r.toString());
    assertEquals("", r.out());
    List<String> err = r.err().lines().toList();
    assertEquals("refused: IMPERSONATION (PERMISSION_DENIED)", err.get(0));
    assertTrue(err.get(1).contains("does not belong to psn_no " + Masking.psnNo(DemoData.LI_NA)), err.get(1));
    assertTrue(err.get(2).matches("  request id P62010200017[0-9]{18}"), err.get(2));
    assertEquals("  next: the patient must present their own credential; the attempt was recorded", err.get(3));
  }

  @Test
  void authorize_someoneElsesCardJson_exits3WithTheReasonAsJson() {
    CliRun r = run("authorize", "--card", "SSC-ZHAOLEI", "--psn-no", DemoData.LI_NA, "--item", "DRUG:10.00", "--json");

    assertEquals(3, r.exit(), r.toString());
    Map<String, Object> error = r.json();
    assertEquals("IMPERSONATION", error.get("error"));
    assertEquals("PERMISSION_DENIED", error.get("status"));
    assertEquals(30, ((String) ((Map<?, ?>) error.get("metadata")).get("request_id")).length());
    assertEquals(Map.of(), error.get("field_violations"));
  }

  @Test
  void settle_unknownTransactionOrTooMuch_exits3() {
    CliRun unknown = run("settle", "--txn", "T999999");
    String txn = run("authorize", BASKET).first(TRANSACTION);
    CliRun tooMuch = run("settle", "--txn", txn, "--final-total", "370.01", "--json");

    assertEquals(3, unknown.exit(), unknown.toString());
    assertTrue(unknown.err().startsWith("refused: TRANSACTION_NOT_FOUND (NOT_FOUND)"), unknown.err());
    assertEquals(3, tooMuch.exit(), tooMuch.toString());
    assertEquals("AMOUNT_EXCEEDS_AUTHORIZED", tooMuch.json().get("error"));
    assertEquals(List.of("final_total_fen"), List.copyOf(((Map<?, ?>) tooMuch.json().get("field_violations")).keySet()));
  }

  @Test
  void identifyAuthorize_withWalletQuota_printTheWalletSourceAndLegWithTheTransferId() {
    String transferId = walletQuotaForLiNa(5_000);

    CliRun identified = run("identify", "--card", "SSC-LINA");
    CliRun authorized = run("authorize", BASKET);
    Map<String, Object> json = run("show", "--txn", authorized.first(TRANSACTION), "--json").json();

    assertEquals(0, identified.exit(), identified.toString());
    assertTrue(identified.lines().get(3).matches("wallet {6}" + transferId + " +SPOUSE +张\\* .* available 50\\.00 yuan"
        + "  \\(binding B1\\)"), identified.out());
    assertTrue(identified.lines().get(4).startsWith("mutual aid  B1"), identified.out());
    assertEquals(0, authorized.exit(), authorized.toString());
    assertTrue(authorized.lines().get(1).startsWith("  own account "), authorized.out());
    assertTrue(authorized.lines().get(2).matches("  wallet " + transferId + " +张\\* .* 50\\.00"), authorized.out());
    Map<?, ?> walletLeg = (Map<?, ?>) ((List<?>) json.get("legs")).get(1);
    assertEquals("WALLET", walletLeg.get("source"));
    assertEquals(transferId, walletLeg.get("wallet_transfer_id"));
    assertEquals("B1", walletLeg.get("binding_id"));
    assertEquals(5_000L, walletLeg.get("amount_fen"));
  }

  /** 张伟 assigns {@code fen} to his wife's wallet and she accepts it, any hour (Lanzhou's quiet window lifted). */
  private String walletQuotaForLiNa(long fen) {
    try (GongjiAdminClient admin = GongjiAdminClient.create(ClientOptions.builder(gateway.target(),
        new Terminal(DemoData.PHARMACY, "POS01", "")).usePlaintext().build())) {
      admin.reference().updateRegionPolicy(RegionPolicySettings.builder("620100").name("兰州市").extendedRelativesAllowed(true)
          .quotaAllowed(true).crossProvinceEnabled(true).allowOptionalCategory(Item.Category.NON_PROGRAMME_VACCINE)
          .allowOptionalCategory(Item.Category.HEALTH_CHECKUP).holdTtlSeconds(1800).walletQuietHours(12, 12).build());
      admin.wallets().openWallet(DemoData.LI_NA);
      WalletTransfer t = admin.wallets().assignWalletQuota("cli-wallet", DemoData.ZHANG_WEI, DemoData.LI_NA, fen);
      return admin.wallets().acceptWalletTransfer(t.id(), DemoData.LI_NA).id();
    }
  }

  static Stream<Arguments> badUsage() {
    return Stream.of(
        Arguments.of(List.of("pay", "--card", "SSC-LINA"), "Unmatched arguments from index 0: 'pay'"),
        Arguments.of(List.of("authorize", "--card", "SSC-LINA"), "at least one --item"),
        Arguments.of(List.of("authorize", "--card", "SSC-LINA", "--item", "CANDY:1.00"), "unknown category CANDY"),
        Arguments.of(List.of("authorize", "--card", "SSC-LINA", "--item", "DRUG:1.001"), "at most 2 decimals"),
        Arguments.of(List.of("authorize", "--item", "DRUG:1.00"), "a credential is required"),
        Arguments.of(List.of("authorize", "--card", "SSC-LINA", "--id-card", "X", "--item", "DRUG:1.00"),
            "one credential only"),
        Arguments.of(List.of("authorize", "--card", "SSC-LINA", "--item", "DRUG:1", "--medical-type", "SPA"),
            "'--medical-type': expected one of [PHARMACY, OUTPATIENT, INPATIENT, VACCINATION, HEALTH_CHECKUP]"),
        Arguments.of(List.of("identify", "SSC-LINA"), "Unmatched argument at index 1: 'SSC-LINA'"),
        Arguments.of(List.of("settle"), "Missing required option: '--txn=T'"),
        Arguments.of(List.of("settle", "--txn", "T1", "--final-total", "-1"), "amount: \"-1\""),
        Arguments.of(List.of("reverse", "--request-id"), "Expected parameter for option '--request-id'"),
        Arguments.of(List.of("show", "--txn", "T1", "--deadline-ms", "0"), "defaultDeadlineMillis: 0"),
        Arguments.of(List.of("show", "--txn", "T1", "--deadline-ms", "soon"), "'soon' is not a long"),
        Arguments.of(List.of("show", "--txn", "T1", "--txn", "T2"), "should be specified only once"),
        Arguments.of(List.of("show", "--txn", "T1", "--jsn"), "Possible solutions: --json"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badUsage")
  void badUsage_exits2WithWhatIsWrong(List<String> args, String message) {
    CliRun r = run(args.get(0), args.subList(1, args.size()).toArray(new String[0]));

    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().startsWith("gongji pos"), r.err());
    assertTrue(r.err().contains(message), r.err());
  }

  @Test
  void settle_misspelledFlag_exits2WithASuggestionAndSettlesNothing() {
    String txn = run("authorize", BASKET).first(TRANSACTION);

    CliRun misspelled = run("settle", "--txn", txn, "--final-totl", "20.00");
    CliRun shown = run("show", "--txn", txn);

    assertEquals(2, misspelled.exit(), misspelled.toString());
    assertTrue(misspelled.err().startsWith("gongji pos settle: Unknown option"), misspelled.err());
    assertTrue(misspelled.err().contains("'--final-totl'"), misspelled.err());
    assertTrue(misspelled.err().contains("Possible solutions: --final-total"), misspelled.err());
    assertTrue(shown.out().contains("state AUTHORIZED"), shown.toString());
  }

  /** Every command and the flags the README and the guide use: each is listed by --help, which exits 0. */
  static Stream<Arguments> helpOfEveryCommand() {
    List<String> common = List.of("--target", "--institution", "--terminal", "--operator", "--deadline-ms", "--token",
        "--tls-ca", "--tls-cert", "--tls-key", "--json", "--help", "--version");
    List<String> patient = List.of("--card", "--id-card", "--e-credential", "--psn-no");
    return Stream.of(
        Arguments.of(List.of(), List.of("identify", "authorize", "settle", "cancel", "refund", "reverse", "show",
            "--help", "--version")),
        Arguments.of(List.of("identify"), concat(common, patient)),
        Arguments.of(List.of("authorize"), concat(concat(common, patient), List.of("--item", "--medical-type", "--no-account",
            "--no-mutual-aid", "--request-id"))),
        Arguments.of(List.of("settle"), concat(common, List.of("--txn", "--final-total", "--request-id"))),
        Arguments.of(List.of("cancel"), concat(common, List.of("--txn", "--request-id"))),
        Arguments.of(List.of("refund"), concat(common, List.of("--txn", "--request-id"))),
        Arguments.of(List.of("reverse"), concat(common, List.of("--request-id"))),
        Arguments.of(List.of("show"), concat(common, List.of("--txn"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("helpOfEveryCommand")
  void help_everyCommand_exits0AndListsEveryFlag(List<String> command, List<String> flags) {
    List<String> args = new ArrayList<>(command);
    args.add("--help");

    CliRun r = runRaw(args.toArray(new String[0]));

    assertEquals(0, r.exit(), r.toString());
    for (String flag : flags) {
      assertTrue(r.out().contains(flag), flag + "\n" + r);
    }
    assertTrue(r.out().contains("default: 127.0.0.1:9090") || command.isEmpty(), r.toString());
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }

  @Test
  void noArguments_exits2_helpAndVersionExit0() {
    CliRun none = runRaw();
    CliRun help = runRaw("help");
    CliRun helpSettle = runRaw("help", "settle");
    CliRun version = runRaw("--version");

    assertEquals(2, none.exit(), none.toString());
    assertTrue(none.err().startsWith("gongji pos: a command is required"), none.toString());
    assertEquals(0, help.exit(), help.toString());
    assertTrue(help.out().startsWith("Usage: gongji pos "), help.toString());
    assertEquals(0, helpSettle.exit(), helpSettle.toString());
    assertTrue(helpSettle.out().contains("--final-total"), helpSettle.toString());
    assertEquals(0, version.exit(), version.toString());
    assertTrue(version.out().startsWith("gongji "), version.toString());
  }

  @Test
  void show_gatewayUnreachable_exits4() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }

    CliRun r = runRaw("show", "--txn", "T1", "--target", "127.0.0.1:" + closedPort, "--deadline-ms", "3000");

    assertEquals(4, r.exit(), r.toString());
    assertTrue(r.err().startsWith("not done: NOT_APPLIED (UNAVAILABLE)"), r.err());
  }
}
