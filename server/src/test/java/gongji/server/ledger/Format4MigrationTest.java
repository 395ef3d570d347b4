package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A snapshot of format 4 (GJS4: every sale and request entry of the idempotency window on the heap,
 * written before sweeps existed) is read, written again in the current format, and its sales and
 * entries go to history a recent window after it was loaded.
 */
class Format4MigrationTest {

  @Test
  void format4Snapshot_isRead_writtenInTheCurrentFormat_andSweptAfterTheWindow() throws IOException {
    byte[] image;
    try (InputStream in = Format4MigrationTest.class.getResourceAsStream("/ledger/format4/snapshot-7.snap")) {
      image = in.readAllBytes();
    }
    assertEquals(Snapshots.MAGIC_FORMAT_4, ByteBuffer.wrap(image).getInt(0));
    Ledger ledger = Snapshots.read(image, 7, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
    assertEquals(List.of(), ledger.audit());
    int sales = ledger.salesKept();
    int entries = ledger.requestsKept();
    assertTrue(sales > 0 && entries > 0, "the fixture has sales and request entries: " + sales + ", " + entries);

    byte[] again = Snapshots.image(ledger, 7);
    assertEquals(Snapshots.MAGIC, ByteBuffer.wrap(again).getInt(0));
    Ledger reread = Snapshots.read(again, 7, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
    assertArrayEquals(LedgerStates.bytes(ledger), LedgerStates.bytes(reread), "the current format keeps it all");

    // Loaded sales count as touched when loaded: a sweep a window later hands the closed ones over.
    long later = ledger.nowMillis() + 60_000;
    assertTrue(ledger.sweepDue(later, 30_000));
    ledger.apply(new Command.Sweep(30_000), later);
    List<HistoryRecord> records = ledger.takeHistory();
    assertEquals(0, ledger.requestsKept(), "request entries left");
    assertTrue(ledger.salesKept() < sales, "sales kept: " + ledger.salesKept() + " of " + sales);
    assertTrue(records.stream().anyMatch(r -> r instanceof HistoryRecord.SaleImage));
    assertTrue(records.get(records.size() - 1) instanceof HistoryRecord.Swept);
    assertEquals(List.of(), ledger.audit());
  }
}
