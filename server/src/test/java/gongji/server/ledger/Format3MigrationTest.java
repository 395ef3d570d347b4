package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.history.MemoryHistoryStore;
import gongji.server.ledger.storage.SimulatedStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A data directory of the previous format (snapshot format 3, which kept history in the ledger)
 * starts on this version: the snapshot's history goes to the history store, the journal after it
 * is replayed, and history answers exactly what the previous version answered.
 *
 * <p>The fixture under {@code ledger/format3/} was written by the previous version from a seeded
 * workload: two journal segments after a snapshot at record 460, and the answers that version gave
 * to every history question at the end ({@code expected-history.txt}).
 */
class Format3MigrationTest {
  private static final String DIR = "/ledger/format3/";
  private static final List<String> FILES = List.of("snapshot-00000000000000000460.snap",
      "journal-00000000000000000424.log", "journal-00000000000000000495.log", "journal-00000000000000000559.log",
      "journal-00000000000000000624.log", "journal-00000000000000000695.log");

  @Test
  void recover_format3DataDirectory_historyAnswersAsThePreviousVersionDid() throws IOException {
    SimulatedStorage disk = fixture();
    String[] expected = new String(resource("expected-history.txt"), StandardCharsets.UTF_8).split("\n");
    String[] days = expected[0].split(" ");
    List<String> people = Arrays.asList(expected[1].split(" ")).subList(1, expected[1].split(" ").length);
    MemoryHistoryStore history = new MemoryHistoryStore();

    LedgerRecovery.Recovered r = LedgerRecovery.recover(disk, history, LedgerStates.WINDOW, ReferenceListener.NONE, true);

    assertEquals(460, r.snapshotSeq(), "started from the format-3 snapshot");
    assertTrue(r.historyRecordsApplied() > 0, "the snapshot's history went to the store");
    assertEquals(List.of(), r.ledger().audit());
    assertEquals(r.journal().lastSeq(), history.appliedSeq());
    String described = LedgerStates.describeHistory(history, people, Long.parseLong(days[1]), Long.parseLong(days[2]));
    // The previous version's lines had no group; each migrated one is in its patient's.
    String answers = described.substring(described.indexOf('\n') + 1);
    assertTrue(answers.contains("group=ReconcileGroup[insutype=") && !answers.contains("insutype=0,"), answers);
    answers = answers.replaceAll(", group=ReconcileGroup\\[[^]]*]", "");
    // Alerts of then named nobody: they read back with no parties.
    answers = answers.replace(", parties=" + AlertParties.NONE, "");
    String want = String.join("\n", Arrays.asList(expected).subList(2, expected.length));
    LedgerStates.assertSameAnswers(want, answers, "history migrated from format 3");
  }

  @Test
  void snapshot_afterMigration_isOfTheCurrentFormat() throws IOException {
    SimulatedStorage disk = fixture();
    LedgerRecovery.Recovered r = LedgerRecovery.recover(disk, new MemoryHistoryStore(), LedgerStates.WINDOW,
        ReferenceListener.NONE, true);

    byte[] image = Snapshots.image(r.ledger(), r.journal().lastSeq());

    assertEquals(Snapshots.MAGIC, java.nio.ByteBuffer.wrap(image).getInt(0));
    assertEquals(LedgerStates.bytes(r.ledger()).length, image.length - Snapshots.HEADER_BYTES - Snapshots.TRAILER_BYTES);
  }

  private static SimulatedStorage fixture() throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    for (String f : FILES) {
      byte[] b = resource(f);
      try (gongji.server.ledger.storage.Storage.AppendFile file = disk.create(f)) {
        file.append(b, 0, b.length);
        file.force();
      }
    }
    disk.syncDirectory();
    return disk;
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Format3MigrationTest.class.getResourceAsStream(DIR + name)) {
      if (in == null) {
        throw new IOException("missing test resource " + DIR + name);
      }
      return in.readAllBytes();
    }
  }
}
