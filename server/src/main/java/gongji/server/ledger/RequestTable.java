package gongji.server.ledger;

import static com.google.common.base.Verify.verify;

import com.google.common.base.VerifyException;

import java.util.Arrays;

/**
 * The request log's table: each request key ({@code scope "|" id}) kept in the window, with what it
 * led to, oldest first. An open-addressing hash table over a ring of entries in parallel arrays, so
 * that a kept request costs no object of its own: no key string, no map node (a map of strings held
 * about 140 bytes and three objects a request, each copied by the collector as it aged).
 *
 * <p>Per entry: a fixed-width part (its 64-bit hash, where its key starts in the key ring, the key's
 * length, which request of a sale it is, and its value: the {@link Txn} or {@link RequestLog.Entry})
 * and its key's characters, one byte each in a ring of bytes (two, when a character is over U+00FF:
 * only in fuzzed commands, request ids on the wire are ASCII). A look-up hashes the scope and id as
 * they are and compares characters only where the hash matches: exact, whatever the hash does.
 *
 * <p>Entries leave only from the oldest end (the window and the sweep let go of the oldest first),
 * so both rings are queues; the index is linear-probing, with deletion by shifting back (no
 * tombstones). Every array doubles when full and halves when a quarter full (down to its first
 * size): a ledger that read a snapshot of millions of entries and then let most of them go to
 * history keeps arrays of its working set, not of its peak. Single-threaded: the writer's.
 */
final class RequestTable {
  /** Where a look-up found nothing. */
  static final int NONE = -1;
  /** Bytes of the key ring per entry of the ring, at first. */
  private static final int KEY_BYTES_PER_ENTRY = 32;

  /** Which request of a sale an entry whose value is the {@link Txn} is. */
  static final byte OTHER = 0;
  static final byte AUTHORIZE = 1;
  static final byte SETTLE = 2;

  /** Only tests pass another: a narrow mask makes every key collide, to test the exact compare. */
  private final long hashMask;

  // The ring of entries: entry number n (counted since the table began) lives at n & (capacity-1).
  private long[] hashes;
  private long[] keyStarts;
  /** The key's length in characters; negative when stored two bytes a character. */
  private int[] keyLengths;
  private byte[] which;
  private Object[] values;
  private long first;
  private long end;

  // The ring of key characters: the byte numbered b lives at b & (keyBytes.length-1).
  private byte[] keyBytes;
  private long keysFirst;
  private long keysEnd;

  /**
   * Per slot, 0 for an empty one, else the entry's ring place plus one in the low half and the high
   * half of its hash in the high half; twice the ring's capacity. The hash's high half also picks the
   * slot: a probe passes other keys without reading their entries (a new request id, the common
   * look-up, finds nothing in one cache line), and a deletion finds where each entry belongs.
   */
  private long[] index;

  /**
   * The last look-up that found nothing, by the identity of its strings, while no entry came or went
   * since: a command looks its request id up (the writer's check for what it let go of, then the
   * command itself), finds it new, and keeps it; neither the second look-up nor the keeping needs
   * the hash or the probe again.
   */
  private String missScope;
  private String missId;
  private long missHash;

  RequestTable() {
    this(1024, -1L);
  }

  /** The first sizes, below which nothing shrinks. */
  private final int minCapacity;

  RequestTable(int capacity, long hashMask) {
    verify(Integer.bitCount(capacity) == 1, "capacity: %s (expected: a power of two)", capacity);
    this.hashMask = hashMask;
    this.minCapacity = capacity;
    hashes = new long[capacity];
    keyStarts = new long[capacity];
    keyLengths = new int[capacity];
    which = new byte[capacity];
    values = new Object[capacity];
    keyBytes = new byte[capacity * KEY_BYTES_PER_ENTRY];
    index = new long[capacity * 2];
  }

  int size() {
    return (int) (end - first);
  }

  boolean isEmpty() {
    return end == first;
  }

  /** The places of the ring and the bytes of the key ring now (their arrays' lengths): for tests. */
  long[] capacities() {
    return new long[] {values.length, keyBytes.length};
  }

  // ---- keys: a scope and an id, or a whole key (id null) -------------------------------------

  private static int keyLength(String scope, String id) {
    return id == null ? scope.length() : scope.length() + 1 + id.length();
  }

  private static char charAt(String scope, String id, int i) {
    int s = scope.length();
    return i < s ? scope.charAt(i) : i == s ? '|' : id.charAt(i - s - 1);
  }

  /** The hash of the whole key, as {@link Recall#hash} makes it, made without making the key. */
  private long hash(String scope, String id) {
    long h = 0;
    for (int i = 0, n = keyLength(scope, id); i < n; i++) {
      h = Recall.hashStep(h, charAt(scope, id, i));
    }
    return Recall.hashEnd(h) & hashMask;
  }

  private boolean sameKey(int place, String scope, String id) {
    int stored = keyLengths[place];
    int n = keyLength(scope, id);
    if (Math.abs(stored) != n) {
      return false;
    }
    long at = keyStarts[place];
    int mask = keyBytes.length - 1;
    for (int i = 0; i < n; i++) {
      char c;
      if (stored >= 0) {
        c = (char) (keyBytes[(int) (at + i) & mask] & 0xff);
      } else {
        c = (char) ((keyBytes[(int) (at + 2L * i) & mask] & 0xff) << 8 | keyBytes[(int) (at + 2L * i + 1) & mask] & 0xff);
      }
      if (c != charAt(scope, id, i)) {
        return false;
      }
    }
    return true;
  }

  /** The key of the entry at a ring place, as a string (for history and snapshots, not look-ups). */
  String key(int place) {
    int stored = keyLengths[place];
    int n = Math.abs(stored);
    long at = keyStarts[place];
    int mask = keyBytes.length - 1;
    char[] chars = new char[n];
    for (int i = 0; i < n; i++) {
      chars[i] = stored >= 0 ? (char) (keyBytes[(int) (at + i) & mask] & 0xff)
          : (char) ((keyBytes[(int) (at + 2L * i) & mask] & 0xff) << 8 | keyBytes[(int) (at + 2L * i + 1) & mask] & 0xff);
    }
    return new String(chars);
  }

  // ---- look-ups ------------------------------------------------------------------------------

  /** The ring place of the entry of a request id in a scope, or {@link #NONE}. */
  int find(String scope, String id) {
    if (scope == missScope && id == missId && id != null) {
      return NONE; // the same strings found nothing a moment ago, and no entry came or went since
    }
    long h = hash(scope, id);
    int place = find(scope, id, h);
    if (place == NONE) {
      missScope = scope;
      missId = id;
      missHash = h;
    }
    return place;
  }

  /** The ring place of the entry under a whole key ({@code scope "|" id}), or {@link #NONE}. */
  int find(String key) {
    return find(key, null, hash(key, null));
  }

  private int find(String scope, String id, long h) {
    int mask = index.length - 1;
    int tag = high(h);
    for (int slot = tag & mask; ; slot = (slot + 1) & mask) {
      long e = index[slot];
      if (e == 0) {
        return NONE;
      }
      int p = (int) e - 1;
      if ((int) (e >>> 32) == tag && hashes[p] == h && sameKey(p, scope, id)) {
        return p;
      }
    }
  }

  private static int high(long h) {
    return (int) (h >>> 32);
  }

  Object value(int place) {
    return values[place];
  }

  byte which(int place) {
    return which[place];
  }

  /** The ring place of the oldest entry; the table must not be empty. */
  int oldest() {
    verify(!isEmpty(), "the request table is empty");
    return (int) first & (values.length - 1);
  }

  /** The ring place of the n-th entry from the oldest (0 = the oldest), for iterating in order. */
  int at(int n) {
    verify(n >= 0 && n < size(), "entry %s of %s", n, size());
    return (int) (first + n) & (values.length - 1);
  }

  // ---- changes -------------------------------------------------------------------------------

  /** Keeps a new request id in a scope as the youngest entry; it must not be kept already. */
  void add(String scope, String id, Object value, byte whichRequest) {
    addKey(scope, id, value, whichRequest);
  }

  /** Keeps a new whole key as the youngest entry (a snapshot's); it must not be kept already. */
  void add(String key, Object value, byte whichRequest) {
    addKey(key, null, value, whichRequest);
  }

  private void addKey(String scope, String id, Object value, byte whichRequest) {
    long h;
    if (scope == missScope && id == missId && id != null) { // just looked up, not found, nothing changed since
      h = missHash;
    } else {
      h = hash(scope, id);
      if (find(scope, id, h) != NONE) {
        throw new VerifyException("request " + (id == null ? scope : scope + "|" + id) + " kept twice");
      }
    }
    missScope = null;
    missId = null;
    if (size() == values.length) {
      resizeEntries(values.length * 2);
    }
    int n = keyLength(scope, id);
    boolean wide = false;
    for (int i = 0; i < n && !wide; i++) {
      wide = charAt(scope, id, i) > 0xff;
    }
    int bytes = wide ? 2 * n : n;
    if (keysEnd - keysFirst + bytes > keyBytes.length) {
      long needed = keysEnd - keysFirst + bytes;
      int length = keyBytes.length;
      while (length < needed) {
        length *= 2;
      }
      resizeKeys(length);
    }
    int mask = keyBytes.length - 1;
    long at = keysEnd;
    for (int i = 0; i < n; i++) {
      char c = charAt(scope, id, i);
      if (wide) {
        keyBytes[(int) (at + 2L * i) & mask] = (byte) (c >>> 8);
        keyBytes[(int) (at + 2L * i + 1) & mask] = (byte) c;
      } else {
        keyBytes[(int) (at + i) & mask] = (byte) c;
      }
    }
    keysEnd += bytes;
    int place = (int) end & (values.length - 1);
    hashes[place] = h;
    keyStarts[place] = at;
    keyLengths[place] = wide ? -n : n;
    which[place] = whichRequest;
    values[place] = value;
    end++;
    insert(place);
  }

  /** Replaces the value of an entry (a recalled entry kept again takes its place as it was). */
  void set(int place, Object value) {
    values[place] = value;
  }

  /** Forgets the oldest entry. */
  void removeOldest() {
    missScope = null;
    missId = null;
    int place = oldest();
    int mask = index.length - 1;
    int slot = high(hashes[place]) & mask;
    while ((int) index[slot] - 1 != place) {
      verify(index[slot] != 0, "the oldest request is not in the index");
      slot = (slot + 1) & mask;
    }
    // Shift back every later entry of the run that may sit after its home because of this one.
    int hole = slot;
    for (int s = (hole + 1) & mask; index[s] != 0; s = (s + 1) & mask) {
      int home = (int) (index[s] >>> 32) & mask;
      if (((s - home) & mask) >= ((s - hole) & mask)) {
        index[hole] = index[s];
        hole = s;
      }
    }
    index[hole] = 0;
    int stored = keyLengths[place];
    keysFirst = keyStarts[place] + (stored >= 0 ? stored : -2L * stored);
    values[place] = null;
    first++;
    if (first == end) {
      keysFirst = keysEnd;
    }
    if (values.length > minCapacity && size() < values.length / 4) {
      resizeEntries(values.length / 2);
    }
    if (keyBytes.length > minCapacity * KEY_BYTES_PER_ENTRY && keysEnd - keysFirst < keyBytes.length / 4) {
      resizeKeys(keyBytes.length / 2);
    }
  }

  private void insert(int place) {
    int mask = index.length - 1;
    int tag = high(hashes[place]);
    int slot = tag & mask;
    while (index[slot] != 0) {
      slot = (slot + 1) & mask;
    }
    index[slot] = (long) tag << 32 | (place + 1);
  }

  /** Moves the entries to arrays of {@code grown} places (a power of two, at least their count). */
  private void resizeEntries(int grown) {
    int capacity = values.length;
    long[] h = new long[grown];
    long[] ks = new long[grown];
    int[] kl = new int[grown];
    byte[] w = new byte[grown];
    Object[] v = new Object[grown];
    for (long n = first; n < end; n++) {
      int from = (int) n & (capacity - 1);
      int to = (int) n & (grown - 1);
      h[to] = hashes[from];
      ks[to] = keyStarts[from];
      kl[to] = keyLengths[from];
      w[to] = which[from];
      v[to] = values[from];
    }
    hashes = h;
    keyStarts = ks;
    keyLengths = kl;
    which = w;
    values = v;
    index = new long[grown * 2];
    for (long n = first; n < end; n++) {
      insert((int) n & (grown - 1));
    }
  }

  /** Moves the kept keys' bytes to a ring of {@code length} bytes (a power of two, at least theirs). */
  private void resizeKeys(int length) {
    byte[] grown = new byte[length];
    int from = keyBytes.length - 1;
    int to = grown.length - 1;
    for (long b = keysFirst; b < keysEnd; b++) {
      grown[(int) b & to] = keyBytes[(int) b & from];
    }
    keyBytes = grown;
  }
}
