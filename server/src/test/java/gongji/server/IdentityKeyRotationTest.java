package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.IdentityKey;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.gateway.Terminal;
import gongji.server.ledger.Command;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.Result;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.national.NationalEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rotation of the identity key on a real data directory: written under key 1 (a key file of the
 * format before generations), key 2 added by one start with {@code --add-identity-key}, the old
 * cards still found and keyed again in passing (journaled: a restart replays it to the same
 * persons), new cards keyed under key 2 only, a card held under key 1 refused to a second person,
 * requests sent again across the rotation (a national sale, 2101 and 2103, a registration, a payout
 * to heirs) given their first copy's answer and applied once, key 1 retired once
 * {@code ledger identity-keys} counts no credential under it; no identity number on disk; the
 * refusals of a wrong or missing key say what to do, in one line.
 */
@Timeout(120)
@SuppressWarnings("try") // Node.close() may throw InterruptedException: the test fails with it
class IdentityKeyRotationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Terminal POS01 = new Terminal(DemoData.PHARMACY, "POS01", "");
  private static final String ZHANG_WEI_ID = "620102198001010011";
  private static final String LI_NA_ID = "620102198203040022";
  /** Every credential of the demo data set, each person's in turn: social security card, identity card. */
  private static final List<Credential> DEMO_CARDS = List.of(
      ssc("SSC-ZHANGWEI"), id(ZHANG_WEI_ID), ssc("SSC-LINA"), id(LI_NA_ID),
      ssc("SSC-ZHANGJIANGUO"), id("620102195506070033"), ssc("SSC-WANGXIUYING"), id("620502195808090044"),
      ssc("SSC-ZHAOLEI"), id("620102199001010055"), ssc("SSC-ZHANGXIAOYU"), id("620102200505050066"),
      ssc("SSC-LIUGUILAN"), id("620102195603030077"));
  private static final String NEW_PSN_NO = "62010019910909008800000008";
  private static final String NEW_ID = "62010219910909008X";
  private static final String OTHER_PSN_NO = "62010019910909009900000009";
  private static final String ZHAO_LEI_ID = "620102199001010055";
  private static final String HEIR_1_ID = "220102198001011234";
  private static final String HEIR_2_ID = "220102198502025678";

  @TempDir Path dir;

  @Test
  void rotation_onARealDataDirectory_findsOldCardsRekeysThemAndRetiresTheOldKey() throws Exception {
    Path data = dir.resolve("data");
    Path key1 = key("identity-1.key", 7, null); // the format before generations: generation 1
    Path key2 = key("identity-2.key", 9, 2);
    GatewayConfig one = config(data).withIdentityKeyFile(key1.toString());
    GatewayConfig two = config(data).withIdentityKeyFiles(key2.toString(), List.of(key1.toString()));
    ObjectNode sale = nationalSale(DemoData.ZHANG_WEI, ZHANG_WEI_ID, "12.00");
    JsonNode firstSale;
    try (Node node = open(one)) {
      DemoData.load(node.gateway());
      firstSale = call(node, "2102", sale, 1);
      assertEquals(0, firstSale.get("infcode").asInt(), firstSale.toString());
    }
    assertEquals(List.of(1), generationsOnDisk(data));
    assertTrue(identityKeys(data).contains("generation 1 (the newest): 14 credentials"), identityKeys(data));

    // Key 2 given without --add-identity-key: refused, nothing changed.
    String check = Files.readString(data.resolve(IdentityCheck.FILE));
    IOException notAdded = assertThrows(IOException.class, () -> open(two));
    assertTrue(notAdded.getMessage().contains("is of generation 2, which this data directory does not have")
        && notAdded.getMessage().contains("start once with --add-identity-key"), notAdded.getMessage());
    assertEquals(check, Files.readString(data.resolve(IdentityCheck.FILE)));

    Map<String, List<Credential>> beforeRestart;
    try (Node node = addingKey(two)) {
      assertEquals(List.of(1, 2), generationsOnDisk(data));
      // Li Na's identity card, kept under key 1: found, and keyed again under key 2 in passing.
      assertEquals(DemoData.LI_NA, identify(node, id(LI_NA_ID)));
      assertEquals(2, IdentityKey.generationOf(insured(node, DemoData.LI_NA).credentials().get(1).number()));
      assertEquals(1, IdentityKey.generationOf(insured(node, DemoData.LI_NA).credentials().get(0).number()),
          "her social security card was not presented: still under key 1");
      assertEquals(DemoData.LI_NA, identify(node, id(LI_NA_ID)), "found under key 2 now");

      // A new person: keyed under key 2 only.
      assertEquals(new Result.Done(), upsert(node, "ROT-1", NEW_PSN_NO, id(NEW_ID)));
      assertEquals(List.of(2), generations(insured(node, NEW_PSN_NO).credentials()));
      assertEquals(NEW_PSN_NO, identify(node, id(NEW_ID.toLowerCase())));

      // A card held under key 1 (Zhang Wei's, never presented since): refused to another person.
      Result inUse = upsert(node, "ROT-2", OTHER_PSN_NO, id(ZHANG_WEI_ID));
      assertTrue(inUse instanceof Result.Rejected r && r.outcome() == Outcome.CREDENTIAL_IN_USE, inUse.toString());
      Result inUseToo = upsert(node, "ROT-3", OTHER_PSN_NO, ssc("SSC-LINA"));
      assertTrue(inUseToo instanceof Result.Rejected r && r.outcome() == Outcome.CREDENTIAL_IN_USE, inUseToo.toString());
      assertTrue(insured(node, OTHER_PSN_NO) == null, "nobody registered");

      // The national sale sent again across the rotation: its first copy's answer, not a reuse.
      JsonNode again = call(node, "2102", sale, 1);
      assertEquals(firstSale.get("output"), again.get("output"), again.toString());
      JsonNode other = call(node, "2102", nationalSale(DemoData.ZHANG_WEI, ZHANG_WEI_ID, "13.00"), 1);
      assertNotEquals(0, other.get("infcode").asInt(), "other content under the same msgid: " + other);
      beforeRestart = credentialsOfEveryone(node);
    }
    String rotated = identityKeys(data);
    assertTrue(rotated.contains("generation 2 (the newest): 2 credentials"), rotated);
    assertTrue(rotated.contains("generation 1: 13 credentials, 0 heir's identity numbers; keyed again under"
        + " generation 2 as they are presented"), rotated);

    // Restarted (no snapshot: the journal replayed, re-keying included): the same persons, the same cards.
    try (Node node = open(two)) {
      assertEquals(null, node.snapshotFile(), "replayed from the journal alone");
      assertEquals(beforeRestart, credentialsOfEveryone(node));
      assertEquals(DemoData.ZHANG_WEI, identify(node, id(ZHANG_WEI_ID)), "still under key 1, found");
      // Everyone comes to the counter once.
      for (Credential c : DEMO_CARDS) {
        identify(node, c);
      }
      assertEquals(List.of(), credentialsOfEveryone(node).values().stream().flatMap(List::stream)
          .filter(c -> IdentityKey.generationOf(c.number()) != 2).toList());
    }
    String counted = identityKeys(data);
    assertTrue(counted.contains("generation 2 (the newest): 15 credentials"), counted);
    assertTrue(counted.contains("generation 1: 0 credentials, 0 heir's identity numbers; no credential is kept"
        + " under it: it can be retired"), counted);

    // Key 1's file gone from the settings: refused until it is retired, explicitly.
    GatewayConfig onlyTwo = config(data).withIdentityKeyFile(key2.toString());
    IOException missing = assertThrows(IOException.class, () -> open(onlyTwo));
    assertTrue(missing.getMessage().contains("no key of that generation is given")
        && missing.getMessage().contains("--retire-identity-key 1"), missing.getMessage());
    try (Node node = Node.open(onlyTwo, InstantSource.system(), new FileStorage(data), false,
        onlyTwo.identityKeys(), new IdentityCheck.Changes(false, false, 1))) {
      assertEquals(DemoData.LI_NA, identify(node, ssc("SSC-LINA")));
    }
    assertEquals(List.of(2), generationsOnDisk(data));
    try (Node node = open(onlyTwo)) {
      assertEquals(DemoData.ZHANG_WEI, identify(node, id(ZHANG_WEI_ID)));
    }
    assertEquals(List.of(), numbersOnDisk(data));
  }

  @Test
  void start_withAKeyFileNamingTheWrongGeneration_orAPreviousKeyMissing_isRefusedInOneLine() throws Exception {
    Path data = dir.resolve("data");
    Path key1 = key("identity-1.key", 7, 1);
    Path key2 = key("identity-2.key", 9, 2);
    try (Node node = open(config(data).withIdentityKeyFile(key1.toString()))) {
      DemoData.load(node.gateway());
    }
    // Key 1's digits written as generation 2.
    Path relabelled = dir.resolve("relabelled.key");
    Files.writeString(relabelled, "2 " + Files.readString(key1).substring(2));
    Ran wrong = serve(data, "--identity-key-file", relabelled.toString(), "--add-identity-key");
    assertEquals(3, wrong.exit, wrong.toString());
    assertTrue(wrong.err.contains("is the key of generation 1 in identity.check")
        && wrong.err.contains("names the wrong generation"), wrong.toString());

    // Key 2 added, key 1's file named but gone.
    Path gone = dir.resolve("gone.key");
    Ran missing = serve(data, "--identity-key-file", key2.toString(), "--identity-previous-key-files",
        gone.toString(), "--add-identity-key");
    assertEquals(Commands.USAGE, missing.exit, missing.toString());
    assertTrue(missing.err.contains(gone + " does not exist: the numbers kept under that key are found only with it"),
        missing.toString());

    // Key 2 added without key 1: refused, the older numbers would be lost.
    Ran withoutOne = serve(data, "--identity-key-file", key2.toString(), "--add-identity-key");
    assertEquals(3, withoutOne.exit, withoutOne.toString());
    assertTrue(withoutOne.err.contains("no key of that generation is given: name its file in"
        + " identity.previous.key.files"), withoutOne.toString());

    // A previous key of another generation 1 than the data directory's.
    Path another = key("another-1.key", 5, 1);
    IOException otherOne = assertThrows(IOException.class, () -> open(config(data)
        .withIdentityKeyFiles(key2.toString(), List.of(another.toString()))));
    assertTrue(otherOne.getMessage().startsWith("the previous identity key of generation 1 given (check value"),
        otherOne.getMessage());
    for (Ran r : List.of(wrong, missing, withoutOne)) {
      assertFalse(r.err.contains("\tat ") || r.err.contains("Exception"), "no trace: " + r);
    }
    assertEquals(List.of(1), generationsOnDisk(data), "nothing changed");
  }

  @Test
  void start_goingBackToTheOlderKeyAfterARotation_isRefusedSayingToRestoreTheCopyMadeBefore() throws Exception {
    GatewayConfig one = keyOne();
    GatewayConfig two = keyTwo();
    try (Node node = open(one)) {
      DemoData.load(node.gateway());
    }
    try (Node node = addingKey(two)) {
      assertEquals(DemoData.LI_NA, identify(node, id(LI_NA_ID)));
    }
    String check = Files.readString(two.dataDir().resolve(IdentityCheck.FILE));
    String key1 = dir.resolve("identity-1.key").toString();
    String key2 = dir.resolve("identity-2.key").toString();
    String restore = "A rotation is not undone, and a version before key generations cannot open a data directory"
        + " after --add-identity-key, even with the older keys retired: to go back, restore the copy of the data"
        + " directory made before that start";

    // Key 1 current again: alone, the data directory refuses it; with key 2 as an older key, the settings do.
    Ran back = serve(two.dataDir(), "--identity-key-file", key1);
    assertEquals(3, back.exit, back.toString());
    assertTrue(back.err.contains("is of generation 1, but this data directory already has generation 2")
        && back.err.contains(restore), back.toString());
    Ran swapped = serve(two.dataDir(), "--identity-key-file", key1, "--identity-previous-key-files", key2);
    assertEquals(Commands.USAGE, swapped.exit, swapped.toString());
    assertTrue(swapped.err.contains("the current key (identity.key.file) must be the newest. A rotation is not undone:"
        + " to go back to an older key, restore the copy of the data directory made before the start with"
        + " --add-identity-key"), swapped.toString());
    // The current key retired, to leave key 1 alone.
    Ran retired = serve(two.dataDir(), "--identity-key-file", key2, "--identity-previous-key-files", key1,
        "--retire-identity-key", "2");
    assertEquals(3, retired.exit, retired.toString());
    assertTrue(retired.err.contains("the key of generation 2 is the current key (identity.key.file), which cannot be"
        + " retired") && retired.err.contains(restore), retired.toString());
    // --new-identity-key with key 1, to make identity.check one line again: it would only drop key 2's numbers.
    Ran dropped = serve(two.dataDir(), "--identity-key-file", key1, "--new-identity-key");
    assertEquals(3, dropped.exit, dropped.toString());
    assertTrue(dropped.err.contains("--new-identity-key: every key given is one this data directory already has")
        && dropped.err.contains("start once with --new-identity-key and a new key of generation 3 in"
        + " identity.key.file, with the keys you still have in identity.previous.key.files")
        && dropped.err.contains(restore), dropped.toString());
    for (Ran r : List.of(back, swapped, retired, dropped)) {
      assertFalse(r.err.contains("\tat ") || r.err.contains("Exception"), "no trace: " + r);
    }
    assertEquals(check, Files.readString(two.dataDir().resolve(IdentityCheck.FILE)), "nothing changed");

    // The way that message gives, were key 2 lost: key 1's numbers are still found, key 2's are not.
    GatewayConfig three = config(two.dataDir()).withIdentityKeyFiles(key("identity-3.key", 11, 3).toString(),
        List.of(key1));
    try (Node node = Node.open(three, InstantSource.system(), new FileStorage(three.dataDir()), false,
        three.identityKeys(), new IdentityCheck.Changes(true, false, 0))) {
      assertEquals(DemoData.ZHANG_WEI, identify(node, id(ZHANG_WEI_ID)));
      assertTrue(identify(node, id(LI_NA_ID)).contains("PATIENT_NOT_FOUND"), "her card was kept under key 2");
    }
    assertEquals(List.of(1, 3), generationsOnDisk(three.dataDir()));
  }

  @Test
  void upsertInsured_sentAgainAcrossTheRotation_getsItsFirstAnswer_otherContentStillRefused() throws Exception {
    GatewayConfig one = keyOne();
    GatewayConfig two = keyTwo();
    gongji.v1.Insured sun = gongji.v1.Insured.newBuilder().setPsnNo(NEW_PSN_NO).setName("孙丽华")
        .setInsuranceType(gongji.v1.InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC)
        .setStatus(gongji.v1.InsuredStatus.INSURED_STATUS_NORMAL).setInsuplcAdmdvs("620100")
        .addCredentials(gongji.v1.Credential.newBuilder().setType(gongji.v1.CredentialType.CREDENTIAL_TYPE_ID_CARD)
            .setNumber(NEW_ID))
        .build();
    gongji.v1.UpsertInsuredRequest first = gongji.v1.UpsertInsuredRequest.newBuilder().setRequestId("ADM-1")
        .setInsured(sun).build();
    try (Served served = new Served(open(one))) {
      DemoData.load(served.node().gateway());
      assertEquals(sun, served.admin().upsertInsured(first));
    }
    try (Served served = new Served(addingKey(two))) {
      // Its content hash under key 2 differs from the first copy's, under key 1: matched under key 1.
      assertEquals(sun, served.admin().upsertInsured(first));
      assertEquals(List.of(1), generations(insured(served.node(), NEW_PSN_NO).credentials()),
          "the first copy's result, nothing applied again");
      io.grpc.StatusRuntimeException other = assertThrows(io.grpc.StatusRuntimeException.class,
          () -> served.admin().upsertInsured(first.toBuilder().setInsured(sun.toBuilder().setName("孙丽")).build()));
      assertEquals(io.grpc.Status.Code.ALREADY_EXISTS, other.getStatus().getCode(), other.toString());
      assertTrue(String.valueOf(other.getStatus().getDescription()).contains("request_id ADM-1 was already used"),
          other.toString());
    }
  }

  @Test
  void payOutToHeirs_sentAgainAcrossTheRotation_paysOnce_otherContentStillRefused() throws Exception {
    GatewayConfig one = keyOne();
    GatewayConfig two = keyTwo();
    gongji.v1.PayOutToHeirsRequest payout = gongji.v1.PayOutToHeirsRequest.newBuilder().setRequestId("PAY-1")
        .setPsnNo(DemoData.ZHAO_LEI)
        .addHeirs(gongji.v1.Heir.newBuilder().setName("赵明").setIdNumber(HEIR_1_ID).setAmountFen(3_000))
        .addHeirs(gongji.v1.Heir.newBuilder().setName("赵丽").setIdNumber(HEIR_2_ID).setAmountFen(2_000))
        .build();
    String setlId;
    gongji.v1.Payout first;
    try (Served served = new Served(open(one))) {
      DemoData.load(served.node().gateway());
      JsonNode sale = call(served.node(), "2102", nationalSale(DemoData.ZHAO_LEI, ZHAO_LEI_ID, "50.00"), 11);
      assertEquals(0, sale.get("infcode").asInt(), sale.toString());
      setlId = sale.get("output").get("setlinfo").get("setl_id").asText();
      assertEquals(5_000, balanceFen(served, DemoData.ZHAO_LEI), "his account paid the whole bill of 10,000 fen");
      served.admin().recordDeath(gongji.v1.RecordDeathRequest.newBuilder().setRequestId("DEATH-1")
          .setPsnNo(DemoData.ZHAO_LEI).build());
      first = served.admin().payOutToHeirs(payout);
      assertEquals(5_000, first.getTotalFen(), first.toString());
      assertEquals(0, balanceFen(served, DemoData.ZHAO_LEI));
    }
    try (Served served = new Served(addingKey(two))) {
      // His sale refunded after the payout: 5,000 fen back in his account, what the payout would pay again.
      JsonNode refund = call(served.node(), "2103", cancel(setlId, DemoData.ZHAO_LEI), 12);
      assertEquals(0, refund.get("infcode").asInt(), refund.toString());
      assertEquals(5_000, balanceFen(served, DemoData.ZHAO_LEI));

      // Its content hash under key 2 differs from the first copy's, under key 1: matched under key 1.
      gongji.v1.Payout again = served.admin().payOutToHeirs(payout);
      assertEquals(first, again, "the first copy's answer");
      assertEquals(5_000, balanceFen(served, DemoData.ZHAO_LEI), "nothing paid twice");
      assertEquals(List.of("2201**********1234", "2201**********5678"),
          again.getHeirsList().stream().map(gongji.v1.Heir::getIdNumber).toList(), "the heirs' numbers masked");

      // Another heir's number under the same request id (it masks the same): another request, refused.
      gongji.v1.PayOutToHeirsRequest otherHeir = payout.toBuilder()
          .setHeirs(0, payout.getHeirs(0).toBuilder().setIdNumber("220102198001021234")).build();
      io.grpc.StatusRuntimeException other = assertThrows(io.grpc.StatusRuntimeException.class,
          () -> served.admin().payOutToHeirs(otherHeir));
      assertEquals(io.grpc.Status.Code.ALREADY_EXISTS, other.getStatus().getCode(), other.toString());
      assertTrue(String.valueOf(other.getStatus().getDescription()).contains("request_id PAY-1 was already used"),
          other.toString());
      assertFalse(other.toString().contains(HEIR_1_ID) || other.toString().contains("220102198001021234"),
          other.toString());
      assertEquals(5_000, balanceFen(served, DemoData.ZHAO_LEI), "nothing paid");
    }
    // Restarted: the refusals journaled on the way changed nothing on replay either.
    try (Served served = new Served(open(two))) {
      assertEquals(5_000, balanceFen(served, DemoData.ZHAO_LEI));
      assertEquals(first, served.admin().payOutToHeirs(payout));
      assertEquals(5_000, balanceFen(served, DemoData.ZHAO_LEI));
    }
  }

  @Test
  void nationalPersonInfoPresettleAndCancel_sentAgainAcrossTheRotation_answerAsTheFirstTime() throws Exception {
    GatewayConfig one = keyOne();
    GatewayConfig two = keyTwo();
    ObjectNode presettle = nationalSale(DemoData.ZHANG_WEI, ZHANG_WEI_ID, "10.00");
    ObjectNode cancel;
    JsonNode held;
    JsonNode refunded;
    JsonNode person;
    try (Served served = new Served(open(one))) {
      DemoData.load(served.node().gateway());
      // 2101 holds 10.00; a 2102 of other content pays 12.00, which 2103 refunds.
      held = call(served.node(), "2101", presettle, 21);
      assertEquals(0, held.get("infcode").asInt(), held.toString());
      JsonNode sale = call(served.node(), "2102", nationalSale(DemoData.ZHANG_WEI, ZHANG_WEI_ID, "12.00"), 22);
      assertEquals(0, sale.get("infcode").asInt(), sale.toString());
      cancel = cancel(sale.get("output").get("setlinfo").get("setl_id").asText(), DemoData.ZHANG_WEI);
      refunded = call(served.node(), "2103", cancel, 23);
      assertEquals(0, refunded.get("infcode").asInt(), refunded.toString());
      person = call(served.node(), "1101", personInfo(ZHANG_WEI_ID), 24);
      assertEquals(0, person.get("infcode").asInt(), person.toString());
      assertEquals(new Balance(500_000, 1_000), account(served, DemoData.ZHANG_WEI));
    }
    try (Served served = new Served(addingKey(two))) {
      // The same msgid and body: the first answer, no second hold, no second refund.
      JsonNode heldAgain = call(served.node(), "2101", presettle, 21);
      assertEquals(held.get("output"), heldAgain.get("output"), heldAgain.toString());
      JsonNode refundedAgain = call(served.node(), "2103", cancel, 23);
      assertEquals(refunded.get("output"), refundedAgain.get("output"), refundedAgain.toString());
      assertEquals(new Balance(500_000, 1_000), account(served, DemoData.ZHANG_WEI), "held once, refunded once");
      // 1101 keeps no request: the card, kept under key 1, is found (and keyed again under key 2).
      assertEquals(person.get("output"), call(served.node(), "1101", personInfo(ZHANG_WEI_ID), 24).get("output"));
      assertEquals(List.of(1, 2), generations(insured(served.node(), DemoData.ZHANG_WEI).credentials()));

      // Other content under those msgids: refused, nothing held or cancelled.
      JsonNode otherHold = call(served.node(), "2101", nationalSale(DemoData.ZHANG_WEI, ZHANG_WEI_ID, "11.00"), 21);
      assertNotEquals(0, otherHold.get("infcode").asInt(), otherHold.toString());
      String holdId = held.get("output").get("setlinfo").get("mdtrt_id").asText();
      JsonNode otherCancel = call(served.node(), "2103", cancel(holdId, DemoData.ZHANG_WEI), 23);
      assertNotEquals(0, otherCancel.get("infcode").asInt(), otherCancel.toString());
      assertTrue(otherCancel.get("err_msg").asText().contains("msgid"), otherCancel.toString());
      assertEquals(new Balance(500_000, 1_000), account(served, DemoData.ZHANG_WEI), "the hold still open");
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static Credential id(String number) {
    return new Credential(CredentialType.ID_CARD, number);
  }

  private static Credential ssc(String number) {
    return new Credential(CredentialType.SOCIAL_SECURITY_CARD, number);
  }

  /** A key file of 32 bytes of {@code fill}, with its generation (null: the format before generations). */
  private Path key(String name, int fill, Integer generation) throws IOException {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) fill);
    Path file = dir.resolve(name);
    Files.writeString(file, (generation == null ? "" : generation + " ") + HexFormat.of().formatHex(k) + "\n");
    return file;
  }

  /** Settings on {@code data} that write no snapshot during the test: a restart replays the journal. */
  private static GatewayConfig config(Path data) throws IOException {
    return GatewayConfig.load(Map.of("data.dir", data.toString(), "port", "0", "admin.port", "-1",
        "metrics.port", "-1", "auth.required", "false"), Map.of()).withSnapshots(1_000_000, Duration.ofDays(1));
  }

  private static Node open(GatewayConfig config) throws IOException {
    return Node.open(config, InstantSource.system(), new FileStorage(config.dataDir()));
  }

  /** The node of {@code config} opened once with {@code --add-identity-key}. */
  private static Node addingKey(GatewayConfig config) throws IOException {
    return Node.open(config, InstantSource.system(), new FileStorage(config.dataDir()), false, config.identityKeys(),
        new IdentityCheck.Changes(false, true, 0));
  }

  /** Settings on {@code dir/data} with key 1 ({@code identity-1.key}) alone. */
  private GatewayConfig keyOne() throws IOException {
    return config(dir.resolve("data")).withIdentityKeyFile(key("identity-1.key", 7, 1).toString());
  }

  /** Settings on {@code dir/data} with key 2 current and key 1 ({@link #keyOne}'s) in use. */
  private GatewayConfig keyTwo() throws IOException {
    return config(dir.resolve("data")).withIdentityKeyFiles(key("identity-2.key", 9, 2).toString(),
        List.of(dir.resolve("identity-1.key").toString()));
  }

  /** A node served in-process (its back office without authentication); closing it closes the node. */
  private static final class Served implements AutoCloseable {
    private final GatewayServer server;
    private final io.grpc.ManagedChannel channel;

    Served(Node node) throws IOException {
      String name = "rekey-" + System.nanoTime();
      server = GatewayServer.start(node, io.grpc.inprocess.InProcessServerBuilder.forName(name).directExecutor(),
          Duration.ofSeconds(5));
      channel = io.grpc.inprocess.InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    gongji.v1.AdminServiceGrpc.AdminServiceBlockingStub admin() {
      return gongji.v1.AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    Node node() {
      return server.node();
    }

    @Override
    public void close() throws Exception {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.close();
    }
  }

  private static String identify(Node node, Credential presented) throws Exception {
    Result r = node.gateway().identify(POS01, presented, null).get(10, TimeUnit.SECONDS);
    return r instanceof Result.Identity i ? i.psnNo() : r.toString();
  }

  private static Insured insured(Node node, String psnNo) throws Exception {
    Result r = node.gateway().admin(new Command.LoadReference(Command.ReferenceKind.INSURED, psnNo))
        .get(10, TimeUnit.SECONDS);
    return (Insured) ((Result.Reference) r).value();
  }

  private static Map<String, List<Credential>> credentialsOfEveryone(Node node) throws Exception {
    Map<String, List<Credential>> out = new LinkedHashMap<>();
    for (String psnNo : List.of(DemoData.ZHANG_WEI, DemoData.LI_NA, DemoData.ZHANG_JIANGUO, DemoData.WANG_XIUYING,
        DemoData.ZHAO_LEI, DemoData.ZHANG_XIAOYU, DemoData.LIU_GUILAN, NEW_PSN_NO)) {
      out.put(psnNo, insured(node, psnNo).credentials());
    }
    return out;
  }

  private static Result upsert(Node node, String requestId, String psnNo, Credential card) throws Exception {
    return node.gateway().admin(new Command.Idempotent(requestId, requestId.hashCode(), new Command.UpsertInsured(
        new Insured(psnNo, "孙丽华", InsuranceType.EMPLOYEE_BASIC, InsuredStatus.NORMAL, "620100", List.of(card)))))
        .get(10, TimeUnit.SECONDS);
  }

  @SafeVarargs
  private static List<Integer> generations(List<Credential>... lists) {
    List<Integer> out = new ArrayList<>();
    for (List<Credential> l : lists) {
      l.forEach(c -> out.add(IdentityKey.generationOf(c.number())));
    }
    return out;
  }

  /** A national pharmacy sale's input (2101, 2102) by identity card, its whole bill one drug. */
  private static ObjectNode nationalSale(String psnNo, String idNumber, String amount) {
    ObjectNode input = JSON.createObjectNode();
    ObjectNode info = input.putObject("druginfo");
    info.put("psn_no", psnNo).put("mdtrt_cert_type", "02").put("mdtrt_cert_no", idNumber)
        .put("medfee_sumamt", amount).put("insutype", "310").put("acct_used_flag", "1").put("med_type", "41");
    input.putArray("drugdetail").addObject().put("feedetl_sn", "1")
        .put("med_list_codg", "XJ01CRA040A001010104459").put("det_item_fee_sumamt", amount);
    return input;
  }

  /** A national cancel (2103) of the settlement {@code setlId}. */
  private static ObjectNode cancel(String setlId, String psnNo) {
    ObjectNode input = JSON.createObjectNode();
    input.putObject("data").put("setl_id", setlId).put("psn_no", psnNo);
    return input;
  }

  /** A national person information request (1101) by identity card. */
  private static ObjectNode personInfo(String idNumber) {
    ObjectNode input = JSON.createObjectNode();
    input.putObject("data").put("mdtrt_cert_type", "02").put("mdtrt_cert_no", idNumber);
    return input;
  }

  private record Balance(long balanceFen, long heldFen) {}

  private static Balance account(Served served, String psnNo) {
    gongji.v1.Account a = served.admin().getAccount(gongji.v1.GetAccountRequest.newBuilder().setPsnNo(psnNo).build());
    return new Balance(a.getBalanceFen(), a.getHeldFen());
  }

  private static long balanceFen(Served served, String psnNo) {
    return account(served, psnNo).balanceFen();
  }

  private static JsonNode call(Node node, String infno, JsonNode input, int n) throws Exception {
    ObjectNode e = NationalEndpoint.envelope(infno, DemoData.PHARMACY + "20260302090000" + String.format("%04d", n),
        DemoData.PHARMACY, "POS01", input);
    return node.national().call(ByteBuffer.wrap(e.toString().getBytes(StandardCharsets.UTF_8)))
        .get(10, TimeUnit.SECONDS);
  }

  private static List<Integer> generationsOnDisk(Path data) throws IOException {
    return List.copyOf(IdentityCheck.generations(new FileStorage(data)).keySet());
  }

  /** {@code ledger identity-keys} on a stopped node's data directory. */
  private static String identityKeys(Path data) {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
    int exit = Main.run(out, out, "ledger", "identity-keys", "--data-dir", data.toString());
    String text = captured.toString(StandardCharsets.UTF_8);
    assertEquals(0, exit, text);
    return text;
  }

  /** Every identity and credential number of the test found in any file of the data directory. */
  private static List<String> numbersOnDisk(Path data) throws IOException {
    List<String> numbers = new ArrayList<>();
    DEMO_CARDS.forEach(c -> numbers.add(c.number()));
    numbers.add(NEW_ID);
    numbers.add(NEW_ID.toLowerCase());
    List<String> found = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(data)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path f : files) {
      String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String number : numbers) {
        if (bytes.contains(number)) {
          found.add(number + " in " + data.relativize(f));
        }
      }
    }
    return found;
  }

  private record Ran(int exit, String out, String err) {}

  /** {@code gongji serve} in this JVM on {@code data}, without authentication (loopback): refused before it listens. */
  private static Ran serve(Path data, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("serve", "--data-dir", data.toString(), "--host", "127.0.0.1",
        "--port", "0", "--admin-port", "-1", "--metrics-port", "-1", "--auth-required", "false"));
    all.addAll(List.of(args));
    int exit = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), all.toArray(String[]::new));
    return new Ran(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
