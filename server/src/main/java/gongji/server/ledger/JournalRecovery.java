package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;

/**
 * Reads the journal back on start and hands every record after a given sequence number to a
 * consumer (the ledger), in order.
 *
 * <p>Damage is judged by where it is. A frame that fails its checks at the end of the newest
 * segment, with no intact frame after it, is a torn write from a crash: nothing after it was ever
 * forced, so it was never acknowledged; it is cut off and reported. A bad frame that is followed by
 * an intact one (a record, or the commit frame that ends every batch of format 2, see
 * {@link JournalFormat}) is not a torn write: its batch was written whole, so it may have been
 * acknowledged, and cutting there could drop committed data. If the intact frame after the damage
 * goes on from where the replay stands (the damage was a commit frame, or records a snapshot
 * covers), nothing is lost: the damaged bytes are skipped, with a warning. Recovery then stops with the file, the
 * offset and the records at stake, and the operator decides ({@code gongji ledger verify},
 * {@code serve --accept-journal-loss}). A newest segment older than the one the manifest names has
 * lost its newest segment, and is refused the same way. Sequence numbers must run on without gaps,
 * except where a loss frame names records an operator accepted as lost; a record at or below the
 * last one applied (an overlap) is skipped, so replay is idempotent.
 *
 * <p>With {@code acceptLoss}, damage does not throw: replay stops before it and the report says
 * what it found ({@link Report#damage}); what to do with the rest is the caller's
 * ({@link LedgerRecovery}).
 */
public final class JournalRecovery {
  private static final Logger log = Logger.getLogger(JournalRecovery.class.getName());

  /** Receives each record in order. */
  public interface Consumer {
    void accept(long seq, long atMillis, Command command) throws IOException;
  }

  /** Records {@code fromSeq..throughSeq} lost to damage that an operator accepted at {@code atMillis}. */
  public record Loss(long fromSeq, long throughSeq, long atMillis) {
    @Override
    public String toString() {
      return "records " + fromSeq + " to " + throughSeq + " (lost; accepted at ledger time "
          + java.time.Instant.ofEpochMilli(atMillis) + ", the time of the last record before them)";
    }
  }

  /**
   * Damage that may have cost acknowledged records: where it is, what is wrong, the last record
   * before it that replayed, and the highest sequence number found intact after it (or
   * {@code lastIntactSeq} when none). {@code newestMissing} says that the newest segment itself is
   * gone, so that records past {@code lastSeqSeen} may be lost too.
   */
  public record Damage(String file, long offset, String problem, long lastIntactSeq, long lastSeqSeen,
      boolean newestMissing) {
    /** The message of a refusal: the damage, and the way out. */
    public String refusal() {
      return "journal damaged in " + file + " at offset " + offset + ", " + problem + ". Records after "
          + lastIntactSeq + (lastSeqSeen > lastIntactSeq ? " (at least through " + lastSeqSeen + ")" : "")
          + " may have been acknowledged and cannot be replayed. The ledger will not start. Restore the data"
          + " directory from a backup; see exactly what is lost with: gongji ledger verify --data-dir DIR; to start"
          + " without those records, accepting their loss: gongji serve --accept-journal-loss (see docs/OPERATIONS.md)";
    }
  }

  /** What recovery found. */
  public record Report(int segments, long records, long lastSeq, String truncatedFile, long truncatedAtOffset,
      long truncatedBytes, List<Loss> acceptedLosses, Damage damage) {
    /** Whether a torn tail was cut off. */
    public boolean truncated() {
      return truncatedFile != null;
    }

    @Override
    public String toString() {
      return "segments=" + segments + " records=" + records + " lastSeq=" + lastSeq
          + (truncated() ? " torn tail cut: " + truncatedFile + " at offset " + truncatedAtOffset + " ("
          + truncatedBytes + " bytes)" : "")
          + (acceptedLosses.isEmpty() ? "" : " accepted losses: " + acceptedLosses)
          + (damage == null ? "" : " DAMAGED: " + damage.file() + " at offset " + damage.offset() + ": "
          + damage.problem());
    }
  }

  /** The journal is damaged in a way recovery must not repair by itself. */
  public static final class CorruptJournalException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Damage damage;

    public CorruptJournalException(String message) {
      this(message, null);
    }

    public CorruptJournalException(String message, Damage damage) {
      super(message);
      this.damage = damage;
    }

    /** Where the journal is damaged, or null when the refusal is not about one place in it. */
    public Damage damage() {
      return damage;
    }
  }

  /** Stops a replay at damage, carrying it out of the loop. */
  private static final class Stop extends Exception {
    private static final long serialVersionUID = 1L;
    final transient Damage damage;

    Stop(Damage damage) {
      super(null, null, false, false);
      this.damage = damage;
    }
  }

  private JournalRecovery() {}

  /**
   * Replays every record with a sequence number above {@code afterSeq}. With {@code repair}, a torn
   * tail is cut off the file; without (a read-only check), it is only reported.
   *
   * @throws CorruptJournalException on damage that may have cost acknowledged records
   */
  public static Report replay(Storage storage, long afterSeq, boolean repair, Consumer consumer) throws IOException {
    Report report = replay(storage, afterSeq, repair, true, consumer);
    if (report.damage() != null) {
      throw new CorruptJournalException(report.damage().refusal(), report.damage());
    }
    return report;
  }

  /**
   * The same; with {@code acceptLoss}, damage stops the replay and is reported instead of thrown:
   * the consumer has then seen every record before it.
   */
  public static Report replay(Storage storage, long afterSeq, boolean repair, boolean acceptLoss, Consumer consumer)
      throws IOException {
    requireNonNull(storage, "storage");
    List<String> names = storage.list();
    List<String> segments = new ArrayList<>();
    for (String name : names) {
      if (JournalFormat.segmentFirstSeq(name) >= 0) {
        segments.add(name);
      }
    }
    segments.sort(Comparator.comparingLong(JournalFormat::segmentFirstSeq));
    long manifestNewest = -1;
    if (names.contains(JournalFormat.MANIFEST)) {
      manifestNewest = JournalFormat.manifestNewest(storage.read(JournalFormat.MANIFEST));
      if (manifestNewest < 0) {
        log.warning(JournalFormat.MANIFEST + " is damaged and was not used: a lost newest journal segment would"
            + " not be noticed by it (history still witnesses what it applied); it is rewritten at this start");
      }
    }
    long newestFirstSeq = segments.isEmpty() ? -1 : JournalFormat.segmentFirstSeq(segments.get(segments.size() - 1));
    boolean newestMissing = manifestNewest > 0 && newestFirstSeq < manifestNewest;
    // The journal writes the manifest when it opens a segment, before the segment's first record:
    // a newest segment of format 2 that holds records and no manifest means the manifest was lost,
    // and with it the only witness of a newer segment lost with it.
    boolean manifestMissing = !segments.isEmpty() && !names.contains(JournalFormat.MANIFEST);
    Replayer r = new Replayer(storage, segments, afterSeq, consumer);
    Damage damage = null;
    try {
      for (int i = 0; i < segments.size(); i++) {
        r.segment(i, i == segments.size() - 1 && !newestMissing);
      }
      if (manifestMissing && r.newestLength > 0 && r.lastSeq >= newestFirstSeq && !r.newestFormat1) {
        String newest = segments.get(segments.size() - 1);
        throw new Stop(new Damage(newest, newest.equals(r.cutFile) ? r.cutAt : r.newestLength, JournalFormat.MANIFEST
            + " is missing while the newest segment, " + newest + ", holds records: the manifest is written before a"
            + " segment's first record and names the newest segment, so a newer segment lost with it could not be"
            + " noticed", r.lastSeq, r.lastSeq, true));
      }
      if (newestMissing) {
        String missing = JournalFormat.segmentName(manifestNewest);
        throw new Stop(new Damage(missing, 0, "missing: " + JournalFormat.MANIFEST + " names it as the newest"
            + " segment, with records from " + manifestNewest + " on, but the journal ends in "
            + (segments.isEmpty() ? "no segment" : segments.get(segments.size() - 1)), r.lastSeq,
            Math.max(r.lastSeq, manifestNewest - 1), true));
      }
    } catch (Stop stop) {
      damage = stop.damage;
    }
    if (damage != null && !acceptLoss) {
      throw new CorruptJournalException(damage.refusal(), damage);
    }
    if (repair && r.cutFile != null) {
      storage.truncate(r.cutFile, r.cutAt);
    }
    return new Report(segments.size(), r.records, r.lastSeq, r.cutFile, r.cutAt, r.cutBytes, List.copyOf(r.losses),
        damage);
  }

  /** Replays segment after segment, keeping where it stands. */
  private static final class Replayer {
    final Storage storage;
    final List<String> segments;
    final Consumer consumer;
    final List<Loss> losses = new ArrayList<>();
    long lastSeq;
    long records;
    String cutFile;
    long cutAt = -1;
    long cutBytes;
    /** The length of the last segment read as the newest, and whether it was written in format 1 (no manifest then). */
    long newestLength;
    boolean newestFormat1;

    Replayer(Storage storage, List<String> segments, long afterSeq, Consumer consumer) {
      this.storage = storage;
      this.segments = segments;
      this.lastSeq = afterSeq;
      this.consumer = consumer;
    }

    void segment(int index, boolean newest) throws IOException, Stop {
      String name = segments.get(index);
      long firstSeq = JournalFormat.segmentFirstSeq(name);
      byte[] b = storage.read(name);
      if (index == segments.size() - 1) {
        newestLength = b.length;
        newestFormat1 = b.length >= 4 && JournalFormat.getI32(b, 0) == JournalFormat.MAGIC_FORMAT_1;
      }
      if (firstSeq > lastSeq + 1 && !JournalFormat.validLossAt(b, 0, b.length)) {
        // Checked on the name too: an empty segment holds no record whose number would show the gap.
        throw stop(name, 0, "journal gap: " + name + " starts at record " + firstSeq + " but the records before it"
            + " end at " + lastSeq + " (expected: a segment starting at or before " + (lastSeq + 1)
            + "); a segment or snapshot is missing", index, b, 0);
      }
      long batchFirst = -1;
      long batchLast = -1;
      boolean batchUnknown = false;
      int pos = 0;
      while (pos < b.length) {
        int length = JournalFormat.validRecordAt(b, pos, b.length);
        if (length >= 0) {
          long seq = JournalFormat.getI64(b, pos + 8);
          long at = JournalFormat.getI64(b, pos + 16);
          if (seq > lastSeq) {
            if (seq != lastSeq + 1) {
              throw stop(name, pos, "journal gap: record " + seq + " follows " + lastSeq + " (expected " + (lastSeq + 1)
                  + ")", index, b, pos);
            }
            Command command;
            try {
              command = CommandCodec.decode(ByteBuffer.wrap(b, pos + JournalFormat.HEADER_BYTES, length).slice());
            } catch (IllegalArgumentException e) {
              throw stop(name, pos, "record " + seq + " passes its checksum but cannot be decoded (" + e.getMessage()
                  + "): written by another version?", index, b, pos);
            }
            consumer.accept(seq, at, command);
            lastSeq = seq;
            records++;
          }
          batchFirst = batchFirst < 0 ? seq : batchFirst;
          batchLast = seq;
          pos += JournalFormat.HEADER_BYTES + length;
        } else if (JournalFormat.validCommitAt(b, pos, b.length)) {
          long first = JournalFormat.getI64(b, pos + 4);
          long last = JournalFormat.getI64(b, pos + 12);
          if (!batchUnknown && (first != batchFirst || last != batchLast)) {
            throw stop(name, pos, "a commit frame names records " + first + " to " + last + " but the batch before it"
                + " holds " + (batchFirst < 0 ? "none" : batchFirst + " to " + batchLast), index, b, pos);
          }
          batchFirst = -1;
          batchUnknown = false;
          pos += JournalFormat.COMMIT_BYTES;
        } else if (JournalFormat.validLossAt(b, pos, b.length)) {
          Loss loss = new Loss(JournalFormat.getI64(b, pos + 4), JournalFormat.getI64(b, pos + 12),
              JournalFormat.getI64(b, pos + 20));
          if (loss.throughSeq() > lastSeq) {
            if (loss.fromSeq() > lastSeq + 1) {
              throw stop(name, pos, "journal gap: a loss frame accepts " + loss + " but the records before it end at "
                  + lastSeq, index, b, pos);
            }
            lastSeq = loss.throughSeq();
          }
          losses.add(loss);
          pos += JournalFormat.LOSS_BYTES;
        } else {
          int next = nextFrameFrom(b, pos + 1);
          if (next < 0 && newest) {
            cutFile = name;
            cutAt = pos;
            cutBytes = b.length - pos;
            return;
          }
          boolean nextSegmentGoesOn = next < 0 && index + 1 < segments.size()
              && JournalFormat.segmentFirstSeq(segments.get(index + 1)) <= lastSeq + 1;
          if (nextSegmentGoesOn || (next >= 0 && nothingLostBefore(b, next))) {
            // A damaged commit frame, or a record the snapshot already covers: what follows goes on
            // from where the replay stands, so the damaged bytes held nothing it still needs.
            log.warning("journal: " + ((next < 0 ? b.length : next) - pos) + " damaged bytes in " + name + " at offset " + pos
                + " skipped: the intact frame after them continues the records from " + lastSeq
                + ", so nothing is lost; the segment goes once a snapshot covers it");
            if (next < 0) {
              return;
            }
            batchUnknown = true;
            pos = next;
            continue;
          }
          throw stop(name, pos, "a frame fails its checks and intact frames follow"
              + (newest ? "" : " (in this or later segments)")
              + ", so this is not a torn write: its batch was written whole", index, b, pos + 1);
        }
      }
    }

    /**
     * Whether the intact frame at {@code at}, the first after damaged bytes, goes on from where the
     * replay stands: a record at most one past it, or a commit of records already replayed.
     */
    private boolean nothingLostBefore(byte[] b, int at) {
      if (JournalFormat.validRecordAt(b, at, b.length) >= 0) {
        return JournalFormat.getI64(b, at + 8) <= lastSeq + 1;
      }
      return JournalFormat.validCommitAt(b, at, b.length) && JournalFormat.getI64(b, at + 12) <= lastSeq;
    }

    /** Damage at {@code offset} of a segment, with the highest sequence number found intact from {@code from} on. */
    private Stop stop(String file, long offset, String problem, int index, byte[] b, int from) throws IOException {
      long seen = Math.max(lastSeq, highestSeqFrom(b, from));
      for (int i = index + 1; i < segments.size(); i++) {
        byte[] later = storage.read(segments.get(i));
        seen = Math.max(seen, Math.max(JournalFormat.segmentFirstSeq(segments.get(i)) - 1, highestSeqFrom(later, 0)));
      }
      return new Stop(new Damage(file, offset, problem, lastSeq, seen, false));
    }
  }

  /** The offset of the first intact frame at or after {@code from}, or -1. */
  private static int nextFrameFrom(byte[] b, int from) {
    for (int p = from; p < b.length; p++) {
      if (JournalFormat.frameBytesAt(b, p, b.length) >= 0) {
        return p;
      }
    }
    return -1;
  }

  /** The highest sequence number of an intact record (or commit frame) at or after {@code from}, or -1. */
  private static long highestSeqFrom(byte[] b, int from) {
    long highest = -1;
    for (int p = from; p < b.length; p++) {
      if (JournalFormat.validRecordAt(b, p, b.length) >= 0) {
        highest = Math.max(highest, JournalFormat.getI64(b, p + 8));
      } else if (JournalFormat.validCommitAt(b, p, b.length)) {
        highest = Math.max(highest, JournalFormat.getI64(b, p + 12));
      }
    }
    return highest;
  }
}
