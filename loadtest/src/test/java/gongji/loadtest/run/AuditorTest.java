package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  @Test
  void audit_settlementUndoneBehindTheRunnersBack_failsNamingTheSaleAndTheAccount() throws Exception {
    String[] lost = new String[2];
    LoadRun.Outcome outcome = run("lost", (workload, target, books) -> {
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
  }

  @Test
  void audit_accountCreditedBehindTheRunnersBack_failsNamingTheAccount() throws Exception {
    String[] credited = new String[1];
    LoadRun.Outcome outcome = run("credit", (workload, target, books) -> {
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
    LoadRun.Outcome outcome = run("clean", (workload, target, books) -> { });

    assertEquals(0, outcome.exitCode());
    assertTrue(outcome.json().get("audit_ok").asBoolean(), outcome.json().get("audit").toString());
  }

  @Test
  void audit_settleWhoseReplyWasLostButApplied_resolvesItByRequestIdAndPasses() throws Exception {
    try (Target target = new Target(gateway.target(), 1, 5_000)) {
      Workload workload = Workload.generated("unknown", 8, 4);
      workload.setUp(target, 16, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
      workload.readBack(target, 16, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
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
      workload.readBack(target, 16, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
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

  private static LoadRun.Outcome run(String tag, LoadRun.BeforeAudit fault) throws Exception {
    RunSettings s = new RunSettings(gateway.target(), "pharmacy-sale", 40, 0, 2, 0.2, 1, 1_000_000, 120, 5_000,
        10_000, 11, "generated", 16, 8, true, tag, 0.5, true, 0, 0, false, 1, null, null, 0, null,
        RunSettings.Access.NONE, null);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LoadRun.Outcome outcome = LoadRun.execute(s, new PrintStream(bytes, true, StandardCharsets.UTF_8), fault);
    System.out.println(bytes.toString(StandardCharsets.UTF_8));
    return outcome;
  }
}
