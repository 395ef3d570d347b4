package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import gongji.server.ledger.JournalRecovery.CorruptJournalException;
import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.ledger.storage.Storage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Journal recovery over arbitrary files: it replays consecutive records, or cuts a torn tail, or
 * stops with {@link CorruptJournalException}; nothing else. After a recovery, a {@link FileJournal}
 * opened where it ended appends, and a second recovery finds everything and cuts nothing.
 *
 * <p>{@code replay_rawSegment} takes the input as one segment file (a checksum stops most mutations
 * at the frame); {@code replay_framedRecords} builds segments from the input with valid checksums, so
 * mutations reach the sequence checks and the decoder. Seeds are in
 * {@code src/test/resources/gongji/server/ledger/JournalFuzzTestInputs/<method>/}. To fuzz one:
 * {@code JAZZER_FUZZ=1 mvn -pl server test -Dtest='JournalFuzzTest#replay_framedRecords'}.
 */
class JournalFuzzTest {
  private static final long AT_MILLIS = 1_772_413_200_000L;
  /** Commands for records the input asks to be valid. */
  private static final Command[] COMMANDS = {
      new Command.Tick(),
      new Command.OpenWallet("PSN1"),
      new Command.Credit("K-1", 7, "PSN1", 10_000),
      new Command.RecordDeath("PSN2"),
  };

  @FuzzTest(maxDuration = "2m")
  void replay_rawSegment(byte[] segment) throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    write(disk, JournalFormat.segmentName(1), segment);
    recoverAndContinue(disk);
  }

  @FuzzTest(maxDuration = "2m")
  void replay_framedRecords(byte[] data) throws IOException {
    SimulatedStorage disk = new SimulatedStorage();
    List<String> names = new ArrayList<>();
    List<ByteArrayOutputStream> files = new ArrayList<>();
    names.add(JournalFormat.segmentName(1));
    files.add(new ByteArrayOutputStream());
    long next = 1;
    int i = 0;
    while (i < data.length) {
      int op = data[i++] & 0xff;
      int arg = op >>> 3;
      ByteArrayOutputStream file = files.get(files.size() - 1);
      switch (op & 7) {
        case 0 -> { // raw bytes
          int n = Math.min(arg, data.length - i);
          file.write(data, i, n);
          i += n;
        }
        case 1, 2 -> file.writeBytes(record(next++, encode(COMMANDS[arg % COMMANDS.length])));
        case 3 -> { // a record with a payload from the input
          int n = i < data.length ? Math.min(data[i++] & 0xff, data.length - i) : 0;
          file.writeBytes(record(next++, Arrays.copyOfRange(data, i, i + n)));
          i += n;
        }
        case 4 -> file.writeBytes(record(next - 1 + (arg % 4) - 1, encode(COMMANDS[0]))); // overlap or gap
        case 5 -> { // a new segment, named at, before or after the next record
          long first = Math.max(0, next + (arg % 4) - 1);
          if (!names.contains(JournalFormat.segmentName(first))) {
            names.add(JournalFormat.segmentName(first));
            files.add(new ByteArrayOutputStream());
          }
        }
        case 6 -> { // a flipped bit in what was written so far
          byte[] b = file.toByteArray();
          if (b.length > 0 && i < data.length) {
            int at = ((data[i++] & 0xff) << 5 | arg) % b.length;
            b[at] ^= (byte) (1 << (arg & 7));
            file.reset();
            file.writeBytes(b);
          }
        }
        default -> { // truncate the current file
          byte[] b = file.toByteArray();
          file.reset();
          file.write(b, 0, b.length - Math.min(b.length, arg + 1));
        }
      }
    }
    for (int k = 0; k < names.size(); k++) {
      write(disk, names.get(k), files.get(k).toByteArray());
    }
    recoverAndContinue(disk);
  }

  private static void recoverAndContinue(SimulatedStorage disk) throws IOException {
    List<Long> seen = new ArrayList<>();
    JournalRecovery.Report first;
    try {
      first = JournalRecovery.replay(disk, 0, true, (seq, at, c) -> seen.add(seq));
    } catch (CorruptJournalException e) {
      assertNotNull(e.getMessage(), "a refusal says why");
      return;
    }
    for (int k = 0; k < seen.size(); k++) {
      assertEquals(k + 1, seen.get(k), "records replayed in order without gaps");
    }
    assertEquals(seen.size(), first.records());
    assertEquals(seen.size(), first.lastSeq());

    List<Long> again = new ArrayList<>();
    JournalRecovery.Report second = JournalRecovery.replay(disk, 0, true, (seq, at, c) -> again.add(seq));
    assertEquals(seen, again, "a second recovery replays the same records");
    assertFalse(second.truncated(), () -> "the first recovery left a torn tail: " + second);

    try (FileJournal journal = new FileJournal(disk, first.lastSeq() + 1, 4096)) {
      journal.append(new Command.Tick(), AT_MILLIS);
      journal.force();
    }
    JournalRecovery.Report third = JournalRecovery.replay(disk, 0, true, (seq, at, c) -> { });
    assertEquals(first.lastSeq() + 1, third.lastSeq(), () -> "the appended record is found after " + first);
    assertFalse(third.truncated(), third::toString);
  }

  private static void write(Storage disk, String name, byte[] bytes) throws IOException {
    try (Storage.AppendFile f = disk.create(name)) {
      f.append(bytes, 0, bytes.length);
      f.force();
    }
    disk.syncDirectory();
  }

  static byte[] encode(Command c) {
    CommandCodec.Output out = new CommandCodec.Output(64);
    CommandCodec.encode(c, out);
    return Arrays.copyOf(out.array(), out.size());
  }

  /** A record framed as {@link FileJournal} frames it, with a valid checksum. */
  static byte[] record(long seq, byte[] payload) {
    CommandCodec.Output out = new CommandCodec.Output(JournalFormat.HEADER_BYTES + payload.length);
    out.i32(JournalFormat.MAGIC).i32(payload.length).i64(seq).i64(AT_MILLIS).i32(0);
    for (byte b : payload) {
      out.u8(b);
    }
    out.putI32(JournalFormat.CRC_OFFSET, JournalFormat.crc(out.array(), 0, payload.length));
    return Arrays.copyOf(out.array(), out.size());
  }
}
