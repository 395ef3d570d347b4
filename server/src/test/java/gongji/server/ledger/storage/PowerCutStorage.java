package gongji.server.ledger.storage;

import gongji.server.testing.ForwardingStorage;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A {@link SimulatedStorage} seen through a process that loses power at a chosen moment, with a
 * gate on journal writes so that a test decides what goes into each batch.
 *
 * <p>The power cut: once {@link #arm armed}, the operations that change the disk (create, append,
 * force, truncate, rename, delete, directory sync) are counted, and at the chosen one the disk
 * {@link SimulatedStorage#crash crashes} with the chosen fault, just before or just after the
 * operation. That operation and every later one throw, as they would in a process that is gone.
 *
 * <p>The gate: while {@link #gate gated}, the write of each journal batch (the append to a
 * {@code journal-} file) first signals {@link #awaitJournalWrite} and then waits for
 * {@link #releaseJournalWrite}. The single writer is then stopped at a known point: whatever the
 * test submits meanwhile becomes exactly the next batch. A power cut also signals the waiter, so
 * that a test never waits for a write that will not come.
 */
public final class PowerCutStorage implements Storage {
  private final SimulatedStorage disk;
  private final long cutAtOp;
  private final boolean afterOp;
  private final SplittableRandom random;
  private final SimulatedStorage.Fault fault;
  private final Semaphore atJournalWrite = new Semaphore(0);
  private final Semaphore mayWrite = new Semaphore(0);
  private volatile boolean gated;
  private volatile boolean armed;
  private volatile boolean cut;
  private long ops;
  private String cutAt;
  private Map<String, Integer> forcedAtCut;

  /**
   * Power fails at the {@code cutAtOp}-th counted operation (1-based), before it or after it; then
   * the disk crashes with {@code fault}, its random choices made by {@code random}.
   */
  public PowerCutStorage(SimulatedStorage disk, long cutAtOp, boolean afterOp, SplittableRandom random,
      SimulatedStorage.Fault fault) {
    this.disk = disk;
    this.cutAtOp = cutAtOp;
    this.afterOp = afterOp;
    this.random = random;
    this.fault = fault;
  }

  /** Starts counting operations towards the power cut. */
  public void arm() {
    armed = true;
  }

  /** Holds journal writes at the gate (or lets them through). */
  public void gate(boolean on) {
    gated = on;
  }

  /**
   * Waits until the writer stands at the gate, or the power failed. Returns false if neither
   * happened within {@code timeoutSeconds} (the writer hangs or died).
   */
  public boolean awaitJournalWrite(long timeoutSeconds) throws InterruptedException {
    return atJournalWrite.tryAcquire(timeoutSeconds, TimeUnit.SECONDS);
  }

  /** Lets the journal write waiting at the gate go on. */
  public void releaseJournalWrite() {
    mayWrite.release();
  }

  /** Whether the power failed. */
  public boolean isCut() {
    return cut;
  }

  /** Fails the power now (if it has not failed yet): a crash at rest, between operations. */
  public synchronized void cutNow() {
    if (!cut) {
      powerCut("at rest, after " + ops + " operations");
    }
  }

  /** Which operation the power failed at, or null. */
  public synchronized String cutAt() {
    return cutAt;
  }

  /** The forced size of each durable file when the power failed: what no fault could touch. */
  public synchronized Map<String, Integer> forcedAtCut() {
    return forcedAtCut;
  }

  /** How many operations were counted. */
  public synchronized long operations() {
    return ops;
  }

  private void powerCut(String what) {
    cutAt = what;
    forcedAtCut = disk.forcedSizes();
    disk.crash(random, fault);
    cut = true;
    atJournalWrite.release();
  }

  private interface Op<T> {
    T run() throws IOException;
  }

  private synchronized <T> T op(String what, Op<T> op) throws IOException {
    if (cut) {
      throw new IOException("the power failed (" + cutAt + "): cannot " + what);
    }
    if (!armed) {
      return op.run();
    }
    long n = ++ops;
    if (n == cutAtOp && !afterOp) {
      powerCut("before " + what + " (operation " + n + ")");
      throw new IOException("the power failed before " + what);
    }
    T result = op.run();
    if (n == cutAtOp && afterOp) {
      powerCut("after " + what + " (operation " + n + ")");
      throw new IOException("the power failed after " + what);
    }
    return result;
  }

  private synchronized void checkAlive(String what) throws IOException {
    if (cut) {
      throw new IOException("the power failed (" + cutAt + "): cannot " + what);
    }
  }

  @Override
  public List<String> list() throws IOException {
    checkAlive("list");
    return disk.list();
  }

  @Override
  public byte[] read(String name) throws IOException {
    checkAlive("read " + name);
    return disk.read(name);
  }

  @Override
  public AppendFile create(String name) throws IOException {
    AppendFile f = op("create " + name, () -> disk.create(name));
    boolean journal = name.startsWith("journal-");
    return new ForwardingStorage.ForwardingAppendFile(f) {
      @Override
      public void append(byte[] bytes, int offset, int length) throws IOException {
        if (journal && gated) {
          checkAlive("append to " + name);
          atJournalWrite.release();
          mayWrite.acquireUninterruptibly();
        }
        op("append " + length + " bytes to " + name, () -> {
          f.append(bytes, offset, length);
          return null;
        });
      }

      @Override
      public void force() throws IOException {
        op("force " + name, () -> {
          f.force();
          return null;
        });
      }
    };
  }

  @Override
  public void truncate(String name, long size) throws IOException {
    op("truncate " + name, () -> {
      disk.truncate(name, size);
      return null;
    });
  }

  @Override
  public void rename(String from, String to) throws IOException {
    op("rename " + from + " to " + to, () -> {
      disk.rename(from, to);
      return null;
    });
  }

  @Override
  public void delete(String name) throws IOException {
    op("delete " + name, () -> {
      disk.delete(name);
      return null;
    });
  }

  @Override
  public void syncDirectory() throws IOException {
    op("sync the directory", () -> {
      disk.syncDirectory();
      return null;
    });
  }
}
