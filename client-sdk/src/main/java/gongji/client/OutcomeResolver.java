package gongji.client;

import gongji.v1.GetTransactionResponse;
import gongji.v1.RequestRecord;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Turns an unknown outcome into a definite one. After a call ends without an answer (deadline,
 * lost connection), the request is looked up by its id: if it was applied, its result is returned;
 * if it was refused, the refusal is thrown; if the gateway never saw it, it is reversed by its id,
 * which also makes the gateway refuse it should it still arrive, and "not applied" is thrown. While
 * the gateway cannot be reached, the look-up is retried with jittered backoff until the resolve
 * timeout; only then does the caller get {@link RejectionReason#OUTCOME_UNKNOWN}, as it does when
 * the client is closed first. Every resolution ends: none waits for a retry that will never run.
 */
final class OutcomeResolver {
  /** Reads the applied result back from a look-up. */
  interface Reader<T> {
    T read(GetTransactionResponse response);

    /**
     * Whether an applied request found under the id is the one this client sent: another terminal
     * of the institution may have made up the same id, and its request is not ours.
     */
    default boolean ours(GetTransactionResponse response) {
      return true;
    }
  }

  private final GongjiClient client;
  private final ScheduledExecutorService timer;
  private final long timeoutMillis;
  /** Resolutions in progress and their request ids. */
  private final Map<CompletableFuture<?>, String> pending = new ConcurrentHashMap<CompletableFuture<?>, String>();

  OutcomeResolver(GongjiClient client, ScheduledExecutorService timer, long timeoutMillis) {
    this.client = client;
    this.timer = timer;
    this.timeoutMillis = timeoutMillis;
  }

  /** Whether a failure leaves the outcome unknown: passing, and not known to have applied nothing. */
  static boolean unknown(Throwable error) {
    return error instanceof GongjiRetryableException && !((GongjiRetryableException) error).notApplied();
  }

  <T> CompletableFuture<T> resolve(String requestId, Reader<T> reader) {
    final CompletableFuture<T> result = new CompletableFuture<T>();
    pending.put(result, requestId);
    result.whenComplete((value, error) -> pending.remove(result));
    try {
      attempt(requestId, reader, result, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), 50);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  /**
   * Ends every resolution still in progress with {@link RejectionReason#OUTCOME_UNKNOWN}: the
   * client is closed, so a look-up waiting for its next try would otherwise never answer.
   */
  void abandonPending() {
    for (Map.Entry<CompletableFuture<?>, String> p : pending.entrySet()) {
      String requestId = p.getValue();
      p.getKey().completeExceptionally(new GongjiRetryableException(RejectionReason.OUTCOME_UNKNOWN, "CANCELLED",
          "the client was closed before the outcome of request " + requestId
              + " was confirmed; resend it with the same request id or reverse it",
          Collections.singletonMap("request_id", requestId), null));
    }
  }

  private <T> void attempt(final String requestId, final Reader<T> reader, final CompletableFuture<T> result,
      final long deadlineNanos, final long backoffMillis) {
    client.lookupRequestAsync(requestId).whenComplete((response, error) -> {
      if (error == null) {
        try {
          decide(requestId, reader, response, result);
        } catch (RuntimeException unreadable) {
          // An answer this SDK cannot read: the caller must still get one.
          result.completeExceptionally(unreadable);
        }
        return;
      }
      GongjiException e = ErrorTranslator.translate(unwrap(error), requestId);
      if (e.reason() == RejectionReason.REQUEST_NOT_FOUND) {
        reverse(requestId, result, deadlineNanos, backoffMillis);
      } else if (e instanceof GongjiRetryableException) {
        retryLater(() -> attempt(requestId, reader, result, deadlineNanos, backoffMillis * 2), requestId, result, e,
            deadlineNanos, backoffMillis);
      } else {
        result.completeExceptionally(e);
      }
    });
  }

  private <T> void decide(String requestId, Reader<T> reader, GetTransactionResponse response,
      CompletableFuture<T> result) {
    RequestRecord r = response.getRequest();
    if (r.getApplied() && !reader.ours(response)) {
      // Ours was refused as a reuse of the id, or will be should it still arrive: not applied.
      result.completeExceptionally(notApplied(requestId, "the id belongs to another request of the institution"));
    } else if (r.getApplied()) {
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
    client.reverseOnce(requestId).whenComplete((reversal, error) -> {
      if (error == null) {
        result.completeExceptionally(notApplied(requestId, reversal.outcome() == Reversal.Outcome.REVERSED
            ? "it had arrived and was undone" : "it never took effect, and now it never will"));
        return;
      }
      GongjiException e = ErrorTranslator.translate(unwrap(error), requestId);
      if (e instanceof GongjiRetryableException) {
        retryLater(() -> reverse(requestId, result, deadlineNanos, backoffMillis * 2), requestId, result, e,
            deadlineNanos, backoffMillis);
      } else {
        result.completeExceptionally(e);
      }
    });
  }

  private void retryLater(Runnable retry, String requestId, CompletableFuture<?> result, GongjiException last,
      long deadlineNanos, long backoffMillis) {
    long delay = Math.min(2_000, backoffMillis) / 2 + ThreadLocalRandom.current().nextLong(Math.min(2_000, backoffMillis) / 2 + 1);
    if (System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delay) > deadlineNanos) {
      result.completeExceptionally(unconfirmed(requestId, last, "within " + timeoutMillis + " ms"));
      return;
    }
    try {
      timer.schedule(retry, delay, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closing) {
      // The client is closing: nobody will retry, so the caller must learn now that it is unknown.
      result.completeExceptionally(unconfirmed(requestId, last, "before the client was closed"));
    }
  }

  private static GongjiRetryableException unconfirmed(String requestId, GongjiException last, String when) {
    Map<String, String> metadata = new HashMap<String, String>(last.metadata());
    metadata.put("request_id", requestId);
    return new GongjiRetryableException(RejectionReason.OUTCOME_UNKNOWN, last.statusCode(),
        "the outcome of request " + requestId + " could not be confirmed " + when + " (" + last.getMessage()
            + "); resend it with the same request id or reverse it", metadata, last);
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
