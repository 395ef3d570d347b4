package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.storage.SimulatedStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "GJS9" holds format 8's payload with its length and checksum after it, so that an image is
 * written as it is made. A "GJS8" snapshot (the demo data set, written by the version before, with
 * its length and checksum first) is still read, checked before use, and written again as "GJS9"
 * around the very same payload bytes.
 */
class Format8FrameTest {
  private static final long SEQ = 22;

  @Test
  void gjs8Snapshot_isRead_andWrittenAsGjs9_aroundTheSamePayload() throws IOException {
    byte[] image = fixture();
    assertEquals(Snapshots.MAGIC_FORMAT_8, ByteBuffer.wrap(image).getInt(0));
    Ledger ledger = Snapshots.read(image, SEQ, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
    assertEquals(List.of(), ledger.audit());
    assertTrue(ledger.binding("B1") instanceof Result.BindingView, "the fixture has bindings");

    byte[] again = Snapshots.image(ledger, SEQ);

    assertEquals(Snapshots.MAGIC, ByteBuffer.wrap(again).getInt(0));
    assertEquals(image.length, again.length, "the same frame's size, its fields moved");
    assertArrayEquals(SnapshotFrames.payload(image), SnapshotFrames.payload(again), "the payload is format 8's");
    Snapshots.checkAfterStart(Snapshots.decode(again, SEQ, LedgerStates.WINDOW, ReferenceListener.NONE).ledger(),
        again, SEQ);
  }

  @Test
  void aStartThatLeavesChecksToLater_stillChecksAGjs8SnapshotBeforeUse() throws IOException {
    SimulatedStorage storage = stored(fixture());

    Snapshots.Loaded loaded = Snapshots.loadNewest(storage, LedgerStates.WINDOW, ReferenceListener.NONE,
        Long.MAX_VALUE, Snapshots.Checks.AFTER_START);

    assertTrue(loaded.checked(), "the earlier frame is audited and written out before use");
  }

  @Test
  void aGjs8SnapshotDamagedInItsHeaderOrPayload_isNotUsed() throws IOException {
    for (int at : new int[] {0, 5, 13, 21, Snapshots.EARLIER_HEADER_BYTES, fixture().length - 1}) {
      SimulatedStorage storage = stored(fixture());
      storage.flipBit(Snapshots.name(SEQ), at, 2);
      assertNull(Snapshots.loadNewest(storage, LedgerStates.WINDOW, ReferenceListener.NONE), "byte " + at);
    }
  }

  private static SimulatedStorage stored(byte[] image) throws IOException {
    SimulatedStorage storage = new SimulatedStorage();
    try (var f = storage.create(Snapshots.name(SEQ))) {
      f.append(image, 0, image.length);
      f.force();
    }
    return storage;
  }

  private static byte[] fixture() throws IOException {
    try (InputStream in = Format8FrameTest.class.getResourceAsStream("/ledger/format8/snapshot-22.snap")) {
      return in.readAllBytes();
    }
  }
}
