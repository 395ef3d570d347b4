package gongji.server.ledger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Hands a batch's results to their callers: one task per distinct executor (a few event loops),
 * each completing its futures in batch order, so that a batch's replies on one event loop leave in
 * one flush. Never completes a future on the calling (sequencer) thread.
 */
final class BatchReplies {
  private BatchReplies() {}

  /**
   * Completes each of {@code done} (null slots and null futures skipped) with its result, its own
   * failure in {@code failedAlone}, or {@code failure} for all; on the executor it names, or on
   * {@code fallback} when that one refuses the task (shut down).
   */
  static void deliver(Pending[] done, Result[] results, Throwable[] failedAlone, Throwable failure,
      Executor fallback) {
    int n = done.length;
    boolean[] taken = new boolean[n];
    for (int i = 0; i < n; i++) {
      if (taken[i] || done[i] == null || done[i].future() == null) {
        continue;
      }
      Executor executor = done[i].replyOn();
      int[] mine = new int[n - i];
      int count = 0;
      for (int j = i; j < n; j++) {
        if (!taken[j] && done[j] != null && done[j].future() != null && done[j].replyOn() == executor) {
          taken[j] = true;
          mine[count++] = j;
        }
      }
      int m = count;
      Runnable task = () -> complete(done, mine, m, results, failedAlone, failure);
      try {
        executor.execute(task);
      } catch (RejectedExecutionException e) {
        fallback.execute(task);
      }
    }
  }

  private static void complete(Pending[] done, int[] indexes, int count, Result[] results, Throwable[] failedAlone,
      Throwable failure) {
    for (int k = 0; k < count; k++) {
      int i = indexes[k];
      CompletableFuture<Result> future = done[i].future();
      if (failure != null) {
        future.completeExceptionally(failure);
      } else if (failedAlone != null && failedAlone[i] != null) {
        future.completeExceptionally(failedAlone[i]);
      } else {
        future.complete(results[i]);
      }
    }
  }
}
