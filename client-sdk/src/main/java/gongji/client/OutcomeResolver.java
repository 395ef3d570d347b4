package gongji.client;

import gongji.v1.GetTransactionResponse;
import gongji.v1.RequestRecord;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Turns an unknown outcome into a definite one. After a call ends without an answer (deadline,
 * lost connection), the request is looked up by its id: if it was applied, its result is returned;
 * if it was refused, the refusal is thrown; if the gateway never saw it, it is reversed by its id,
 * which also makes the gateway refuse it should it still arrive, and "not applied" is thrown. While
 * the gateway cannot be reached, the look-up is retried with jittered backoff until the resolve
 * timeout; only then does the caller get {@link RejectionReason#OUTCOME_UNKNOWN}.
 */
final class OutcomeResolver {
  /** Reads the applied result back from a look-up. */
  interface Reader<T> {
    T read(GetTransactionResponse response);
  }

  private final GongjiClient client;
  private final ScheduledExecutorService timer;
  private final long timeoutMillis;

  OutcomeResolver(GongjiClient client, ScheduledExecutorService timer, long timeoutMillis) {
    this.client = client;
    this.timer = timer;
    this.timeoutMillis = timeoutMillis;
  }

  static boolean unknown(Throwable error) {
    return error instanceof GongjiRetryableException;
  }

  <T> CompletableFuture<T> resolve(String requestId, Reader<T> reader) {
    CompletableFuture<T> result = new CompletableFuture<T>();
    attempt(requestId, reader, result, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), 50);
    return result;
  }

  private <T> void attempt(final String requestId, final Reader<T> reader, final CompletableFuture<T> result,
      final long deadlineNanos, final long backoffMillis) {
    client.lookupRequestAsync(requestId).whenComplete((response, error) -> {
      if (error == null) {
        decide(requestId, reader, response, result);
        return;
      }
      GongjiException e = ErrorTranslator.translate(unwrap(error));
      if (e.reason() == RejectionReason.REQUEST_NOT_FOUND) {
        reverse(requestId, result, deadlineNanos, backoffMillis);
      } else if (e instanceof GongjiRetryableException) {
        retryLater(() -> attempt(requestId, reader, result, deadlineNanos, backoffMillis * 2), result, e,
            deadlineNanos, backoffMillis);
      } else {
        result.completeExceptionally(e);
      }
    });
  }

  private <T> void decide(String requestId, Reader<T> reader, GetTransactionResponse response,
      CompletableFuture<T> result) {
    RequestRecord r = response.getRequest();
    if (r.getApplied()) {
      result.complete(reader.read(response));
    } else if (r.getReversed() || r.getKind() == gongji.v1.RequestKind.REQUEST_KIND_REVERSAL_TOMBSTONE) {
      result.completeExceptionally(notApplied(requestId, "it was reversed"));
    } else {
      result.completeExceptionally(new GongjiRejectedException(RejectionReason.of(r.getReason()), "FAILED_PRECONDITION",
          "request " + requestId + " was refused: " + r.getReason(), Collections.singletonMap("request_id", requestId),
          Collections.<String, String>emptyMap(), null));
    }
  }

  private <T> void reverse(final String requestId, final CompletableFuture<T> result, final long deadlineNanos,
      final long backoffMillis) {
    client.reverseAsync(requestId).whenComplete((reversal, error) -> {
      if (error == null) {
        result.completeExceptionally(notApplied(requestId, reversal.outcome() == Reversal.Outcome.REVERSED
            ? "it had arrived and was undone" : "it never took effect, and now it never will"));
        return;
      }
      GongjiException e = ErrorTranslator.translate(unwrap(error));
      if (e instanceof GongjiRetryableException) {
        retryLater(() -> reverse(requestId, result, deadlineNanos, backoffMillis * 2), result, e, deadlineNanos,
            backoffMillis);
      } else {
        result.completeExceptionally(e);
      }
    });
  }

  private void retryLater(Runnable retry, CompletableFuture<?> result, GongjiException last, long deadlineNanos,
      long backoffMillis) {
    long delay = Math.min(2_000, backoffMillis) / 2 + ThreadLocalRandom.current().nextLong(Math.min(2_000, backoffMillis) / 2 + 1);
    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) > deadlineNanos) {
      result.completeExceptionally(new GongjiRetryableException(RejectionReason.OUTCOME_UNKNOWN, last.statusCode(),
          "the outcome could not be confirmed within " + timeoutMillis + " ms (" + last.getMessage()
              + "); resend with the same request id or reverse it", last.metadata(), last));
      return;
    }
    timer.schedule(retry, delay, TimeUnit.MILLISECONDS);
  }

  private static GongjiRejectedException notApplied(String requestId, String why) {
    return new GongjiRejectedException(RejectionReason.NOT_APPLIED, "ABORTED",
        "request " + requestId + " did not take effect: " + why + "; send it again with a new request id",
        Collections.singletonMap("request_id", requestId), Collections.<String, String>emptyMap(), null);
  }

  static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
