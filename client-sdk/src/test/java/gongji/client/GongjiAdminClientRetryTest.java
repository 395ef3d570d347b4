package gongji.client;

import static gongji.client.Fixtures.POS;
import static gongji.client.Fixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gongji.client.GongjiAdminClient.Role;
import gongji.client.testing.ServerFault;
import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.v1.FamilyServiceGrpc;
import io.grpc.Status;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wallet calls a retry cannot apply twice are retried on UNAVAILABLE: an assignment under its
 * request id, an answer that changes nothing when given again.
 */
class GongjiAdminClientRetryTest {
  private TestGateway gateway;
  private GongjiAdminClient admin;

  private void start(ServerFault fault) throws Exception {
    gateway = TestGateway.inProcess(fault);
    admin = GongjiAdminClient.create(options(POS).maxAttempts(3).build(), gateway.channelBuilder());
  }

  @AfterEach
  void auditAndClose() throws Exception {
    try {
      if (admin != null) {
        admin.close();
      }
      assertEquals(List.of(), gateway.audit(), "ledger audit after the test");
    } finally {
      gateway.close();
    }
  }

  @Test
  void assignWalletQuota_replyLostAfterTheGatewayApplied_retriedWithTheSameIdAndAssignedOnce() throws Exception {
    ServerFault fault = ServerFault.firstCalls(1, FamilyServiceGrpc.getAssignWalletQuotaMethod(),
        ServerFault.Kind.REPLY_LOST_AS_UNAVAILABLE);
    start(fault);
    admin.wallets().openWallet(DemoData.LI_NA);
    long before = admin.accounts().getAccount(DemoData.ZHANG_WEI).availableFen();

    WalletTransfer t = admin.wallets().assignWalletQuota("wallet-r1", DemoData.ZHANG_WEI, DemoData.LI_NA, 4_000);

    assertEquals(List.of(Status.Code.OK), fault.handlerStatuses().stream().map(Status::getCode).toList(),
        "the first attempt was applied; only its reply was lost");
    assertEquals(Collections.nCopies(2, "wallet-r1"), fault.requestIds());
    assertEquals("PENDING", t.state());
    assertEquals(1, admin.wallets().listWalletTransfers(DemoData.LI_NA, Role.BENEFICIARY, 0, "").items().size());
    assertEquals(before - 4_000, admin.accounts().getAccount(DemoData.ZHANG_WEI).availableFen(), "earmarked once");
  }

  @Test
  void acceptWalletTransfer_replyLost_retriedAndAcceptedOnce() throws Exception {
    ServerFault fault = ServerFault.firstCalls(1, FamilyServiceGrpc.getAcceptWalletTransferMethod(),
        ServerFault.Kind.REPLY_LOST_AS_UNAVAILABLE);
    start(fault);
    admin.wallets().openWallet(DemoData.LI_NA);
    WalletTransfer pending = admin.wallets().assignWalletQuota("wallet-r2", DemoData.ZHANG_WEI, DemoData.LI_NA, 4_000);

    WalletTransfer accepted = admin.wallets().acceptWalletTransfer(pending.id(), DemoData.LI_NA);

    assertEquals(1, fault.injected());
    assertEquals("ACCEPTED", accepted.state());
    assertEquals(4_000, admin.wallets().getWallet(DemoData.LI_NA).availableFen());
  }

  @Test
  void openWallet_unavailableBeforeTheGatewaySawIt_retried() throws Exception {
    ServerFault fault = ServerFault.firstCalls(2, FamilyServiceGrpc.getOpenWalletMethod(),
        ServerFault.Kind.UNAVAILABLE_BEFORE_HANDLER);
    start(fault);

    Wallet w = admin.wallets().openWallet(DemoData.LI_NA);

    assertEquals(2, fault.injected());
    assertEquals(true, w.open());
  }

  @Test
  void updateBindingQuota_replyLost_retriedToTheSameQuota() throws Exception {
    ServerFault fault = ServerFault.firstCalls(1, FamilyServiceGrpc.getUpdateBindingQuotaMethod(),
        ServerFault.Kind.REPLY_LOST_AS_UNAVAILABLE);
    start(fault);

    Binding b = admin.family().updateBindingQuota("B1", DemoData.ZHANG_WEI, 30_000);

    assertEquals(1, fault.injected());
    assertEquals(30_000, b.quotaFen());
  }
}
