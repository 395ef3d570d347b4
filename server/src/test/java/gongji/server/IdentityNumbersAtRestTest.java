package gongji.server;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.settle;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.domain.IdentityKey;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.national.NationalEndpoint;
import gongji.server.national.NationalService;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.AuthorizeResponse;
import gongji.v1.CreditAccountRequest;
import gongji.v1.Credential;
import gongji.v1.CredentialType;
import gongji.v1.GetAccountRequest;
import gongji.v1.Heir;
import gongji.v1.InsuranceType;
import gongji.v1.Insured;
import gongji.v1.InsuredStatus;
import gongji.v1.ItemCategory;
import gongji.v1.PayOutToHeirsRequest;
import gongji.v1.Payout;
import gongji.v1.RecordDeathRequest;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import gongji.v1.UpsertInsuredRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Identity and credential numbers at rest: a full scenario on the real server (Netty, tokens,
 * audit log in the data directory, snapshots, the national interface, a restart) with identity
 * cards registered, presented, refused and paid out to, then every byte of every file of the data
 * directory, and every key and value of history's store (its files are LZ4-compressed), searched
 * for each number used: none may be there. Matching still works by the keyed hash (identify and
 * 1101 by identity card, before and after the restart), and a start with another key, or on a data
 * directory of a version that kept the numbers in plain text, is refused with what to do.
 */
@Timeout(120)
@SuppressWarnings("try") // Node.close() may throw InterruptedException: the test fails with it
class IdentityNumbersAtRestTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Terminal POS01 = terminal(DemoData.PHARMACY, "POS01");
  private static final String NEW_PSN_NO = "62010019910909008800000008";
  /** With the check digit X: presented in lower case once, kept as one number. */
  private static final String NEW_ID_NUMBER = "62010219910909008X";
  private static final String NEW_CARD = "SSC-SUNLIHUA";
  private static final String LI_NA_ID = "620102198203040022";
  private static final String ZHANG_WEI_ID = "620102198001010011";
  private static final String HEIR_ID_NUMBER = "620102198212120099";
  /** Every identity and credential number the scenario (and the demo data set it starts from) uses. */
  private static final List<String> NUMBERS = List.of(NEW_ID_NUMBER, NEW_ID_NUMBER.toLowerCase(), NEW_CARD,
      HEIR_ID_NUMBER, ZHANG_WEI_ID, LI_NA_ID, "620102195506070033", "620502195808090044", "620102199001010055",
      "620102200505050066", "620102195603030077", "SSC-ZHANGWEI", "SSC-LINA", "SSC-ZHANGJIANGUO", "SSC-WANGXIUYING",
      "SSC-ZHAOLEI", "SSC-ZHANGXIAOYU", "SSC-LIUGUILAN");

  @TempDir Path dir;

  @Test
  void fullScenario_noFileOfTheDataDirectory_holdsAnIdentityOrCredentialNumber() throws Exception {
    Path data = dir.resolve("data");
    GatewayConfig config = config(data);
    runScenario(config, data);

    // Restarted from the snapshot and the journal: the keyed numbers still find their owners.
    GatewayServer again = serve(config, data, false);
    ManagedChannel channel = channel(again);
    try {
      SettlementServiceGrpc.SettlementServiceBlockingStub pos = with(SettlementServiceGrpc.newBlockingStub(channel),
          "pos01");
      assertEquals(NEW_PSN_NO, pos.identify(identify(POS01, idCard(NEW_ID_NUMBER))).getPsnNo());
      assertEquals(DemoData.LI_NA, pos.identify(identify(POS01, idCard(LI_NA_ID))).getPsnNo());
      assertTrue(again.node().snapshotFile() != null, "restarted from a snapshot");
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      again.close(); // closes the node too
    }

    List<String> found = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(data)) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().startsWith("journal-")), files.toString());
    assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().startsWith("snapshot-")), files.toString());
    assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("audit.log")), files.toString());
    assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().endsWith(".sst")), files.toString());
    boolean personNumberSeen = false;
    for (Path f : files) {
      byte[] bytes = Files.readAllBytes(f);
      personNumberSeen |= contains(bytes, NEW_PSN_NO);
      for (String number : NUMBERS) {
        if (contains(bytes, number)) {
          found.add(number + " in " + data.relativize(f));
        }
      }
    }
    // The search sees what the files hold: the person number, kept as it is, is found.
    assertTrue(personNumberSeen, "the new person's psn_no is in the journal");
    boolean historySeen = false;
    RocksDB.loadLibrary();
    try (Options options = new Options();
        RocksDB db = RocksDB.openReadOnly(options, data.resolve("history").toString());
        RocksIterator it = db.newIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] entry = concat(it.key(), it.value());
        historySeen |= contains(entry, DemoData.PHARMACY);
        for (String number : NUMBERS) {
          if (contains(entry, number)) {
            found.add(number + " in history under the key " + new String(it.key(), StandardCharsets.ISO_8859_1));
          }
        }
      }
    }
    assertTrue(historySeen, "the pharmacy's settlement events are in history, and read back decompressed");
    assertEquals(List.of(), found);
  }

  @Test
  void start_withAnotherKey_isRefusedUntilTheNewKeyIsAcceptedForOneStart() throws Exception {
    Path data = dir.resolve("data");
    GatewayConfig config = config(data);
    loadDemo(config, data);
    String check = Files.readString(data.resolve(IdentityCheck.FILE));
    assertFalse(check.contains(Files.readString(dir.resolve("identity.key")).strip()), check);
    IdentityKey other = IdentityKey.of(new byte[32]);

    IOException refused = assertThrows(IOException.class, () -> Node.open(config, InstantSource.system(),
        new FileStorage(data), false, other, false));

    assertTrue(refused.getMessage().startsWith("the identity key given (check value " + other.checkValue()
        .substring(0, 8) + "...) is not the one this data directory was written with"), refused.getMessage());
    assertTrue(refused.getMessage().contains("--new-identity-key"), refused.getMessage());
    assertEquals(check, Files.readString(data.resolve(IdentityCheck.FILE)), "nothing changed");

    try (Node node = Node.open(config, InstantSource.system(), new FileStorage(data), false, other, true)) {
      // Stored under the lost key: the card matches nobody until it is registered again.
      gongji.server.ledger.Result r = node.gateway().identify(
          new gongji.server.gateway.Terminal(DemoData.PHARMACY, "POS01", ""),
          new gongji.server.domain.Credential(gongji.server.domain.CredentialType.ID_CARD, LI_NA_ID), null)
          .get(10, TimeUnit.SECONDS);
      assertTrue(r instanceof gongji.server.ledger.Result.Rejected x
          && x.outcome() == gongji.server.ledger.Outcome.PATIENT_NOT_FOUND, r.toString());
    }
    try (Node node = Node.open(config, InstantSource.system(), new FileStorage(data), false, other, false)) {
      assertTrue(node.recovery().lastSeq() > 0, "the new key opens it from now on");
    }
  }

  @Test
  void start_onADataDirectoryWrittenBeforeNumbersWereKeyed_isRefusedSayingWhatToDo() throws Exception {
    Path data = dir.resolve("data");
    GatewayConfig config = config(data);
    loadDemo(config, data);
    Files.delete(data.resolve(IdentityCheck.FILE)); // as a version before identity.check left it

    IOException refused = assertThrows(IOException.class,
        () -> Node.open(config, InstantSource.system(), new FileStorage(data)));

    assertEquals(IdentityCheck.UNKEYED, refused.getMessage());
    assertTrue(refused.getMessage().contains("new, empty data directory"), refused.getMessage());
    assertFalse(Files.exists(data.resolve(IdentityCheck.FILE)), "nothing written");
  }

  @Test
  void serve_withoutAKeyFile_isRefusedOutsideTheDemo_andAKeyInsideTheDataDirectoryToo() throws Exception {
    Path data = dir.resolve("data");
    GatewayConfig real = GatewayConfig.forTests().withSecurity("", "", "", "tokens").withIdentityKeyFile("");

    IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
        () -> ServeCommand.identityKey(real));
    Files.createDirectories(data);
    Path inside = data.resolve("identity.key");
    Files.writeString(inside, HexFormat.of().formatHex(new byte[32]));
    IllegalArgumentException within = assertThrows(IllegalArgumentException.class,
        () -> ServeCommand.identityKey(configIn(data).withIdentityKeyFile(inside.toString())));

    assertTrue(none.getMessage().startsWith("no key is set"), none.getMessage());
    assertTrue(none.getMessage().contains("openssl rand -hex 32"), none.getMessage());
    assertTrue(within.getMessage().contains("is inside the data directory"), within.getMessage());
    assertEquals(IdentityKey.DEMO, ServeCommand.identityKey(real.asSandbox()));
    assertEquals(IdentityKey.DEMO, ServeCommand.identityKey(GatewayConfig.forTests())); // auth.required=false
  }

  /** A node on {@code data} with the demo data set, stopped again. */
  private static void loadDemo(GatewayConfig config, Path data) throws Exception {
    try (Node node = Node.open(config, InstantSource.system(), new FileStorage(data))) {
      DemoData.load(node.gateway());
    }
  }

  /** Settings on {@code data} with the audit log in it, snapshots every 20 records and a key file beside it. */
  private GatewayConfig config(Path data) throws IOException {
    Path key = dir.resolve("identity.key");
    if (!Files.exists(key)) {
      byte[] k = new byte[32];
      Arrays.fill(k, (byte) 7);
      Files.writeString(key, HexFormat.of().formatHex(k) + "\n");
    }
    Files.writeString(dir.resolve("tokens"), "pos01=" + DemoData.PHARMACY + "/POS01\nclerk=admin:clerk:wang\n");
    return configIn(data).withSecurity("", "", "", dir.resolve("tokens").toString())
        .withAudit(data.resolve("audit").toString(), 1 << 20)
        .withSnapshots(20, Duration.ofHours(1))
        .withIdentityKeyFile(key.toString());
  }

  /** The default settings on {@code data}: any free port, the back office on it too, no metrics port. */
  private static GatewayConfig configIn(Path data) throws IOException {
    return GatewayConfig.load(java.util.Map.of("data.dir", data.toString(), "port", "0", "admin.port", "-1",
        "metrics.port", "-1"), java.util.Map.of());
  }

  private void runScenario(GatewayConfig config, Path data) throws Exception {
    GatewayServer server = serve(config, data, true);
    NationalService national = server.node().national().auditedBy(server.audit());
    ManagedChannel channel = channel(server);
    try {
      SettlementServiceGrpc.SettlementServiceBlockingStub pos = with(SettlementServiceGrpc.newBlockingStub(channel),
          "pos01");
      AdminServiceGrpc.AdminServiceBlockingStub clerk = with(AdminServiceGrpc.newBlockingStub(channel), "clerk");

      Insured sun = Insured.newBuilder().setPsnNo(NEW_PSN_NO).setName("孙丽华")
          .setInsuranceType(InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC)
          .setStatus(InsuredStatus.INSURED_STATUS_NORMAL)
          .setInsuplcAdmdvs("620100").addCredentials(idCard(NEW_ID_NUMBER))
          .addCredentials(Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD)
              .setNumber(NEW_CARD)).build();
      // UpsertInsured echoes its request: the clerk sent the numbers.
      assertEquals(sun, clerk.upsertInsured(UpsertInsuredRequest.newBuilder().setRequestId("AR-ADMIN-1")
          .setInsured(sun).build()));
      clerk.creditAccount(CreditAccountRequest.newBuilder().setRequestId("AR-ADMIN-2").setPsnNo(NEW_PSN_NO)
          .setAmountFen(10_000).build());

      // Identify by identity card, its check digit in lower case: the same number, the same hash.
      assertEquals(NEW_PSN_NO, pos.identify(identify(POS01, idCard(NEW_ID_NUMBER.toLowerCase()))).getPsnNo());
      AuthorizeResponse sale = pos.authorize(authorize("AR-1", POS01, idCard(NEW_ID_NUMBER),
          item(ItemCategory.ITEM_CATEGORY_DRUG, 2_000)).build());
      assertEquals(2_000, sale.getBreakdown().getAccountPayFen(), sale::toString);
      pos.settle(settle("AR-2", POS01, sale.getTransactionId()));

      // Li Na's identity card presented for Zhang Wei: impersonation, refused and recorded.
      StatusRuntimeException impersonation = assertThrows(StatusRuntimeException.class, () -> pos.authorize(
          authorize("AR-3", POS01, idCard(LI_NA_ID), item(ItemCategory.ITEM_CATEGORY_DRUG, 100))
              .setPsnNo(DemoData.ZHANG_WEI).build()));
      assertEquals(Status.Code.PERMISSION_DENIED, impersonation.getStatus().getCode());
      // Another person with Li Na's card: refused, and the refusal does not say the number.
      StatusRuntimeException inUse = assertThrows(StatusRuntimeException.class, () -> clerk.upsertInsured(
          UpsertInsuredRequest.newBuilder().setRequestId("AR-ADMIN-3").setInsured(sun.toBuilder()
              .setPsnNo("62010019910909009900000009").clearCredentials().addCredentials(idCard(LI_NA_ID))).build()));
      assertEquals(Status.Code.ALREADY_EXISTS, inUse.getStatus().getCode());
      assertFalse(String.valueOf(inUse.getStatus().getDescription()).contains(LI_NA_ID), inUse.toString());

      // 1101 by certno: the owner found by the keyed hash, certno echoed from the request.
      ObjectNode query = JSON.createObjectNode();
      query.putObject("data").put("mdtrt_cert_type", "02").put("mdtrt_cert_no", LI_NA_ID);
      JsonNode person = call(national, "1101", query, 1);
      assertEquals(0, person.get("infcode").asInt(), person.toString());
      assertEquals(DemoData.LI_NA, person.get("output").get("baseinfo").get("psn_no").asText(), person.toString());
      assertEquals(LI_NA_ID, person.get("output").get("baseinfo").get("certno").asText(), person.toString());
      // 2102 by identity card, in one step.
      ObjectNode sale2102 = JSON.createObjectNode();
      ObjectNode info = sale2102.putObject("druginfo");
      info.put("psn_no", DemoData.ZHANG_WEI).put("mdtrt_cert_type", "02").put("mdtrt_cert_no", ZHANG_WEI_ID)
          .put("medfee_sumamt", "12.00").put("insutype", "310").put("acct_used_flag", "1").put("med_type", "41");
      sale2102.putArray("drugdetail").addObject().put("feedetl_sn", "1")
          .put("med_list_codg", "XJ01CRA040A001010104459").put("det_item_fee_sumamt", "12.00");
      JsonNode settled = call(national, "2102", sale2102, 2);
      assertEquals(0, settled.get("infcode").asInt(), settled.toString());

      // A death and the payout to an heir: the reply masks the heir's number, from the request.
      Insured dead = clerk.recordDeath(RecordDeathRequest.newBuilder().setRequestId("AR-ADMIN-4")
          .setPsnNo(DemoData.LIU_GUILAN).build());
      assertTrue(dead.getCredentialsCount() > 0 && dead.getCredentialsList().stream()
          .allMatch(c -> c.getNumber().isEmpty()), dead::toString);
      long balance = clerk.getAccount(GetAccountRequest.newBuilder().setPsnNo(DemoData.LIU_GUILAN).build())
          .getBalanceFen();
      PayOutToHeirsRequest payout = PayOutToHeirsRequest.newBuilder().setRequestId("AR-5")
          .setPsnNo(DemoData.LIU_GUILAN).addHeirs(Heir.newBuilder().setName("刘建军").setIdNumber(HEIR_ID_NUMBER)
              .setAmountFen(balance)).build();
      Payout paid = clerk.payOutToHeirs(payout);
      assertEquals("6201**********0099", paid.getHeirs(0).getIdNumber());
      assertEquals(paid, clerk.payOutToHeirs(payout), "a retry gets the same answer");
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      server.close(); // closes the node too
    }
  }

  /** The real server on a node on {@code data} (with the demo data set loaded first, if {@code demo}). */
  private static GatewayServer serve(GatewayConfig config, Path data, boolean demo) throws Exception {
    Node node = Node.open(config, InstantSource.system(), new FileStorage(data));
    try {
      if (demo) {
        DemoData.load(node.gateway());
      }
      return GatewayServer.startNetty(node, config);
    } catch (Exception e) {
      node.close();
      throw e;
    }
  }

  private static JsonNode call(NationalService national, String infno, JsonNode input, int n) throws Exception {
    ObjectNode e = NationalEndpoint.envelope(infno, DemoData.PHARMACY + "20260302090000" + String.format("%04d", n),
        DemoData.PHARMACY, "POS01", input);
    return national.call(ByteBuffer.wrap(e.toString().getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
  }

  private static Credential idCard(String number) {
    return Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_ID_CARD).setNumber(number).build();
  }

  private static ManagedChannel channel(GatewayServer server) {
    return ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  private static <S extends AbstractStub<S>> S with(S stub, String token) {
    Metadata h = new Metadata();
    h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + 1 + b.length);
    System.arraycopy(b, 0, c, a.length + 1, b.length);
    return c;
  }
}
