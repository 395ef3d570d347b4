package gongji.server.testing;

import gongji.server.ledger.Command;
import gongji.server.ledger.Journal;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A journal that keeps nothing, for tests that need the writer to stop in the middle of a batch:
 * while {@link #hold} is set, each force waits (at most 60 s) until the test counts down
 * {@link #released}, and {@link #entered} says a force has begun; while {@link #fail} is set, each
 * force fails, which poisons the ledger.
 */
public final class HeldJournal implements Journal {
  /** Counted down when a held force begins. */
  public final CountDownLatch entered = new CountDownLatch(1);
  /** Counted down by the test to let held forces end. */
  public final CountDownLatch released = new CountDownLatch(1);
  /** Whether forces wait for {@link #released}. */
  public volatile boolean hold;
  /** Whether forces fail. */
  public volatile boolean fail;

  @Override
  public void append(Command command, long atMillis) {}

  @Override
  public void force() throws IOException {
    if (fail) {
      throw new IOException("the disk is gone (test)");
    }
    if (!hold) {
      return;
    }
    entered.countDown();
    try {
      released.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {}
}
