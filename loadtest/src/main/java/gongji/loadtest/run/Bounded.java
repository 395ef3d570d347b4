package gongji.loadtest.run;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Calls that are not measured (the setup, the read-back, the audit), pipelined with at most
 * {@code maxInFlight} outstanding and bounded by the run's wall-clock deadline; the first failure
 * fails {@link #awaitAll}.
 */
final class Bounded {
  private final Semaphore permits;
  private final int maxInFlight;
  private final long deadlineNanos;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  Bounded(int maxInFlight, long deadlineNanos) {
    this.maxInFlight = maxInFlight;
    this.permits = new Semaphore(maxInFlight);
    this.deadlineNanos = deadlineNanos;
  }

  void submit(Supplier<? extends CompletableFuture<?>> call) throws InterruptedException {
    acquire(1);
    if (failure.get() != null) {
      permits.release();
      return;
    }
    CompletableFuture<?> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      permits.release();
      failure.compareAndSet(null, e);
      return;
    }
    f.whenComplete((r, e) -> {
      if (e != null) {
        failure.compareAndSet(null, e);
      }
      permits.release();
    });
  }

  void awaitAll(String what) throws InterruptedException {
    acquire(maxInFlight);
    permits.release(maxInFlight);
    Throwable e = failure.get();
    if (e != null) {
      throw new IllegalStateException(what + ": " + Target.status(e) + hint(Target.status(e).getCode()), Target.unwrap(e));
    }
  }

  private static String hint(io.grpc.Status.Code code) {
    return switch (code) {
      case UNAUTHENTICATED, PERMISSION_DENIED -> " (credentials: the back office takes --admin-token, terminal calls"
          + " --token; see --help)";
      case UNIMPLEMENTED -> " (is the back office on a port of its own? give it as --admin-target HOST:PORT)";
      default -> "";
    };
  }

  private void acquire(int n) throws InterruptedException {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0 || !permits.tryAcquire(n, left, TimeUnit.NANOSECONDS)) {
      throw new IllegalStateException("the run's wall-clock bound (--max-wall-seconds) passed");
    }
  }
}
