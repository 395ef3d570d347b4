package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gongji.server.ledger.storage.SimulatedStorage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal's batch: what goes in is what recovery reads back, and nothing else. */
class FileJournalTest {
  private static final long AT_MILLIS = 1_772_413_200_000L;

  @Test
  void append_commandThatCannotBeEncoded_leavesNothingInTheBatch() throws Exception {
    SimulatedStorage disk = new SimulatedStorage();
    try (FileJournal journal = new FileJournal(disk, 1, 4096)) {
      journal.append(new Command.OpenWallet("PSN1"), AT_MILLIS);
      // The encoder writes no negative amount: this throws half-way through the record.
      assertThrows(IllegalArgumentException.class,
          () -> journal.append(new Command.Credit("K-1", 1, "PSN1", -5), AT_MILLIS));
      journal.append(new Command.Tick(), AT_MILLIS);
      journal.force();
    }
    List<Command> replayed = new ArrayList<>();

    JournalRecovery.Report report = JournalRecovery.replay(disk, 0, true, (seq, at, c) -> replayed.add(c));

    assertEquals(List.of(new Command.OpenWallet("PSN1"), new Command.Tick()), replayed);
    assertEquals(2, report.lastSeq());
    assertFalse(report.truncated(), report::toString);
  }
}
