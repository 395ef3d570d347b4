package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.Code;
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

  @Test
  void cashierText_everyErrorReason_hasAChineseTextOfItsOwn() {
    List<String> without = new ArrayList<>();
    for (ErrorReason r : ErrorReason.values()) {
      if (r != ErrorReason.ERROR_REASON_UNSPECIFIED && r != ErrorReason.UNRECOGNIZED
          && CashierText.ofReason(r.name()) == null) {
        without.add(r.name());
      }
    }

    assertEquals(List.of(), without);
  }

  @Test
  void rejected_anyRefusal_carriesErrorInfoAndAZhCnLocalizedMessage_andNoRetryInfo() throws Exception {
    com.google.rpc.Status status = io.grpc.protobuf.StatusProto.fromThrowable(Errors.rejected(
        new gongji.server.ledger.Result.Rejected(Outcome.IMPERSONATION, "the credential belongs to someone else"),
        java.util.Map.of("request_id", "R-1")));

    assertEquals("IMPERSONATION", detail(status, com.google.rpc.ErrorInfo.class).getReason());
    com.google.rpc.LocalizedMessage text = detail(status, com.google.rpc.LocalizedMessage.class);
    assertEquals("zh-CN", text.getLocale());
    assertEquals("就诊凭证与参保人不一致，疑似冒名就医，已拒绝并记录", text.getMessage());
    assertEquals(null, detail(status, com.google.rpc.RetryInfo.class));
  }

  @Test
  void failure_retryableOnes_carryRetryInfo_andAPassedDeadline_isNotApplied() throws Exception {
    for (Throwable e : List.<Throwable>of(new gongji.server.ledger.LedgerOverloadedException("full"),
        new gongji.server.ledger.LedgerUnavailableException("stopping"),
        new gongji.server.ledger.HistoryUnavailableException("behind"),
        new gongji.server.ledger.DeadlinePassedException("late"))) {
      com.google.rpc.Status status = io.grpc.protobuf.StatusProto.fromThrowable(Errors.failure(e, java.util.Map.of()));

      assertTrue(detail(status, com.google.rpc.RetryInfo.class) != null, e.toString());
      assertFalse(detail(status, com.google.rpc.LocalizedMessage.class).getMessage().isEmpty(), e.toString());
    }
    com.google.rpc.Status late = io.grpc.protobuf.StatusProto.fromThrowable(
        Errors.failure(new gongji.server.ledger.DeadlinePassedException("late"), java.util.Map.of()));
    assertEquals("NOT_APPLIED", detail(late, com.google.rpc.ErrorInfo.class).getReason());
  }

  @Test
  void status_resourceExhaustedFromAnyone_getsRetryInfo_aFailedPreconditionDoesNot() throws Exception {
    com.google.rpc.Status limited = Errors.status(Code.RESOURCE_EXHAUSTED, "SOME_NEW_LIMIT", "over the limit",
        java.util.Map.of()).build();
    com.google.rpc.Status refused = Errors.status(Code.FAILED_PRECONDITION, "SOMETHING_NEW", "no", java.util.Map.of())
        .build();

    assertEquals(1, detail(limited, com.google.rpc.RetryInfo.class).getRetryDelay().getSeconds());
    assertEquals("系统繁忙，请稍后重试", detail(limited, com.google.rpc.LocalizedMessage.class).getMessage());
    assertEquals(null, detail(refused, com.google.rpc.RetryInfo.class));
    assertEquals("当前状态不允许此操作", detail(refused, com.google.rpc.LocalizedMessage.class).getMessage());
  }

  private static <T extends com.google.protobuf.Message> T detail(com.google.rpc.Status status, Class<T> type)
      throws com.google.protobuf.InvalidProtocolBufferException {
    for (com.google.protobuf.Any any : status.getDetailsList()) {
      if (any.is(type)) {
        return any.unpack(type);
      }
    }
    return null;
  }
}
