package gongji.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code gongji admin} quota and wallet commands against the real server on Netty at 127.0.0.1:0
 * with the demo data. The server runs on the system clock, so each test first lifts Lanzhou's
 * night window for wallet transfers (the demo policy otherwise), whatever the hour of the run.
 */
class AdminCliTest {
  private static final Pattern TRANSFER = Pattern.compile("^(W[0-9A-Z]+) ", Pattern.MULTILINE);

  private TestGateway gateway;

  @BeforeEach
  void start() throws Exception {
    gateway = TestGateway.netty();
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
  }

  private CliRun run(String... args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add("--target");
    all.add(gateway.target());
    return runRaw(all.toArray(new String[0]));
  }

  private static CliRun runRaw(String... args) {
    return CliRun.of((out, err) -> new AdminCli(out, err)::run, args);
  }


  /** Lanzhou as the demo sets it, with no quiet window for wallet transfers (equal hours, not 0). */
  private void lanzhouWithoutQuietHours() {
    CliRun r = run("policy", "--admdvs", "620100", "--name", "兰州市", "--extended", "--quota-allowed", "--cross-province",
        "--optional", "NON_PROGRAMME_VACCINE,HEALTH_CHECKUP", "--hold-ttl-seconds", "1800",
        "--wallet-quiet-hours", "12-12");
    assertEquals(0, r.exit(), r.toString());
  }

  @Test
  void policy_walletFlags_printTheSettingsAsApplied() {
    CliRun defaults = run("policy", "--admdvs", "620900", "--name", "酒泉市");
    CliRun set = run("policy", "--admdvs", "620900", "--wallet-transfers-per-day", "5", "--wallet-max-transfer", "500.00",
        "--wallet-quiet-hours", "23-7", "--aid-order", "closest-relative");

    assertEquals(0, defaults.exit(), defaults.toString());
    assertTrue(defaults.out().strip().endsWith(", wallet 3 a day up to 2000.00 yuan, quiet 22-6, aid order BINDING"),
        defaults.out());
    assertEquals(0, set.exit(), set.toString());
    assertTrue(set.out().strip().endsWith(", wallet 5 a day up to 500.00 yuan, quiet 23-7, aid order CLOSEST_RELATIVE"),
        set.out());
  }

  @Test
  void policy_aFlagNotGiven_keepsItsSetting_andNoFlagShowsThePolicy() {
    CliRun floor = run("policy", "--admdvs", "620500", "--floor", "2000.00", "--extended=false");
    CliRun wallet = run("policy", "--admdvs", "620500", "--wallet-transfers-per-day", "5");
    CliRun show = run("policy", "--admdvs", "620500");

    assertEquals(0, wallet.exit(), wallet.toString());
    assertTrue(wallet.out().contains("floor 2000.00 yuan, extended relatives false"), "kept: " + wallet.out());
    assertTrue(wallet.out().contains("wallet 5 a day"), wallet.out());
    assertEquals(0, show.exit(), show.toString());
    assertEquals(wallet.out().replace(" set:", ":"), show.out());
    assertEquals(0, floor.exit(), floor.toString());
  }

  @Test
  void quota_byTheAuthorizer_printsTheBindingWithItsNewQuota() {
    CliRun r = run("quota", "--binding", "B1", "--by", DemoData.ZHANG_WEI, "--quota", "200.00");
    CliRun json = run("quota", "--binding", "B1", "--by", DemoData.ZHANG_WEI, "--quota", "150", "--json");

    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().matches("B1 +ACTIVE +" + DemoData.ZHANG_WEI + " -> " + DemoData.LI_NA
        + " +SPOUSE +quota 200\\.00 used 0\\.00\\R"), r.out());
    assertEquals(0, json.exit(), json.toString());
    assertEquals(15_000L, json.json().get("quota_fen"));
    assertEquals(0L, json.json().get("wallet_fen"));
  }

  @Test
  void walletOpenAssignAcceptShowList_printEachStep() {
    lanzhouWithoutQuietHours();

    CliRun notOpen = run("wallet", "show", "--psn-no", DemoData.LI_NA);
    CliRun opened = run("wallet", "open", "--psn-no", DemoData.LI_NA);
    CliRun assigned = run("wallet", "assign", "--from", DemoData.ZHANG_WEI, "--to", DemoData.LI_NA, "--amount", "50.00",
        "--request-id", "cli-wallet-1");
    String id = assigned.first(TRANSFER);
    CliRun accepted = run("wallet", "accept", "--transfer", id, "--by", DemoData.LI_NA);
    CliRun shown = run("wallet", "show", "--psn-no", DemoData.LI_NA);
    CliRun listed = run("wallet", "list", "--psn-no", DemoData.ZHANG_WEI, "--role", "authorizer");
    CliRun none = run("wallet", "list", "--psn-no", DemoData.ZHANG_WEI, "--role", "beneficiary");
    CliRun binding = run("list", "--psn-no", DemoData.LI_NA, "--role", "beneficiary");

    assertEquals("wallet " + DemoData.LI_NA + "  not open", notOpen.out().strip(), notOpen.toString());
    assertEquals(0, opened.exit(), opened.toString());
    assertTrue(opened.out().startsWith("wallet " + DemoData.LI_NA + "  open since "), opened.out());
    assertEquals(0, assigned.exit(), assigned.toString());
    assertTrue(assigned.lines().get(0).matches(id + " +PENDING +" + DemoData.ZHANG_WEI + " -> " + DemoData.LI_NA
        + "  B1 +amount 50\\.00 remaining [0-9.]+ spent 0\\.00  accept by .*"), assigned.out());
    assertEquals("  request cli-wallet-1", assigned.lines().get(1));
    assertTrue(accepted.out().matches(id + " +ACCEPTED +.* amount 50\\.00 remaining 50\\.00 spent 0\\.00\\R"),
        accepted.out());
    assertTrue(shown.lines().get(0).matches("wallet " + DemoData.LI_NA
        + "  open since .*  available 50\\.00  pending 0\\.00 \\(yuan\\)  transfers today 1"), shown.out());
    assertTrue(shown.lines().get(1).startsWith(id + " "), shown.out());
    assertEquals(2, shown.lines().size(), shown.out());
    assertEquals(1, listed.lines().size(), listed.out());
    assertTrue(listed.lines().get(0).startsWith(id + " "), listed.out());
    assertEquals("no wallet transfers", none.out().strip());
    assertTrue(binding.lines().get(0).contains("quota 100.00 used 0.00 wallet 50.00"), binding.out());
  }

  @Test
  void walletDecline_andJson_parseableWithFenAmounts() {
    lanzhouWithoutQuietHours();
    run("wallet", "open", "--psn-no", DemoData.LI_NA);

    Map<String, Object> assigned = run("wallet", "assign", "--from", DemoData.ZHANG_WEI, "--to", DemoData.LI_NA,
        "--amount", "30", "--json").json();
    String id = (String) assigned.get("transfer_id");
    Map<String, Object> declined = run("wallet", "decline", "--transfer", id, "--by", DemoData.LI_NA, "--json").json();
    Map<String, Object> wallet = run("wallet", "show", "--psn-no", DemoData.LI_NA, "--json").json();
    Object listed = JsonReader.read(run("wallet", "list", "--psn-no", DemoData.LI_NA, "--json").out().strip());

    assertEquals("PENDING", assigned.get("state"));
    assertEquals(3_000L, assigned.get("amount_fen"));
    assertEquals("B1", assigned.get("binding_id"));
    assertTrue(((String) assigned.get("request_id")).matches("ADM[0-9]{20}"), assigned.toString());
    assertEquals(id, declined.get("transfer_id"));
    assertEquals("DECLINED", declined.get("state"));
    assertEquals(true, wallet.get("open"));
    assertEquals(0L, wallet.get("available_fen"));
    assertEquals(1L, wallet.get("transfers_today"));
    assertEquals(List.of(), wallet.get("transfers"));
    assertEquals(List.of(id), ((List<?>) listed).stream().map(t -> ((Map<?, ?>) t).get("transfer_id")).toList());
  }

  @Test
  void walletAssign_toAWalletNeverOpened_exits3WithTheReasonAndTheRequestId() {
    CliRun r = run("wallet", "assign", "--from", DemoData.ZHANG_WEI, "--to", DemoData.ZHANG_JIANGUO, "--amount", "10",
        "--request-id", "cli-wallet-n");
    CliRun json = run("wallet", "assign", "--from", DemoData.ZHANG_WEI, "--to", DemoData.ZHANG_JIANGUO, "--amount", "10",
        "--request-id", "cli-wallet-n", "--json");

    assertEquals(3, r.exit(), r.toString());
    List<String> err = r.err().lines().toList();
    assertEquals("refused: WALLET_NOT_OPEN (FAILED_PRECONDITION)", err.get(0));
    assertEquals("  request id cli-wallet-n", err.get(err.size() - 1));
    assertEquals(3, json.exit(), json.toString());
    assertEquals("WALLET_NOT_OPEN", json.json().get("error"));
    assertEquals("cli-wallet-n", json.json().get("request_id"));
  }

  @Test
  void walletAccept_unknownTransfer_exits3() {
    CliRun r = run("wallet", "accept", "--transfer", "W999", "--by", DemoData.LI_NA);

    assertEquals(3, r.exit(), r.toString());
    assertTrue(r.err().startsWith("refused: WALLET_TRANSFER_NOT_FOUND (NOT_FOUND)"), r.err());
  }

  static Stream<Arguments> badUsage() {
    return Stream.of(
        Arguments.of(List.of("wallet", "close", "--psn-no", DemoData.LI_NA), "Unmatched arguments from index 1: 'close'"),
        Arguments.of(List.of("wallet", "show"), "Missing required option: '--psn-no=P'"),
        Arguments.of(List.of("wallet", "show", "--psn-no", DemoData.LI_NA, DemoData.ZHANG_WEI),
            "Unmatched argument at index 4: '" + DemoData.ZHANG_WEI + "'"),
        Arguments.of(List.of("wallet", "accept", "--by", DemoData.LI_NA), "Missing required option: '--transfer=W'"),
        Arguments.of(List.of("wallet", "decline", "--transfer", "W1"), "Missing required option: '--by=P'"),
        Arguments.of(List.of("wallet", "assign", "--from", "A", "--to", "B", "--amount", "12.505"), "12.505"),
        Arguments.of(List.of("wallet", "assign", "--from", "A", "--to", "B"), "Missing required option: '--amount=YUAN'"),
        Arguments.of(List.of("wallet", "list", "--psn-no", "A", "--role", "payer"), "--role \"payer\""),
        Arguments.of(List.of("quota", "--by", "A", "--quota", "1"), "Missing required option: '--binding=B'"),
        Arguments.of(List.of("account", "--psn-no", "B", "A"), "Unmatched argument at index 3: 'A'"),
        Arguments.of(List.of("account", "--psn-no", "A", "--json"), "Unknown option: '--json'"),
        Arguments.of(List.of("policy", "--admdvs", "620100", "--aid-order", "eldest"), "--aid-order \"eldest\""),
        Arguments.of(List.of("policy", "--admdvs", "620100", "--wallet-quiet-hours", "22"),
            "--wallet-quiet-hours \"22\""),
        Arguments.of(List.of("policy", "--admdvs", "620100", "--wallet-max-transfr", "10"),
            "--wallet-max-transfer"),
        Arguments.of(List.of("reconcile", "--institution", "P62010200017", "--dat", "2026-11-25"),
            "Possible solutions: --date"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badUsage")
  void badUsage_exits2WithWhatIsWrong(List<String> args, String message) {
    CliRun r = run(args.toArray(new String[0]));

    assertEquals(2, r.exit(), r.toString());
    assertTrue(r.err().startsWith("gongji admin"), r.err());
    assertTrue(r.err().contains(message), r.err());
  }

  @Test
  void reconcile_afterASale_printsTheDaysGroups_andEachRowsGroup() {
    CliRun authorized = CliRun.of((out, err) -> new Cli(out, err)::run, "authorize", "--card", "SSC-LINA", "--item",
        "DRUG:350.00", "--target", gateway.target());
    Matcher txn = Pattern.compile("transaction (T[0-9A-Z]+) ").matcher(authorized.out());
    assertTrue(txn.find(), authorized.toString());
    CliRun settled = CliRun.of((out, err) -> new Cli(out, err)::run, "settle", "--txn", txn.group(1), "--target",
        gateway.target());

    CliRun r = run("reconcile", "--institution", DemoData.PHARMACY, "--detail");

    assertEquals(0, settled.exit(), settled.toString());
    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.lines().contains("  per group (insutype clr_type setl_optins)"), r.out());
    assertTrue(r.lines().stream().anyMatch(l -> l.matches(
        " {2}310 41 620100 settlements +1 +350\\.00 +30\\.00 +200\\.00 +120\\.00")), r.out());
    assertTrue(r.lines().stream().anyMatch(l -> l.contains(" " + txn.group(1) + " ") && l.contains(" SETTLED ")
        && l.endsWith("120.00  310 41 620100")), r.out());
    CliRun residents = run("reconcile", "--institution", DemoData.PHARMACY, "--detail", "--insutype", "390");
    CliRun lanzhou = run("reconcile", "--institution", DemoData.PHARMACY, "--detail", "--insutype", "310",
        "--clr-type", "41", "--setl-optins", "620100");
    assertTrue(residents.lines().stream().noneMatch(l -> l.contains(" " + txn.group(1) + " ")), residents.out());
    assertTrue(lanzhou.lines().stream().anyMatch(l -> l.contains(" " + txn.group(1) + " ")), lanzhou.out());
  }

  /** Every command and every flag: each is listed by its --help, which exits 0. */
  static Stream<Arguments> helpOfEveryCommand() {
    return Stream.of(
        help(List.of(), List.of("list", "bind", "verify", "dissolve", "usage", "premium", "quota", "wallet",
            "account", "credit", "death", "payout", "policy", "reconcile", "alerts")),
        help(List.of("list"), List.of("--psn-no", "--role")),
        help(List.of("bind"), List.of("--authorizer", "--beneficiary", "--relationship", "--evidence", "--quota")),
        help(List.of("verify"), List.of("--binding", "--reject", "--note")),
        help(List.of("dissolve"), List.of("--binding", "--by")),
        help(List.of("usage"), List.of("--psn-no", "--role")),
        help(List.of("premium"), List.of("--payer", "--beneficiary", "--amount", "--year", "--request-id")),
        help(List.of("quota"), List.of("--binding", "--by", "--quota", "--json")),
        help(List.of("wallet"), List.of("open", "show", "assign", "accept", "decline", "list")),
        help(List.of("wallet", "open"), List.of("--psn-no", "--json")),
        help(List.of("wallet", "show"), List.of("--psn-no", "--json")),
        help(List.of("wallet", "assign"), List.of("--from", "--to", "--amount", "--request-id", "--json")),
        help(List.of("wallet", "accept"), List.of("--transfer", "--by", "--json")),
        help(List.of("wallet", "decline"), List.of("--transfer", "--by", "--json")),
        help(List.of("wallet", "list"), List.of("--psn-no", "--role", "--json")),
        help(List.of("account"), List.of("--psn-no")),
        help(List.of("credit"), List.of("--psn-no", "--amount", "--request-id")),
        help(List.of("death"), List.of("--psn-no")),
        help(List.of("payout"), List.of("--psn-no", "--heir", "--request-id")),
        help(List.of("policy"), List.of("--admdvs", "--name", "--floor", "--extended", "--quota-allowed",
            "--cross-province", "--optional", "--hold-ttl-seconds", "--max-aid-uses", "--max-aid-per-day",
            "--wallet-transfers-per-day", "--wallet-max-transfer", "--wallet-quiet-hours", "--aid-order")),
        help(List.of("reconcile"), List.of("--institution", "--date", "--detail", "--insutype", "--clr-type",
            "--setl-optins")),
        help(List.of("alerts"), List.of()));
  }

  /** A command and its flags, with those every command takes (a group of commands: only --help, --version). */
  private static Arguments help(List<String> command, List<String> flags) {
    List<String> all = new ArrayList<>(flags);
    all.addAll(command.isEmpty() || command.equals(List.of("wallet")) ? List.of("--help", "--version")
        : List.of("--target", "--deadline-ms", "--token", "--tls-ca", "--tls-cert", "--tls-key", "--help", "--version"));
    return Arguments.of(command, all);
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
  }

  @Test
  void help_anyCommand_targetsTheBackOfficePortByDefault() {
    CliRun r = runRaw("account", "--help");

    assertEquals(0, r.exit(), r.toString());
    assertTrue(r.out().contains("(default: 127.0.0.1:9092)"), r.toString());
  }

  @Test
  void help_listsTheWalletCommands() {
    CliRun help = runRaw("help");
    CliRun wallet = runRaw("wallet", "--help");
    CliRun noVerb = runRaw("wallet");

    assertEquals(0, help.exit());
    assertEquals(2, noVerb.exit(), noVerb.toString());
    assertTrue(noVerb.err().startsWith("gongji admin wallet: a wallet command is required"), noVerb.toString());
    assertTrue(help.out().contains("wallet"), help.toString());
    for (String command : List.of("open", "show", "assign", "accept", "decline", "list")) {
      assertTrue(wallet.out().contains("  " + command + " "), command + "\n" + wallet);
    }
  }
}
