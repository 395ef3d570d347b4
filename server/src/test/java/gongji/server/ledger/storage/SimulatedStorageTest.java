package gongji.server.ledger.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.storage.SimulatedStorage.Fault;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The simulated disk the durability tests stand on: if it forgot less than a real disk may, those
 * tests would prove nothing. Forced bytes survive every crash; of the rest, each fault leaves what
 * it says; names survive only once the directory was synced; nothing opened before a crash works
 * after it.
 */
class SimulatedStorageTest {
  private static final int SEEDS = 500;

  private static byte[] bytes(int n, int salt) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + salt);
    }
    return b;
  }

  /** A file with {@code forced} bytes forced and {@code more} appended after them. */
  private static SimulatedStorage withFile(byte[] forced, byte[] more) throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    Storage.AppendFile f = disk.create("f");
    disk.syncDirectory();
    f.append(forced, 0, forced.length);
    f.force();
    f.append(more, 0, more.length);
    return disk;
  }

  @Test
  void crash_anyFault_keepsForcedBytesAndOnlyWhatTheFaultAllows() throws IOException {
    for (int seed = 1; seed <= SEEDS; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      byte[] forced = bytes(random.nextInt(0, 1500), 1);
      byte[] more = bytes(random.nextInt(0, 1500), 2);
      Fault fault = Fault.values()[random.nextInt(Fault.values().length)];
      SimulatedStorage disk = withFile(forced, more);

      disk.crash(random, fault);

      byte[] after = disk.read("f");
      String what = "seed " + seed + ", " + fault + ", " + forced.length + " forced, " + more.length + " not";
      assertTrue(after.length >= forced.length && after.length <= forced.length + more.length, what);
      assertArrayEquals(forced, Arrays.copyOf(after, forced.length), what + ": forced bytes changed");
      byte[] kept = Arrays.copyOfRange(after, forced.length, after.length);
      byte[] expected = Arrays.copyOf(more, kept.length);
      switch (fault) {
        case DROP -> assertEquals(0, kept.length, what);
        case PREFIX -> assertArrayEquals(expected, kept, what);
        case FLIP_BIT -> {
          int bits = 0;
          for (int i = 0; i < kept.length; i++) {
            bits += Integer.bitCount((kept[i] ^ expected[i]) & 0xff);
          }
          assertEquals(kept.length == 0 ? 0 : 1, bits, what + ": bits flipped");
        }
        case TORN_SECTOR -> {
          // Garbage only in the last sector of what was kept.
          int lastSector = Math.max(forced.length, (after.length - 1) / SimulatedStorage.SECTOR * SimulatedStorage.SECTOR);
          for (int i = 0; i < lastSector - forced.length; i++) {
            assertEquals(expected[i], kept[i], what + ": byte " + (forced.length + i) + " outside the torn sector");
          }
        }
      }
      // What the crash kept is durable now: a second crash keeps exactly it.
      disk.crash(random, Fault.DROP);
      assertArrayEquals(after, disk.read("f"), what);
    }
  }

  @Test
  void crash_namesNotSynced_revertToTheLastDirectorySync() throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    disk.create("kept").close();
    disk.create("gone-after-rename").close();
    disk.syncDirectory();
    disk.create("never-synced").close();
    disk.rename("gone-after-rename", "renamed");
    disk.delete("kept");

    disk.crash(new SplittableRandom(1), Fault.PREFIX);

    assertEquals(List.of("gone-after-rename", "kept"), disk.list().stream().sorted().toList());
  }

  @Test
  void crash_fileOpenedBefore_throwsOnEveryLaterWrite() throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    Storage.AppendFile f = disk.create("f");
    disk.syncDirectory();
    f.append(bytes(10, 0), 0, 10);
    f.force();

    disk.crash(new SplittableRandom(1), Fault.DROP);

    assertThrows(IOException.class, () -> f.append(bytes(3, 0), 0, 3));
    assertThrows(IOException.class, f::force);
    assertEquals(10, disk.read("f").length);
  }

  @Test
  void failForcesAfter_nForces_failsTheNextOnesAndKeepsTheirBytesUnforced() throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    Storage.AppendFile f = disk.create("f");
    disk.syncDirectory();
    disk.failForcesAfter(2);
    for (int i = 0; i < 2; i++) {
      f.append(bytes(5, i), 0, 5);
      f.force();
    }
    f.append(bytes(5, 9), 0, 5);
    assertThrows(IOException.class, f::force);
    assertThrows(IOException.class, f::force);
    assertEquals(2, disk.forces());

    disk.crash(new SplittableRandom(1), Fault.DROP);

    assertEquals(10, disk.read("f").length);
  }

  @Test
  void truncate_isDurableAtOnce() throws IOException {
    SimulatedStorage disk = withFile(bytes(100, 1), bytes(50, 2));
    disk.truncate("f", 120);
    disk.crash(new SplittableRandom(1), Fault.DROP);
    assertEquals(120, disk.read("f").length);
  }

  @Test
  void copy_changedAfterwards_leavesTheOriginalAsItWas() throws IOException {
    SimulatedStorage disk = withFile(bytes(100, 1), bytes(50, 2));
    SimulatedStorage copy = disk.copy();
    copy.flipBit("f", 3, 0);
    copy.cut("f", 20);
    copy.crash(new SplittableRandom(1), Fault.DROP);

    assertEquals(150, disk.read("f").length);
    assertArrayEquals(bytes(100, 1), Arrays.copyOf(disk.read("f"), 100));
    assertEquals(20, copy.read("f").length);
    assertFalse(Arrays.equals(Arrays.copyOf(disk.read("f"), 20), copy.read("f")));
  }
}
