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

  /**
   * Every RESOURCE_EXHAUSTED and UNAVAILABLE the gateway sends (admission's two, the ledger's and
   * history's, any ledger outcome mapped to one of them) tells the client why (ErrorInfo), when to
   * come back (RetryInfo) and the cashier what happened in Chinese (a text of the reason's own, not
   * the fallback of its code).
   */
  @Test
  void everyResourceExhaustedOrUnavailable_carriesErrorInfoRetryInfoAndItsOwnZhCnText() throws Exception {
    java.util.Map<String, io.grpc.StatusRuntimeException> sent = new java.util.LinkedHashMap<>();
    sent.put("overloaded", io.grpc.protobuf.StatusProto.toStatusRuntimeException(Errors.overloaded(2048)));
    sent.put("awaiting body full", io.grpc.protobuf.StatusProto.toStatusRuntimeException(Errors.awaitingBodyFull(1024)));
    sent.put("body timed out", io.grpc.protobuf.StatusProto.toStatusRuntimeException(Errors.bodyTimedOut(30)));
    sent.put("rate limited", Errors.rateLimited("terminal", 250_000, java.util.Map.of("scope", "terminal")));
    sent.put("ledger overloaded", Errors.failure(new gongji.server.ledger.LedgerOverloadedException("full"),
        java.util.Map.of()));
    sent.put("ledger unavailable", Errors.failure(new gongji.server.ledger.LedgerUnavailableException("stopping"),
        java.util.Map.of()));
    sent.put("history unavailable", Errors.failure(new gongji.server.ledger.HistoryUnavailableException("behind"),
        java.util.Map.of()));
    for (Outcome o : Outcome.values()) {
      Code code = Errors.code(o);
      if (code == Code.RESOURCE_EXHAUSTED || code == Code.UNAVAILABLE) {
        sent.put("rejected " + o, Errors.rejected(new gongji.server.ledger.Result.Rejected(o, "detail"),
            java.util.Map.of()));
      }
    }
    assertTrue(sent.containsKey("rejected LEDGER_UNAVAILABLE"), sent.keySet().toString());

    List<String> wrong = new ArrayList<>();
    for (java.util.Map.Entry<String, io.grpc.StatusRuntimeException> e : sent.entrySet()) {
      io.grpc.Status.Code code = e.getValue().getStatus().getCode();
      com.google.rpc.Status status = io.grpc.protobuf.StatusProto.fromThrowable(e.getValue());
      com.google.rpc.ErrorInfo info = detail(status, com.google.rpc.ErrorInfo.class);
      com.google.rpc.RetryInfo retry = detail(status, com.google.rpc.RetryInfo.class);
      com.google.rpc.LocalizedMessage text = detail(status, com.google.rpc.LocalizedMessage.class);
      if (code != io.grpc.Status.Code.RESOURCE_EXHAUSTED && code != io.grpc.Status.Code.UNAVAILABLE) {
        wrong.add(e.getKey() + ": code " + code);
      } else if (info == null || !info.getDomain().equals(Errors.DOMAIN)) {
        wrong.add(e.getKey() + ": ErrorInfo " + info);
      } else if (retry == null || retry.getRetryDelay().getSeconds() == 0 && retry.getRetryDelay().getNanos() <= 0) {
        wrong.add(e.getKey() + ": RetryInfo " + retry);
      } else if (text == null || !text.getLocale().equals("zh-CN")
          || !text.getMessage().equals(CashierText.ofReason(info.getReason()))) {
        wrong.add(e.getKey() + ": LocalizedMessage " + text + " for " + info.getReason());
      }
    }

    assertEquals(List.of(), wrong);
    com.google.rpc.Status limited = io.grpc.protobuf.StatusProto.fromThrowable(sent.get("rate limited"));
    assertEquals(1_000_000, detail(limited, com.google.rpc.RetryInfo.class).getRetryDelay().getNanos(),
        "a bucket's wait under a millisecond is asked as one millisecond");
  }

  /**
   * The list above is every such status: no other class of the server makes a RESOURCE_EXHAUSTED or
   * UNAVAILABLE, and Errors makes them only in the places the list covers (a new one fails here until
   * it is added above).
   */
  @Test
  void resourceExhaustedAndUnavailable_areMadeOnlyInErrors_inThePlacesTestedAbove() throws Exception {
    java.util.regex.Pattern made = java.util.regex.Pattern.compile("(Code|Status)\\.(RESOURCE_EXHAUSTED|UNAVAILABLE)\\b");
    java.nio.file.Path root = java.nio.file.Path.of("src/main/java");
    List<String> elsewhere = new ArrayList<>();
    long inErrors;
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(root)) {
      for (java.nio.file.Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) {
        if (!f.getFileName().toString().equals("Errors.java")
            && made.matcher(java.nio.file.Files.readString(f)).find()) {
          elsewhere.add(root.relativize(f).toString());
        }
      }
    }
    inErrors = made.matcher(java.nio.file.Files.readString(root.resolve("gongji/server/grpc/Errors.java"))).results()
        .count();

    assertEquals(List.of(), elsewhere);
    // rateLimited, overloaded, awaitingBodyFull, bodyTimedOut, the ledger's overload, LEDGER_UNAVAILABLE (failure and
    // code()), HISTORY_UNAVAILABLE, and the two of status() that give every one of them a RetryInfo.
    assertEquals(10, inErrors, "a RESOURCE_EXHAUSTED or UNAVAILABLE made in Errors that the test above does not list");
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
