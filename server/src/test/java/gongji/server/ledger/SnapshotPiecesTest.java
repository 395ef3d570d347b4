package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.ledger.storage.Storage;
import gongji.server.testing.ForwardingStorage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A snapshot image is made a piece at a time and never held whole by a node: written to its file
 * as it is made ({@link Snapshots#write(Storage, long, Snapshots.Payload)}), and compared with the
 * file a piece at a time after a start ({@link Snapshots#checkAfterStart}). Both give what the
 * image made whole in one array gives, byte for byte, over images of many pieces.
 */
class SnapshotPiecesTest {
  private static final long NOW = 1_772_413_200_000L;
  private static final long SEQ = 4_242;
  /** Enough persons for an image of several pieces and more than one forced MB. */
  private static final int PERSONS = 30_000;

  private static Ledger ledger;
  private static byte[] whole;

  @BeforeAll
  static void registered() {
    ledger = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    for (int i = 0; i < PERSONS; i++) {
      Insured p = new Insured(String.format("62010019800101%012d", i), "张伟" + i, InsuranceType.EMPLOYEE_BASIC,
          InsuredStatus.NORMAL, "620102", List.of(new Credential(CredentialType.ID_CARD, "k1:id-" + i)));
      assertInstanceOf(Result.Done.class, ledger.apply(new Command.UpsertInsured(p), NOW));
    }
    whole = Snapshots.image(ledger, SEQ);
    assertTrue(whole.length > 4 * Snapshots.PIECE_BYTES && whole.length > Snapshots.SYNC_BYTES,
        "an image of " + whole.length + " bytes: more than four pieces and one forced MB");
  }

  @Test
  void write_asTheImageIsMade_isTheImageMadeWhole_forcedAMegabyteAtATime() throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    List<Long> unforcedAtEachForce = new ArrayList<>();
    List<Integer> appends = new ArrayList<>();
    Storage counted = new ForwardingStorage(disk) {
      @Override
      public AppendFile create(String name) throws IOException {
        return new ForwardingAppendFile(super.create(name)) {
          long unforced;

          @Override
          public void append(byte[] bytes, int offset, int length) throws IOException {
            super.append(bytes, offset, length);
            appends.add(length);
            unforced += length;
          }

          @Override
          public void force() throws IOException {
            super.force();
            unforcedAtEachForce.add(unforced);
            unforced = 0;
          }
        };
      }
    };

    long length = Snapshots.write(counted, SEQ, ledger::snapshot);

    assertEquals(whole.length, length);
    assertArrayEquals(whole, disk.read(Snapshots.name(SEQ)));
    assertEquals(List.of(Snapshots.name(SEQ)), disk.list(), "in place, no temporary file left");
    assertTrue(appends.stream().allMatch(n -> n <= Snapshots.PIECE_BYTES), "appended a piece at most at a time");
    assertTrue(unforcedAtEachForce.size() >= whole.length / Snapshots.SYNC_BYTES, unforcedAtEachForce::toString);
    assertTrue(unforcedAtEachForce.stream().allMatch(n -> n <= Snapshots.SYNC_BYTES),
        "at most a MB written between forces: " + unforcedAtEachForce);
    assertEquals(whole.length, unforcedAtEachForce.stream().mapToLong(Long::longValue).sum(), "every byte forced");
  }

  @Test
  void write_thenACrash_loadsTheSameLedger_withTheChecksLeftToTheFollowerPassing() throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    Snapshots.write(disk, SEQ, ledger::snapshot);
    disk.crash(new SplittableRandom(7), SimulatedStorage.Fault.TORN_SECTOR);

    Snapshots.Loaded loaded = Snapshots.loadNewest(disk, LedgerStates.WINDOW, ReferenceListener.NONE, Long.MAX_VALUE,
        Snapshots.Checks.AFTER_START);

    assertEquals(SEQ, loaded.seq());
    assertFalse(loaded.checked(), "the current format's checks are left to the follower");
    assertArrayEquals(LedgerStates.bytes(ledger), LedgerStates.bytes(loaded.ledger()));
    Snapshots.checkAfterStart(decoded(), whole, SEQ); // compared a piece at a time: the same bytes
  }

  @Test
  void checkAfterStart_anImageThatDiffersInALaterPiece_namesTheByte() {
    int at = 3 * Snapshots.PIECE_BYTES + 123;
    byte[] changed = whole.clone();
    changed[at] ^= 0x10;

    Snapshots.CorruptSnapshotException e = assertThrows(Snapshots.CorruptSnapshotException.class,
        () -> Snapshots.checkAfterStart(decoded(), changed, SEQ));

    assertTrue(e.getMessage().contains("writes out differently"), e::getMessage);
    assertEquals(at, e.offset());
  }

  @Test
  void checkAfterStart_anImageLongerOrShorter_namesWhereTheyPart() {
    byte[] longer = java.util.Arrays.copyOf(whole, whole.length + 1);
    Snapshots.CorruptSnapshotException e = assertThrows(Snapshots.CorruptSnapshotException.class,
        () -> Snapshots.checkAfterStart(decoded(), longer, SEQ));
    assertTrue(e.getMessage().contains("(" + whole.length + " bytes against " + longer.length + ")"), e::getMessage);
    assertEquals(whole.length, e.offset());

    byte[] shorter = java.util.Arrays.copyOf(whole, whole.length - 1);
    e = assertThrows(Snapshots.CorruptSnapshotException.class,
        () -> Snapshots.checkAfterStart(decoded(), shorter, SEQ));
    assertTrue(e.getMessage().contains("(" + whole.length + " bytes against " + shorter.length + ")"), e::getMessage);
    assertEquals(shorter.length, e.offset());
  }

  @Test
  void write_ofAnImagePastTheLargestAStartReads_failsAndLeavesTheOlderSnapshot() throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    Snapshots.write(disk, SEQ, ledger::snapshot);
    long largest = whole.length - 1; // the same ledger, one byte over the largest allowed

    IOException e = assertThrows(IOException.class, () -> Snapshots.write(disk, SEQ + 1, ledger::snapshot, largest));

    assertTrue(e.getMessage().contains("passes " + largest + " bytes, the most a start can read back"), e::getMessage);
    assertEquals(List.of(Snapshots.name(SEQ)), disk.list(), "the older snapshot stays; no temporary file");
    assertEquals(whole.length, Snapshots.write(disk, SEQ + 1, ledger::snapshot, whole.length),
        "an image of exactly the largest is written");
  }

  private static Ledger decoded() throws Snapshots.CorruptSnapshotException {
    return Snapshots.decode(whole, SEQ, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
  }
}
