package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import gongji.server.ledger.Snapshots.CorruptSnapshotException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The snapshot reader over arbitrary bytes: a ledger, or {@link CorruptSnapshotException}; nothing
 * else. A ledger read from an image writes an image that reads back to the same image.
 *
 * <p>{@code read_image} takes the input as a whole file (its checksum stops most mutations at the
 * frame); {@code read_payload} frames the input with a valid header, so mutations reach
 * {@link Ledger#restore}. Seeds (a small ledger with a sale, a binding and a wallet transfer) are in
 * {@code src/test/resources/gongji/server/ledger/SnapshotFuzzTestInputs/<method>/}. To fuzz one:
 * {@code JAZZER_FUZZ=1 mvn -pl server test -Dtest='SnapshotFuzzTest#read_payload'}.
 */
class SnapshotFuzzTest {
  private static final long SEQ = 1;
  private static final Duration WINDOW = Duration.ofDays(35);

  @FuzzTest(maxDuration = "2m")
  void read_image(byte[] image) {
    readAndRewrite(image);
  }

  @FuzzTest(maxDuration = "2m")
  void read_payload(byte[] payload) {
    readAndRewrite(frame(payload));
  }

  /** The first finding: restore took a sale of an institution the image never registered. */
  @Test
  void read_saleOfAnUnregisteredInstitution_corruptRatherThanALedgerThatFailsAtItsFirstSnapshot() throws IOException {
    byte[] payload;
    try (InputStream in = SnapshotFuzzTest.class.getResourceAsStream(
        "SnapshotFuzzTestInputs/read_payload/sale_of_unregistered_institution")) {
      payload = in.readAllBytes();
    }

    CorruptSnapshotException e = assertThrows(CorruptSnapshotException.class,
        () -> Snapshots.read(frame(payload), SEQ, WINDOW, ReferenceListener.NONE));

    assertTrue(e.getMessage().contains("unknown institution") || e.getMessage().contains("cannot be decoded"),
        e::getMessage);
  }

  private static void readAndRewrite(byte[] image) {
    Ledger ledger;
    try {
      ledger = Snapshots.read(image, SEQ, WINDOW, ReferenceListener.NONE).ledger();
    } catch (CorruptSnapshotException e) {
      assertNotNull(e.getMessage(), "a refusal says why");
      return;
    }
    byte[] written = Snapshots.image(ledger, SEQ);
    Ledger again;
    try {
      again = Snapshots.read(written, SEQ, WINDOW, ReferenceListener.NONE).ledger();
    } catch (CorruptSnapshotException e) {
      throw new AssertionError("an image written from a read ledger cannot be read: " + e.getMessage(), e);
    }
    assertArrayEquals(written, Snapshots.image(again, SEQ), "image -> read -> image changed the image");
  }

  /** The payload in a frame that passes the checks, as {@link Snapshots#image} frames it. */
  static byte[] frame(byte[] payload) {
    return SnapshotFrames.framed(Snapshots.MAGIC, SEQ, payload);
  }
}
