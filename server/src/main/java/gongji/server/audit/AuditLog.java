package gongji.server.audit;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * The audit log: one JSON object a line, appended to {@code audit.log} in its directory, for every
 * call that moves money or changes a binding, a person or an institution (what goes in a record is
 * the caller's: see {@code grpc/AuditInterceptor}). The one class that writes audit files.
 *
 * <p>Records are handed over without blocking ({@link #write}) and written by a thread of the log's
 * own, never the ledger's writer nor a transport event loop, every 20 ms in batches with one write each. A
 * caller on a hot path hands over an {@link Entry}, which holds what it saw (immutable objects) and
 * writes its JSON on the log's thread: nothing is formatted on the caller's. The
 * file is rotated when it would pass {@code maxFileBytes} or when China's day changes: it is renamed
 * {@code audit-<yyyyMMdd>-<n>.log} and a new one begun; rotated files are never written again. The
 * queue is bounded: when it is full a record is dropped and counted, and the next line written says
 * how many were dropped. The audit log is forced at rotation and at close, not per record: after a
 * power cut its last moments may be missing (the journal stays the record of what the ledger did).
 */
public final class AuditLog implements AutoCloseable {
  private static final Logger log = Logger.getLogger(AuditLog.class.getName());
  private static final ZoneOffset CHINA = ZoneOffset.ofHours(8);
  static final String CURRENT = "audit.log";
  /** How often the log's thread writes what was handed over. */
  private static final long WRITE_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** Records written in one batch at most. */
  private static final int MAX_BATCH = 4096;

  private final Path dir;
  private final long maxFileBytes;
  private final InstantSource clock;
  private final ObjectMapper json = new ObjectMapper();
  private final BlockingQueue<Entry> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong droppedTotal = new AtomicLong();
  private final Thread thread;
  private volatile boolean closing;
  private FileChannel file;
  private long fileBytes;
  private LocalDate fileDay;

  /** Opens (or goes on with) the audit log in {@code dir}, created if missing. */
  public AuditLog(Path dir, long maxFileBytes, int maxQueued, InstantSource clock) throws IOException {
    checkArgument(maxFileBytes >= 4096, "audit.max.file.bytes: %s (expected: >= 4096)", maxFileBytes);
    this.dir = requireNonNull(dir, "dir");
    this.maxFileBytes = maxFileBytes;
    this.clock = requireNonNull(clock, "clock");
    this.queue = new ArrayBlockingQueue<>(maxQueued);
    Files.createDirectories(dir);
    open();
    this.thread = new Thread(this::run, "gongji-audit");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * A record whose JSON is written on the log's thread: it must hold only what no other thread
   * changes after it is handed over.
   */
  public interface Entry {
    /** Writes the record as one JSON object. */
    void writeTo(JsonGenerator out) throws IOException;
  }

  /** A new, empty record to fill and {@link #write}. */
  public ObjectNode record() {
    return json.createObjectNode();
  }

  /** Hands a record over to be written; never blocks (a full queue drops it, counted). */
  public void write(ObjectNode record) {
    write(out -> json.writeTree(out, record));
  }

  /** Hands an entry over to be written on the log's thread; never blocks (a full queue drops it, counted). */
  public void write(Entry entry) {
    if (!queue.offer(entry)) {
      dropped.incrementAndGet();
      droppedTotal.incrementAndGet();
    }
  }

  /** Records dropped since the log was opened (queue full, or a batch that could not be written). */
  public long droppedTotal() {
    return droppedTotal.get();
  }

  private void open() throws IOException {
    Path current = dir.resolve(CURRENT);
    file = FileChannel.open(current, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    fileBytes = file.size();
    fileDay = LocalDate.ofInstant(Files.exists(current) && fileBytes > 0
        ? Files.getLastModifiedTime(current).toInstant() : clock.instant(), CHINA);
  }

  /**
   * Writes what was handed over every {@link #WRITE_EVERY_NANOS}: the thread is never woken by a
   * record (handing one over signals nobody, so an event loop makes no system call for it), and
   * what arrived in between goes in one batch.
   */
  private void run() {
    List<Entry> batch = new ArrayList<>();
    while (true) {
      boolean last = closing;
      try {
        while (queue.drainTo(batch, MAX_BATCH) > 0) {
          writeBatch(batch);
          batch.clear();
        }
      } catch (IOException | RuntimeException e) {
        log.severe("audit log: cannot write " + batch.size() + " record(s) to " + dir + ": " + e);
        droppedTotal.addAndGet(batch.size());
      } finally {
        batch.clear();
      }
      if (last) {
        return;
      }
      LockSupport.parkNanos(this, WRITE_EVERY_NANOS);
      if (Thread.interrupted()) {
        closing = true;
      }
    }
  }

  /** The lines of a batch not yet written: one write a batch (and one more when the file rotates in it). */
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream(1 << 16);
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);

  private void writeBatch(List<Entry> batch) throws IOException {
    long lost = dropped.getAndSet(0);
    if (lost > 0) {
      ObjectNode note = record().put("time", clock.instant().toString()).put("what", "AUDIT_RECORDS_DROPPED")
          .put("count", lost);
      batch.add(0, out -> json.writeTree(out, note));
      log.warning("audit log: " + lost + " record(s) dropped: the queue was full");
    }
    LocalDate today = LocalDate.ofInstant(clock.instant(), CHINA);
    pending.reset();
    for (Entry e : batch) {
      line.reset();
      try (JsonGenerator out = json.createGenerator(line)) {
        e.writeTo(out);
      } catch (RuntimeException bug) {
        log.severe("audit log: a record could not be written, left out: " + bug);
        continue;
      }
      line.write('\n');
      long written = fileBytes + pending.size();
      if (written > 0 && (written + line.size() > maxFileBytes || !today.equals(fileDay))) {
        appendPending();
        rotate();
      }
      line.writeTo(pending);
    }
    appendPending();
  }

  private void appendPending() throws IOException {
    ByteBuffer b = ByteBuffer.wrap(pending.toByteArray());
    while (b.hasRemaining()) {
      file.write(b);
    }
    fileBytes += pending.size();
    pending.reset();
  }

  private void rotate() throws IOException {
    file.force(true);
    file.close();
    String day = fileDay.toString().replace("-", "");
    int n = 1;
    while (Files.exists(dir.resolve("audit-" + day + "-" + n + ".log"))) {
      n++;
    }
    Files.move(dir.resolve(CURRENT), dir.resolve("audit-" + day + "-" + n + ".log"));
    open();
    fileDay = LocalDate.ofInstant(clock.instant(), CHINA);
  }

  /** Writes what was handed over, forces the file and closes it. */
  @Override
  public void close() throws IOException {
    closing = true;
    LockSupport.unpark(thread);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    file.force(true);
    file.close();
  }
}
