package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
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
 * snapshot-&lt;seq, 20 digits&gt;.snap := magic:u32 "GJS9" | seq:u64 | payload | length:u64 | crc:u32
 * crc := CRC32C over magic, seq, payload and length; length := the payload's bytes
 * payload := {@link Ledger#snapshot}
 * </pre>
 *
 * The length and checksum come last so that an image is written to its file as it is made, a
 * quarter MB at a time ({@link #write(Storage, long, Payload)}): an image of a million insured is
 * over a hundred MB, and held whole it was a humongous object that could start a marking cycle.
 * Formats 3 to 8 framed their payload the other way round, {@code magic | seq | length | crc |
 * payload}, the checksum over the same fields; they are read, never written.
 *
 * <p>The magic names the format: "GJS9" holds format 8's payload; "GJS8" holds the working state
 * only (history, closed sales and request entries past the recent window, and ended wallet
 * transfers no kept sale names, are in the history store), its bindings naming their persons by
 * registration order and keeping what those transfers spent through them; "GJS7" is the same without that (none was let go of); "GJS6" named them by person number; "GJS5", written by earlier
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
 * image's time, once, at start, but not its memory: it is written to nowhere). Any failure on the way, whatever the decoder
 * threw, is one {@link CorruptSnapshotException} that names the byte where decoding stopped.
 */
public final class Snapshots {
  private static final Logger log = Logger.getLogger(Snapshots.class.getName());
  /** The magic of the format written: format 8's payload, its length and checksum after it. */
  static final int MAGIC = 0x47_4A_53_39;
  /** The magic of format 8, framed with its length and checksum before the payload: read, never written. */
  static final int MAGIC_FORMAT_8 = 0x47_4A_53_38;
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
  /** Before the payload, as written: magic and sequence number. */
  static final int HEADER_BYTES = 4 + 8;
  /** After the payload, as written: length and checksum. */
  static final int TRAILER_BYTES = 8 + 4;
  /** Before the payload in formats 3 to 8: magic, sequence number, length and checksum. */
  static final int EARLIER_HEADER_BYTES = 4 + 8 + 8 + 4;
  /**
   * The largest image written: a start reads one back into a single array. Past it a snapshot
   * fails (the journal keeps everything) rather than leave a file no start could read.
   */
  static final long MAX_IMAGE_BYTES = Integer.MAX_VALUE - 16;
  /**
   * The buffer an image is made in and handed to its file from, a piece at a time: under half of
   * G1's smallest region (1 MB), so never a humongous object, whatever the heap.
   */
  static final int PIECE_BYTES = 1 << 18;
  private static final String PREFIX = "snapshot-";
  private static final String SUFFIX = ".snap";
  /**
   * Bytes of an image written between forces. Measured here (a 300 MB file written beside a journal
   * forced 400 times a second): with 4 MB the journal's forces took up to 8-13 ms meanwhile, with
   * 1 MB up to 1.3-4.8 ms, and the file was written in a third of the time.
   */
  static final int SYNC_BYTES = 1 << 20;
  /** Snapshots kept besides the newest: a fallback should the newest be damaged. */
  private static final int KEEP = 2;

  private Snapshots() {}

  /** The format a magic names, or -1. */
  private static int formatOf(int magic) {
    return switch (magic) {
      case MAGIC -> Ledger.SNAPSHOT_FORMAT;
      case MAGIC_FORMAT_8 -> 8;
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
   * What a snapshot holds, written into the output it is given: a ledger's {@link Ledger#snapshot},
   * on the thread that owns the ledger, or the bytes of one made earlier ({@link #of}).
   */
  @FunctionalInterface
  public interface Payload {
    void writeTo(CommandCodec.Output out);

    /** A payload made earlier ({@link Snapshots#payload}). */
    static Payload of(byte[] payload) {
      requireNonNull(payload, "payload");
      return out -> out.raw(payload, 0, payload.length);
    }
  }

  /**
   * The ledger's payload, unframed (on the thread that owns it), in a buffer that starts an eighth
   * larger than the last image it was read from or written out to: what the writer holds while the
   * journal is forced past it, when it makes the image itself.
   */
  static byte[] payload(Ledger ledger) {
    CommandCodec.Output out = new CommandCodec.Output(startingSize(ledger));
    ledger.snapshot(out);
    ledger.imageBytes((int) Math.min(Integer.MAX_VALUE, (long) out.size() + HEADER_BYTES + TRAILER_BYTES));
    return out.array().length == out.size() ? out.array() : java.util.Arrays.copyOf(out.array(), out.size());
  }

  private static int startingSize(Ledger ledger) {
    int last = ledger.imageBytes();
    return Math.max(1 << 16, last == 0 ? 0 : (int) Math.min(MAX_IMAGE_BYTES, last + last / 8L));
  }

  /**
   * The framed snapshot image of the ledger (on the thread that owns it), whole in one array: for
   * tests and tools; a node writes its images as they are made ({@link #write(Storage, long, Payload)}).
   */
  public static byte[] image(Ledger ledger, long seq) {
    byte[] b = image(ledger, seq, startingSize(ledger));
    ledger.imageBytes(b.length);
    return b;
  }

  /** {@link #image(Ledger, long)} into a buffer of {@code sizeHint} bytes to start with. */
  static byte[] image(Ledger ledger, long seq, int sizeHint) {
    return image(seq, ledger::snapshot, sizeHint);
  }

  /**
   * The framed image of {@code payload} as of record {@code seq}, whole in one array (tests keep what
   * a sink is given).
   */
  static byte[] image(long seq, Payload payload, int sizeHint) {
    CommandCodec.Output whole = new CommandCodec.Output(Math.max(1 << 16, sizeHint));
    frame(seq, payload, whole::raw, MAX_IMAGE_BYTES);
    return whole.array().length == whole.size() ? whole.array() : java.util.Arrays.copyOf(whole.array(), whole.size());
  }

  /**
   * Frames {@code payload} as the image of record {@code seq} and hands it to {@code to} a piece at a
   * time as it is made, the checksum last; returns the image's length. A drain's failure is thrown
   * from here as the drain threw it; an image past {@code maxBytes}, as an {@link UncheckedIOException}.
   */
  private static long frame(long seq, Payload payload, CommandCodec.Output.Drain to, long maxBytes) {
    CRC32C crc = new CRC32C();
    long[] made = {0};
    CommandCodec.Output out = CommandCodec.Output.draining(PIECE_BYTES, (b, offset, length) -> {
      if (made[0] + length + 4 > maxBytes) {
        throw new UncheckedIOException(new IOException("the snapshot image at record " + seq + " passes "
            + maxBytes + " bytes, the most a start can read back: not written"));
      }
      crc.update(b, offset, length);
      to.drain(b, offset, length);
      made[0] += length;
    });
    out.i32(MAGIC).i64(seq);
    payload.writeTo(out);
    out.i64(out.position() - HEADER_BYTES);
    out.flush();
    byte[] checksum = ByteBuffer.allocate(4).putInt((int) crc.getValue()).array();
    to.drain(checksum, 0, checksum.length);
    return made[0] + checksum.length;
  }

  /**
   * Writes the image of {@code payload} as of record {@code seq} durably as it is made, on this
   * thread (the one that owns the ledger the payload writes), then deletes older snapshots and the
   * journal segments it covers; returns the image's length in bytes. A write that fails at any step
   * before the snapshot is in place removes its temporary file.
   */
  public static long write(Storage storage, long seq, Payload payload) throws IOException {
    return write(storage, seq, payload, MAX_IMAGE_BYTES);
  }

  /** {@link #write(Storage, long, Payload)} of an image of at most {@code maxBytes}. */
  static long write(Storage storage, long seq, Payload payload, long maxBytes) throws IOException {
    long[] length = {0};
    writeFile(storage, seq, f -> {
      long[] unforced = {0};
      try {
        length[0] = frame(seq, payload, (b, offset, n) -> {
          try {
            // Forced as it goes: a journal force waits for the file system's dirty data, and an image of a
            // million insured is over a hundred MB; at most a MB at a time keeps each wait short (RocksDB's
            // bytes_per_sync).
            if (unforced[0] > 0 && unforced[0] + n > SYNC_BYTES) {
              f.force();
              unforced[0] = 0;
            }
            f.append(b, offset, n);
            unforced[0] += n;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }, maxBytes);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      f.force();
    });
    return length[0];
  }

  /**
   * Writes an image made whole ({@link #image(Ledger, long)}) durably, then deletes older snapshots
   * and the journal segments it covers; as {@link #write(Storage, long, Payload)}.
   */
  public static void write(Storage storage, long seq, byte[] image) throws IOException {
    writeFile(storage, seq, f -> {
      for (int at = 0; at < image.length; at += SYNC_BYTES) {
        f.append(image, at, Math.min(SYNC_BYTES, image.length - at));
        f.force();
      }
      if (image.length == 0) {
        f.force();
      }
    });
  }

  /** Writes and forces a snapshot's temporary file. */
  private interface Body {
    void writeTo(Storage.AppendFile f) throws IOException;
  }

  private static void writeFile(Storage storage, long seq, Body body) throws IOException {
    String name = name(seq);
    String tmp = name + ".tmp";
    try {
      storage.delete(tmp);
      try (Storage.AppendFile f = storage.create(tmp)) {
        body.writeTo(f);
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
        if (checks == Checks.AFTER_START && image.length >= 4 && ByteBuffer.wrap(image).getInt(0) == MAGIC) {
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
      // writer. Writing it out once here (to nowhere) finds that while an older snapshot can still be used.
      ledger.snapshot(CommandCodec.Output.draining(PIECE_BYTES, (b, offset, length) -> {}));
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
    int magic = ByteBuffer.wrap(image).getInt(0);
    int start = payloadStart(magic);
    ByteBuffer payload = ByteBuffer.wrap(image, start, image.length - start - (magic == MAGIC ? TRAILER_BYTES : 0))
        .slice();
    checkAccounts(payload.duplicate(), start);
    try {
      Ledger.Restored restored = Ledger.restore(payload, formatOf(magic), window, listener);
      restored.ledger().imageBytes(image.length);
      return restored;
    } catch (RuntimeException e) {
      throw new CorruptSnapshotException("cannot be decoded: " + e, start + payload.position(), e);
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
    // Compared a piece at a time as it is made: no second image in memory.
    long[] differs = {-1};
    long[] at = {0};
    long length;
    try {
      length = frame(seq, ledger::snapshot, (b, offset, n) -> {
        if (differs[0] < 0) {
          int from = (int) Math.min(image.length, at[0]);
          int mismatch = from == image.length ? 0
              : java.util.Arrays.mismatch(b, offset, offset + n, image, from, (int) Math.min(image.length, at[0] + n));
          if (mismatch >= 0) {
            differs[0] = at[0] + mismatch;
          }
        }
        at[0] += n;
      }, MAX_IMAGE_BYTES);
    } catch (RuntimeException e) {
      throw new CorruptSnapshotException("decoded into a ledger that cannot be written out again: " + e,
          image.length, e);
    }
    if (differs[0] < 0 && length != image.length) {
      differs[0] = Math.min(length, image.length);
    }
    if (differs[0] >= 0) {
      throw new CorruptSnapshotException("decoded into a ledger that writes out differently"
          + (length != image.length ? " (" + length + " bytes against " + image.length + ")" : ""), differs[0], null);
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
  private static void checkAccounts(ByteBuffer payload, int start) throws CorruptSnapshotException {
    int accounts;
    try {
      payload.getLong();
      CommandCodec.varlong(payload);
      CommandCodec.varlong(payload);
      accounts = CommandCodec.varint(payload);
    } catch (RuntimeException e) {
      throw new CorruptSnapshotException("cannot be decoded: " + e, start + payload.position(), e);
    }
    if (accounts > payload.remaining() / 9) {
      throw new CorruptSnapshotException("count of " + accounts + " accounts with " + payload.remaining()
          + " bytes left", start + payload.position(), null);
    }
  }

  /** Where the payload starts in an image with {@code magic}, a format's magic. */
  static int payloadStart(int magic) {
    return magic == MAGIC ? HEADER_BYTES : EARLIER_HEADER_BYTES;
  }

  private static String check(byte[] b, long seq) {
    requireNonNull(b, "b");
    if (b.length < 4) {
      return "shorter than its header";
    }
    ByteBuffer h = ByteBuffer.wrap(b);
    int magic = h.getInt(0);
    if (formatOf(magic) < 0) {
      return "bad magic";
    }
    int frame = magic == MAGIC ? HEADER_BYTES + TRAILER_BYTES : EARLIER_HEADER_BYTES;
    if (b.length < frame) {
      return "shorter than its frame";
    }
    if (h.getLong(4) != seq) {
      return "sequence " + h.getLong(4) + " does not match its name";
    }
    int lengthAt = magic == MAGIC ? b.length - TRAILER_BYTES : 12;
    if (h.getLong(lengthAt) != b.length - frame) {
      return "length " + h.getLong(lengthAt) + " but " + (b.length - frame) + " bytes";
    }
    return h.getInt(magic == MAGIC ? b.length - 4 : 20) == crc(b, magic) ? null : "checksum mismatch";
  }

  /** The checksum a frame with {@code magic} should carry: over the frame's fields and payload, not itself. */
  static int crc(byte[] b, int magic) {
    CRC32C crc = new CRC32C();
    if (magic == MAGIC) {
      crc.update(b, 0, b.length - 4);
    } else {
      crc.update(b, 0, 20);
      crc.update(b, EARLIER_HEADER_BYTES, b.length - EARLIER_HEADER_BYTES);
    }
    return (int) crc.getValue();
  }
}
