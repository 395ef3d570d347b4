package gongji.server.national;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which hold a 2101 (2206) pre-settlement placed, by what it was for: the institution and a hash of
 * its input, so that a 2102 (2207) with the same input settles that hold rather than placing a
 * second one. Bounded maps in memory, oldest out first: after a restart, or once an entry is
 * evicted, a 2102 without {@code mdtrt_id} authorizes and settles in one step, and the forgotten
 * hold expires on the ledger's clock (the region's hold TTL) and releases its funds by itself. A
 * 2102 takes its entry, so that the same purchase made again later is a new sale; a 2102 that
 * names the hold by {@code mdtrt_id} removes it too ({@link #settled}). A resent 2102 finds its
 * settlement by its msgid instead.
 *
 * <p>It also remembers the patient (the masked {@code psn_no} the ledger keeps) of each hold, so
 * that a 2102 naming a hold by {@code mdtrt_id} is checked against it without asking the ledger; a
 * hold it does not know is looked up instead.
 */
final class PendingPresettlements {
  /** Open pre-settlements remembered; each costs about 200 bytes. */
  static final int MAX_ENTRIES = 100_000;

  private record Key(String institution, long inputHash) {}

  /** What is known of a hold: its input's key and its patient. */
  private record Hold(Key key, String psnNoMasked) {}

  private final Map<Key, String> txnIds = bounded();
  /** institution + "/" + txnId -> the hold. */
  private final Map<String, Hold> holds = bounded();

  private static <K, V> Map<K, V> bounded() {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > MAX_ENTRIES;
      }
    };
  }

  synchronized void put(String institution, long inputHash, String txnId, String psnNoMasked) {
    Key key = new Key(institution, inputHash);
    txnIds.put(key, txnId);
    holds.put(institution + "/" + txnId, new Hold(key, psnNoMasked));
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

  /** The masked psn_no of the hold {@code txnId} a 2101 of this institution placed; null if not known. */
  synchronized String patientOf(String institution, String txnId) {
    Hold h = holds.get(institution + "/" + txnId);
    return h == null ? null : h.psnNoMasked();
  }

  /** Forgets a hold that is settled: a later 2102 of the same input must not reach for it. */
  synchronized void settled(String institution, String txnId) {
    Hold h = holds.remove(institution + "/" + txnId);
    if (h != null) {
      txnIds.remove(h.key(), txnId);
    }
  }
}
