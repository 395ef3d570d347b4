package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.storage.SimulatedStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Format 7 (GJS7) names a binding's persons by their place in registration order instead of by
 * person number. A snapshot of format 6 (the demo data set, written by the version before) is
 * still read, with every check before use even when a start leaves the checks of the current
 * format to later ({@link Snapshots.Checks#AFTER_START}), and is written again as format 7 with
 * the same state.
 */
class Format6MigrationTest {
  private static final long SEQ = 19;

  @Test
  void format6Snapshot_isRead_andWrittenAsFormat7_withTheSameBindings() throws IOException {
    byte[] image = fixture();
    assertEquals(Snapshots.MAGIC_FORMAT_6, ByteBuffer.wrap(image).getInt(0));
    Ledger ledger = Snapshots.read(image, SEQ, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
    assertEquals(List.of(), ledger.audit());
    assertTrue(ledger.binding("B1") instanceof Result.BindingView, "the fixture has bindings");

    byte[] again = Snapshots.image(ledger, SEQ);
    assertEquals(Snapshots.MAGIC, ByteBuffer.wrap(again).getInt(0));
    Ledger reread = Snapshots.read(again, SEQ, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
    assertArrayEquals(LedgerStates.bytes(ledger), LedgerStates.bytes(reread), "format 7 keeps it all");
    // What a start leaves to the follower holds for the rewritten image: it writes out to the same bytes.
    Snapshots.checkAfterStart(Snapshots.decode(again, SEQ, LedgerStates.WINDOW, ReferenceListener.NONE).ledger(),
        again, SEQ);
  }

  @Test
  void aStartThatLeavesChecksToLater_stillChecksAFormat6SnapshotBeforeUse() throws IOException {
    SimulatedStorage storage = new SimulatedStorage();
    try (var f = storage.create(Snapshots.name(SEQ))) {
      byte[] image = fixture();
      f.append(image, 0, image.length);
      f.force();
    }
    Snapshots.Loaded loaded = Snapshots.loadNewest(storage, LedgerStates.WINDOW, ReferenceListener.NONE,
        Long.MAX_VALUE, Snapshots.Checks.AFTER_START);
    assertTrue(loaded.checked(), "an older format is audited and written out before use");

    byte[] current = Snapshots.image(loaded.ledger(), SEQ);
    storage.delete(Snapshots.name(SEQ));
    try (var f = storage.create(Snapshots.name(SEQ))) {
      f.append(current, 0, current.length);
      f.force();
    }
    assertFalse(Snapshots.loadNewest(storage, LedgerStates.WINDOW, ReferenceListener.NONE, Long.MAX_VALUE,
        Snapshots.Checks.AFTER_START).checked(), "the current format's checks are left to the follower");
  }

  @Test
  void aBindingNamingAPersonTheImageDoesNotHold_isDamage() throws IOException {
    Ledger ledger = Snapshots.read(fixture(), SEQ, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
    CommandCodec.Output out = new CommandCodec.Output(4096);
    ledger.snapshot(out);
    byte[] payload = java.util.Arrays.copyOf(out.array(), out.size());
    // The demo's persons are few: an ordinal past them, where the first binding names its authorizer.
    int at = firstBindingAuthorizer(payload);
    payload[at] = 0x7f;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Ledger.restore(ByteBuffer.wrap(payload), LedgerStates.WINDOW, ReferenceListener.NONE));
    assertTrue(e.getMessage().contains("refers to person 127 of"), e.getMessage());
  }

  /** The offset of the first binding's authorizer ordinal in a format-7 payload (a one-byte varint). */
  private static int firstBindingAuthorizer(byte[] payload) {
    Ledger probe = Ledger.restore(ByteBuffer.wrap(payload), LedgerStates.WINDOW, ReferenceListener.NONE);
    // The sections before bindings, written again alone, end where the bindings section begins.
    CommandCodec.Output before = new CommandCodec.Output(4096);
    probe.snapshotThroughRegistry(before);
    ByteBuffer in = ByteBuffer.wrap(payload, before.size(), payload.length - before.size());
    CommandCodec.varint(in); // the number of bindings
    CommandCodec.varlong(in); // the first one's number
    return in.position();
  }

  private static byte[] fixture() throws IOException {
    try (InputStream in = Format6MigrationTest.class.getResourceAsStream("/ledger/format6/snapshot-19.snap")) {
      return in.readAllBytes();
    }
  }
}
