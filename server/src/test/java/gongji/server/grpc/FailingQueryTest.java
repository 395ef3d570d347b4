package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.DemoData;
import gongji.server.ledger.Command;
import gongji.server.ledger.LedgerQueryFailedException;
import gongji.server.testing.InProcessGateway;
import gongji.server.testing.Refusal;
import gongji.v1.ListReconcileDetailsRequest;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A question that goes wrong never stops the gateway: a forged page token is bad input at the edge,
 * and a query that throws in the ledger fails alone as INTERNAL, with health still SERVING.
 */
class FailingQueryTest {
  private static final String DATE = "2026-03-02";

  private InProcessGateway gw;

  @BeforeEach
  void startGateway() throws Exception {
    gw = InProcessGateway.startWithDemoData();
  }

  @AfterEach
  void auditThenClose() throws Exception {
    try {
      assertEquals(List.of(), gw.audit());
    } finally {
      gw.close();
    }
  }

  private ServingStatus health() {
    return HealthGrpc.newBlockingStub(gw.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("gongji.v1.AdminService").build()).getStatus();
  }

  private ListReconcileDetailsRequest details(String token) {
    return ListReconcileDetailsRequest.newBuilder().setFixmedinsCode(DemoData.PHARMACY).setDate(InProcessGateway.date(DATE)).setPageSize(10)
        .setPageToken(token).build();
  }

  @Test
  void listReconcileDetails_forgedTokenWithOffsetNearIntMax_invalidArgumentAndStillServing() {
    String query = DemoData.PHARMACY + "/" + DATE;
    for (long offset : new long[] {Integer.MAX_VALUE - 1L, Integer.MAX_VALUE, 3_000_000_000L, Long.MAX_VALUE,
        PageTokens.MAX_OFFSET + 1L}) {
      String forged = PageTokens.next(offset, query);

      Refusal r = Refusal.of(() -> gw.admin().listReconcileDetails(details(forged)));

      r.assertFieldInvalid("page_token");
      String description = r.badRequest().getFieldViolations(0).getDescription();
      assertTrue(description.contains(forged), () -> "the token is named in: " + description);
      assertTrue(description.contains(Long.toString(offset)), () -> "the offset is named in: " + description);
    }
    assertNull(gw.node().sequencer().poisonedReason());
    assertEquals(ServingStatus.SERVING, health());
    assertEquals(0, gw.admin().listReconcileDetails(details("")).getDetailsCount());
  }

  @Test
  void listReconcileDetails_tokenAtTheLargestOffset_emptyPage() {
    String token = PageTokens.next(PageTokens.MAX_OFFSET, DemoData.PHARMACY + "/" + DATE);

    assertEquals(0, gw.admin().listReconcileDetails(details(token)).getDetailsCount());
    assertNull(gw.node().sequencer().poisonedReason());
  }

  @Test
  void admin_queryThatThrowsInTheLedger_failsAloneAsInternalWithoutItsText() throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> gw.node().gateway()
        .admin(new Command.LoadReference(Command.ReferenceKind.INSTITUTION, 42)).get(10, TimeUnit.SECONDS));

    Refusal r = Refusal.of(Errors.failure(e.getCause(), Map.of("fixmedins_code", "42")));

    assertInstanceOf(LedgerQueryFailedException.class, e.getCause());
    assertEquals(Status.Code.INTERNAL, r.code());
    assertEquals("INTERNAL_ERROR", r.reason());
    assertFalse(r.message().contains("ClassCast"), r::message);
    assertFalse(r.message().toLowerCase().contains("retry"), r::message);
    assertNull(gw.node().sequencer().poisonedReason());
    assertEquals(ServingStatus.SERVING, health());
    assertEquals(0, gw.admin().listReconcileDetails(details("")).getDetailsCount());
  }
}
