package gongji.server.history;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.ReconcileGroup;
import gongji.server.ledger.HistoryCodec;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryRecord;
import gongji.server.ledger.HistoryStore;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Result;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * History on disk, in an embedded RocksDB: the one class that uses RocksDB.
 *
 * <p>Why RocksDB: a well-kept embedded store (an LSM tree, as TigerBeetle's forest) with atomic write
 * batches, prefix iteration over sorted keys, a write-ahead log with fsync, and checkpoints for
 * backups; its Java binding is on Maven Central with the native library for this platform.
 *
 * <p>Keys, all big-endian so that they sort as numbers:
 *
 * <pre>
 * "M" "f"                                   format of this store (int)
 * "M" "a"                                   journal sequence number history has applied (long)
 * "M" "n"                                   the number of the next record (long)
 * "U" len:u16 psnNo  record:u64             a usage record, once under each party
 * "S" len:u16 institution day:u64 index:u64   the day's n-th settlement-side event (from 0), in order
 * "T" len:u16 institution day:u64           the day's totals: settlements[5], refunds[5] (longs)
 * "G" len:u16 institution day:u64 insutype:u32 clrType:u32 setlOptins (UTF-8)
 *                                           the same for one reconciliation group of the day
 * "A" seq:u64                               an alert
 * "M" "s"                                   the writer's sweeps history has applied (long)
 * "R" key (UTF-8)                           the latest image of a request entry the writer let go of
 * "Q" day:u64 key (UTF-8)                   (empty) the request images by the day of their request
 * "X" txnId (UTF-8)                         the latest image of a sale the writer let go of
 * "w" transferId (UTF-8)                    the latest record of a wallet transfer
 * "v" len:u16 psnNo number:u64              the same, once under each party, by transfer number
 * </pre>
 *
 * Images are looked up by key before a command reaches the writer, almost always for a key that is
 * not there (a new request id): each table and each memtable keeps a Bloom filter over whole keys,
 * so that such a miss reads no block and walks no skip list.
 * A request image is of no use once its request is older than the idempotency window (the writer
 * ignores it): each sweep's record deletes those of days past {@code requestRetention}, at most
 * {@value #MAX_PURGED_PER_APPLY} per write, checking that the image under the key is still the old
 * one (an id past the window may have been used again).
 *
 * Values are {@link HistoryCodec} records. Every {@link #apply} is one write batch with the new
 * applied sequence number, atomic, and written without RocksDB's own write-ahead log: the journal
 * is the write-ahead log, so a second one would write every record twice more and force it again.
 * A batch is durable once a memtable holding it is flushed to a table file: by RocksDB when the
 * memtable fills, and by {@link #flush} before each snapshot and at {@link #close}. A crash loses
 * whole batches after the last flush only (one column family: a write batch lies in one memtable,
 * and a flush writes whole memtables), and the applied number read at open says where the store
 * stands; recovery applies the rest again from the journal. Totals are kept
 * per institution-day and per group of it as records arrive, so that Reconcile reads one key and the
 * day's few groups however busy the day was (events of format 2 had no group: a day's totals less
 * its groups' are answered as the ungrouped part);
 * a day's events are numbered from 0 (their count so far, from the totals), so that a page of detail
 * seeks straight to its first line.
 */
public final class RocksHistoryStore implements HistoryStore {
  private static final byte[] FORMAT_KEY = {'M', 'f'};
  private static final byte[] APPLIED_KEY = {'M', 'a'};
  private static final byte[] NEXT_KEY = {'M', 'n'};
  private static final byte[] SWEEPS_KEY = {'M', 's'};
  /** Request images deleted at most per write, so that a busy day's purge never makes one huge batch. */
  static final int MAX_PURGED_PER_APPLY = 20_000;
  /**
   * A memtable's Bloom filter, as a share of its size (RocksDB's {@code memtable_prefix_bloom_size_ratio},
   * here over whole keys): 1.3 MB for a 64 MB memtable, 10 bits a key for entries of 64 bytes or more.
   * Without it a miss walked the skip list of the memtable, which holds every history record since
   * the last flush: in the closed-loop sale, the look-ups before the writer were 6.2% of the server's
   * CPU samples, the memtable's part 2.3%; with it, 5.3% and 0.9%.
   */
  static final double MEMTABLE_BLOOM_RATIO = 0.02;
  /** How long request images are kept by default: the gateway's idempotency window and a day. */
  public static final Duration DEFAULT_REQUEST_RETENTION = Duration.ofDays(36);

  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final Options options;
  private final WriteOptions unlogged;
  private final RocksDB db;
  private volatile long appliedSeq;
  private volatile long sweeps;
  private long nextRecord;
  private final long requestRetentionDays;

  private RocksHistoryStore(Path dir, Options options, WriteOptions unlogged, RocksDB db, Duration requestRetention)
      throws RocksDBException {
    this.requestRetentionDays = Math.max(1, requestRetention.toDays());
    this.dir = dir;
    this.options = options;
    this.unlogged = unlogged;
    this.db = db;
    this.appliedSeq = getLong(APPLIED_KEY);
    this.nextRecord = Math.max(1, getLong(NEXT_KEY));
    this.sweeps = getLong(SWEEPS_KEY);
  }

  /** Opens (or creates) the store in {@code dir}; refuses a store of another format with a clear message. */
  public static RocksHistoryStore open(Path dir) throws IOException {
    return open(dir, DEFAULT_REQUEST_RETENTION);
  }

  /**
   * The same, deleting request images whose request is older than {@code requestRetention} (at
   * least the idempotency window; whole days).
   */
  public static RocksHistoryStore open(Path dir, Duration requestRetention) throws IOException {
    requireNonNull(dir, "dir");
    requireNonNull(requestRetention, "requestRetention");
    Files.createDirectories(dir);
    Options options = new Options().setCreateIfMissing(true).setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setKeepLogFileNum(4).setMaxTotalWalSize(64L << 20)
        .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(new BloomFilter(10)))
        .setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO).setMemtableWholeKeyFiltering(true);
    WriteOptions durable = new WriteOptions().setSync(true);
    // Batches go to the memtable only (see the class comment): durable at the next flush.
    WriteOptions unlogged = new WriteOptions().setDisableWAL(true);
    RocksDB db = null;
    try {
      db = RocksDB.open(options, dir.toString());
      byte[] format = db.get(FORMAT_KEY);
      int was = format == null ? 0 : ByteBuffer.wrap(format).getInt();
      if (format == null || was == HistoryCodec.FORMAT_WITHOUT_IMAGES || was == HistoryCodec.FORMAT_WITHOUT_GROUPS
          || was == HistoryCodec.FORMAT_WITHOUT_NAMING_ALERTS) {
        // New, or of a format before images, groups or naming alerts: those only lack kinds of record and
        // keys; they move up as they are (their settlement-side events stay ungrouped: there is nothing to
        // group them by; their alerts name nobody but the person).
        db.put(durable, FORMAT_KEY, ByteBuffer.allocate(4).putInt(HistoryCodec.FORMAT).array());
      } else if (ByteBuffer.wrap(format).getInt() != HistoryCodec.FORMAT) {
        throw new IOException("history store " + dir + " has format " + ByteBuffer.wrap(format).getInt()
            + " (expected: " + HistoryCodec.FORMAT + "); written by another version. Move it aside: it is rebuilt"
            + " from the journal if the journal still holds every record since the oldest snapshot");
      }
      durable.close();
      return new RocksHistoryStore(dir, options, unlogged, db, requestRetention);
    } catch (RocksDBException | IOException | RuntimeException e) {
      if (db != null) {
        db.close();
      }
      durable.close();
      unlogged.close();
      options.close();
      if (e instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot open the history store in " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public long appliedSeq() {
    return appliedSeq;
  }

  @Override
  public synchronized void apply(long throughSeq, List<HistoryRecord> records) throws IOException {
    if (throughSeq <= appliedSeq) {
      return;
    }
    long next = nextRecord;
    long swept = sweeps;
    // The totals this write changes (a day's, a group's), by key: read once, written once at the end.
    Map<ByteBuffer, long[]> totals = new HashMap<>();
    java.util.Set<String> imagedNow = new java.util.HashSet<>();
    try (WriteBatch batch = new WriteBatch()) {
      for (HistoryRecord r : records) {
        byte[] value = r instanceof HistoryRecord.RequestImage || r instanceof HistoryRecord.SaleImage
            || r instanceof HistoryRecord.Swept ? null : HistoryCodec.encode(r);
        if (r instanceof HistoryRecord.Usage u) {
          batch.put(key('U', u.usage().authorizerPsnNo(), -1, next), value);
          if (!u.usage().beneficiaryPsnNo().equals(u.usage().authorizerPsnNo())) {
            batch.put(key('U', u.usage().beneficiaryPsnNo(), -1, next), value);
          }
        } else if (r instanceof HistoryRecord.Settlement s) {
          long day = Ledger.localDay(s.line().atMillis());
          long[] t = totals(totals, key('T', s.institution(), day, -1));
          batch.put(key('S', s.institution(), day, t[0] + t[5]), value);
          add(s, t, s.settles() ? 0 : 5);
          add(s, totals(totals, groupKey(s.institution(), day, s.line().group())), s.settles() ? 0 : 5);
        } else if (r instanceof HistoryRecord.RequestImage i) {
          batch.put(imageKey('R', i.key()), i.image());
          batch.put(dayKey(Ledger.localDay(i.atMillis()), i.key()), EMPTY);
          imagedNow.add(i.key());
        } else if (r instanceof HistoryRecord.SaleImage i) {
          batch.put(imageKey('X', i.txnId()), i.image());
        } else if (r instanceof HistoryRecord.WalletTransfer w) {
          Result.WalletTransferView t = w.transfer();
          long number = Ledger.number(t.transferId());
          batch.put(imageKey('w', t.transferId()), value);
          batch.put(key('v', t.authorizerPsnNo(), -1, number), value);
          batch.put(key('v', t.beneficiaryPsnNo(), -1, number), value);
        } else if (r instanceof HistoryRecord.Swept w) {
          swept = Math.max(swept, w.sweeps());
          batch.put(SWEEPS_KEY, longBytes(swept));
          purgeRequests(batch, Ledger.localDay(w.atMillis()) - requestRetentionDays, imagedNow);
        } else {
          batch.put(alertKey(((HistoryRecord.Alert) r).alert().seq()), value);
        }
        next++;
      }
      for (Map.Entry<ByteBuffer, long[]> t : totals.entrySet()) {
        batch.put(t.getKey().array(), writeTotals(t.getValue()));
      }
      batch.put(APPLIED_KEY, longBytes(throughSeq));
      batch.put(NEXT_KEY, longBytes(next));
      db.write(unlogged, batch);
    } catch (RocksDBException e) {
      throw new IOException("history store write failed in " + dir + ": " + e.getMessage(), e);
    }
    nextRecord = next;
    sweeps = swept;
    appliedSeq = throughSeq;
  }

  @Override
  public long sweeps() {
    return sweeps;
  }

  @Override
  public byte[] requestImage(String key) throws IOException {
    return get(imageKey('R', key));
  }

  @Override
  public byte[] saleImage(String txnId) throws IOException {
    return get(imageKey('X', txnId));
  }

  @Override
  public byte[] transferImage(String transferId) throws IOException {
    return get(imageKey('w', transferId));
  }

  private byte[] get(byte[] key) throws IOException {
    try {
      return db.get(key);
    } catch (RocksDBException e) {
      throw new IOException("history store read failed in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static final byte[] EMPTY = {};

  /**
   * Deletes, in {@code batch}, request images of days before {@code beforeDay} (at most
   * {@link #MAX_PURGED_PER_APPLY}; the next sweep goes on), unless the key holds a newer image.
   */
  private void purgeRequests(WriteBatch batch, long beforeDay, java.util.Set<String> imagedNow)
      throws RocksDBException {
    if (beforeDay <= 0) {
      return;
    }
    int purged = 0;
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
      for (it.seek(new byte[] {'Q'}); it.isValid() && purged < MAX_PURGED_PER_APPLY; it.next()) {
        byte[] k = it.key();
        if (k[0] != 'Q' || ByteBuffer.wrap(k, 1, 8).getLong() >= beforeDay) {
          break;
        }
        byte[] imageKey = new byte[k.length - 8];
        imageKey[0] = 'R';
        System.arraycopy(k, 9, imageKey, 1, k.length - 9);
        // Not an image this very write puts (the batch is not read back), nor a newer one already there.
        byte[] image = imagedNow.contains(new String(imageKey, 1, imageKey.length - 1, StandardCharsets.UTF_8))
            ? null : db.get(imageKey);
        if (image != null && Ledger.localDay(HistoryCodec.requestAtMillis(image)) < beforeDay) {
          batch.delete(imageKey);
        }
        batch.delete(k);
        purged++;
      }
    }
  }

  private static byte[] dayKey(long day, String key) {
    byte[] n = key.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(9 + n.length).put((byte) 'Q').putLong(day).put(n).array();
  }

  private static byte[] imageKey(char kind, String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] k = new byte[n.length + 1];
    k[0] = (byte) kind;
    System.arraycopy(n, 0, k, 1, n.length);
    return k;
  }

  /** The totals under {@code key} as this write has them so far: read from the store the first time. */
  private long[] totals(Map<ByteBuffer, long[]> changed, byte[] key) throws RocksDBException {
    ByteBuffer k = ByteBuffer.wrap(key);
    long[] t = changed.get(k);
    if (t == null) {
      t = readTotals(key);
      changed.put(k, t);
    }
    return t;
  }

  private static void add(HistoryRecord.Settlement s, long[] t, int at) {
    t[at]++;
    t[at + 1] += s.line().totalFen();
    t[at + 2] += s.line().ownFen();
    t[at + 3] += s.line().aidFen();
    t[at + 4] += s.line().cashFen();
  }

  @Override
  public Result answer(HistoryQuery query) throws IOException {
    try {
      if (query instanceof HistoryQuery.Usage q) {
        HistoryAnswers.UsagePage page = new HistoryAnswers.UsagePage(q);
        scan(prefix('U', q.psnNo(), -1), value -> page.offer(((HistoryRecord.Usage) HistoryCodec.decode(value)).usage()));
        return page.result();
      }
      if (query instanceof HistoryQuery.Reconcile q) {
        long[] t = readTotals(key('T', q.institution(), q.dayEpoch(), -1));
        long[] ungrouped = t.clone();
        List<Result.GroupTotals> groups = new ArrayList<>();
        byte[] day = prefix('G', q.institution(), q.dayEpoch());
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
          for (it.seek(day); it.isValid() && startsWith(it.key(), day); it.next()) {
            long[] g = new long[10];
            ByteBuffer.wrap(it.value()).asLongBuffer().get(g);
            for (int i = 0; i < g.length; i++) {
              ungrouped[i] -= g[i];
            }
            groups.add(new Result.GroupTotals(group(it.key(), day.length), Arrays.copyOfRange(g, 0, 5),
                Arrays.copyOfRange(g, 5, 10)));
          }
        }
        if (ungrouped[0] != 0 || ungrouped[5] != 0) {
          groups.add(new Result.GroupTotals(ReconcileGroup.UNGROUPED, Arrays.copyOfRange(ungrouped, 0, 5),
              Arrays.copyOfRange(ungrouped, 5, 10)));
        }
        groups.sort(java.util.Comparator.comparing(Result.GroupTotals::group));
        return new Result.Reconciliation(q.institution(), q.dayEpoch(), Arrays.copyOfRange(t, 0, 5),
            Arrays.copyOfRange(t, 5, 10), List.copyOf(groups));
      }
      if (query instanceof HistoryQuery.ReconcileDetail q) {
        List<Result.ReconcileLine> lines = new ArrayList<>();
        boolean more = false;
        byte[] day = prefix('S', q.institution(), q.dayEpoch());
        // Of every group, a page seeks to its first line; of some, the day's lines before it are read
        // and skipped (the lines of a group are not numbered on their own).
        boolean some = q.group().namesAGroup();
        int skip = some ? Math.max(0, q.offset()) : 0;
        try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
          for (it.seek(key('S', q.institution(), q.dayEpoch(), some ? 0 : Math.max(0, q.offset()))); it.isValid();
              it.next()) {
            if (!startsWith(it.key(), day)) {
              break;
            }
            Result.ReconcileLine line = ((HistoryRecord.Settlement) HistoryCodec.decode(it.value())).line();
            if (some && !q.group().takes(line.group())) {
              continue;
            }
            if (skip > 0) {
              skip--;
              continue;
            }
            if (lines.size() == q.limit()) {
              more = true;
              break;
            }
            lines.add(line);
          }
        }
        return new Result.ReconcileLines(List.copyOf(lines), more);
      }
      if (query instanceof HistoryQuery.WalletTransfers q) {
        // Newest first: from the last number below the page's bound, backwards through the person's.
        HistoryAnswers.TransferPage page = new HistoryAnswers.TransferPage(q);
        byte[] of = prefix('v', q.psnNo(), -1);
        if (q.beforeNumber() > 0) {
          try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
            for (it.seekForPrev(key('v', q.psnNo(), -1, q.beforeNumber() - 1)); it.isValid(); it.prev()) {
              if (!startsWith(it.key(), of)
                  || !page.offer(((HistoryRecord.WalletTransfer) HistoryCodec.decode(it.value())).transfer())) {
                break;
              }
            }
          }
        }
        return page.result();
      }
      HistoryQuery.Alerts q = (HistoryQuery.Alerts) query;
      List<Result.Alert> alerts = new ArrayList<>();
      try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
        for (it.seek(alertKey(Math.max(0, q.afterSeq()) + 1)); it.isValid() && alerts.size() < q.limit(); it.next()) {
          if (it.key()[0] != 'A') {
            break;
          }
          alerts.add(((HistoryRecord.Alert) HistoryCodec.decode(it.value())).alert());
        }
      }
      return new Result.Alerts(List.copyOf(alerts));
    } catch (RocksDBException e) {
      throw new IOException("history store read failed in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Visits the values under a key prefix in key order while {@code visit} returns true. */
  private void scan(byte[] prefix, Visitor visit) {
    try (ReadOptions ro = new ReadOptions(); RocksIterator it = db.newIterator(ro)) {
      for (it.seek(prefix); it.isValid(); it.next()) {
        byte[] k = it.key();
        if (!startsWith(k, prefix) || !visit.visit(it.value())) {
          break;
        }
      }
    }
  }

  private interface Visitor {
    boolean visit(byte[] value);
  }

  // ---- keys ---------------------------------------------------------------------------------

  /** {@code kind len name [day] [record]}: a day or record of -1 is left out. */
  private static byte[] key(char kind, String name, long day, long record) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(3 + n.length + (day >= 0 ? 8 : 0) + (record >= 0 ? 8 : 0));
    b.put((byte) kind).putShort((short) n.length).put(n);
    if (day >= 0) {
      b.putLong(day);
    }
    if (record >= 0) {
      b.putLong(record);
    }
    return b.array();
  }

  private static byte[] groupKey(String institution, long day, ReconcileGroup group) {
    byte[] p = prefix('G', institution, day);
    byte[] optins = group.setlOptins().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(p.length + 8 + optins.length).put(p).putInt(group.insutype()).putInt(group.clrType())
        .put(optins).array();
  }

  private static ReconcileGroup group(byte[] groupKey, int prefixLength) {
    ByteBuffer b = ByteBuffer.wrap(groupKey, prefixLength, groupKey.length - prefixLength);
    int insutype = b.getInt();
    int clrType = b.getInt();
    return new ReconcileGroup(insutype, clrType, new String(groupKey, prefixLength + 8,
        groupKey.length - prefixLength - 8, StandardCharsets.UTF_8));
  }

  private static byte[] prefix(char kind, String name, long day) {
    return key(kind, name, day, -1);
  }

  private static byte[] alertKey(long seq) {
    return ByteBuffer.allocate(9).put((byte) 'A').putLong(seq).array();
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  private long[] readTotals(byte[] key) throws RocksDBException {
    byte[] v = db.get(key);
    long[] t = new long[10];
    if (v != null) {
      ByteBuffer.wrap(v).asLongBuffer().get(t);
    }
    return t;
  }

  private static byte[] writeTotals(long[] t) {
    ByteBuffer b = ByteBuffer.allocate(80);
    b.asLongBuffer().put(t);
    return b.array();
  }

  private long getLong(byte[] key) throws RocksDBException {
    byte[] v = db.get(key);
    return v == null ? 0 : ByteBuffer.wrap(v).getLong();
  }

  private static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  @Override
  public void flush() throws IOException {
    try (FlushOptions wait = new FlushOptions().setWaitForFlush(true)) {
      db.flush(wait);
    } catch (RocksDBException e) {
      throw new IOException("history store flush failed in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Flushes what was applied (see {@link #flush}), then closes the store. */
  @Override
  public synchronized void close() throws IOException {
    try {
      flush();
    } finally {
      db.close();
      unlogged.close();
      options.close();
    }
  }
}
