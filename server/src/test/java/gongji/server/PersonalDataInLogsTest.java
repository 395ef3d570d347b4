package gongji.server;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.refund;
import static gongji.server.testing.Sales.settle;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.NettyGateways;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.AuthorizeResponse;
import gongji.v1.CreateBindingRequest;
import gongji.v1.Credential;
import gongji.v1.CredentialType;
import gongji.v1.GetAccountRequest;
import gongji.v1.Heir;
import gongji.v1.InsuranceType;
import gongji.v1.Insured;
import gongji.v1.InsuredStatus;
import gongji.v1.ItemCategory;
import gongji.v1.PayOutToHeirsRequest;
import gongji.v1.RecordDeathRequest;
import gongji.v1.Relationship;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import gongji.v1.UpsertInsuredRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full scenario on the real server (Netty, tokens, audit log on) with every log line of the
 * gateway captured, at every level: a new person registered with an identity card, identify, a
 * sale paid partly by mutual aid, its refund, a binding, an impersonation attempt, a death and the
 * payout to an heir. Neither the server's log nor the audit log may hold a full identity number, a
 * name or a person number of anyone in it.
 */
class PersonalDataInLogsTest {
  private static final Terminal POS01 = terminal(DemoData.PHARMACY, "POS01");
  private static final String NEW_PSN_NO = "62010019910909008800000008";
  private static final String NEW_NAME = "孙丽华";
  private static final String NEW_ID_NUMBER = "620102199109090088";
  private static final String HEIR_NAME = "刘建军";
  private static final String HEIR_ID_NUMBER = "620102198212120099";

  @TempDir Path dir;

  @Test
  void fullScenario_noLogLineNorAuditRecord_holdsAnIdentityNumberNameOrPersonNumber() throws Exception {
    List<String> lines = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        StringWriter text = new StringWriter();
        text.append(r.getLoggerName()).append(' ').append(String.valueOf(r.getMessage()));
        if (r.getParameters() != null) {
          for (Object p : r.getParameters()) {
            text.append(' ').append(String.valueOf(p));
          }
        }
        if (r.getThrown() != null) {
          r.getThrown().printStackTrace(new PrintWriter(text));
        }
        synchronized (lines) {
          lines.add(text.toString());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    Logger gongji = Logger.getLogger("gongji");
    Level before = gongji.getLevel();
    root.addHandler(capture);
    gongji.setLevel(Level.ALL);
    capture.setLevel(Level.ALL);
    Path audit = dir.resolve("audit");
    try {
      runScenario(audit);
    } finally {
      root.removeHandler(capture);
      gongji.setLevel(before);
    }

    String auditText = Files.readString(audit.resolve("audit.log"));
    assertTrue(auditText.contains("PayOutToHeirs") && auditText.contains("Refund"), auditText);
    List<String> secrets = new ArrayList<>(List.of(NEW_PSN_NO, NEW_NAME, NEW_ID_NUMBER, HEIR_NAME, HEIR_ID_NUMBER,
        DemoData.ZHANG_WEI, "张伟", "620102198001010011", DemoData.LI_NA, "李娜", "620102198203040022",
        DemoData.ZHAO_LEI, "赵磊", DemoData.ZHANG_XIAOYU, "张小雨", DemoData.LIU_GUILAN, "刘桂兰",
        "620102195603030077"));
    List<String> found = new ArrayList<>();
    synchronized (lines) {
      assertTrue(lines.size() > 0, "some lines were captured");
      for (String secret : secrets) {
        lines.stream().filter(l -> l.contains(secret)).findFirst().ifPresent(l -> found.add(secret + " in: " + l));
      }
    }
    for (String line : auditText.split("\n")) {
      for (String secret : secrets) {
        if (line.contains(secret)) {
          found.add(secret + " in the audit log: " + line);
        }
      }
    }
    assertEquals(List.of(), found);
  }

  private void runScenario(Path audit) throws Exception {
    Files.writeString(dir.resolve("tokens"), "pos01=" + DemoData.PHARMACY + "/POS01\nclerk=admin:clerk:wang\n");
    GatewayConfig config = GatewayConfig.forTests().withSecurity("", "", "", dir.resolve("tokens").toString())
        .withAudit(audit.toString(), 1 << 20);
    GatewayServer server = NettyGateways.start(config, true);
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      SettlementServiceGrpc.SettlementServiceBlockingStub pos = with(SettlementServiceGrpc.newBlockingStub(channel),
          "pos01");
      AdminServiceGrpc.AdminServiceBlockingStub clerk = with(AdminServiceGrpc.newBlockingStub(channel), "clerk");

      clerk.upsertInsured(UpsertInsuredRequest.newBuilder().setInsured(Insured.newBuilder().setPsnNo(NEW_PSN_NO)
          .setName(NEW_NAME).setInsuranceType(InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC)
          .setStatus(InsuredStatus.INSURED_STATUS_NORMAL).setInsuplcAdmdvs("620100")
          .addCredentials(Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_ID_CARD)
              .setNumber(NEW_ID_NUMBER))).build());
      pos.identify(identify(POS01, Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_ID_CARD)
          .setNumber(NEW_ID_NUMBER).build()));
      pos.identify(identify(POS01, card("SSC-ZHANGWEI")));

      // Li Na's own account holds 30 yuan: the rest of 80 yuan is mutual aid from Zhang Wei.
      AuthorizeResponse sale = pos.authorize(authorize("PII-1", POS01, card("SSC-LINA"),
          item(ItemCategory.ITEM_CATEGORY_DRUG, 8_000)).setPsnNo(DemoData.LI_NA).build());
      assertTrue(sale.getBreakdown().getMutualAidPayFen() > 0, sale::toString);
      pos.settle(settle("PII-2", POS01, sale.getTransactionId()));
      pos.refund(refund("PII-3", POS01, sale.getTransactionId()));
      assertThrows(StatusRuntimeException.class, () -> pos.authorize(authorize("PII-4", POS01, card("SSC-LINA"),
          item(ItemCategory.ITEM_CATEGORY_DRUG, 100)).setPsnNo(DemoData.ZHANG_WEI).build()));

      clerk.createBinding(CreateBindingRequest.newBuilder().setAuthorizerPsnNo(DemoData.ZHAO_LEI)
          .setBeneficiaryPsnNo(DemoData.ZHANG_XIAOYU).setRelationship(Relationship.RELATIONSHIP_CHILD).build());
      clerk.recordDeath(RecordDeathRequest.newBuilder().setPsnNo(DemoData.LIU_GUILAN).build());
      long balance = clerk.getAccount(GetAccountRequest.newBuilder().setPsnNo(DemoData.LIU_GUILAN).build())
          .getBalanceFen();
      clerk.payOutToHeirs(PayOutToHeirsRequest.newBuilder().setRequestId("PII-5").setPsnNo(DemoData.LIU_GUILAN)
          .addHeirs(Heir.newBuilder().setName(HEIR_NAME).setIdNumber(HEIR_ID_NUMBER).setAmountFen(balance)).build());
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      server.close();
    }
  }

  private static <S extends AbstractStub<S>> S with(S stub, String token) {
    Metadata h = new Metadata();
    h.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(h)).withDeadlineAfter(10, TimeUnit.SECONDS);
  }
}
