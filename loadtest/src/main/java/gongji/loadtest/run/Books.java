package gongji.loadtest.run;

import com.google.protobuf.InvalidProtocolBufferException;
import gongji.loadtest.run.FiledBytes.In;
import gongji.loadtest.run.FiledBytes.Out;
import gongji.v1.Breakdown;
import gongji.v1.Terminal;
import io.grpc.Status;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Every money-moving request the run sent and every reply it got, kept for the auditor: one
 * {@link Sale} per Authorize, with its Settle, Cancel and Refund, and the {@link Credit}s. A request
 * sent more than once (the duplicate scenario) keeps every reply.
 *
 * <p><b>In flight, then filed.</b> While its scenario instance runs, a sale is a {@link Sale} of
 * {@link Request}s that the reply callbacks fill in. Once the instance has finished (every request
 * of it answered or failed, a duplicate's second send included), it is <em>filed</em>
 * ({@link #file(Sale)}): what the auditor needs is encoded as bytes and appended to large byte
 * chunks, and its objects are dropped, to die young. A sale or credit still in flight when the books
 * are read (the end of the run) is filed then, as it stands. The auditor reads the filed sales back
 * one at a time ({@link #eachSale}), each decoded into a short-lived view with every field it had.
 *
 * <p><b>Why bytes.</b> The books grow for the whole run, and the load generator shares two cores
 * with the gateway: G1's young collector copies every live object at least once (often several
 * times, through the survivor spaces), so a pause grows with what was kept since the last one. Kept
 * as objects (a sale, its requests, their ids, transaction ids and splits: about 14 objects and
 * 0.63 KB a sale), the books made the generator's young pauses 40-80 ms after a minute at 800
 * sales/s, almost all of it copying (25.7 MB a pause). A chunk is a byte array of at least
 * {@link #MIN_CHUNK_BYTES} that fills a whole number of G1 regions: G1 allocates it as a humongous
 * object, in regions of its own that it never copies, and a byte array holds no pointers to scan.
 * So a filed sale (about 110 bytes for a pharmacy sale) costs the collector nothing however long
 * the run.
 *
 * <p><b>The format</b> (integers are unsigned LEB128 varints):
 * <pre>
 * record   := length kind body                  (length: of kind and body)
 * SALE     := patient terminal present request(authorize) [request(settle)] [request(cancel)] [request(refund)]
 * CREDIT   := patient amountFen request
 * patient  := i + 1 (person i of the workload) | 0 string
 * terminal := i + 1 (entry i of the terminal table) | 0 bytes(the Terminal message)
 * request  := id acknowledged txn{acknowledged} splits bytes{splits} unknown refusals string{refusals}
 * id       := p + 1, counter, s (the id "part[p]-counter-part[s]") | 0 string
 * txn      := 0 (the sale's transaction: the Authorize's first) | length + 1, its UTF-8 bytes
 * </pre>
 * A request id made by a scenario ({@code lt-RUN-INDEX-STEP}) is two entries of a small table of
 * parts and a counter; a transaction id is kept once a sale; a split is the reply's Breakdown as
 * protobuf bytes. Anything that does not fit a table (a person not in the workload, a request id of
 * another shape, more terminals or parts than the tables hold) is kept whole instead.
 *
 * <p><b>Concurrency.</b> Several threads (the channels' event loops) finish sales at once. Each
 * encodes into a buffer of its own, then holds the books' lock only to copy those bytes to the end
 * of the current chunk (and, once a chunk is full, to allocate the next). A sale is filed once:
 * whichever of its finishing thread and the end-of-run filing takes it out of the in-flight set
 * first files it. Readers take a snapshot of the chunks' filled lengths under the same lock.
 */
final class Books {
  /** What the runner knows of one request from its replies. */
  enum Known {
    /** Not sent. */
    NONE,
    /** At least one reply acknowledged it. */
    ACKNOWLEDGED,
    /** Every reply was a definite refusal: the server says it did nothing. */
    REFUSED,
    /** No reply says (a deadline, a dropped connection, UNAVAILABLE, INTERNAL): the auditor looks it up. */
    UNKNOWN
  }

  /** Codes whose meaning is that the request was not applied (grpc-java's status semantics). */
  private static final Set<Status.Code> REFUSALS = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
      Status.Code.ALREADY_EXISTS, Status.Code.PERMISSION_DENIED, Status.Code.FAILED_PRECONDITION,
      Status.Code.OUT_OF_RANGE, Status.Code.UNAUTHENTICATED, Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNIMPLEMENTED);

  /**
   * The least size of a chunk: humongous (at least half a region) for G1 regions up to 8 MiB, and a
   * whole number of any smaller region (regions are powers of two).
   */
  static final int MIN_CHUNK_BYTES = 4 << 20;
  /** The most a chunk is made, whatever G1's region size. */
  private static final int MAX_CHUNK_BYTES = 64 << 20;
  /** Room left in a chunk's regions for the array's header (16 bytes, 24 without compressed class pointers). */
  private static final int ARRAY_HEADER_ROOM = 64;
  /** Bounds of the tables that let a record name a terminal or a part of a request id by number. */
  static final int MAX_TERMINALS = 1024;
  static final int MAX_PARTS = 64;

  private static final byte SALE = 1;
  private static final byte CREDIT = 2;
  private static final int HAS_SETTLE = 1;
  private static final int HAS_CANCEL = 2;
  private static final int HAS_REFUND = 4;

  /** Whether a failed call's status says the request was not applied. */
  static boolean refusal(Throwable error) {
    return REFUSALS.contains(Target.status(error).getCode());
  }

  /**
   * One request: its id and what its replies said: the first acknowledged reply's transaction id
   * and split (the split as its protobuf bytes), the rest only if a request id was answered again,
   * the refusals in words, and how many replies said nothing definite.
   */
  static final class Request {
    final String requestId;
    private String transactionId;
    private byte[] split;
    /** The transaction ids and splits of later acknowledged replies (a request sent again), or null. */
    private List<String> moreTransactionIds;
    private List<byte[]> moreSplits;
    private List<String> refusals;
    private int acknowledged;
    private int unknown;

    Request(String requestId) {
      this.requestId = requestId;
    }

    synchronized void acknowledged(String transactionId, Breakdown breakdown) {
      java.util.Objects.requireNonNull(transactionId, "transactionId");
      if (acknowledged++ == 0) {
        this.transactionId = transactionId;
      } else {
        moreTransactionIds = add(moreTransactionIds, transactionId);
      }
      if (breakdown != null) {
        addSplit(breakdown.toByteArray());
      }
    }

    synchronized void failed(Throwable error) {
      Status status = Target.status(error);
      if (refusal(error)) {
        refusals = add(refusals, status.getCode() + "/" + Target.reason(error));
      } else {
        unknown++;
      }
    }

    synchronized Known known() {
      if (acknowledged > 0) {
        return Known.ACKNOWLEDGED;
      }
      if (unknown > 0) {
        return Known.UNKNOWN;
      }
      return refusals == null ? Known.NONE : Known.REFUSED;
    }

    /** The transaction id of every acknowledged reply, in the order they came. */
    synchronized List<String> transactionIds() {
      List<String> all = new ArrayList<>();
      if (acknowledged > 0) {
        all.add(transactionId);
      }
      if (moreTransactionIds != null) {
        all.addAll(moreTransactionIds);
      }
      return all;
    }

    /** The split of every acknowledged reply that had one, in the order they came. */
    synchronized List<Breakdown> breakdowns() {
      List<Breakdown> all = new ArrayList<>();
      if (split != null) {
        all.add(parse(split));
      }
      if (moreSplits != null) {
        moreSplits.forEach(b -> all.add(parse(b)));
      }
      return all;
    }

    synchronized List<String> refusals() {
      return refusals == null ? List.of() : List.copyOf(refusals);
    }

    /** How many replies said nothing definite. */
    synchronized int unknownReplies() {
      return unknown;
    }

    private void addSplit(byte[] bytes) {
      if (split == null) {
        split = bytes;
      } else {
        moreSplits = add(moreSplits, bytes);
      }
    }

    /** Encodes this request ({@code request} in the class comment); {@code saleTransactionId} may be null. */
    synchronized void writeTo(Out out, Books books, String saleTransactionId) {
      books.writeRequestId(out, requestId);
      out.varint(acknowledged);
      if (acknowledged > 0) {
        writeTransactionId(out, transactionId, saleTransactionId);
      }
      if (moreTransactionIds != null) {
        for (String t : moreTransactionIds) {
          writeTransactionId(out, t, saleTransactionId);
        }
      }
      out.varint((split == null ? 0 : 1) + (moreSplits == null ? 0 : moreSplits.size()));
      if (split != null) {
        out.bytes(split);
      }
      if (moreSplits != null) {
        for (byte[] b : moreSplits) {
          out.bytes(b);
        }
      }
      out.varint(unknown);
      out.varint(refusals == null ? 0 : refusals.size());
      if (refusals != null) {
        for (String r : refusals) {
          out.string(r);
        }
      }
    }

    private static void writeTransactionId(Out out, String transactionId, String saleTransactionId) {
      if (transactionId.equals(saleTransactionId)) {
        out.varint(0);
      } else {
        out.stringPlusOne(transactionId);
      }
    }

    static Request read(In in, Books books, String saleTransactionId) {
      Request r = new Request(books.readRequestId(in));
      int acknowledged = in.varint();
      for (int i = 0; i < acknowledged; i++) {
        String t = in.stringPlusOne(saleTransactionId);
        if (r.acknowledged++ == 0) {
          r.transactionId = t;
        } else {
          r.moreTransactionIds = add(r.moreTransactionIds, t);
        }
      }
      int splits = in.varint();
      for (int i = 0; i < splits; i++) {
        r.addSplit(in.bytes());
      }
      r.unknown = in.varint();
      int refusals = in.varint();
      for (int i = 0; i < refusals; i++) {
        r.refusals = add(r.refusals, in.string());
      }
      return r;
    }

    private static <T> List<T> add(List<T> list, T item) {
      List<T> to = list == null ? new ArrayList<>(2) : list;
      to.add(item);
      return to;
    }

    private static Breakdown parse(byte[] bytes) {
      try {
        return Breakdown.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("a split this process wrote does not read back", e);
      }
    }
  }

  /**
   * One sale: who pays ({@code patientIndex}: the person's place in the workload, or -1), where,
   * and its requests (null until sent).
   */
  static final class Sale {
    final String patientPsnNo;
    final int patientIndex;
    final Terminal terminal;
    final Request authorize;
    volatile Request settle;
    volatile Request cancel;
    volatile Request refund;

    Sale(String patientPsnNo, int patientIndex, Terminal terminal, Request authorize) {
      this.patientPsnNo = patientPsnNo;
      this.patientIndex = patientIndex;
      this.terminal = terminal;
      this.authorize = authorize;
    }

    /** The transaction the acknowledged Authorize opened, or null. */
    String transactionId() {
      List<String> ids = authorize.transactionIds();
      return ids.isEmpty() ? null : ids.get(0);
    }
  }

  /** A credit to a personal account (CreditAccount, idempotent by its request id). */
  static final class Credit {
    final String psnNo;
    final int patientIndex;
    final long amountFen;
    final Request request;

    Credit(String psnNo, int patientIndex, long amountFen, Request request) {
      this.psnNo = psnNo;
      this.patientIndex = patientIndex;
      this.amountFen = amountFen;
      this.request = request;
    }
  }

  /** A filled chunk, or the one being filled ({@code used} guarded by the books' lock). */
  private static final class Chunk {
    final byte[] bytes;
    int used;

    Chunk(int size) {
      this.bytes = new byte[size];
    }
  }

  /** Each thread's encoding buffer: a record is encoded here, then copied to a chunk under the lock. */
  private static final ThreadLocal<Out> SCRATCH = ThreadLocal.withInitial(Out::new);

  private final boolean keep;
  private final List<Workload.Person> people;
  private final int chunkBytes;
  /** Sales and credits not yet filed: the instances still running. */
  private final Set<Object> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** The first failure to file a sale or credit (a bug): reading the books then fails, rather than miss it. */
  private final AtomicReference<RuntimeException> filingFailure = new AtomicReference<>();
  private final Object lock = new Object();
  private final List<Chunk> chunks = new ArrayList<>(); // guarded by lock
  private Chunk current; // guarded by lock
  private long filedBytes; // guarded by lock
  /** Append-only tables (copied on write under {@code tableLock}, read without it). */
  private volatile Terminal[] terminals = new Terminal[0];
  private volatile String[] parts = new String[0];
  private final Object tableLock = new Object();

  /**
   * Books that keep every sale for the audit ({@code keep}: about 110 bytes a pharmacy sale, so a long
   * run at a high rate is bounded by {@code --max-requests}), or that keep nothing (no audit).
   * Patients are kept as their place in {@code people} (the workload's persons).
   */
  Books(boolean keep, List<Workload.Person> people) {
    this(keep, people, chunkBytes(g1RegionBytes()));
  }

  /** Books whose patients are kept whole (tests). */
  Books(boolean keep) {
    this(keep, List.of());
  }

  /** Books with chunks of {@code chunkBytes} (tests use small ones, to cross chunks often). */
  Books(boolean keep, List<Workload.Person> people, int chunkBytes) {
    if (chunkBytes < 16) {
      throw new IllegalArgumentException("chunkBytes: " + chunkBytes + " (expected: >= 16)");
    }
    this.keep = keep;
    this.people = people;
    this.chunkBytes = chunkBytes;
  }

  /**
   * The size of a chunk for G1 regions of {@code regionBytes} (0: unknown): a whole number of
   * regions, at least {@link #MIN_CHUNK_BYTES}, less room for the array's header, so that the array
   * fills its humongous regions.
   */
  static int chunkBytes(long regionBytes) {
    return (int) Math.min(Math.max(regionBytes, MIN_CHUNK_BYTES), MAX_CHUNK_BYTES) - ARRAY_HEADER_ROOM;
  }

  /** G1's region size in this JVM, or 0 when it cannot be read (another collector, another JVM). */
  private static long g1RegionBytes() {
    try {
      return Long.parseLong(ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .getVMOption("G1HeapRegionSize").getValue());
    } catch (RuntimeException | LinkageError e) {
      return 0;
    }
  }

  /** A new sale of {@code patient}, in flight until {@link #file(Sale)}d. */
  Sale newSale(Workload.Person patient, Terminal terminal, String authorizeRequestId) {
    return newSale(patient.psnNo(), patient.index(), terminal, authorizeRequestId);
  }

  /** A new sale of a person named only by number (kept whole), in flight until {@link #file(Sale)}d. */
  Sale newSale(String patientPsnNo, Terminal terminal, String authorizeRequestId) {
    return newSale(patientPsnNo, -1, terminal, authorizeRequestId);
  }

  private Sale newSale(String psnNo, int index, Terminal terminal, String authorizeRequestId) {
    Sale s = new Sale(psnNo, index, terminal, new Request(authorizeRequestId));
    if (keep) {
      inFlight.add(s);
    }
    return s;
  }

  /** A new credit to {@code person}, in flight until {@link #file(Credit)}d. */
  Credit newCredit(Workload.Person person, long amountFen, String requestId) {
    return newCredit(person.psnNo(), person.index(), amountFen, requestId);
  }

  Credit newCredit(String psnNo, long amountFen, String requestId) {
    return newCredit(psnNo, -1, amountFen, requestId);
  }

  private Credit newCredit(String psnNo, int index, long amountFen, String requestId) {
    Credit c = new Credit(psnNo, index, amountFen, new Request(requestId));
    if (keep) {
      inFlight.add(c);
    }
    return c;
  }

  /**
   * Files a sale whose requests have all been answered or failed: encodes it into the chunks and lets
   * its objects go. A sale already filed, one of books that keep nothing, and null are ignored.
   */
  void file(Sale sale) {
    if (sale == null || !inFlight.remove(sale)) {
      return;
    }
    try {
      Out out = SCRATCH.get().startRecord(SALE);
      writePatient(out, sale.patientPsnNo, sale.patientIndex);
      writeTerminal(out, sale.terminal);
      Request settle = sale.settle;
      Request cancel = sale.cancel;
      Request refund = sale.refund;
      out.u8((settle == null ? 0 : HAS_SETTLE) | (cancel == null ? 0 : HAS_CANCEL) | (refund == null ? 0 : HAS_REFUND));
      sale.authorize.writeTo(out, this, null);
      String txn = sale.transactionId();
      for (Request r : new Request[] {settle, cancel, refund}) {
        if (r != null) {
          r.writeTo(out, this, txn);
        }
      }
      append(out);
    } catch (RuntimeException e) {
      filingFailure.compareAndSet(null, e);
    }
  }

  /** Files a credit whose request has been answered or failed (see {@link #file(Sale)}). */
  void file(Credit credit) {
    if (credit == null || !inFlight.remove(credit)) {
      return;
    }
    try {
      Out out = SCRATCH.get().startRecord(CREDIT);
      writePatient(out, credit.psnNo, credit.patientIndex);
      out.varlong(credit.amountFen);
      credit.request.writeTo(out, this, null);
      append(out);
    } catch (RuntimeException e) {
      filingFailure.compareAndSet(null, e);
    }
  }

  /** Files every sale and credit still in flight, as it stands (the end of the run). */
  void fileInFlight() {
    for (Object o : inFlight.toArray()) {
      if (o instanceof Sale s) {
        file(s);
      } else {
        file((Credit) o);
      }
    }
  }

  /**
   * Every sale, filing those still in flight first, decoded one at a time as the iteration reaches it;
   * an {@link IllegalStateException} if any sale or credit could not be filed.
   */
  Iterable<Sale> eachSale() {
    fileInFlight();
    return each(SALE, this::readSale);
  }

  /** Every credit, as {@link #eachSale} reads the sales. */
  Iterable<Credit> eachCredit() {
    fileInFlight();
    return each(CREDIT, this::readCredit);
  }

  /** Every sale decoded at once (tests, and small runs). */
  List<Sale> sales() {
    List<Sale> all = new ArrayList<>();
    eachSale().forEach(all::add);
    return all;
  }

  List<Credit> credits() {
    List<Credit> all = new ArrayList<>();
    eachCredit().forEach(all::add);
    return all;
  }

  /** How many sales and credits are still in flight (not filed). */
  int inFlight() {
    return inFlight.size();
  }

  /** How many bytes the filed records take. */
  long filedBytes() {
    synchronized (lock) {
      return filedBytes;
    }
  }

  /** How many chunks the filed records fill. */
  int chunks() {
    synchronized (lock) {
      return chunks.size();
    }
  }

  private void append(Out out) {
    int from = out.finishRecord();
    int length = out.pos - from;
    synchronized (lock) {
      if (current == null || current.bytes.length - current.used < length) {
        current = new Chunk(Math.max(chunkBytes, length));
        chunks.add(current);
      }
      System.arraycopy(out.buf, from, current.bytes, current.used, length);
      current.used += length;
      filedBytes += length;
    }
  }

  private <T> Iterable<T> each(byte kind, Function<In, T> decode) {
    RuntimeException failure = filingFailure.get();
    if (failure != null) {
      throw new IllegalStateException("a sale or credit could not be filed: the books are incomplete", failure);
    }
    List<byte[]> arrays = new ArrayList<>();
    int[] used;
    synchronized (lock) {
      used = new int[chunks.size()];
      for (int i = 0; i < chunks.size(); i++) {
        arrays.add(chunks.get(i).bytes);
        used[i] = chunks.get(i).used;
      }
    }
    return () -> new Iterator<T>() {
      private int chunk;
      private In in = arrays.isEmpty() ? null : new In(arrays.get(0), 0);
      private T next;

      @Override
      public boolean hasNext() {
        while (next == null && in != null) {
          if (in.pos == used[chunk]) {
            chunk++;
            in = chunk < arrays.size() ? new In(arrays.get(chunk), 0) : null;
            continue;
          }
          int length = in.varint();
          int end = in.pos + length;
          if (in.u8() == kind) {
            next = decode.apply(in);
            if (in.pos != end) {
              throw new IllegalStateException("a filed record read back " + (in.pos - end + length) + " bytes of "
                  + length);
            }
          }
          in.pos = end;
        }
        return next != null;
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        T t = next;
        next = null;
        return t;
      }
    };
  }

  private Sale readSale(In in) {
    int[] index = {-1};
    String psnNo = readPatient(in, index);
    Terminal terminal = readTerminal(in);
    int present = in.u8();
    Request authorize = Request.read(in, this, null);
    Sale s = new Sale(psnNo, index[0], terminal, authorize);
    String txn = s.transactionId();
    if ((present & HAS_SETTLE) != 0) {
      s.settle = Request.read(in, this, txn);
    }
    if ((present & HAS_CANCEL) != 0) {
      s.cancel = Request.read(in, this, txn);
    }
    if ((present & HAS_REFUND) != 0) {
      s.refund = Request.read(in, this, txn);
    }
    return s;
  }

  private Credit readCredit(In in) {
    int[] index = {-1};
    String psnNo = readPatient(in, index);
    long amountFen = in.varlong();
    return new Credit(psnNo, index[0], amountFen, Request.read(in, this, null));
  }

  private void writePatient(Out out, String psnNo, int index) {
    if (index >= 0 && index < people.size() && people.get(index).psnNo().equals(psnNo)) {
      out.varint(index + 1);
    } else {
      out.varint(0);
      out.string(psnNo);
    }
  }

  private String readPatient(In in, int[] index) {
    int i = in.varint();
    if (i == 0) {
      return in.string();
    }
    index[0] = i - 1;
    return people.get(i - 1).psnNo();
  }

  private void writeTerminal(Out out, Terminal terminal) {
    int i = terminalIndex(terminal);
    if (i >= 0) {
      out.varint(i + 1);
    } else {
      out.varint(0);
      out.bytes(terminal.toByteArray());
    }
  }

  private Terminal readTerminal(In in) {
    int i = in.varint();
    if (i > 0) {
      return terminals[i - 1];
    }
    try {
      return Terminal.parseFrom(in.bytes());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a terminal this process wrote does not read back", e);
    }
  }

  /** The terminal's place in the table (added if there is room), or -1. */
  private int terminalIndex(Terminal terminal) {
    Terminal[] table = terminals;
    for (int i = 0; i < table.length; i++) {
      if (table[i] == terminal) {
        return i;
      }
    }
    for (int i = 0; i < table.length; i++) {
      if (table[i].equals(terminal)) {
        return i;
      }
    }
    synchronized (tableLock) {
      table = terminals;
      for (int i = 0; i < table.length; i++) {
        if (table[i].equals(terminal)) {
          return i;
        }
      }
      if (table.length == MAX_TERMINALS) {
        return -1;
      }
      Terminal[] more = Arrays.copyOf(table, table.length + 1);
      more[table.length] = terminal;
      terminals = more;
      return table.length;
    }
  }

  /** Writes {@code id} ({@code id} in the class comment). */
  private void writeRequestId(Out out, String id) {
    int last = id.lastIndexOf('-');
    int middle = last > 0 ? id.lastIndexOf('-', last - 1) : -1;
    long counter = middle >= 0 ? counter(id, middle + 1, last) : -1;
    if (counter >= 0) {
      int prefix = part(id, 0, middle);
      int suffix = prefix >= 0 ? part(id, last + 1, id.length()) : -1;
      if (suffix >= 0) {
        out.varint(prefix + 1);
        out.varlong(counter);
        out.varint(suffix);
        return;
      }
    }
    out.varint(0);
    out.string(id);
  }

  private String readRequestId(In in) {
    int prefix = in.varint();
    if (prefix == 0) {
      return in.string();
    }
    long counter = in.varlong();
    String[] table = parts;
    return table[prefix - 1] + "-" + counter + "-" + table[in.varint()];
  }

  /** The decimal number {@code id[from, to)} when it reads back the same (no sign, no leading zero), else -1. */
  static long counter(String id, int from, int to) {
    int digits = to - from;
    if (digits < 1 || digits > 18 || (digits > 1 && id.charAt(from) == '0')) {
      return -1;
    }
    long n = 0;
    for (int i = from; i < to; i++) {
      char c = id.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /** The place of {@code id[from, to)} in the table of parts (added if there is room), or -1. */
  private int part(String id, int from, int to) {
    int length = to - from;
    String[] table = parts;
    for (int i = 0; i < table.length; i++) {
      if (table[i].length() == length && id.regionMatches(from, table[i], 0, length)) {
        return i;
      }
    }
    synchronized (tableLock) {
      table = parts;
      for (int i = 0; i < table.length; i++) {
        if (table[i].length() == length && id.regionMatches(from, table[i], 0, length)) {
          return i;
        }
      }
      if (table.length == MAX_PARTS) {
        return -1;
      }
      String[] more = Arrays.copyOf(table, table.length + 1);
      more[table.length] = id.substring(from, to);
      parts = more;
      return table.length;
    }
  }
}
