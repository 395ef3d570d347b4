package gongji.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryCodec;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryRecord;
import gongji.server.ledger.HistoryStore;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Recaller;
import gongji.server.ledger.ReferenceListener;
import gongji.server.ledger.Result;
import gongji.server.domain.ReconcileGroup;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksHistoryStoreTest extends HistoryStoreConformanceTest {
  @TempDir
  Path dir;

  @Override
  HistoryStore open() throws IOException {
    return RocksHistoryStore.open(dir.resolve("history"));
  }

  @Test
  void open_aStoreOfFormat2_movesUpInPlace_andItsEventsAreAnsweredAsTheUngroupedPart() throws Exception {
    store.apply(2, List.of(settlement("P1", "SETTLED", T0, 1_000, 600, 300)));
    store.close();
    // What format 2 left behind: the day's totals and events, no group keys, format 2.
    try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.resolve("history").toString());
        RocksIterator it = db.newIterator()) {
      for (it.seek(new byte[] {'G'}); it.isValid() && it.key()[0] == 'G'; it.next()) {
        db.delete(it.key());
      }
      db.put(new byte[] {'M', 'f'}, ByteBuffer.allocate(4).putInt(HistoryCodec.FORMAT_WITHOUT_GROUPS).array());
    }

    store = open();
    store.apply(3, List.of(grouped("P1", "SETTLED", T0 + 1, 50, PHARMACY_310)));
    Result.Reconciliation r = (Result.Reconciliation) store.answer(new HistoryQuery.Reconcile("P1", Ledger.localDay(T0)));
    store.close();

    assertEquals(List.of(PHARMACY_310, ReconcileGroup.UNGROUPED),
        r.groups().stream().map(Result.GroupTotals::group).toList());
    assertEquals(List.of(1L, 50L, 50L, 0L, 0L), toList(r.groups().get(0).settlements()));
    assertEquals(List.of(1L, 1_000L, 600L, 300L, 100L), toList(r.groups().get(1).settlements()));
    assertEquals(List.of(2L, 1_050L, 650L, 300L, 100L), toList(r.settlements()));
    try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.resolve("history").toString())) {
      assertEquals(HistoryCodec.FORMAT, ByteBuffer.wrap(db.get(new byte[] {'M', 'f'})).getInt());
    }
    store = open();
  }

  @Test
  void open_aStoreOfFormat3_movesUpInPlace_andKeepsItsAlerts() throws Exception {
    store.apply(1, List.of(alert(1, T0), alert(2, T0 + 1)));
    store.close();
    // Format 3, as late builds of it left it: naming alerts (code 12) under format 3.
    try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.resolve("history").toString())) {
      db.put(new byte[] {'M', 'f'}, ByteBuffer.allocate(4).putInt(HistoryCodec.FORMAT_WITHOUT_NAMING_ALERTS).array());
    }

    store = open();
    List<Result.Alert> alerts = ((Result.Alerts) store.answer(new HistoryQuery.Alerts(0, 10))).alerts();
    store.close();

    assertEquals(List.of(alert(1, T0), alert(2, T0 + 1)), alerts.stream().map(HistoryRecord.Alert::new).toList());
    try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.resolve("history").toString())) {
      assertEquals(HistoryCodec.FORMAT, ByteBuffer.wrap(db.get(new byte[] {'M', 'f'})).getInt());
    }
    store = open();
  }

  @Test
  void open_aStoreOfALaterFormat_refusedNamingBothFormats() throws Exception {
    store.close();
    try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.resolve("history").toString())) {
      db.put(new byte[] {'M', 'f'}, ByteBuffer.allocate(4).putInt(HistoryCodec.FORMAT + 1).array());
    }

    IOException e = assertThrows(IOException.class, this::open);

    assertTrue(e.getMessage().contains("has format " + (HistoryCodec.FORMAT + 1) + " (expected: " + HistoryCodec.FORMAT
        + "); written by another version"), e.getMessage());
    try (Options o = new Options(); RocksDB db = RocksDB.open(o, dir.resolve("history").toString())) {
      db.put(new byte[] {'M', 'f'}, ByteBuffer.allocate(4).putInt(HistoryCodec.FORMAT).array());
    }
    store = open();
  }

  @Test
  void reopen_keepsWhatWasAppliedAndWhereItStands() throws IOException {
    store.apply(12, List.of(usage("SETTLED", T0, "A", "B", 100), alert(1, T0)));
    store.close();

    store = open();

    assertEquals(12, store.appliedSeq());
    assertEquals(List.of(100L), amounts(usage("B", null, 0, Long.MAX_VALUE, 0, 10)));
    store.apply(13, List.of(usage("SETTLED", T0 + 1, "A", "B", 5)));
    assertEquals(List.of(100L, 5L), amounts(usage("B", null, 0, Long.MAX_VALUE, 0, 10)));
    assertEquals(1, ((Result.Alerts) store.answer(new HistoryQuery.Alerts(0, 10))).alerts().size());
  }

  @Test
  void requestImagesPastTheRetention_areDeletedBySweeps_butNotAnIdUsedAgainSince() throws IOException {
    long day = 86_400_000L;
    Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
    ledger.apply(new Command.UpsertInsured(new Insured("PSNA", "张三", InsuranceType.EMPLOYEE_BASIC,
        InsuredStatus.NORMAL, "620100", List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-A")))), T0);
    ledger.apply(new Command.Credit("K-1", 1, "PSNA", 100), T0);
    ledger.apply(new Command.Credit("K-2", 2, "PSNA", 100), T0);
    ledger.apply(new Command.Sweep(1_000), T0 + 5_000);
    store.apply(1, ledger.takeHistory());
    assertTrue(store.requestImage("|K-1") != null && store.requestImage("|K-2") != null);

    // 40 days on, K-1 is used again (past the window it is new) and swept with the old days' purge.
    long later = T0 + 40 * day;
    Result again = ledger.apply(new Recaller(store).recall(new Command.Credit("K-1", 3, "PSNA", 100)), later);
    assertEquals(200 + 100, ((Result.Account) again).balanceFen(), "past the window, K-1 is a new request");
    ledger.apply(new Command.Sweep(1_000), later + 5_000);
    store.apply(2, ledger.takeHistory());

    assertEquals(null, store.requestImage("|K-2"), "past the retention: deleted");
    assertEquals(later, HistoryCodec.requestAtMillis(store.requestImage("|K-1")), "the newer image is kept");
    store.close();
    store = open();
    assertEquals(later, HistoryCodec.requestAtMillis(store.requestImage("|K-1")));
    assertEquals(2, store.sweeps());
  }

  @Test
  void images_areFoundInTheMemtableAndAfterAFlush_andNewKeysAreNot() throws IOException {
    // The memtable and the tables each keep a Bloom filter over whole keys: a filter may only say
    // "maybe", never lose a key. Sales and request ids as the gateway makes them, a few thousand of each.
    int n = 5_000;
    List<HistoryRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      records.add(new HistoryRecord.RequestImage("|POS01-" + i, T0, new byte[] {(byte) i, 1}));
      records.add(new HistoryRecord.SaleImage("T" + (1_000_000 + i), new byte[] {(byte) i, 2}));
    }
    store.apply(1, records);
    assertImages(n, "in the memtable");
    store.flush();
    store.apply(2, List.of(new HistoryRecord.SaleImage("T-after-flush", new byte[] {3})));
    assertImages(n, "in a table");
    assertEquals(3, store.saleImage("T-after-flush")[0]);
    store.close();
    store = open();
    assertImages(n, "after a restart");
  }

  private void assertImages(int n, String where) throws IOException {
    for (int i = 0; i < n; i++) {
      assertEquals((byte) i, store.requestImage("|POS01-" + i)[0], where);
      assertEquals(2, store.saleImage("T" + (1_000_000 + i))[1], where);
      assertEquals(null, store.requestImage("|POS01-new-" + i), where);
      assertEquals(null, store.saleImage("T" + (2_000_000 + i)), where);
    }
  }

  @Test
  void open_aDirectoryThatIsAFile_isRefusedWithTheDirectory() throws IOException {
    Path file = dir.resolve("not-a-dir");
    java.nio.file.Files.writeString(file, "x");

    IOException e = assertThrows(IOException.class, () -> RocksHistoryStore.open(file));

    assertTrue(e.getMessage().contains(file.toString()), e::getMessage);
  }
}
