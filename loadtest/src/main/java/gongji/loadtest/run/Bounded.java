package gongji.loadtest.run;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Calls that are not measured (the setup, the read-back, the audit), pipelined with at most
 * {@code maxInFlight} outstanding and bounded by the run's wall-clock deadline; the first failure
 * fails {@link #awaitAll}. A call the server refused with a {@code RetryInfo} (overloaded or rate
 * limited: nothing was applied) is made again after the delay it asked for, at most
 * {@value #MAX_ATTEMPTS} times and within the deadline, holding its place meanwhile: a set-up that
 * outruns a cold gateway slows down instead of failing the run.
 */
final class Bounded {
  static final int MAX_ATTEMPTS = 20;
  /** The least wait before a refused call is made again, whatever delay the server asked for. */
  private static final long MIN_RETRY_MILLIS = 50;

  private final Semaphore permits;
  private final int maxInFlight;
  private final long deadlineNanos;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final java.util.concurrent.atomic.AtomicLong retried = new java.util.concurrent.atomic.AtomicLong();
  private final List<String> steps = new java.util.ArrayList<>();
  private long stepStartNanos = System.nanoTime();

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
    attempt(call, 1);
  }

  /** Makes the call; on a refusal with RetryInfo, again after its delay (the place is kept). */
  private void attempt(Supplier<? extends CompletableFuture<?>> call, int attempt) {
    CompletableFuture<?> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      permits.release();
      failure.compareAndSet(null, e);
      return;
    }
    f.whenComplete((r, e) -> {
      if (e == null) {
        permits.release();
        return;
      }
      long asked = Target.retryDelayMillis(e);
      long delay = Math.max(MIN_RETRY_MILLIS, asked);
      boolean again = asked >= 0 && attempt < MAX_ATTEMPTS && failure.get() == null
          && deadlineNanos - System.nanoTime() > TimeUnit.MILLISECONDS.toNanos(delay);
      if (again) {
        retried.incrementAndGet();
        CompletableFuture.runAsync(() -> attempt(call, attempt + 1),
            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS));
        return;
      }
      failure.compareAndSet(null, e);
      permits.release();
    });
  }

  /** Each step awaited so far, with how long it took from the end of the one before: "persons 2.1 s". */
  List<String> steps() {
    return List.copyOf(steps);
  }

  /** Calls made again because the server refused them with a RetryInfo, so far. */
  long retried() {
    return retried.get();
  }

  void awaitAll(String what) throws InterruptedException {
    acquire(maxInFlight);
    permits.release(maxInFlight);
    long now = System.nanoTime();
    steps.add(String.format(java.util.Locale.ROOT, "%s %.1f s", what, (now - stepStartNanos) / 1e9));
    stepStartNanos = now;
    Throwable e = failure.get();
    if (e != null) {
      throw new IllegalStateException(what + ": " + Target.describe(e) + hint(Target.status(e).getCode()), Target.unwrap(e));
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
