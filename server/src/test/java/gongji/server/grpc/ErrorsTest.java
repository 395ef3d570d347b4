package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gongji.server.ledger.Outcome;
import gongji.v1.ErrorReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every refusal the ledger can give reaches the wire as a documented ErrorReason. */
class ErrorsTest {
  @Test
  void everyOutcomeButOk_isAnErrorReasonOfTheSameName() {
    List<String> undocumented = new ArrayList<>();
    for (Outcome o : Outcome.values()) {
      if (o == Outcome.OK) {
        continue;
      }
      try {
        ErrorReason.valueOf(o.name());
      } catch (IllegalArgumentException e) {
        undocumented.add(o.name());
      }
    }

    assertEquals(List.of(), undocumented);
  }

  @Test
  void code_walletRefusals_notFoundOrFailedPrecondition() {
    assertEquals(com.google.rpc.Code.NOT_FOUND, Errors.code(Outcome.WALLET_TRANSFER_NOT_FOUND));
    for (Outcome o : List.of(Outcome.WALLET_NOT_OPEN, Outcome.WALLET_TRANSFER_LIMIT_EXCEEDED,
        Outcome.WALLET_TRANSFER_WINDOW_CLOSED, Outcome.WALLET_TRANSFER_PENDING)) {
      assertEquals(com.google.rpc.Code.FAILED_PRECONDITION, Errors.code(o), o.name());
    }
  }

  @Test
  void failure_overloaded_isResourceExhaustedWithRetryInfo_andAPassedDeadline_isDeadlineExceeded() {
    io.grpc.StatusRuntimeException shed = Errors.failure(
        new gongji.server.ledger.LedgerOverloadedException("ledger queue full"), java.util.Map.of());
    com.google.rpc.Status status = io.grpc.protobuf.StatusProto.fromThrowable(shed);
    assertEquals(io.grpc.Status.Code.RESOURCE_EXHAUSTED, shed.getStatus().getCode());
    assertEquals(1, status.getDetailsList().stream().filter(d -> d.is(com.google.rpc.RetryInfo.class)).count());

    io.grpc.StatusRuntimeException late = Errors.failure(
        new java.util.concurrent.CompletionException(new gongji.server.ledger.DeadlinePassedException("late")),
        java.util.Map.of());
    assertEquals(io.grpc.Status.Code.DEADLINE_EXCEEDED, late.getStatus().getCode());
  }
}
