package gongji.server;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.byRequestId;
import static gongji.server.testing.Sales.byTransactionId;
import static gongji.server.testing.Sales.cancel;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.identify;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.refund;
import static gongji.server.testing.Sales.reverse;
import static gongji.server.testing.Sales.settle;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.hash.Hashing;
import gongji.server.ledger.Command;
import gongji.server.ledger.Journal;
import gongji.server.ledger.Result;
import gongji.server.testing.Refusal;
import gongji.v1.Account;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.CreditAccountRequest;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.GetAccountRequest;
import gongji.v1.GetWalletRequest;
import gongji.v1.ItemCategory;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import gongji.v1.TransactionState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status.Code;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Caller authentication on the real server (Netty, 127.0.0.1:0) with bearer tokens: who may call
 * what, and that a refused call changes no money. The hospital (institution B) has an open and a
 * settled sale; the pharmacy's terminal POS01 (institution A) tries everything it must not do.
 */
class CallerAuthEndToEndTest {
  private static final Terminal A = terminal(DemoData.PHARMACY, "POS01");
  private static final Terminal A2 = terminal(DemoData.PHARMACY, "POS02");
  private static final Terminal B = terminal(DemoData.HOSPITAL, "HIS01");
  private static final String A_TOKEN = "token-of-pharmacy-pos01";
  private static final String B_TOKEN = "token-of-hospital-his01";
  private static final String CLERK = "token-of-clerk";
  private static final String AUDITOR = "token-of-auditor";
  private static final List<String> PEOPLE = List.of(DemoData.ZHANG_WEI, DemoData.LI_NA,
      DemoData.WANG_XIUYING, DemoData.ZHAO_LEI, DemoData.LIU_GUILAN);

  @TempDir Path dir;
  private GatewayServer server;
  private ManagedChannel terminalPort;
  private ManagedChannel adminPort;
  private String openSale;
  private String settledSale;

  @BeforeEach
  void start() throws Exception {
    // The hospital's token is stored as its hash, as the operations guide recommends.
    Files.writeString(dir.resolve("tokens"), String.join("\n",
        "# test tokens",
        A_TOKEN + "=" + DemoData.PHARMACY + "/POS01",
        "sha256:" + Hashing.sha256().hashString(B_TOKEN, StandardCharsets.UTF_8) + "=" + DemoData.HOSPITAL + "/HIS01",
        CLERK + "=admin:clerk:wang",
        AUDITOR + "=admin:auditor:li", ""));
    GatewayConfig config = GatewayConfig.forTests().withSecurity("", "", "", dir.resolve("tokens").toString())
        .withAdminPort(0, "");
    Node node = new Node(config, InstantSource.system(), Journal.NONE);
    try {
      DemoData.load(node.gateway());
      server = GatewayServer.startNetty(node, config);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    assertNotEquals(server.port(), server.adminPort(), "the back office has a port of its own");
    terminalPort = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    adminPort = ManagedChannelBuilder.forAddress("127.0.0.1", server.adminPort()).usePlaintext().build();

    openSale = settlement(B_TOKEN).authorize(authorize("B-OPEN", B, card("SSC-ZHANGWEI"),
        item(ItemCategory.ITEM_CATEGORY_DRUG, 10_000)).build()).getTransactionId();
    settledSale = settlement(B_TOKEN).authorize(authorize("B-SOLD", B, card("SSC-ZHAOLEI"),
        item(ItemCategory.ITEM_CATEGORY_DRUG, 2_000)).build()).getTransactionId();
    settlement(B_TOKEN).settle(settle("B-SOLD-S", B, settledSale));
  }

  @AfterEach
  void stop() throws Exception {
    for (ManagedChannel c : new ManagedChannel[] {terminalPort, adminPort}) {
      if (c != null) {
        c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void terminalPort_withoutAValidCredential_unauthenticated() {
    List<String> before = books();

    Refusal.expect(Code.UNAUTHENTICATED, "UNAUTHENTICATED",
        () -> settlement(null).identify(identify(A, card("SSC-LINA"))));
    Refusal.expect(Code.UNAUTHENTICATED, "UNAUTHENTICATED",
        () -> settlement("not-a-token").authorize(sale("X-1", A).build()));
    Refusal.expect(Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> withHeader(
        SettlementServiceGrpc.newBlockingStub(terminalPort), "Basic " + A_TOKEN).authorize(sale("X-2", A).build()));
    // The hash from the tokens file is not itself a token.
    Refusal.expect(Code.UNAUTHENTICATED, "UNAUTHENTICATED", () -> settlement(
        Hashing.sha256().hashString(B_TOKEN, StandardCharsets.UTF_8).toString()).cancel(cancel("X-3", B, openSale)));

    assertEquals(before, books());
  }

  @Test
  void terminalOfA_namingBInTheBody_permissionDenied() {
    List<String> before = books();

    for (Terminal other : List.of(B, A2)) {
      Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
          () -> settlement(A_TOKEN).authorize(sale("X-4", other).build()));
      Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
          () -> settlement(A_TOKEN).identify(identify(other, card("SSC-LINA"))));
    }
    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> settlement(A_TOKEN).settle(settle("X-5", B, openSale)));
    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> settlement(A_TOKEN).cancel(cancel("X-6", B, openSale)));
    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> settlement(A_TOKEN).refund(refund("X-7", B, settledSale)));
    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> settlement(A_TOKEN).reverse(reverse(B, "B-OPEN")));
    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> settlement(A_TOKEN).getTransaction(byTransactionId(B, openSale)));

    assertEquals(before, books());
  }

  @Test
  void terminalOfA_touchingBsSalesAsItself_refusedAndNothingChanges() {
    List<String> before = books();

    assertRefused(() -> settlement(A_TOKEN).settle(settle("X-8", A, openSale)));
    assertRefused(() -> settlement(A_TOKEN).cancel(cancel("X-9", A, openSale)));
    assertRefused(() -> settlement(A_TOKEN).refund(refund("X-10", A, settledSale)));
    assertRefused(() -> settlement(A_TOKEN).getTransaction(byTransactionId(A, openSale)));
    assertRefused(() -> settlement(A_TOKEN).getTransaction(byRequestId(A, "B-OPEN")));
    // Reversing B's request id: the reversal is in A's own books only; B's sale is untouched.
    try {
      settlement(A_TOKEN).reverse(reverse(A, "B-OPEN"));
    } catch (StatusRuntimeException refused) {
      // Refused is fine too.
    }

    assertEquals(before, books());
    assertEquals(TransactionState.TRANSACTION_STATE_AUTHORIZED,
        settlement(B_TOKEN).getTransaction(byTransactionId(B, openSale)).getTransaction().getState());
    assertEquals(TransactionState.TRANSACTION_STATE_SETTLED,
        settlement(B_TOKEN).getTransaction(byTransactionId(B, settledSale)).getTransaction().getState());
    // B can still settle its own sale.
    assertEquals(TransactionState.TRANSACTION_STATE_SETTLED,
        settlement(B_TOKEN).settle(settle("B-OPEN-S", B, openSale)).getState());
  }

  @Test
  void terminalCredential_callingTheBackOffice_refusedOnBothPorts() {
    List<String> before = books();
    CreditAccountRequest credit = CreditAccountRequest.newBuilder().setRequestId("X-CREDIT")
        .setPsnNo(DemoData.ZHAO_LEI).setAmountFen(1_000_000).build();

    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> withToken(AdminServiceGrpc.newBlockingStub(adminPort), A_TOKEN).creditAccount(credit));
    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> withToken(FamilyServiceGrpc.newBlockingStub(adminPort), A_TOKEN)
            .getWallet(GetWalletRequest.newBuilder().setPsnNo(DemoData.ZHANG_XIAOYU).build()));
    Refusal.expect(Code.UNAUTHENTICATED, "UNAUTHENTICATED",
        () -> AdminServiceGrpc.newBlockingStub(adminPort).withDeadlineAfter(10, TimeUnit.SECONDS).creditAccount(credit));
    // The terminal port does not serve the back office at all.
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> withToken(AdminServiceGrpc.newBlockingStub(terminalPort), A_TOKEN).creditAccount(credit));
    assertEquals(Code.UNIMPLEMENTED, e.getStatus().getCode());

    assertEquals(before, books());
  }

  @Test
  void adminRoles_clerkChanges_auditorOnlyReads_neitherSells() {
    CreditAccountRequest credit = CreditAccountRequest.newBuilder().setRequestId("C-1")
        .setPsnNo(DemoData.ZHAO_LEI).setAmountFen(100).build();
    long before = account(DemoData.ZHAO_LEI).getBalanceFen();

    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> withToken(AdminServiceGrpc.newBlockingStub(adminPort), AUDITOR).creditAccount(credit));
    assertEquals(before, withToken(AdminServiceGrpc.newBlockingStub(adminPort), AUDITOR)
        .getAccount(GetAccountRequest.newBuilder().setPsnNo(DemoData.ZHAO_LEI).build()).getBalanceFen());
    Refusal.expect(Code.PERMISSION_DENIED, "PERMISSION_DENIED",
        () -> settlement(CLERK).authorize(sale("X-11", A).build()));
    withToken(AdminServiceGrpc.newBlockingStub(adminPort), CLERK).creditAccount(credit);

    assertEquals(before + 100, account(DemoData.ZHAO_LEI).getBalanceFen());
  }

  @Test
  void healthCheck_needsNoCredential() {
    assertEquals(io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING,
        io.grpc.health.v1.HealthGrpc.newBlockingStub(terminalPort).withDeadlineAfter(10, TimeUnit.SECONDS)
            .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance()).getStatus());
  }

  private static gongji.v1.AuthorizeRequest.Builder sale(String requestId, Terminal terminal) {
    return authorize(requestId, terminal, card("SSC-LINA"), item(ItemCategory.ITEM_CATEGORY_DRUG, 500));
  }

  private static void assertRefused(Supplier<?> call) {
    Refusal r = Refusal.of(call);
    assertTrue(r.code() == Code.NOT_FOUND || r.code() == Code.PERMISSION_DENIED, () -> "refused: " + r);
  }

  private SettlementServiceGrpc.SettlementServiceBlockingStub settlement(String token) {
    SettlementServiceGrpc.SettlementServiceBlockingStub s = SettlementServiceGrpc.newBlockingStub(terminalPort);
    return token == null ? s.withDeadlineAfter(10, TimeUnit.SECONDS) : withToken(s, token);
  }

  private static <S extends AbstractStub<S>> S withToken(S stub, String token) {
    return withHeader(stub, "Bearer " + token);
  }

  private static <S extends AbstractStub<S>> S withHeader(S stub, String authorization) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), authorization);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private Account account(String psnNo) {
    return withToken(AdminServiceGrpc.newBlockingStub(adminPort), AUDITOR)
        .getAccount(GetAccountRequest.newBuilder().setPsnNo(psnNo).build());
  }

  /** Every person's balance and holds, and the ledger's audit: what a refused call must not change. */
  private List<String> books() {
    List<String> out = new ArrayList<>();
    for (String p : PEOPLE) {
      Account a = account(p);
      out.add(p + " " + a.getBalanceFen() + " held " + a.getHeldFen());
    }
    try {
      Result r = server.node().gateway().admin(new Command.Audit()).get(10, TimeUnit.SECONDS);
      out.add("audit " + ((Result.AuditReport) r).violations());
    } catch (Exception e) {
      throw new AssertionError("audit", e);
    }
    return out;
  }
}
