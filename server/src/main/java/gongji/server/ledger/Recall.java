package gongji.server.ledger;

import java.util.Arrays;

/**
 * What the writer lets go of, and how it gets it back: the boundary between the working state and
 * history.
 *
 * <p>Letting go. A {@link Command.Sweep} (journaled; the sequencer sends one at most once a
 * {@link #SWEEP_PERIOD_MILLIS} when something is due) hands to history, as images, the request
 * entries kept longer than the recent window and then the closed sales untouched for as long (a
 * sale goes only after every entry that names it), and ends with a {@link HistoryRecord.Swept}
 * carrying the number of sweeps so far. Replay applies the same sweeps at the same points, so the
 * working state after any journaled command is the same live and replayed.
 *
 * <p>Getting it back. The writer never reads history. Before a command reaches it, the gateway side
 * ({@link Recaller}) reads the store's sweep count, then the images the command may need (its request
 * entry, its sale) and sends a {@link Command.Recalled}. Memory wins: an image is used only when the
 * writer no longer holds the thing, and only if the look-up saw every sweep that let go of it: either
 * every sweep so far ({@code recalled.sweeps >= sweeps}), or, at most {@link #RECENT_SWEEPS} behind,
 * none of the sweeps since let go of what the command names (the writer keeps 64-bit hashes of what
 * those sweeps let go of; a hash that collides only costs a look-up again). Otherwise the command is
 * answered {@link Result.Stale}, applied to nothing, and looked up again once history has caught
 * up. So a sweep makes stale only the few commands in flight that name what it let go of. A sale a mutating command needs is taken
 * back into memory (and let go of again a recent window after its last change); a query reads the
 * image and keeps nothing. The images travel in the journal with the command, so replay decides the
 * same without history.
 *
 * <p>Wallet transfers. A sweep with {@code transfers} also lets go of the declined and returned
 * transfers made before its day ({@link Wallets}); an answer that names one brings its record back
 * in the place of a sale's image, under the same rules (memory wins; a look-up a sweep since let go
 * of it is stale). A sweep with {@code ended} also lets go of the ended transfers no kept sale names;
 * a look-up that brings a sale's image brings the records of the transfers its legs name as well
 * ({@link Command.Recalled#transfers}), under the same rules again, and a mutating command that
 * takes the sale back takes back with it each of them the writer let go of.
 */
final class Recall {
  /** The sequencer sends at most one sweep per this much ledger time, unless the last one stopped at its bound. */
  static final long SWEEP_PERIOD_MILLIS = 1_000;
  /** What one sweep lets go of at most (request entries and sales): bounds the writer's pause for it. */
  public static final int MAX_PER_SWEEP = 16_384;
  /** How many sweeps back the hashes of what was let go of are kept; a look-up older than that is stale. */
  static final int RECENT_SWEEPS = 8;
  /** Seeds of the two hashes, so that a request key and a sale id with the same text differ. */
  private static final long REQUEST_SEED = 0x5245_5131_cbf2_9ce4L;
  private static final long SALE_SEED = 0x5341_4c45_8422_2325L;

  /**
   * The sorted hashes of what each of the last {@link #RECENT_SWEEPS} sweeps let go of, by sweep
   * number modulo their count. Not in the snapshot: no look-up made before a restart reaches the
   * writer after it, and replay only sees commands that passed (so fewer hashes never refuse one).
   */
  private final long[][] letGo = new long[RECENT_SWEEPS][];
  private final long[] letGoSweep = new long[RECENT_SWEEPS];
  /** The hashes of the sweep being applied. */
  private long[] sweeping = new long[1024];
  private int sweepingCount;
  /** Whether the last sweep stopped at {@link #MAX_PER_SWEEP} (live pacing only). */
  private boolean lastSweepFull;

  /** Sweeps applied since the ledger began (journaled, in the snapshot). */
  private long sweeps;
  /** When the last sweep was applied (not in the snapshot: only the sequencer's pacing reads it). */
  private long lastSweepMillis = Long.MIN_VALUE;
  /** What was recalled for the command being applied, or null. */
  private Command.Recalled current;
  private boolean mutating;

  long sweeps() {
    return sweeps;
  }

  void restoreSweeps(long sweeps) {
    this.sweeps = sweeps;
  }

  /** Notes a request entry the sweep being applied lets go of. */
  void lettingGoRequest(String key) {
    note(hash(REQUEST_SEED, key));
  }

  /** Notes a sale the sweep being applied lets go of. */
  void lettingGoSale(String txnId) {
    note(hash(SALE_SEED, txnId));
  }

  /**
   * Notes a closed wallet transfer the sweep being applied lets go of. Its id is hashed as a sale's:
   * both are things a command names by id, and a transfer id ("W...") never spells a sale's ("T...");
   * a collision would only cost a look-up again.
   */
  void lettingGoTransfer(String transferId) {
    note(hash(SALE_SEED, transferId));
  }

  /**
   * A 64-bit hash of a key: FNV-1a over its characters, then a 64-bit finalizer (SplitMix64's) to
   * spread the bits. Not a murmur3 through Guava's hasher objects: the writer hashes every new
   * request id, and that took 6% of its time. A collision only costs a look-up again.
   */
  static long hash(long seed, String s) {
    long h = seed;
    for (int i = 0, n = s.length(); i < n; i++) {
      h = hashStep(h, s.charAt(i));
    }
    return hashEnd(h);
  }

  /** {@link #hash}'s step: one character into FNV-1a. */
  static long hashStep(long h, char c) {
    return (h ^ c) * 0x100000001b3L;
  }

  /** {@link #hash}'s finalizer. */
  static long hashEnd(long h) {
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  private void note(long hash) {
    if (sweepingCount == sweeping.length) {
      sweeping = Arrays.copyOf(sweeping, sweepingCount * 2);
    }
    sweeping[sweepingCount++] = hash;
  }

  /** Counts a sweep applied at {@code nowMillis} with what it let go of; returns the new count. */
  long swept(long nowMillis, boolean full) {
    lastSweepMillis = nowMillis;
    lastSweepFull = full;
    long n = ++sweeps;
    long[] hashes = Arrays.copyOf(sweeping, sweepingCount);
    Arrays.sort(hashes);
    letGo[(int) (n % RECENT_SWEEPS)] = hashes;
    letGoSweep[(int) (n % RECENT_SWEEPS)] = n;
    sweepingCount = 0;
    if (sweeping.length > 1 << 16) {
      sweeping = new long[1024];
    }
    return n;
  }

  /** Whether the pacing lets a sweep run at {@code nowMillis}. */
  boolean paced(long nowMillis) {
    return lastSweepMillis == Long.MIN_VALUE || lastSweepFull || nowMillis - lastSweepMillis >= SWEEP_PERIOD_MILLIS;
  }

  /**
   * Whether a look-up that saw {@code seenSweeps} sweeps may have missed the request entry under
   * {@code key} (null: none) or the sales {@code txnIds} (nulls skipped): a sweep after it let go of
   * one of them, or it is too far behind to tell.
   */
  boolean missedBy(long seenSweeps, String key, String... txnIds) {
    if (seenSweeps >= sweeps) {
      return false;
    }
    if (sweeps - seenSweeps > RECENT_SWEEPS) {
      return true;
    }
    long requestHash = key == null ? 0 : hash(REQUEST_SEED, key);
    for (long n = seenSweeps + 1; n <= sweeps; n++) {
      int at = (int) (n % RECENT_SWEEPS);
      if (letGoSweep[at] != n) {
        continue; // before a restart: no look-up made then reaches this writer
      }
      long[] hashes = letGo[at];
      if (key != null && Arrays.binarySearch(hashes, requestHash) >= 0) {
        return true;
      }
      for (String id : txnIds) {
        if (id != null && Arrays.binarySearch(hashes, hash(SALE_SEED, id)) >= 0) {
          return true;
        }
      }
    }
    return false;
  }

  /** The command being applied comes with these images ({@code recalled} may be null). */
  void begin(Command.Recalled recalled, boolean mutating) {
    this.current = recalled;
    this.mutating = mutating;
  }

  void end() {
    current = null;
    mutating = false;
  }

  /** Whether a sale recalled now is taken back into memory (the command changes state). */
  boolean readmits() {
    return mutating;
  }

  /** The recalled image of the request entry of a request id in a scope, or null (no key is made). */
  byte[] request(String scope, String requestId) {
    Command.Recalled r = current;
    if (r == null) {
      return null;
    }
    String key = r.requestKey();
    int s = scope.length();
    boolean same = key.length() == s + 1 + requestId.length() && key.startsWith(scope) && key.charAt(s) == '|'
        && key.startsWith(requestId, s + 1);
    return same ? r.request() : null;
  }

  /** The recalled image of sale {@code txnId}, or null. */
  byte[] sale(String txnId) {
    Command.Recalled r = current;
    return r != null && r.txnId().equals(txnId) ? r.sale() : null;
  }

  /**
   * The recalled image of wallet transfer {@code transferId} (a {@link HistoryRecord.WalletTransfer}
   * as {@link HistoryCodec} writes it), or null. It comes in the place of a sale's: a command that
   * names a transfer names no sale.
   */
  byte[] transfer(String transferId) {
    return transferId(current == null ? null : current.command()) == null ? null : sale(transferId);
  }

  /**
   * The record of wallet transfer {@code transferId} the command brought with the sale it needs from
   * history (whose legs name it), or null: the writer may have let go of an ended transfer.
   */
  byte[] namedTransfer(String transferId) {
    Command.Recalled r = current;
    return r == null ? null : r.transfer(transferId);
  }

  // ---- what a command may need from history ---------------------------------------------------

  /** The request-log key a command names (its own id, or the one it reverses or looks up), or null. */
  static String requestKey(Command c) {
    String scope = requestScope(c);
    return scope == null ? null : RequestLog.key(scope, namedRequestId(c));
  }

  /** The scope of the request-log key a command names ({@link #requestKey}), or null when it names none. */
  static String requestScope(Command c) {
    return switch (c.type()) {
      case AUTHORIZE, SETTLE, CANCEL, REFUND, REJECT, CREDIT, ASSIGN_WALLET_QUOTA, PAY_OUT_TO_HEIRS, PAY_PREMIUM,
          IDEMPOTENT -> ((Command.Keyed) c).scope();
      case REVERSE -> ((Command.Reverse) c).institution();
      case GET_TRANSACTION -> {
        Command.GetTransaction g = (Command.GetTransaction) c;
        yield g.requestId() == null ? null : g.institution();
      }
      default -> null;
    };
  }

  /** The request id of the key a command names, in its {@link #requestScope} (which must not be null). */
  static String namedRequestId(Command c) {
    return switch (c.type()) {
      case REVERSE -> ((Command.Reverse) c).originalRequestId();
      case GET_TRANSACTION -> ((Command.GetTransaction) c).requestId();
      default -> ((Command.Keyed) c).requestId();
    };
  }

  /**
   * The wallet transfer a command names by id (an answer to it, bare or under a request id), or
   * null. The look-up brings its image in the place of a sale's ({@link Command.Recalled#sale}).
   */
  static String transferId(Command c) {
    if (c == null) {
      return null;
    }
    return switch (c.type()) {
      case ANSWER_WALLET_TRANSFER -> ((Command.AnswerWalletTransfer) c).transferId();
      case IDEMPOTENT -> ((Command.Idempotent) c).command() instanceof Command.AnswerWalletTransfer a
          ? a.transferId() : null;
      default -> null;
    };
  }

  /**
   * The sale a command names by id, or null; a command that names a request instead (a reversal,
   * a look-up by request id) needs the sale its entry names, which the look-up finds from the entry.
   */
  static String txnId(Command c) {
    return switch (c.type()) {
      case SETTLE -> ((Command.Settle) c).txnId();
      case CANCEL -> ((Command.Cancel) c).txnId();
      case REFUND -> ((Command.Refund) c).txnId();
      case GET_TRANSACTION -> ((Command.GetTransaction) c).txnId();
      default -> null;
    };
  }
}
