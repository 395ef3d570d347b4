package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.history.MemoryHistoryStore;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Readers waiting for history: each one is answered, however its wait races the applier. */
class HistoryApplierTest {

  /**
   * Readers register for numbers just ahead of the applier while it moves on batch by batch: every
   * future completes (a lost hand-out used to leave one waiting for good, seen as a look-up
   * unanswered after a restart in the crash test).
   */
  @Test
  void everyReaderIsAnswered_whileTheApplierMovesOn() throws Exception {
    HistoryApplier applier = new HistoryApplier(new MemoryHistoryStore(), 1_000_000).start();
    int batches = 20_000;
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    Thread readers = new Thread(() -> {
      SplittableRandom random = new SplittableRandom(20261204L);
      for (int i = 0; i < batches; i++) {
        long ahead = Math.min(applier.visibleSeq() + random.nextInt(3), batches);
        synchronized (waits) {
          waits.add(applier.awaitApplied(ahead));
        }
      }
    });
    readers.start();
    for (long seq = 1; seq <= batches; seq++) {
      applier.submit(seq, List.of());
    }
    readers.join();
    List<CompletableFuture<Void>> all;
    synchronized (waits) {
      all = List.copyOf(waits);
    }
    // Bounded so that a lost reader fails the test instead of hanging it; not a timing assertion.
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertEquals(batches, all.size());
    applier.close();
  }

  @Test
  void aReaderBehindAClosedApplier_isRefused_notLeftWaiting() {
    HistoryApplier applier = new HistoryApplier(new MemoryHistoryStore(), 1_000).start();
    applier.submit(1, List.of());
    applier.close();
    CompletableFuture<Void> late = applier.awaitApplied(5);
    ExecutionException e = assertThrows(ExecutionException.class, () -> late.get(10, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof HistoryUnavailableException, e.toString());
    assertEquals(null, applier.failedReason(), "closing is not a failure");
  }

  @Test
  void aReaderCaughtUp_isAnsweredAtOnce() throws InterruptedException, ExecutionException, TimeoutException {
    HistoryApplier applier = new HistoryApplier(new MemoryHistoryStore(), 1_000).start();
    applier.submit(3, List.of());
    applier.awaitApplied(3).get(60, TimeUnit.SECONDS);
    assertTrue(applier.awaitApplied(2).isDone());
    applier.close();
  }
}
