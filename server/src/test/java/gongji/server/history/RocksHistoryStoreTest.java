package gongji.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryStore;
import gongji.server.ledger.Result;
import java.io.IOException;
import java.nio.file.Path;
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
  void open_aDirectoryThatIsAFile_isRefusedWithTheDirectory() throws IOException {
    Path file = dir.resolve("not-a-dir");
    java.nio.file.Files.writeString(file, "x");

    IOException e = assertThrows(IOException.class, () -> RocksHistoryStore.open(file));

    assertTrue(e.getMessage().contains(file.toString()), e::getMessage);
  }
}
