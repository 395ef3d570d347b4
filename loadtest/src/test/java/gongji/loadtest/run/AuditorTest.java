package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.CreditAccountRequest;
import gongji.v1.RefundRequest;
import gongji.v1.SettlementServiceGrpc;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The auditor fails a run whose books do not balance: the load runs against the real gateway, then,
 * before the audit, money moves behind the runner's back through the API, as a server that lost a
 * settlement would show it.
 */
@Timeout(120)
class AuditorTest {
  @TempDir
  static Path dir;

  private static TestGateway gateway;

  @BeforeAll
  static void startGateway() throws Exception {
    gateway = TestGateway.start(dir.resolve("data"), false);
  }

  @AfterAll
  static void stopGateway() throws Exception {
    if (gateway != null) {
      gateway.close();
    }
  }

  @ParameterizedTest(name = "{0} active of 32")
  @ValueSource(ints = {32, 8})
  void audit_settlementUndoneBehindTheRunnersBack_failsNamingTheSaleAndTheAccount(int activePeople) throws Exception {
    String[] lost = new String[2];
    LoadRun.Outcome outcome = run("lost" + activePeople, activePeople, (workload, target, books) -> {
      Books.Sale sale = books.sales().stream()
          .filter(s -> s.settle != null && s.settle.known() == Books.Known.ACKNOWLEDGED).findFirst().orElseThrow();
      lost[0] = sale.authorize.requestId;
      lost[1] = sale.patientPsnNo;
      // Undo the acknowledged settlement: the money goes back to the accounts, as if the server lost it.
      target.call(SettlementServiceGrpc.getRefundMethod(), RefundRequest.newBuilder().setRequestId("behind-its-back-refund")
          .setTerminal(sale.terminal).setTransactionId(sale.transactionId()).build()).get(10, TimeUnit.SECONDS);
    });

    assertEquals(1, outcome.exitCode());
    assertFalse(outcome.json().get("audit_ok").asBoolean());
    String discrepancies = outcome.json().get("audit").get("discrepancies").toString();
    assertTrue(discrepancies.contains("sale " + lost[0]) && discrepancies.contains("acknowledged settlement is missing"),
        discrepancies);
    assertTrue(discrepancies.contains("account " + lost[1] + ": balance"), discrepancies);
    assertTrue(discrepancies.contains(": refunds count/total/account/mutual_aid/cash grew by [1, "), discrepancies);
    JsonNode readBack = outcome.json().get("audit").get("read_back");
    assertEquals(activePeople, readBack.get("active_people").asInt(), readBack.toString());
    // 3 accounts a family (A, B, C): every one of 8 families, or 2 families and a sample of as many others.
    assertEquals(activePeople == 32 ? 24 : 12, outcome.json().get("audit").get("accounts_checked").asInt(),
        outcome.json().get("audit").toString());
  }

  @Test
  void audit_accountCreditedBehindTheRunnersBack_failsNamingTheAccount() throws Exception {
    String[] credited = new String[1];
    LoadRun.Outcome outcome = run("credit", 32, (workload, target, books) -> {
      credited[0] = books.sales().get(0).patientPsnNo;
      target.call(AdminServiceGrpc.getCreditAccountMethod(), CreditAccountRequest.newBuilder()
          .setRequestId("behind-its-back-credit").setPsnNo(credited[0]).setAmountFen(1).build()).get(10, TimeUnit.SECONDS);
    });

    assertEquals(1, outcome.exitCode());
    assertFalse(outcome.json().get("audit_ok").asBoolean());
    assertEquals(1, outcome.json().get("audit").get("discrepancies").size(), outcome.json().get("audit").toString());
    assertTrue(outcome.json().get("audit").get("discrepancies").get(0).asText()
        .startsWith("account " + credited[0] + ": balance"), outcome.json().get("audit").toString());
  }

  @Test
  void audit_nothingBehindTheRunnersBack_passes() throws Exception {
    LoadRun.Outcome outcome = run("clean", 32, (workload, target, books) -> { });

    assertEquals(0, outcome.exitCode());
    assertTrue(outcome.json().get("audit_ok").asBoolean(), outcome.json().get("audit").toString());
  }

  @Test
  void audit_settleWhoseReplyWasLostButApplied_resolvesItByRequestIdAndPasses() throws Exception {
    try (Target target = new Target(gateway.target(), 1, 5_000)) {
      Workload workload = Workload.generated("unknown", 8, 4);
      workload.setUp(target, 16, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
      workload.readBack(target, 16, System.nanoTime() + TimeUnit.SECONDS.toNanos(30), 1);
      Books books = new Books(true);
      Books.Sale sale = sellWithLostSettleReply(target, workload, books, "unknown-1");

      Auditor.Report report = new Auditor(target, workload, 16).audit(books, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));

      assertTrue(report.ok(), report.discrepancies().toString());
      assertEquals(1, report.unknownResolved());
      assertEquals(sale.settle.known(), Books.Known.UNKNOWN);
      assertTrue(report.settledFen() > 0, "the settlement counted as applied");
    }
  }

  @Test
  void audit_settleRefusedByItsReplyButApplied_fails() throws Exception {
    try (Target target = new Target(gateway.target(), 1, 5_000)) {
      Workload workload = Workload.generated("refused", 8, 4);
      workload.setUp(target, 16, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
      workload.readBack(target, 16, System.nanoTime() + TimeUnit.SECONDS.toNanos(30), 1);
      Books books = new Books(true);
      Books.Sale sale = sellWithLostSettleReply(target, workload, books, "refused-1");
      sale.settle = new Books.Request(sale.settle.requestId);
      sale.settle.failed(io.grpc.Status.FAILED_PRECONDITION.asRuntimeException());

      Auditor.Report report = new Auditor(target, workload, 16).audit(books, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));

      assertFalse(report.ok());
      assertTrue(report.discrepancies().stream().anyMatch(d -> d.startsWith("settle " + sale.settle.requestId
          + ": refused")), report.discrepancies().toString());
    }
  }

  @Test
  void audit_mutualAidLegOnARelativeOutsideTheActiveSet_readsThatAccountBackAndChecksIt() throws Exception {
    try (Target target = new Target(gateway.target(), 1, 5_000)) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      // No bindings of the data set's own: the short patient's only relative is one made below, in another family.
      Workload workload = Workload.generated("outside", 16, 0, 4, 5);
      workload.setUp(target, 16, deadline);
      Workload.Person patient = workload.shortPatient(0);
      String family = patient.psnNo().substring(0, patient.psnNo().length() - 1);
      Workload.Person relative = workload.people().stream()
          .filter(p -> p.psnNo().endsWith("A") && !p.psnNo().startsWith(family)).findFirst().orElseThrow();
      assertFalse(workload.active().contains(relative));
      gongji.v1.CreateBindingsResponse made = target.call(AdminServiceGrpc.getCreateBindingsMethod(),
          gongji.v1.CreateBindingsRequest.newBuilder().setRequestId("outside-binding").addLines(gongji.v1.BindingLine
              .newBuilder().setAuthorizerPsnNo(relative.psnNo()).setBeneficiaryPsnNo(patient.psnNo())
              .setRelationship(gongji.v1.Relationship.RELATIONSHIP_SIBLING)).build()).get(10, TimeUnit.SECONDS);
      String binding = made.getResults(0).getBinding().getBindingId();
      assertFalse(binding.isEmpty(), made.toString());

      workload.readBack(target, 16, deadline, 5);

      Workload.ReadBack read = workload.readBackDone();
      assertEquals(4, read.activePeople());
      assertEquals(1, read.relativeAccounts(), read.toString());
      assertEquals(relative.psnNo(), workload.authorizerOf(binding));
      assertTrue(workload.openingBalanceFen().containsKey(relative.psnNo()), "the relative's account is read back");
      assertEquals(3 + 1 + 3, workload.openingBalanceFen().size(), "the family's 3 accounts, the relative's, a sample of 3");

      Books books = new Books(true);
      Scenarios scenarios = new Scenarios(target, workload, books, 5, "outside", 0);
      Stats stats = new Stats();
      for (int i = 0; i < 3; i++) {
        assertTrue(scenarios.start("mutual-aid-sale", i, System.nanoTime(), stats).get(10, TimeUnit.SECONDS));
      }
      long drawnOnRelative = books.sales().stream().flatMap(s -> s.settle.breakdowns().get(0).getLegsList().stream())
          .filter(l -> l.getBindingId().equals(binding)).mapToLong(gongji.v1.PaymentLeg::getAmountFen).sum();
      assertTrue(drawnOnRelative > 0, "the sales drew on the relative outside the active set");

      Auditor.Report clean = new Auditor(target, workload, 16).audit(books, deadline);
      assertTrue(clean.ok(), clean.discrepancies().toString());

      // The same books, once the relative's account has moved behind the runner's back.
      target.call(AdminServiceGrpc.getCreditAccountMethod(), CreditAccountRequest.newBuilder()
          .setRequestId("outside-behind-its-back").setPsnNo(relative.psnNo()).setAmountFen(1).build()).get(10, TimeUnit.SECONDS);
      Auditor.Report moved = new Auditor(target, workload, 16).audit(books, deadline);
      assertEquals(1, moved.discrepancies().size(), moved.discrepancies().toString());
      assertTrue(moved.discrepancies().get(0).startsWith("account " + relative.psnNo() + ": balance"),
          moved.discrepancies().toString());
    }
  }

  /** Authorizes and settles one sale, recording the Settle as if its reply had been lost (a deadline). */
  private static Books.Sale sellWithLostSettleReply(Target target, Workload workload, Books books, String id)
      throws Exception {
    Workload.Person p = workload.payer(new java.util.SplittableRandom(1));
    gongji.v1.Terminal terminal = workload.terminal(0);
    Books.Sale sale = books.newSale(p.psnNo(), terminal, id + "-a");
    gongji.v1.AuthorizeResponse a = target.call(SettlementServiceGrpc.getAuthorizeMethod(), gongji.v1.AuthorizeRequest
        .newBuilder().setRequestId(id + "-a").setTerminal(terminal).setMedicalType(gongji.v1.MedicalType.MEDICAL_TYPE_PHARMACY)
        .setCredential(gongji.v1.Credential.newBuilder().setType(gongji.v1.CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD)
            .setNumber(p.card()))
        .addItems(gongji.v1.LineItem.newBuilder().setCode("YP1").setCategory(gongji.v1.ItemCategory.ITEM_CATEGORY_DRUG)
            .setInPolicyScope(true).setQuantity(1).setAmountFen(1_234)).build()).get(10, TimeUnit.SECONDS);
    sale.authorize.acknowledged(a.getTransactionId(), a.getBreakdown());
    sale.settle = new Books.Request(id + "-s");
    target.call(SettlementServiceGrpc.getSettleMethod(), gongji.v1.SettleRequest.newBuilder().setRequestId(id + "-s")
        .setTerminal(terminal).setTransactionId(a.getTransactionId()).build()).get(10, TimeUnit.SECONDS);
    sale.settle.failed(io.grpc.Status.DEADLINE_EXCEEDED.asRuntimeException());
    return sale;
  }

  /** Pharmacy sales for a second on 32 persons of whom {@code activePeople} are active, {@code fault} before the audit. */
  private static LoadRun.Outcome run(String tag, int activePeople, LoadRun.BeforeAudit fault) throws Exception {
    RunSettings s = new RunSettings(gateway.target(), "pharmacy-sale", 40, 0, 2, 0.2, 1, 1_000_000, 120, 5_000,
        10_000, 11, "generated", 32, 16, activePeople, true, tag, 0.5, true, 0, 0, false, 1, null, null, 0, null,
        RunSettings.Access.NONE, null);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LoadRun.Outcome outcome = LoadRun.execute(s, new PrintStream(bytes, true, StandardCharsets.UTF_8), fault);
    System.out.println(bytes.toString(StandardCharsets.UTF_8));
    return outcome;
  }
}
