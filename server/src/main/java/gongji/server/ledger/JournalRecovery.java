package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads the journal back on start and hands every record after a given sequence number to a
 * consumer (the ledger), in order.
 *
 * <p>Damage is judged by where it is. A record that fails its checks at the end of the last segment,
 * with no intact record after it, is a torn write from a crash: nothing after it was ever forced, so
 * it was never acknowledged; it is cut off and reported. A bad record that is followed by intact
 * ones (in its segment or in later segments) is not a torn write: cutting there would drop
 * committed data, so recovery stops with the file and offset and the operator decides. Sequence
 * numbers must run on without gaps; a record at or below the last one applied (an overlap) is
 * skipped, so replay is idempotent.
 */
public final class JournalRecovery {

  /** Receives each record in order. */
  public interface Consumer {
    void accept(long seq, long atMillis, Command command) throws IOException;
  }

  /** What recovery found. */
  public record Report(int segments, long records, long lastSeq, String truncatedFile, long truncatedAtOffset,
      long truncatedBytes) {
    /** Whether a torn tail was cut off. */
    public boolean truncated() {
      return truncatedFile != null;
    }

    @Override
    public String toString() {
      return "segments=" + segments + " records=" + records + " lastSeq=" + lastSeq
          + (truncated() ? " torn tail cut: " + truncatedFile + " at offset " + truncatedAtOffset + " ("
          + truncatedBytes + " bytes)" : "");
    }
  }

  /** The journal is damaged in a way recovery must not repair by itself. */
  public static final class CorruptJournalException extends IOException {
    private static final long serialVersionUID = 1L;

    public CorruptJournalException(String message) {
      super(message);
    }
  }

  private JournalRecovery() {}

  /**
   * Replays every record with a sequence number above {@code afterSeq}. With {@code repair}, a torn
   * tail is cut off the file; without (a read-only check), it is only reported.
   */
  public static Report replay(Storage storage, long afterSeq, boolean repair, Consumer consumer) throws IOException {
    requireNonNull(storage, "storage");
    List<String> segments = new ArrayList<>();
    for (String name : storage.list()) {
      if (JournalFormat.segmentFirstSeq(name) >= 0) {
        segments.add(name);
      }
    }
    segments.sort(Comparator.comparingLong(JournalFormat::segmentFirstSeq));
    long lastSeq = afterSeq;
    long records = 0;
    String cutFile = null;
    long cutAt = -1;
    long cutBytes = 0;
    for (int i = 0; i < segments.size(); i++) {
      String name = segments.get(i);
      boolean lastSegment = i == segments.size() - 1;
      long firstSeq = JournalFormat.segmentFirstSeq(name);
      if (firstSeq > lastSeq + 1) {
        // Checked on the name too: an empty segment holds no record whose number would show the gap.
        throw new CorruptJournalException("journal gap: " + name + " starts at record " + firstSeq
            + " but the records before it end at " + lastSeq + " (expected: a segment starting at or before "
            + (lastSeq + 1) + "); a segment or snapshot is missing");
      }
      byte[] b = storage.read(name);
      int pos = 0;
      while (pos < b.length) {
        int length = JournalFormat.validRecordAt(b, pos, b.length);
        if (length < 0) {
          if (lastSegment && !anyValidRecordFrom(b, pos + 1)) {
            cutFile = name;
            cutAt = pos;
            cutBytes = b.length - pos;
            if (repair) {
              storage.truncate(name, pos);
            }
            break;
          }
          throw new CorruptJournalException("journal damaged in " + name + " at offset " + pos
              + ", and intact records follow" + (lastSegment ? "" : " (in this or later segments)")
              + ": this is not a torn write, and cutting here would drop committed data. The ledger will not"
              + " start; restore the file from a replica or backup, or inspect it with: gongji ledger verify");
        }
        long seq = JournalFormat.getI64(b, pos + 8);
        long at = JournalFormat.getI64(b, pos + 16);
        if (seq > lastSeq) {
          if (seq != lastSeq + 1) {
            throw new CorruptJournalException("journal gap in " + name + " at offset " + pos + ": record "
                + seq + " follows " + lastSeq + " (expected " + (lastSeq + 1) + ")");
          }
          Command command;
          try {
            command = CommandCodec.decode(ByteBuffer.wrap(b, pos + JournalFormat.HEADER_BYTES, length).slice());
          } catch (IllegalArgumentException e) {
            throw new CorruptJournalException("journal record " + seq + " in " + name + " at offset " + pos
                + " passes its checksum but cannot be decoded (" + e.getMessage() + "): written by another version?");
          }
          consumer.accept(seq, at, command);
          lastSeq = seq;
          records++;
        }
        pos += JournalFormat.HEADER_BYTES + length;
      }
    }
    return new Report(segments.size(), records, lastSeq, cutFile, cutAt, cutBytes);
  }

  private static boolean anyValidRecordFrom(byte[] b, int from) {
    for (int p = from; p + JournalFormat.HEADER_BYTES <= b.length; p++) {
      if (JournalFormat.validRecordAt(b, p, b.length) >= 0) {
        return true;
      }
    }
    return false;
  }
}
