package gongji.server.ledger;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import gongji.server.ledger.storage.Storage;
import java.io.IOException;

/**
 * The durable journal: framed records ({@link JournalFormat}) appended to segment files, one
 * {@code force} per batch.
 *
 * <p>{@link #append} only encodes into a batch buffer; {@link #force} ends the batch with a commit
 * frame, writes the whole batch with one append and forces the file, so a batch costs one write and
 * one fsync however many commands it holds (group commit). The commit frame, last in the write, is
 * what lets recovery tell a torn write (never acknowledged) from damage to an acknowledged record.
 * A segment that grew past {@code maxSegmentBytes} is closed after a force and the next batch
 * starts a new one; a new segment is made durable in the directory before anything is written to
 * it, and then the manifest is rewritten to name it, so that a lost newest segment is noticed.
 *
 * <p>{@link #force} is {@link #write} (commit frame, one append to the segment) then
 * {@link #forceWritten} (fsync, and the segment roll), and the sequencer may call the two on
 * different threads ({@link #forcesOffTheWriter}). What runs concurrently then is only
 * {@link #append} (the sequencer thread encoding the next batch into {@code batch}, which
 * {@link #forceWritten} never reads) with {@link #forceWritten} (the segment's fsync, and a roll that
 * replaces {@code segment}). {@link #write}, the one other user of the segment, comes only after the
 * previous {@link #forceWritten} returned (the sequencer's contract, {@link Journal#write}), which is
 * also what orders the fields they share. So a roll happens, as before, right after the force of the
 * segment's last batch, and a new segment never appears while an older one holds unforced bytes
 * (recovery takes a torn tail only at the end of the newest segment). The new segment is named
 * after the last record written, not after {@code nextSeq}, which the next batch's appends may
 * already have moved.
 *
 * <p>A command that cannot be encoded (a bug) throws from {@link #append} and leaves nothing of itself
 * in the batch. After any I/O failure the journal is poisoned: every later call throws. A failed fsync may
 * have lost data that a later fsync would claim as written, so nothing may be acknowledged after
 * it; the process must restart and recover from what is really on disk.
 */
public final class FileJournal implements Journal {
  private final Storage storage;
  private final long maxSegmentBytes;
  private final CommandCodec.Output batch = new CommandCodec.Output(64 * 1024);
  /** Written by {@link #write}; forced, and replaced by a roll, in {@link #forceWritten}. */
  private Storage.AppendFile segment;
  private long nextSeq;
  /** The sequence number of the first record in the batch being built. */
  private long batchFirstSeq;
  /** The sequence number of the last record written to a segment. */
  private long writtenSeq;
  /** Whether the segment holds a write not forced yet. */
  private boolean unforced;
  private volatile IOException poisoned;

  /**
   * Opens a journal that writes a new segment starting at {@code nextSeq} (one past the last
   * recovered record).
   */
  public FileJournal(Storage storage, long nextSeq, long maxSegmentBytes) throws IOException {
    this(storage, nextSeq, maxSegmentBytes, null);
  }

  /**
   * The same, after records an operator accepted as lost: the new segment starts with a loss frame
   * that names them (none when {@code lost} is null).
   */
  public FileJournal(Storage storage, long nextSeq, long maxSegmentBytes, JournalRecovery.Loss lost)
      throws IOException {
    this.storage = requireNonNull(storage, "storage");
    checkArgument(nextSeq >= 1, "nextSeq: %s (expected: >= 1)", nextSeq);
    checkArgument(maxSegmentBytes >= 4096, "maxSegmentBytes: %s (expected: >= 4096)", maxSegmentBytes);
    checkArgument(lost == null || lost.throughSeq() == nextSeq - 1, "lost: %s (expected: through record %s)", lost,
        nextSeq - 1);
    this.maxSegmentBytes = maxSegmentBytes;
    this.nextSeq = nextSeq;
    this.writtenSeq = nextSeq - 1;
    openSegment(nextSeq, lost);
  }

  /** The sequence number the next appended record will get. */
  public long nextSeq() {
    return nextSeq;
  }

  @Override
  public long lastSeq() {
    return nextSeq - 1;
  }

  @Override
  public void append(Command command, long atMillis) throws IOException {
    checkHealthy();
    int start = batch.size();
    if (start == 0) {
      batchFirstSeq = nextSeq;
    }
    batch.i32(JournalFormat.MAGIC).i32(0).i64(nextSeq).i64(atMillis).i32(0);
    try {
      CommandCodec.encode(command, batch);
    } catch (RuntimeException e) {
      // A half-written record in the batch would be forced with the next one and read back as damage
      // in the middle of the journal, which recovery refuses: take it out, keep the number.
      batch.truncate(start);
      throw e;
    }
    int length = batch.size() - start - JournalFormat.HEADER_BYTES;
    batch.putI32(start + 4, length);
    batch.putI32(start + JournalFormat.CRC_OFFSET, JournalFormat.crc(batch.array(), start, length));
    nextSeq++;
  }

  @Override
  public void force() throws IOException {
    write();
    forceWritten();
  }

  @Override
  public boolean forcesOffTheWriter() {
    return true;
  }

  @Override
  public void write() throws IOException {
    checkHealthy();
    if (batch.size() == 0) {
      return;
    }
    try {
      JournalFormat.commit(batch, batchFirstSeq, nextSeq - 1);
      segment.append(batch.array(), 0, batch.size());
      batch.reset();
      writtenSeq = nextSeq - 1;
      unforced = true;
    } catch (IOException | RuntimeException e) {
      throw poison(e);
    }
  }

  @Override
  public void forceWritten() throws IOException {
    checkHealthy();
    if (!unforced) {
      return;
    }
    try {
      segment.force();
      unforced = false;
      if (segment.size() >= maxSegmentBytes) {
        segment.close();
        openSegment(writtenSeq + 1, null);
      }
    } catch (IOException | RuntimeException e) {
      throw poison(e);
    }
  }

  private IOException poison(Exception e) {
    IOException io = e instanceof IOException x ? x : new IOException(e);
    poisoned = io;
    return io;
  }

  /** Starts the segment whose first record will be {@code firstSeq}. */
  private void openSegment(long firstSeq, JournalRecovery.Loss lost) throws IOException {
    String name = JournalFormat.segmentName(firstSeq);
    if (storage.list().contains(name)) {
      // Left by an earlier run that stopped before writing a whole record to it: recovery found no
      // record at or after firstSeq in it, so it holds nothing.
      storage.delete(name);
    }
    segment = storage.create(name);
    if (lost != null) {
      CommandCodec.Output frame = new CommandCodec.Output(JournalFormat.LOSS_BYTES);
      JournalFormat.loss(frame, lost.fromSeq(), lost.throughSeq(), lost.atMillis());
      segment.append(frame.array(), 0, frame.size());
      segment.force();
    }
    storage.syncDirectory();
    writeManifest(storage, firstSeq);
  }

  /** Replaces the manifest with one naming the segment that starts at {@code newestFirstSeq}, durably. */
  static void writeManifest(Storage storage, long newestFirstSeq) throws IOException {
    String tmp = JournalFormat.MANIFEST + ".tmp";
    storage.delete(tmp);
    byte[] manifest = JournalFormat.manifest(newestFirstSeq);
    try (Storage.AppendFile f = storage.create(tmp)) {
      f.append(manifest, 0, manifest.length);
      f.force();
    }
    storage.rename(tmp, JournalFormat.MANIFEST);
    storage.syncDirectory();
  }

  private void checkHealthy() throws IOException {
    if (poisoned != null) {
      throw new IOException("journal failed earlier; restart to recover from disk", poisoned);
    }
  }

  @Override
  public void close() throws IOException {
    if (segment != null) {
      segment.close();
      segment = null;
    }
  }
}
