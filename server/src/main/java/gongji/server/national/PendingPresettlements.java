package gongji.server.national;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which hold a 2101 (2206) pre-settlement placed, by what it was for: the institution and a hash of
 * its input, so that a 2102 (2207) with the same input settles that hold rather than placing a
 * second one. A bounded map in memory, oldest out first: after a restart, or once an entry is
 * evicted, a 2102 without {@code mdtrt_id} authorizes and settles in one step, and the forgotten
 * hold expires on the ledger's clock (the region's hold TTL) and releases its funds by itself.
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

  /** The transaction of the newest pre-settlement with this input, or null. */
  synchronized String get(String institution, long inputHash) {
    return txnIds.get(new Key(institution, inputHash));
  }
}
