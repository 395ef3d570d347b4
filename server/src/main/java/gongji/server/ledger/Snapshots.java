package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.CRC32C;

/**
 * Snapshot files of the ledger and the pruning of what they cover.
 *
 * <pre>
 * snapshot-&lt;seq, 20 digits&gt;.snap := magic:u32 "GJS8" | seq:u64 | length:u64 | crc:u32 | payload
 * crc := CRC32C over magic, seq, length and payload; payload := {@link Ledger#snapshot}
 * </pre>
 *
 * The magic names the format: "GJS8" holds the working state only (history, closed sales and
 * request entries past the recent window, and ended wallet transfers no kept sale names, are in the
 * history store), its bindings naming their persons by registration order and keeping what those
 * transfers spent through them; "GJS7" is the same without that (none was let go of); "GJS6" named them by person number; "GJS5", written by earlier
 * versions, holds the same but for each sale's reconciliation group (the patient's as loaded stands
 * in for it); "GJS4" also holds every sale and request entry of the idempotency window, which the
 * first sweeps after it is loaded hand to history; "GJS3", older still, also holds history, which is
 * handed to the history store when it is loaded. A snapshot is used only if the history store has applied the journal up
 * to it, so that history can catch up from the journal after it; a newer one is passed over.
 *
 * A snapshot is written to a temporary file, forced, renamed into place and the directory forced;
 * only then are older snapshots and the journal segments it wholly covers deleted. On start the
 * newest snapshot that passes its checks is loaded and the journal replayed after its sequence
 * number; a damaged snapshot is reported and an older one (or the journal from the start) used.
 *
 * <p>Reading trusts nothing in the file: {@link #read} checks the frame, bounds the first count
 * before anything is allocated from it, decodes, and accepts the ledger only if its own
 * {@link Ledger#audit} finds nothing wrong and it can be written out again (which costs a second
 * image's worth of memory and time, once, at start). Any failure on the way, whatever the decoder
 * threw, is one {@link CorruptSnapshotException} that names the byte where decoding stopped.
 */
public final class Snapshots {
  private static final Logger log = Logger.getLogger(Snapshots.class.getName());
  static final int MAGIC = 0x47_4A_53_38;
  /**
   * The magic of format 7, before bindings kept what the ended wallet transfers let go of spent
   * through them (none was let go of then): read, never written.
   */
  static final int MAGIC_FORMAT_7 = 0x47_4A_53_37;
  /** The magic of format 6, before bindings named their persons by registration order: read, never written. */
  static final int MAGIC_FORMAT_6 = 0x47_4A_53_36;
  /** The magic of format 5, before sales kept their reconciliation group: read, never written. */
  static final int MAGIC_FORMAT_5 = 0x47_4A_53_35;
  /** The magic of format 4, before sales and request entries went to history: read, never written. */
  static final int MAGIC_FORMAT_4 = 0x47_4A_53_34;
  /** The magic of format 3, which still kept history: read, never written. */
  static final int MAGIC_FORMAT_3 = 0x47_4A_53_33;
  static final int HEADER_BYTES = 4 + 8 + 8 + 4;
  private static final String PREFIX = "snapshot-";
  private static final String SUFFIX = ".snap";
  /**
   * Bytes of an image written between forces. Measured here (a 300 MB file written beside a journal
   * forced 400 times a second): with 4 MB the journal's forces took up to 8-13 ms meanwhile, with
   * 1 MB up to 1.3-4.8 ms, and the file was written in a third of the time.
   */
  private static final int SYNC_BYTES = 1 << 20;
  /** Snapshots kept besides the newest: a fallback should the newest be damaged. */
  private static final int KEEP = 2;

  private Snapshots() {}

  /** The format a magic names, or -1. */
  private static int formatOf(int magic) {
    return switch (magic) {
      case MAGIC -> Ledger.SNAPSHOT_FORMAT;
      case MAGIC_FORMAT_7 -> 7;
      case MAGIC_FORMAT_6 -> 6;
      case MAGIC_FORMAT_5 -> 5;
      case MAGIC_FORMAT_4 -> 4;
      case MAGIC_FORMAT_3 -> 3;
      default -> -1;
    };
  }

  /** A snapshot image that fails its checks or cannot be decoded into a sound ledger. */
  public static final class CorruptSnapshotException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long offset;

    CorruptSnapshotException(String problem, long offset, Throwable cause) {
      super(problem + " (at byte " + offset + " of the image)", cause);
      this.offset = offset;
    }

    /** The byte of the image (header included) where the problem was found, or decoding stopped. */
    public long offset() {
      return offset;
    }
  }

  /**
   * A loaded snapshot: the ledger as of record {@code seq}, and the history a format-3 snapshot
   * held (empty otherwise), which belongs in the history store as of {@code seq}. {@code checked}
   * says whether the ledger's audit and the write-out check were made before it was handed over;
   * when not ({@link Checks#AFTER_START}), {@link #checkAfterStart} must be run on a second decode
   * of the same file.
   */
  public record Loaded(long seq, Ledger ledger, String file, List<HistoryRecord> history, boolean checked) {}

  /** When an image's decoded ledger is audited and written out again. */
  public enum Checks {
    /** Before the ledger is handed over ({@link #read}): tools, tests, older formats. */
    BEFORE_USE,
    /**
     * An image of the current format is handed over once its frame (CRC32C, length, sequence) passes
     * and it decodes; its audit and the check that it writes out again to the same bytes are left
     * to {@link #checkAfterStart}, on a second decode made off the start's path (the snapshot
     * follower's seed). Older formats are checked before use as ever.
     */
    AFTER_START
  }

  static String name(long seq) {
    return PREFIX + String.format("%020d", seq) + SUFFIX;
  }

  static long seqOf(String name) {
    if (!name.startsWith(PREFIX) || !name.endsWith(SUFFIX)) {
      return -1;
    }
    String digits = name.substring(PREFIX.length(), name.length() - SUFFIX.length());
    return digits.length() == 20 && digits.chars().allMatch(Character::isDigit) ? Long.parseLong(digits) : -1;
  }

  /**
   * Serializes the ledger (on the thread that owns it) into a framed snapshot image, in a buffer
   * that starts an eighth larger than the last image it was read from or written out to.
   */
  public static byte[] image(Ledger ledger, long seq) {
    int last = ledger.imageBytes();
    byte[] b = image(ledger, seq, last == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE - 16, last + last / 8L));
    ledger.imageBytes(b.length);
    return b;
  }

  /**
   * {@link #image(Ledger, long)} into a buffer of {@code sizeHint} bytes to start with. An image of
   * a million insured is over a hundred MB, and each of its buffers is a humongous object: grown by
   * doubling from a small one, an image cost the heap about four times its size in a few seconds,
   * enough to start a marking cycle; from about the right size it costs the buffer, and the copy to
   * the exact size unless the buffer is exactly full.
   */
  static byte[] image(Ledger ledger, long seq, int sizeHint) {
    CommandCodec.Output out = new CommandCodec.Output(Math.max(1 << 16, sizeHint));
    out.i32(MAGIC).i64(seq).i64(0).i32(0);
    ledger.snapshot(out);
    long length = out.size() - HEADER_BYTES;
    byte[] b = out.array().length == out.size() ? out.array() : java.util.Arrays.copyOf(out.array(), out.size());
    ByteBuffer.wrap(b).putLong(12, length);
    ByteBuffer.wrap(b).putInt(20, crc(b));
    return b;
  }

  private static int crc(byte[] b) {
    CRC32C crc = new CRC32C();
    crc.update(b, 0, 20);
    crc.update(b, HEADER_BYTES, b.length - HEADER_BYTES);
    return (int) crc.getValue();
  }

  /**
   * Writes an image durably, then deletes older snapshots and the journal segments it covers. A
   * write that fails at any step before the snapshot is in place removes its temporary file.
   */
  public static void write(Storage storage, long seq, byte[] image) throws IOException {
    String name = name(seq);
    String tmp = name + ".tmp";
    try {
      storage.delete(tmp);
      try (Storage.AppendFile f = storage.create(tmp)) {
        // Forced as it goes: a journal force waits for the file system's dirty data, and an image of a
        // million insured is over a hundred MB; a MB at a time keeps each wait short (RocksDB's bytes_per_sync).
        for (int at = 0; at < image.length; at += SYNC_BYTES) {
          f.append(image, at, Math.min(SYNC_BYTES, image.length - at));
          f.force();
        }
        if (image.length == 0) {
          f.force();
        }
      }
      storage.rename(tmp, name);
    } catch (IOException | RuntimeException e) {
      try {
        storage.delete(tmp);
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    storage.syncDirectory();
    prune(storage, seq);
  }

  private static void prune(Storage storage, long seq) throws IOException {
    List<String> names = storage.list();
    List<Long> snaps = new ArrayList<>();
    List<String> segments = new ArrayList<>();
    for (String n : names) {
      if (seqOf(n) >= 0) {
        snaps.add(seqOf(n));
      } else if (JournalFormat.segmentFirstSeq(n) >= 0) {
        segments.add(n);
      } else if (n.startsWith(PREFIX) && n.endsWith(".tmp")) {
        storage.delete(n);
      }
    }
    snaps.sort(Comparator.reverseOrder());
    long oldestKept = seq;
    for (int i = 0; i < snaps.size(); i++) {
      if (i <= KEEP) {
        oldestKept = Math.min(oldestKept, snaps.get(i));
      } else {
        storage.delete(name(snaps.get(i)));
      }
    }
    // A segment may go once the next one starts at or before oldestKept + 1: every record in it is
    // covered by every snapshot kept. The last segment (being written) always stays.
    segments.sort(Comparator.comparingLong(JournalFormat::segmentFirstSeq));
    for (int i = 0; i + 1 < segments.size(); i++) {
      if (JournalFormat.segmentFirstSeq(segments.get(i + 1)) <= oldestKept + 1) {
        storage.delete(segments.get(i));
      }
    }
    storage.syncDirectory();
  }

  /**
   * Deletes the temporary files ({@code *.tmp}) that a write that did not finish left behind (a
   * snapshot or the journal's manifest, stopped by a crash or a failure between creating the
   * temporary file and renaming it); returns how many files went.
   */
  public static int deleteUnfinished(Storage storage) throws IOException {
    int deleted = 0;
    for (String n : storage.list()) {
      if (n.endsWith(".tmp")) {
        storage.delete(n);
        deleted++;
      }
    }
    if (deleted > 0) {
      storage.syncDirectory();
      log.info("deleted " + deleted + " unfinished temporary file(s)");
    }
    return deleted;
  }

  /** The newest snapshot that passes its checks, or null when there is none. */
  public static Loaded loadNewest(Storage storage, java.time.Duration window, ReferenceListener listener)
      throws IOException {
    return loadNewest(storage, window, listener, Long.MAX_VALUE, Checks.BEFORE_USE);
  }

  /**
   * The newest snapshot that passes its checks and that history has caught up with (a format-4
   * snapshot at or below {@code historySeq}; a format-3 one carries its history), or null.
   */
  public static Loaded loadNewest(Storage storage, java.time.Duration window, ReferenceListener listener,
      long historySeq, Checks checks) throws IOException {
    List<String> names = new ArrayList<>();
    for (String n : storage.list()) {
      if (seqOf(n) >= 0) {
        names.add(n);
      }
    }
    names.sort(Comparator.comparingLong(Snapshots::seqOf).reversed());
    for (String n : names) {
      byte[] image = storage.read(n);
      if (seqOf(n) > historySeq && image.length >= 4 && formatOf(ByteBuffer.wrap(image).getInt(0)) >= 4) {
        log.info("snapshot " + n + " passed over: history has applied the journal only up to record " + historySeq
            + "; an older snapshot lets it catch up from the journal");
        continue;
      }
      try {
        if (checks == Checks.AFTER_START && formatOf(ByteBuffer.wrap(image).getInt(0)) == Ledger.SNAPSHOT_FORMAT) {
          Ledger.Restored r = decode(image, seqOf(n), window, listener);
          return new Loaded(seqOf(n), r.ledger(), n, r.history(), false);
        }
        Ledger.Restored r = read(image, seqOf(n), window, listener);
        return new Loaded(seqOf(n), r.ledger(), n, r.history(), true);
      } catch (CorruptSnapshotException e) {
        log.log(Level.WARNING, "snapshot " + n + " skipped: " + e.getMessage() + "; trying an older one");
      }
    }
    return null;
  }

  /**
   * The ledger in a snapshot image of record {@code seq}; the bytes may be damaged or forged.
   *
   * @throws CorruptSnapshotException if the frame fails its checks, the payload cannot be decoded,
   *     or the decoded ledger fails its audit or cannot be written out again; nothing else for any
   *     bytes (but see {@link Ledger#restore}: a count it sizes an array by, deep in the image, can
   *     still ask for more memory than there is)
   */
  public static Ledger.Restored read(byte[] image, long seq, java.time.Duration window, ReferenceListener listener)
      throws CorruptSnapshotException {
    Ledger.Restored restored = decode(image, seq, window, listener);
    Ledger ledger = restored.ledger();
    // The audit on a thread of its own while this one writes the ledger out: both only read it, and
    // nothing else holds it yet (a third of the time a snapshot of a million insured takes to load).
    java.util.concurrent.FutureTask<List<String>> audit = new java.util.concurrent.FutureTask<>(ledger::audit);
    Thread auditor = new Thread(audit, "gongji-snapshot-audit");
    auditor.setDaemon(true);
    auditor.start();
    RuntimeException unwritable = null;
    try {
      // Restore accepts references to what the image does not hold (a sale of an institution it
      // never registered): such a ledger would fail later, at its first snapshot, and stop the
      // writer. Writing it out once here finds that while an older snapshot can still be used.
      ledger.snapshot(new CommandCodec.Output(image.length));
    } catch (RuntimeException e) {
      unwritable = e;
    }
    List<String> violations = awaitAudit(audit, image.length);
    if (!violations.isEmpty()) {
      throw new CorruptSnapshotException("decoded into a ledger that fails its audit: " + violations.size()
          + " violations, the first: " + violations.get(0), image.length, null);
    }
    if (unwritable != null) {
      throw new CorruptSnapshotException("decoded into a ledger that cannot be written out again: " + unwritable,
          image.length, unwritable);
    }
    return restored;
  }

  /**
   * The ledger in an image whose frame passes its checks, decoded and nothing more: no audit, no
   * write-out check ({@link #read} adds them; {@link #checkAfterStart} makes them later).
   */
  static Ledger.Restored decode(byte[] image, long seq, java.time.Duration window, ReferenceListener listener)
      throws CorruptSnapshotException {
    String problem = check(image, seq);
    if (problem != null) {
      throw new CorruptSnapshotException(problem, 0, null);
    }
    ByteBuffer payload = ByteBuffer.wrap(image, HEADER_BYTES, image.length - HEADER_BYTES).slice();
    checkAccounts(payload.duplicate());
    try {
      Ledger.Restored restored = Ledger.restore(payload, formatOf(ByteBuffer.wrap(image).getInt(0)), window, listener);
      restored.ledger().imageBytes(image.length);
      return restored;
    } catch (RuntimeException e) {
      throw new CorruptSnapshotException("cannot be decoded: " + e, HEADER_BYTES + payload.position(), e);
    }
  }

  /**
   * The checks {@link Checks#AFTER_START} left out, on {@code ledger}, a second decode of the same
   * {@code image} (record {@code seq}) before any journal record is applied to it: its audit finds
   * nothing wrong, its persons kept as the bytes of their records hold records that encode to those
   * very bytes ({@link Ledger#keptRecordProblem}: the write-out copies such bytes, so it would not see
   * one that does not), and it writes out again to the very bytes it was read from (stronger than
   * {@link #read}'s check that it can be written out at all: a decoder that dropped or changed
   * anything shows here).
   *
   * @throws CorruptSnapshotException naming the first problem
   */
  static void checkAfterStart(Ledger ledger, byte[] image, long seq) throws CorruptSnapshotException {
    List<String> violations = ledger.audit();
    if (!violations.isEmpty()) {
      throw new CorruptSnapshotException("decoded into a ledger that fails its audit: " + violations.size()
          + " violations, the first: " + violations.get(0), image.length, null);
    }
    String kept = ledger.keptRecordProblem();
    if (kept != null) {
      throw new CorruptSnapshotException("decoded into a ledger with a " + kept, image.length, null);
    }
    byte[] again;
    try {
      again = image(ledger, seq, image.length); // the size it should have: one buffer, no copy
    } catch (RuntimeException e) {
      throw new CorruptSnapshotException("decoded into a ledger that cannot be written out again: " + e,
          image.length, e);
    }
    int differs = java.util.Arrays.mismatch(again, image);
    if (differs >= 0) {
      throw new CorruptSnapshotException("decoded into a ledger that writes out differently"
          + (again.length != image.length ? " (" + again.length + " bytes against " + image.length + ")" : ""),
          differs, null);
    }
  }

  private static List<String> awaitAudit(java.util.concurrent.FutureTask<List<String>> audit, long at)
      throws CorruptSnapshotException {
    try {
      return audit.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CorruptSnapshotException("interrupted while auditing", at, e);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Error error) {
        throw error; // out of memory, say: not the image's fault
      }
      throw new CorruptSnapshotException("decoded into a ledger that cannot be audited: " + e.getCause(), at,
          e.getCause());
    }
  }

  /**
   * Bounds the number of accounts before {@link Ledger#restore} sizes its arrays by it: each takes
   * at least 9 bytes (a balance and a held amount), so a count above the bytes left is damage.
   */
  private static void checkAccounts(ByteBuffer payload) throws CorruptSnapshotException {
    int accounts;
    try {
      payload.getLong();
      CommandCodec.varlong(payload);
      CommandCodec.varlong(payload);
      accounts = CommandCodec.varint(payload);
    } catch (RuntimeException e) {
      throw new CorruptSnapshotException("cannot be decoded: " + e, HEADER_BYTES + payload.position(), e);
    }
    if (accounts > payload.remaining() / 9) {
      throw new CorruptSnapshotException("count of " + accounts + " accounts with " + payload.remaining()
          + " bytes left", HEADER_BYTES + payload.position(), null);
    }
  }

  private static String check(byte[] b, long seq) {
    requireNonNull(b, "b");
    if (b.length < HEADER_BYTES) {
      return "shorter than its header";
    }
    ByteBuffer h = ByteBuffer.wrap(b);
    if (formatOf(h.getInt(0)) < 0) {
      return "bad magic";
    }
    if (h.getLong(4) != seq) {
      return "sequence " + h.getLong(4) + " does not match its name";
    }
    if (h.getLong(12) != b.length - HEADER_BYTES) {
      return "length " + h.getLong(12) + " but " + (b.length - HEADER_BYTES) + " bytes";
    }
    return h.getInt(20) == crc(b) ? null : "checksum mismatch";
  }
}
