package gongji.server.ledger;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import gongji.server.ledger.storage.Storage;
import java.io.IOException;

/**
 * The durable journal: framed records ({@link JournalFormat}) appended to segment files, one
 * {@code force} per batch.
 *
 * <p>{@link #append} only encodes into a batch buffer; {@link #force} writes the whole batch with
 * one append and forces the file, so a batch costs one write and one fsync however many commands it
 * holds (group commit). A segment that grew past {@code maxSegmentBytes} is closed after a force and
 * the next batch starts a new one; a new segment is made durable in the directory before anything
 * is written to it.
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
  private Storage.AppendFile segment;
  private long nextSeq;
  private IOException poisoned;

  /**
   * Opens a journal that writes a new segment starting at {@code nextSeq} (one past the last
   * recovered record).
   */
  public FileJournal(Storage storage, long nextSeq, long maxSegmentBytes) throws IOException {
    this.storage = requireNonNull(storage, "storage");
    checkArgument(nextSeq >= 1, "nextSeq: %s (expected: >= 1)", nextSeq);
    checkArgument(maxSegmentBytes >= 4096, "maxSegmentBytes: %s (expected: >= 4096)", maxSegmentBytes);
    this.maxSegmentBytes = maxSegmentBytes;
    this.nextSeq = nextSeq;
    openSegment();
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
    checkHealthy();
    if (batch.size() == 0) {
      return;
    }
    try {
      segment.append(batch.array(), 0, batch.size());
      segment.force();
      batch.reset();
      if (segment.size() >= maxSegmentBytes) {
        segment.close();
        openSegment();
      }
    } catch (IOException | RuntimeException e) {
      poisoned = e instanceof IOException io ? io : new IOException(e);
      throw poisoned;
    }
  }

  private void openSegment() throws IOException {
    String name = JournalFormat.segmentName(nextSeq);
    if (storage.list().contains(name)) {
      // Left by an earlier run that stopped before writing a whole record to it: recovery found no
      // record at or after nextSeq in it, so it holds nothing.
      storage.delete(name);
    }
    segment = storage.create(name);
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
