package gongji.server.ledger.storage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A disk in memory that forgets like a real one. Bytes are durable once their file was forced;
 * names once the directory was synced. {@link #crash} throws away what was not durable, in one of
 * the ways a power cut does: drop it, keep a random prefix of it, keep a prefix whose last sector is
 * torn (garbage), or keep a prefix with a flipped bit. Forced bytes survive a crash unchanged (the
 * disk honours fsync). {@link #failForcesAfter} makes a later force fail, as a dying disk does;
 * {@link #capacity} makes appends fail once the disk is full (after writing what still fits, as a
 * real write does); {@link #readOnly} makes every change fail, as a read-only mount does.
 */
public final class SimulatedStorage implements Storage {
  /** What a crash does to the bytes that were appended but not forced. */
  public enum Fault { DROP, PREFIX, TORN_SECTOR, FLIP_BIT }

  static final int SECTOR = 512;

  private static final class SimFile {
    byte[] data = new byte[256];
    int size;
    int forced;

    void append(byte[] b, int off, int len) {
      if (size + len > data.length) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, size + len));
      }
      System.arraycopy(b, off, data, size, len);
      size += len;
    }
  }

  private final Map<String, SimFile> live = new HashMap<>();
  private Map<String, SimFile> durable = new HashMap<>();
  private long forcesLeft = Long.MAX_VALUE;
  private long forces;
  private long capacityBytes = Long.MAX_VALUE;
  private boolean readOnly;
  /** Bumped by every crash: files opened before it are gone with the process that opened them. */
  private int generation;

  /** Every force after the next {@code n} fails with an IOException. */
  public void failForcesAfter(long n) {
    forcesLeft = n;
  }

  /** Appends fail with "No space left on device" once the files hold {@code bytes} in all. */
  public synchronized void capacity(long bytes) {
    capacityBytes = bytes;
  }

  /** Every change (create, append, truncate, rename, delete) fails with "Read-only file system". */
  public synchronized void readOnly(boolean on) {
    readOnly = on;
  }

  private long used() {
    long used = 0;
    for (SimFile f : live.values()) {
      used += f.size;
    }
    return used;
  }

  private void checkWritable(String what) throws IOException {
    if (readOnly) {
      throw new java.nio.file.FileSystemException(what, null, "Read-only file system");
    }
  }

  /** How many forces succeeded. */
  public long forces() {
    return forces;
  }

  @Override
  public synchronized List<String> list() {
    return new ArrayList<>(live.keySet());
  }

  @Override
  public synchronized AppendFile create(String name) throws IOException {
    checkWritable(name);
    if (live.containsKey(name)) {
      throw new IOException("exists: " + name);
    }
    SimFile f = new SimFile();
    live.put(name, f);
    int openedIn = generation;
    return new AppendFile() {
      private boolean closed;

      @Override
      public void append(byte[] bytes, int offset, int length) throws IOException {
        synchronized (SimulatedStorage.this) {
          check();
          checkWritable(name);
          long room = capacityBytes - used();
          if (room < length) {
            f.append(bytes, offset, (int) Math.max(0, room));
            throw new IOException("No space left on device: " + name);
          }
          f.append(bytes, offset, length);
        }
      }

      @Override
      public void force() throws IOException {
        synchronized (SimulatedStorage.this) {
          check();
          if (forcesLeft-- <= 0) {
            throw new IOException("simulated fsync failure");
          }
          f.forced = f.size;
          forces++;
        }
      }

      @Override
      public long size() {
        synchronized (SimulatedStorage.this) {
          return f.size;
        }
      }

      @Override
      public void close() {
        closed = true;
      }

      private void check() throws IOException {
        if (closed) {
          throw new IOException("closed: " + name);
        }
        if (openedIn != generation) {
          throw new IOException("opened before a crash: " + name);
        }
      }
    };
  }

  @Override
  public synchronized byte[] read(String name) throws IOException {
    SimFile f = live.get(name);
    if (f == null) {
      throw new IOException("no such file: " + name);
    }
    return Arrays.copyOf(f.data, f.size);
  }

  @Override
  public synchronized void truncate(String name, long size) throws IOException {
    checkWritable(name);
    SimFile f = live.get(name);
    if (f == null) {
      throw new IOException("no such file: " + name);
    }
    f.size = (int) Math.min(f.size, size);
    f.forced = f.size;
  }

  @Override
  public synchronized void rename(String from, String to) throws IOException {
    checkWritable(from);
    SimFile f = live.remove(from);
    if (f == null) {
      throw new IOException("no such file: " + from);
    }
    live.put(to, f);
  }

  @Override
  public synchronized void delete(String name) throws IOException {
    if (live.containsKey(name)) {
      checkWritable(name);
    }
    live.remove(name);
  }

  @Override
  public synchronized void syncDirectory() {
    durable = new HashMap<>(live);
  }

  /**
   * A power cut: names revert to the last directory sync; each file keeps its forced bytes and,
   * of the rest, what {@code fault} leaves. Nothing open survives.
   */
  public synchronized void crash(SplittableRandom random, Fault fault) {
    live.clear();
    live.putAll(durable);
    for (SimFile f : live.values()) {
      int unforced = f.size - f.forced;
      int kept = switch (fault) {
        case DROP -> 0;
        case PREFIX, TORN_SECTOR, FLIP_BIT -> unforced == 0 ? 0 : random.nextInt(unforced + 1);
      };
      f.size = f.forced + kept;
      if (fault == Fault.TORN_SECTOR && kept > 0) {
        int sectorStart = Math.max(f.forced, (f.size - 1) / SECTOR * SECTOR);
        int from = sectorStart + random.nextInt(f.size - sectorStart);
        for (int i = from; i < f.size; i++) {
          f.data[i] = (byte) random.nextInt(256);
        }
      } else if (fault == Fault.FLIP_BIT && kept > 0) {
        int at = f.forced + random.nextInt(kept);
        f.data[at] ^= (byte) (1 << random.nextInt(8));
      }
      f.forced = f.size;
    }
    durable = new HashMap<>(live);
    generation++;
  }

  /**
   * A disk with the same files, durable state and contents as this one, sharing nothing with it:
   * to run several experiments from one starting point.
   */
  public synchronized SimulatedStorage copy() {
    SimulatedStorage c = new SimulatedStorage();
    Map<SimFile, SimFile> copies = new IdentityHashMap<>();
    for (Map.Entry<String, SimFile> e : live.entrySet()) {
      c.live.put(e.getKey(), copies.computeIfAbsent(e.getValue(), SimulatedStorage::copyOf));
    }
    for (Map.Entry<String, SimFile> e : durable.entrySet()) {
      c.durable.put(e.getKey(), copies.computeIfAbsent(e.getValue(), SimulatedStorage::copyOf));
    }
    return c;
  }

  private static SimFile copyOf(SimFile f) {
    SimFile c = new SimFile();
    c.data = Arrays.copyOf(f.data, Math.max(f.data.length, 1));
    c.size = f.size;
    c.forced = f.forced;
    return c;
  }

  /** The bytes of each file that a crash now would keep for sure (its forced prefix), by name. */
  public synchronized Map<String, Integer> forcedSizes() {
    Map<String, Integer> sizes = new HashMap<>();
    durable.forEach((name, f) -> sizes.put(name, f.forced));
    return sizes;
  }

  /** Flips one bit of a file's durable content (bit rot, or a bad copy): for corruption tests. */
  public synchronized void flipBit(String name, int byteOffset, int bit) {
    SimFile f = live.get(name);
    f.data[byteOffset] ^= (byte) (1 << bit);
  }

  /** Cuts a file to {@code size} bytes as it is on disk (a torn tail at a chosen offset). */
  public synchronized void cut(String name, int size) {
    SimFile f = live.get(name);
    f.size = Math.min(f.size, size);
    f.forced = Math.min(f.forced, f.size);
  }

  /** Adds bytes to the end of a file as if they were on disk (for overlap tests). */
  public synchronized void appendDurable(String name, byte[] bytes) {
    SimFile f = live.get(name);
    f.append(bytes, 0, bytes.length);
    f.forced = f.size;
  }
}
