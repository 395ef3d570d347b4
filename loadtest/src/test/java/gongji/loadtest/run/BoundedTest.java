package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.rpc.Code;
import com.google.rpc.RetryInfo;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The unmeasured calls: a refusal that asks for a retry is retried; any other failure fails the step at once. */
class BoundedTest {
  private static final long DEADLINE = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);

  @Test
  void aCallRefusedWithRetryInfo_isMadeAgain_untilItPasses() throws Exception {
    Bounded calls = new Bounded(4, DEADLINE);
    AtomicInteger attempts = new AtomicInteger();

    calls.submit(() -> attempts.incrementAndGet() <= 2
        ? CompletableFuture.failedFuture(refused(Code.RESOURCE_EXHAUSTED, true))
        : CompletableFuture.completedFuture("ok"));
    calls.awaitAll("credits");

    assertEquals(3, attempts.get());
    assertEquals(2, calls.retried());
  }

  @Test
  void aFailureWithoutRetryInfo_failsTheStepWithOneLine_andIsNotMadeAgain() throws Exception {
    Bounded calls = new Bounded(4, DEADLINE);
    AtomicInteger attempts = new AtomicInteger();

    calls.submit(() -> {
      attempts.incrementAndGet();
      return CompletableFuture.failedFuture(refused(Code.INVALID_ARGUMENT, false));
    });
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> calls.awaitAll("persons"));

    assertEquals(1, attempts.get());
    assertEquals("persons: INVALID_ARGUMENT: refused", e.getMessage());
    assertTrue(!e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void aCallAlwaysRefused_givesUpAfterItsAttempts() throws Exception {
    Bounded calls = new Bounded(4, DEADLINE);
    AtomicInteger attempts = new AtomicInteger();

    calls.submit(() -> {
      attempts.incrementAndGet();
      return CompletableFuture.failedFuture(refused(Code.RESOURCE_EXHAUSTED, true));
    });
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> calls.awaitAll("bindings"));

    assertEquals(Bounded.MAX_ATTEMPTS, attempts.get());
    assertTrue(e.getMessage().startsWith("bindings: RESOURCE_EXHAUSTED"), e.getMessage());
  }

  /** A refusal as the gateway makes it; with a RetryInfo of 1 ms when {@code retry}. */
  private static StatusRuntimeException refused(Code code, boolean retry) {
    com.google.rpc.Status.Builder s = com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage("refused");
    if (retry) {
      s.addDetails(Any.pack(RetryInfo.newBuilder().setRetryDelay(Duration.newBuilder().setNanos(1_000_000)).build()));
    }
    return StatusProto.toStatusRuntimeException(s.build());
  }
}
