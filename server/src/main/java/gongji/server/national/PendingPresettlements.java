package gongji.server.national;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which hold a 2101 (2206) pre-settlement placed, by what it was for: the institution and a hash of
 * its input, so that a 2102 (2207) with the same input settles that hold rather than placing a
 * second one. A bounded map in memory, oldest out first: after a restart, or once an entry is
 * evicted, a 2102 without {@code mdtrt_id} authorizes and settles in one step, and the forgotten
 * hold expires on the ledger's clock (the region's hold TTL) and releases its funds by itself. A
 * 2102 takes its entry, so that the same purchase made again later is a new sale; a resent 2102
 * finds its settlement by its msgid instead.
 */
final class PendingPresettlements {
  /** Open pre-settlements remembered; each costs about 100 bytes. */
  static final int MAX_ENTRIES = 100_000;

  private final Map<Key, String> txnIds = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Key, String> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  private record Key(String institution, long inputHash) {}

  synchronized void put(String institution, long inputHash, String txnId) {
    txnIds.put(new Key(institution, inputHash), txnId);
  }

  /**
   * Takes the newest pre-settlement with this input (null if none): one 2102 claims it, so that two
   * identical purchases settled at once never both reach for the same hold.
   */
  synchronized String take(String institution, long inputHash) {
    return txnIds.remove(new Key(institution, inputHash));
  }

  /** Puts back a pre-settlement whose 2102 failed before the ledger answered (unless a newer one took its place). */
  synchronized void putBack(String institution, long inputHash, String txnId) {
    txnIds.putIfAbsent(new Key(institution, inputHash), txnId);
  }
}
