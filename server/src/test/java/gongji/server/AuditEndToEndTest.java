package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gongji.server.testing.NettyGateways;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.CreditAccountRequest;
import gongji.v1.GetAccountRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit log on the real server: a call that moves money is written with who (the token's
 * principal), what, when and the result, the person masked; a read is not written.
 */
class AuditEndToEndTest {
  private static final String CLERK = "token-of-clerk";

  @TempDir
  Path dir;

  @Test
  void creditAccount_byAClerk_isAuditedWithWhoWhatResultAndTheMaskedPerson_andReadsAreNot() throws Exception {
    Files.writeString(dir.resolve("tokens"), CLERK + "=admin:clerk:wang\n");
    Path auditDir = dir.resolve("audit");
    GatewayConfig config = GatewayConfig.forTests().withSecurity("", "", "", dir.resolve("tokens").toString())
        .withAdminPort(0, "").withAudit(auditDir.toString(), 1 << 20);
    GatewayServer server = NettyGateways.start(config, true);
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.adminPort()).usePlaintext().build();
    try {
      Metadata token = new Metadata();
      token.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + CLERK);
      AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(token)).withDeadlineAfter(10, TimeUnit.SECONDS);
      admin.creditAccount(CreditAccountRequest.newBuilder().setRequestId("AUDIT-1").setPsnNo(DemoData.ZHANG_WEI)
          .setAmountFen(12_345).build());
      assertThrows(StatusRuntimeException.class, () -> admin.creditAccount(CreditAccountRequest.newBuilder()
          .setRequestId("AUDIT-2").setPsnNo(DemoData.ZHANG_WEI).setAmountFen(-1).build()));
      admin.getAccount(GetAccountRequest.newBuilder().setPsnNo(DemoData.ZHANG_WEI).build());
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      server.close();
    }

    String text = Files.readString(auditDir.resolve("audit.log"));
    List<JsonNode> records = new ArrayList<>();
    for (String line : text.split("\n")) {
      records.add(new ObjectMapper().readTree(line));
    }
    assertEquals(2, records.size(), text);
    JsonNode ok = records.get(0);
    assertEquals("admin:clerk:wang", ok.get("who").asText(), text);
    assertTrue(ok.get("via").asText().startsWith("token"), text);
    assertEquals("gongji.v1.AdminService/CreditAccount", ok.get("what").asText(), text);
    assertEquals("OK", ok.get("result").asText(), text);
    assertEquals("AUDIT-1", ok.get("request").get("request_id").asText(), text);
    assertEquals(12_345, ok.get("request").get("amount_fen").asLong(), text);
    assertEquals(gongji.server.domain.Masking.psnNo(DemoData.ZHANG_WEI), ok.get("request").get("psn_no").asText());
    assertTrue(ok.get("time").asText().endsWith("Z"), text);
    JsonNode refused = records.get(1);
    assertEquals("INVALID_ARGUMENT", refused.get("result").asText(), text);
    assertTrue(refused.has("reason"), text);
    assertFalse(text.contains(DemoData.ZHANG_WEI), "no unmasked person number: " + text);
  }

  @Test
  void callsRefusedBeforeAService_areAuditedOnceAMinutePerKind_withoutTheToken() throws Exception {
    Files.writeString(dir.resolve("tokens"), CLERK + "=admin:clerk:wang\n");
    Path auditDir = dir.resolve("audit");
    GatewayConfig config = GatewayConfig.forTests().withSecurity("", "", "", dir.resolve("tokens").toString())
        .withAdminPort(0, "").withAudit(auditDir.toString(), 1 << 20);
    GatewayServer server = NettyGateways.start(config, true);
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.adminPort()).usePlaintext().build();
    try {
      AdminServiceGrpc.AdminServiceBlockingStub anonymous = AdminServiceGrpc.newBlockingStub(channel);
      Metadata wrong = new Metadata();
      wrong.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer not-a-token");
      AdminServiceGrpc.AdminServiceBlockingStub forged = anonymous
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(wrong));
      for (int i = 0; i < 50; i++) {
        CreditAccountRequest credit = CreditAccountRequest.newBuilder().setRequestId("X-" + i)
            .setPsnNo(DemoData.ZHANG_WEI).setAmountFen(1).build();
        assertThrows(StatusRuntimeException.class,
            () -> anonymous.withDeadlineAfter(10, TimeUnit.SECONDS).creditAccount(credit));
        assertThrows(StatusRuntimeException.class,
            () -> forged.withDeadlineAfter(10, TimeUnit.SECONDS).creditAccount(credit));
      }
      assertTrue(server.node().metrics().scrape().contains("gongji_audit_dropped_total 0.0"), "the drop meter");
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      server.close();
    }

    String text = Files.readString(auditDir.resolve("audit.log"));
    List<JsonNode> records = new ArrayList<>();
    for (String line : text.split("\n")) {
      records.add(new ObjectMapper().readTree(line));
    }
    assertEquals(2, records.size(), "one record per kind of refusal: " + text);
    for (JsonNode r : records) {
      assertEquals("refused", r.get("who").asText(), text);
      assertEquals("UNAUTHENTICATED", r.get("result").asText(), text);
      assertEquals("gongji.v1.AdminService/CreditAccount", r.get("what").asText(), text);
      assertTrue(r.get("peer").asText().startsWith("127.0.0.1:"), text);
    }
    assertTrue(text.contains("the bearer token is not known"), text);
    assertFalse(text.contains("not-a-token"), "the presented token is not written: " + text);
  }
}
