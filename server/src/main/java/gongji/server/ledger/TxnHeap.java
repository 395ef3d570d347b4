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

  private final By by;
  private Txn[] heap = new Txn[64];
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
      siftDown(siftUp(at));
      return;
    }
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    heap[size] = t;
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
    heap[size] = null;
    if (at < size) {
      heap[at] = last;
      place(last, at);
      siftDown(siftUp(at));
    }
    if (heap.length > 64 && size < heap.length / 4) {
      heap = Arrays.copyOf(heap, heap.length / 2);
    }
  }

  private boolean before(Txn a, Txn b) {
    long ta = timeOf(a);
    long tb = timeOf(b);
    return ta != tb ? ta < tb : a.id.compareTo(b.id) < 0;
  }

  private int siftUp(int at) {
    Txn t = heap[at];
    while (at > 0) {
      int parent = (at - 1) >>> 1;
      if (!before(t, heap[parent])) {
        break;
      }
      heap[at] = heap[parent];
      place(heap[at], at);
      at = parent;
    }
    heap[at] = t;
    place(t, at);
    return at;
  }

  private void siftDown(int at) {
    Txn t = heap[at];
    while (true) {
      int child = 2 * at + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && before(heap[child + 1], heap[child])) {
        child++;
      }
      if (!before(heap[child], t)) {
        break;
      }
      heap[at] = heap[child];
      place(heap[at], at);
      at = child;
    }
    heap[at] = t;
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
