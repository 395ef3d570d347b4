package gongji.server.ledger;

import java.util.Arrays;

/**
 * Sales ordered by a time: when an open hold expires, or when a closed sale was last touched. A
 * binary min-heap whose sales know their place in it, so that a sale that closes or is touched
 * again leaves or moves in O(log n) instead of lingering (a settled sale must not stay reachable
 * until its hold would have expired). Ties go by sale id, so the order is the same however the
 * heap was filled.
 */
final class TxnHeap {
  /** Which time orders the heap, and which of the sale's two places in a heap it uses. */
  enum By { EXPIRY, TOUCHED }

  /** 37 to the 12th is below {@link Long#MAX_VALUE}: 12 places of {@link #order} fit. */
  private static final int ORDER_PLACES = 12;

  private final By by;
  private Txn[] heap = new Txn[64];
  /**
   * The time of the sale at each place of {@link #heap}: a sift compares these, in one array, and
   * reads a sale itself only on a tie. Sifting through sales by reference costs a cache miss a level
   * in a heap of a million (measured: 9% of the writer's time with sweeps on, before).
   */
  private long[] times = new long[64];
  /** The {@link #order} of the sale's id at each place: ties of time (a batch shares its millisecond) go by it. */
  private long[] ties = new long[64];
  private int size;
  /** The fen of the legs of the sales in the heap: for the heap of open sales, what they hold. */
  private long legsFen;

  TxnHeap(By by) {
    this.by = by;
  }

  int size() {
    return size;
  }

  /** The fen of the legs of the sales in the heap. */
  long legsFen() {
    return legsFen;
  }

  /** The earliest sale, or null. */
  Txn peek() {
    return size == 0 ? null : heap[0];
  }

  /** The time that orders {@code t} here. */
  long timeOf(Txn t) {
    return by == By.EXPIRY ? t.expiresAtMillis : t.touchedAtMillis;
  }

  boolean contains(Txn t) {
    return place(t) >= 0;
  }

  /** Adds a sale, or moves it if its time changed while in the heap. */
  void offer(Txn t) {
    int at = place(t);
    if (at >= 0) {
      times[at] = timeOf(t);
      siftDown(siftUp(at));
      return;
    }
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
      times = Arrays.copyOf(times, size * 2);
      ties = Arrays.copyOf(ties, size * 2);
    }
    heap[size] = t;
    times[size] = timeOf(t);
    ties[size] = order(t.id);
    place(t, size);
    legsFen += t.legsFen();
    siftUp(size++);
  }

  /** Takes the earliest sale out, or returns null. */
  Txn poll() {
    if (size == 0) {
      return null;
    }
    Txn head = heap[0];
    removeAt(0);
    return head;
  }

  /** Takes a sale out if it is here. */
  void remove(Txn t) {
    int at = place(t);
    if (at >= 0) {
      removeAt(at);
    }
  }

  private void removeAt(int at) {
    Txn gone = heap[at];
    place(gone, -1);
    legsFen -= gone.legsFen();
    Txn last = heap[--size];
    long lastTime = times[size];
    long lastTie = ties[size];
    heap[size] = null;
    if (at < size) {
      heap[at] = last;
      times[at] = lastTime;
      ties[at] = lastTie;
      place(last, at);
      siftDown(siftUp(at));
    }
    if (heap.length > 64 && size < heap.length / 4) {
      heap = Arrays.copyOf(heap, heap.length / 2);
      times = Arrays.copyOf(times, times.length / 2);
      ties = Arrays.copyOf(ties, ties.length / 2);
    }
  }

  /** Whether the sale at place {@code a} goes before the one at {@code b}: by time, then by sale id. */
  private boolean before(int a, int b) {
    return before(times[a], ties[a], heap[a], times[b], ties[b], heap[b]);
  }

  private static boolean before(long ta, long oa, Txn a, long tb, long ob, Txn b) {
    if (ta != tb) {
      return ta < tb;
    }
    return oa != ob && oa != Long.MAX_VALUE && ob != Long.MAX_VALUE ? oa < ob : a.id.compareTo(b.id) < 0;
  }

  /**
   * A number in the order of {@link String#compareTo} among ledger ids ({@link Ledger#id}: a letter
   * and base-36 digits): the id's characters as base-37 digits (none 0, '0' 1 .. '9' 10, 'A' 11 ..
   * 'Z' 36), left-aligned in 12 places, so that a prefix goes first as it does for strings. An id of
   * more than 12 characters, or of others, is {@link Long#MAX_VALUE}: its ties with any other go by
   * the strings (none has it before 36 to the 11th sales).
   */
  static long order(String id) {
    if (id.length() > ORDER_PLACES) {
      return Long.MAX_VALUE;
    }
    long n = 0;
    for (int i = 0; i < ORDER_PLACES; i++) {
      int digit = 0;
      if (i < id.length()) {
        char c = id.charAt(i);
        if (c >= '0' && c <= '9') {
          digit = c - '0' + 1;
        } else if (c >= 'A' && c <= 'Z') {
          digit = c - 'A' + 11;
        } else {
          return Long.MAX_VALUE;
        }
      }
      n = n * 37 + digit;
    }
    return n;
  }

  private int siftUp(int at) {
    Txn t = heap[at];
    long time = times[at];
    long tie = ties[at];
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      if (!before(time, tie, t, times[parent], ties[parent], heap[parent])) {
        break;
      }
      move(parent, at);
      at = parent;
    }
    set(at, t, time, tie);
    return at;
  }

  private void siftDown(int at) {
    Txn t = heap[at];
    long time = times[at];
    long tie = ties[at];
    while (true) {
      int child = 2 * at + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && before(child + 1, child)) {
        child++;
      }
      if (!before(times[child], ties[child], heap[child], time, tie, t)) {
        break;
      }
      move(child, at);
      at = child;
    }
    set(at, t, time, tie);
  }

  private void move(int from, int to) {
    set(to, heap[from], times[from], ties[from]);
  }

  private void set(int at, Txn t, long time, long tie) {
    heap[at] = t;
    times[at] = time;
    ties[at] = tie;
    place(t, at);
  }

  private int place(Txn t) {
    return by == By.EXPIRY ? t.expiryPlace : t.touchedPlace;
  }

  private void place(Txn t, int at) {
    if (by == By.EXPIRY) {
      t.expiryPlace = at;
    } else {
      t.touchedPlace = at;
    }
  }
}
