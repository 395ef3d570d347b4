package gongji.server.ledger;

import gongji.server.ledger.Command.Keyed;
import gongji.server.ledger.Result.Breakdown;
import gongji.server.ledger.Result.Rejected;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The idempotency record: what every request id of the window led to, so that a retry gets the
 * original result. Same id and same content: the original result; other content:
 * REQUEST_ID_REUSED; reversed (or named by a reversal before it arrived): REQUEST_ID_REVERSED.
 * Request ids are scoped ({@link Command.Keyed#scope}): each institution's, and the back office's,
 * are apart, kept under the key {@code scope "|" id} (request ids never hold a "|").
 *
 * <p>It keeps what it takes to answer a replay, not the result itself (which would cost hundreds of
 * bytes per id over the whole window): the sale it touched and the few numbers of that moment. For
 * the two requests of almost every sale (its authorization and its settlement) the {@link Txn}
 * itself is the entry: it keeps their ids and hashes. Entries are kept oldest first and forgotten
 * once older than the window.
 *
 * <p>With sweeps ({@link Recall}), an entry kept for the recent window goes to history as an image
 * and is forgotten here; the command that names it again brings the image back. Within the window
 * an image counts exactly like a kept entry; a reversal marks it and keeps it again.
 *
 * <p>The entries are kept in a {@link RequestTable}: keys as bytes in a ring, numbers in arrays,
 * found by a hash of the scope and id as the command brings them. A command's request makes no key
 * string and no map node; key strings are made only for history and snapshots.
 */
final class RequestLog {
  private final Duration window;
  private final Registry registry;
  private final Sales sales;
  private final Bindings bindings;
  private final Wallets wallets;
  private final Recall recall;
  private final LedgerTime time;
  /**
   * Per request id an {@link Entry}, or the {@link Txn} for a sale's own authorize and settle (which
   * of the two, the table's {@link RequestTable#which}).
   */
  private final RequestTable requests = new RequestTable();

  RequestLog(Duration window, Registry registry, Sales sales, Bindings bindings, Wallets wallets, Recall recall,
      LedgerTime time) {
    this.window = window;
    this.registry = registry;
    this.sales = sales;
    this.bindings = bindings;
    this.wallets = wallets;
    this.recall = recall;
    this.time = time;
  }

  /** Whether the entry of a request id in a scope is in memory (not only in history). */
  boolean has(String scope, String requestId) {
    return requests.find(scope, requestId) != RequestTable.NONE;
  }

  int size() {
    return requests.size();
  }

  /** The key of a request id in a scope. */
  static String key(String scope, String requestId) {
    return scope + '|' + requestId;
  }

  /**
   * The result of an earlier request with this id, if there was one: the same result for the same
   * content; REQUEST_ID_REUSED for other content; REQUEST_ID_REVERSED once reversed. Null if new.
   */
  Result replay(Keyed c, RequestKind kind) {
    Entry e = entry(c.scope(), c.requestId(), false);
    if (e == null) {
      return null;
    }
    if (e.kind == RequestKind.TOMBSTONE) {
      return new Rejected(Outcome.REQUEST_ID_REVERSED,
          "request_id " + c.requestId() + " was reversed before this request arrived");
    }
    if (e.kind != kind || e.contentHash != c.contentHash()) {
      return new Rejected(Outcome.REQUEST_ID_REUSED,
          "request_id " + c.requestId() + " was already used for a different " + e.kind + " request");
    }
    if (e.reversed) {
      return new Rejected(Outcome.REQUEST_ID_REVERSED, "request_id " + c.requestId() + " was reversed");
    }
    return resultOf(c.requestId(), e);
  }

  /** Keeps what it takes to answer a replay of this request (see {@link #resultOf}); returns the result. */
  Result record(Keyed c, RequestKind kind, String subject, Result result) {
    long now = time.nowMillis();
    Entry e;
    if (result instanceof Result.Sale s && (kind == RequestKind.AUTHORIZE || kind == RequestKind.SETTLE)) {
      Txn t = sales.txn(s.txn().txnId());
      if (kind == RequestKind.AUTHORIZE) {
        t.authorizeKept = true;
        t.authorizeHash = c.contentHash();
      } else {
        t.settleKept = true;
        t.settleHash = c.contentHash();
        t.settledAtMillis = now;
      }
      requests.add(c.scope(), c.requestId(), t, kind == RequestKind.AUTHORIZE ? RequestTable.AUTHORIZE : RequestTable.SETTLE);
      return result;
    }
    if (result instanceof Rejected r) {
      e = new Entry(kind, c.contentHash(), subject, r, null, null, 0, 0, now);
    } else if (result instanceof Result.Sale s) {
      e = new Entry(kind, c.contentHash(), subject, null, sales.txn(s.txn().txnId()), s.txn().state(),
          s.breakdown().balanceAfterFen(), 0, now);
      sales.touch(e.txn); // the sale stays at least as long as the entry naming it
    } else if (result instanceof Result.Premium pr) {
      e = new Entry(kind, c.contentHash(), subject, null, null, null, pr.amountFen(), pr.payerBalanceAfterFen(), now);
      e.extra = pr;
    } else if (result instanceof Result.Payout po) {
      e = new Entry(kind, c.contentHash(), subject, null, null, null, po.totalFen(),
          registry.person(subject).payouts.size() - 1, now);
    } else if (result instanceof Result.WalletTransferView w) {
      e = new Entry(kind, c.contentHash(), subject, null, null, null, w.amountFen(), 0, now);
      e.extra = w;
    } else if (result instanceof Result.Account a) {
      e = new Entry(kind, c.contentHash(), a.psnNo(), null, null, null, a.balanceFen(), a.heldFen(), now);
    } else if (result instanceof Result.BindingView b) {
      e = new Entry(kind, c.contentHash(), b.bindingId(), null, null, null, 0, 0, now);
    } else if (result instanceof Result.WalletView w) {
      e = new Entry(kind, c.contentHash(), w.psnNo(), null, null, null, 0, 0, now);
    } else if (result instanceof Result.ClockMoved m) {
      e = new Entry(kind, c.contentHash(), "", null, null, null, m.nowMillis(), 0, now);
    } else if (result instanceof Result.Reference r && r.value() instanceof gongji.server.domain.RegionPolicy p) {
      e = new Entry(kind, c.contentHash(), p.admdvs(), null, null, null, 0, 0, now);
    } else if (result instanceof Result.Done) {
      e = new Entry(kind, c.contentHash(), "", null, null, null, 0, 0, now);
    } else {
      throw new IllegalStateException("cannot record " + result);
    }
    requests.add(c.scope(), c.requestId(), e, RequestTable.OTHER);
    return result;
  }

  /** Whether a request id was seen in a scope in the window (tombstones included). */
  boolean contains(String scope, String requestId) {
    return entry(scope, requestId) != null;
  }

  /**
   * The entry of a request id in a scope, or null: the kept one (for a sale's own requests, made
   * from the sale), else the image the command brought from history if it is within the window.
   */
  Entry entry(String scope, String requestId) {
    return entry(scope, requestId, true);
  }

  /** The same; {@code readmit} false leaves a recalled entry's sale in history (see {@link Sales#recalled}). */
  private Entry entry(String scope, String requestId, boolean readmit) {
    int place = requests.find(scope, requestId);
    if (place != RequestTable.NONE) {
      return entryOf(place);
    }
    byte[] image = recall.request(scope, requestId);
    if (image == null) {
      return null;
    }
    Entry e = readImage(key(scope, requestId), image, readmit);
    return e.atMillis < time.nowMillis() - window.toMillis() ? null : e;
  }

  /**
   * Leaves a tombstone in an institution's scope: the original of a reversal has not arrived (or
   * never will) and is refused when it does.
   */
  void tombstone(String institution, String requestId) {
    requests.add(institution, requestId,
        new Entry(RequestKind.TOMBSTONE, 0, institution, null, null, null, 0, 0, time.nowMillis()), RequestTable.OTHER);
  }

  /**
   * Marks a request of a scope reversed: a retry of it is refused from now on. {@code e} is its
   * entry as {@link #entry} gave it; one recalled from history is kept again, for a recent window.
   */
  void markReversed(String scope, String requestId, Entry e) {
    int place = requests.find(scope, requestId);
    Object v = place == RequestTable.NONE ? null : requests.value(place);
    if (v instanceof Txn sale) {
      if (requests.which(place) == RequestTable.AUTHORIZE) {
        sale.authorizeReversed = true;
      } else {
        sale.settleReversed = true;
      }
      sales.touch(sale);
      return;
    }
    Entry kept = (Entry) v;
    if (kept == null) {
      kept = e;
      kept.keptAtMillis = time.nowMillis();
      requests.add(scope, requestId, kept, RequestTable.OTHER);
    }
    kept.reversed = true;
    if (kept.txn != null) {
      sales.touch(kept.txn);
    }
  }

  /** When the entry kept longest was kept, or {@link Long#MAX_VALUE} if none is. */
  long oldestKeptMillis() {
    return requests.isEmpty() ? Long.MAX_VALUE : keptAt(requests.oldest());
  }

  /**
   * Hands the entries kept since before {@code horizon} to history and forgets them, at most
   * {@code max}; returns how many. Entries are kept in the order they were kept, so the sweep stops
   * at the first younger one.
   */
  int evict(long horizon, List<HistoryRecord> out, int max, Recall recall) {
    CommandCodec.Output image = new CommandCodec.Output(128);
    int n = 0;
    while (!requests.isEmpty() && n < max) {
      int place = requests.oldest();
      if (keptAt(place) >= horizon) {
        break;
      }
      String key = requests.key(place);
      image.reset();
      writeImage(image, key, entryOf(place));
      out.add(new HistoryRecord.RequestImage(key, recordedAt(place), Arrays.copyOf(image.array(), image.size())));
      letGoOfOldest();
      recall.lettingGoRequest(key);
      n++;
    }
    return n;
  }

  /** Forgets the oldest entry; a sale's own request is no longer kept by its sale either. */
  private void letGoOfOldest() {
    int place = requests.oldest();
    if (requests.value(place) instanceof Txn t) { // the sale outlives its request ids: let them go
      if (requests.which(place) == RequestTable.AUTHORIZE) {
        t.authorizeKept = false;
      } else {
        t.settleKept = false;
      }
    }
    requests.removeOldest();
  }

  /** When the request of an entry image was made. */
  static long atMillisOf(byte[] image) {
    ByteBuffer in = atTxnId(image);
    CommandCodec.str(in);
    in.get();
    in.getLong();
    in.getLong();
    return in.getLong();
  }

  /** When an entry was kept: when it was recorded, or kept again after a recall. */
  private long keptAt(int place) {
    return requests.value(place) instanceof Entry e ? e.keptAtMillis : recordedAt(place);
  }

  /** Forgets the request ids older than the window. */
  void forgetExpired() {
    long horizon = time.nowMillis() - window.toMillis();
    while (!requests.isEmpty() && recordedAt(requests.oldest()) < horizon) {
      letGoOfOldest();
    }
  }

  private Entry entryOf(int place) {
    if (!(requests.value(place) instanceof Txn t)) {
      return (Entry) requests.value(place);
    }
    boolean authorize = requests.which(place) == RequestTable.AUTHORIZE;
    Entry e = authorize
        ? new Entry(RequestKind.AUTHORIZE, t.authorizeHash, t.institution.code(), null, t,
            TxnState.AUTHORIZED, t.authorizedBalanceAfterFen, 0, t.createdAtMillis)
        : new Entry(RequestKind.SETTLE, t.settleHash, t.institution.code(), null, t, TxnState.SETTLED,
            t.settledBalanceAfterFen, 0, t.settledAtMillis);
    e.reversed = authorize ? t.authorizeReversed : t.settleReversed;
    return e;
  }

  /** When a request was recorded. */
  private long recordedAt(int place) {
    if (requests.value(place) instanceof Txn t) {
      return requests.which(place) == RequestTable.AUTHORIZE ? t.createdAtMillis : t.settledAtMillis;
    }
    return ((Entry) requests.value(place)).atMillis;
  }

  /** Keeps a request in the compact form when it is a sale's own successful authorization or settlement. */
  private void keep(String key, Entry e) {
    Txn t = e.txn;
    if (e.rejected == null && t != null && (e.kind == RequestKind.AUTHORIZE || e.kind == RequestKind.SETTLE)) {
      if (e.kind == RequestKind.AUTHORIZE) {
        t.authorizeKept = true;
        t.authorizeHash = e.contentHash;
        t.authorizeReversed = e.reversed;
      } else {
        t.settleKept = true;
        t.settleHash = e.contentHash;
        t.settledAtMillis = e.atMillis;
        t.settleReversed = e.reversed;
      }
      requests.add(key, t, e.kind == RequestKind.AUTHORIZE ? RequestTable.AUTHORIZE : RequestTable.SETTLE);
    } else {
      requests.add(key, e, RequestTable.OTHER);
    }
  }

  /** The result a request had, rebuilt from its entry (see {@link #record}). */
  private Result resultOf(String requestId, Entry e) {
    if (e.rejected != null) {
      return e.rejected;
    }
    return switch (e.kind) {
      case CREDIT -> new Result.Account(e.subject, e.a, e.b);
      case PAYOUT -> registry.person(e.subject).payouts.get((int) e.b);
      case PREMIUM -> (Result.Premium) e.extra;
      case AUTHORIZE -> {
        Breakdown authorized = e.txn.authorizedBreakdown();
        yield new Result.Sale(requestId, e.txn.view(TxnState.AUTHORIZED, authorized, null), authorized);
      }
      case SETTLE -> {
        Breakdown settled = e.txn.settledBreakdown();
        yield new Result.Sale(requestId, e.txn.view(TxnState.SETTLED, e.txn.authorizedBreakdown(), settled), settled);
      }
      case CANCEL -> new Result.Sale(requestId, e.txn.view(e.stateAfter), e.txn.releasedBreakdown(e.a));
      case REFUND -> new Result.Sale(requestId, e.txn.view(TxnState.REFUNDED),
          e.txn.breakdown(e.txn.posted, e.txn.settledCashFen, e.txn.settledInScopeFen, e.a));
      case WALLET_ASSIGN, ACCEPT_WALLET_TRANSFER, DECLINE_WALLET_TRANSFER -> (Result.WalletTransferView) e.extra;
      // A binding or a wallet is answered as it is now: the one the request made or changed, with
      // what happened to it since (a retried RequestBinding gets its binding, reviewed or not).
      case CREATE_BINDING, REQUEST_BINDING, REVIEW_BINDING, DISSOLVE_BINDING, UPDATE_BINDING_QUOTA ->
          bindings.view(e.subject);
      case OPEN_WALLET -> wallets.get(e.subject);
      case UPDATE_REGION_POLICY -> new Result.Reference(registry.ownPolicy(e.subject));
      case MOVE_CLOCK -> new Result.ClockMoved(e.a, true);
      case REGISTER_INSTITUTION, UPSERT_INSURED, SET_REGION_POLICY, RECORD_DEATH -> new Result.Done();
      case TOMBSTONE -> throw new IllegalStateException("a tombstone has no result");
    };
  }

  // ---- snapshot sections --------------------------------------------------------------------

  /** The entries, oldest first. */
  void write(CommandCodec.Output out) {
    out.varint(requests.size());
    for (int i = 0, n = requests.size(); i < n; i++) {
      int place = requests.at(i);
      Entry e = entryOf(place);
      writeEntry(out, requests.key(place), e);
      // Kept again after a recall: kept apart from its sale, from when it came back.
      boolean recalled = requests.value(place) instanceof Entry && e.keptAtMillis != e.atMillis;
      out.u8(recalled ? 1 : 0);
      if (recalled) {
        out.i64(e.keptAtMillis);
      }
    }
  }

  private static void writeEntry(CommandCodec.Output out, String key, Entry e) {
    out.str(key).u8(e.kind.code()).i64(e.contentHash).str(e.subject).u8(e.rejected == null ? 0 : 1);
    if (e.rejected != null) {
      out.u8(e.rejected.outcome().code()).str(e.rejected.detail());
    }
    out.str(e.txn == null ? "" : e.txn.id).u8(e.stateAfter == null ? 255 : e.stateAfter.code())
        .i64(e.a).i64(e.b).i64(e.atMillis).u8(e.reversed ? 1 : 0);
  }

  /**
   * Reads the entries; a snapshot of format 3 kept them by bare request id, which becomes the key of
   * the scope the entry belongs to (the institution for a terminal's request, the back office else).
   */
  void read(ByteBuffer in, int format) {
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      String key = CommandCodec.str(in);
      Entry e = readEntry(in, true, false);
      if (format == 3) {
        key = key(terminalKind(e.kind) ? e.subject : "", key);
      } else if (key.indexOf('|') < 0) {
        throw new IllegalArgumentException("snapshot has a request key without a scope: " + key);
      }
      if (format >= Sales.SNAPSHOT_FORMAT_WITH_TOUCH && in.get() != 0) {
        e.keptAtMillis = in.getLong();
        requests.add(key, e, RequestTable.OTHER);
      } else {
        keep(key, e);
      }
    }
  }

  /**
   * One entry after its key: its sale from memory ({@code kept}, a snapshot) or as the command
   * recalled it.
   */
  private Entry readEntry(ByteBuffer in, boolean kept, boolean readmit) {
    RequestKind kind = RequestKind.ofCode(in.get() & 0xff);
    long hash = in.getLong();
    String subject = CommandCodec.str(in);
    Rejected rejected = null;
    if (in.get() != 0) {
      rejected = new Rejected(Outcome.ofCode(in.get() & 0xff), CommandCodec.str(in));
    }
    String txnId = CommandCodec.str(in);
    int stateAfter = in.get() & 0xff;
    Txn txn = null;
    if (!txnId.isEmpty()) {
      // A recalled entry whose sale did not come with it is one the command only needs to refuse
      // (the id reused for another sale): the writer checked that (Ledger.stale) before applying.
      txn = kept ? LedgerSnapshot.known(sales.txn(txnId), "sale", txnId) : sales.recalled(txnId, readmit);
    }
    Entry e = new Entry(kind, hash, subject, rejected, txn, stateAfter == 255 ? null : TxnState.ofCode(stateAfter),
        in.getLong(), in.getLong(), in.getLong());
    e.reversed = in.get() != 0;
    return e;
  }

  // ---- images: what history keeps of an entry the writer let go of ---------------------------

  private static final int NO_EXTRA = 0;
  private static final int PREMIUM_EXTRA = 1;
  private static final int WALLET_EXTRA = 2;

  /** The entry and its whole result where it keeps one (see {@link #writeExtras}). */
  private static void writeImage(CommandCodec.Output out, String key, Entry e) {
    writeEntry(out, key, e);
    if (e.extra instanceof Result.Premium pr) {
      out.u8(PREMIUM_EXTRA).str(pr.beneficiaryPsnNo()).varint(pr.year());
    } else if (e.extra instanceof Result.WalletTransferView w) {
      out.u8(WALLET_EXTRA);
      writeWalletView(out, w);
    } else {
      out.u8(NO_EXTRA);
    }
  }

  private Entry readImage(String key, byte[] image, boolean readmit) {
    ByteBuffer in = ByteBuffer.wrap(image);
    String of = CommandCodec.str(in);
    if (!key.equals(of)) {
      throw new IllegalArgumentException("the image recalled for request " + key + " is of " + of);
    }
    Entry e = readEntry(in, false, readmit);
    switch (in.get()) {
      case PREMIUM_EXTRA -> e.extra = new Result.Premium(e.subject, CommandCodec.str(in), e.a, CommandCodec.varint(in), e.b);
      case WALLET_EXTRA -> e.extra = readWalletView(in);
      case NO_EXTRA -> { }
      default -> throw new IllegalArgumentException("the image recalled for request " + key + " has an unknown extra");
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " bytes left after the image of request " + key);
    }
    return e;
  }

  /** The sale an entry image names, or null: the look-up before the writer recalls it too. */
  static String txnIdOf(byte[] image) {
    String txnId = CommandCodec.str(atTxnId(image));
    return txnId.isEmpty() ? null : txnId;
  }

  /** An entry image read up to its sale id (see {@link #writeEntry}: key, kind, hash, subject, refusal). */
  private static ByteBuffer atTxnId(byte[] image) {
    ByteBuffer in = ByteBuffer.wrap(image);
    CommandCodec.str(in);
    in.get();
    in.getLong();
    CommandCodec.str(in);
    if (in.get() != 0) {
      in.get();
      CommandCodec.str(in);
    }
    return in;
  }

  /** The whole results of the kinds that keep them: premiums and wallet transfers. */
  void writeExtras(CommandCodec.Output out) {
    int premiums = 0;
    int assigned = 0;
    for (int i = 0, n = requests.size(); i < n; i++) {
      Object v = requests.value(requests.at(i));
      premiums += v instanceof Entry e && e.extra instanceof Result.Premium ? 1 : 0;
      assigned += v instanceof Entry e && e.extra instanceof Result.WalletTransferView ? 1 : 0;
    }
    out.varint(premiums);
    for (int i = 0, n = requests.size(); i < n; i++) {
      int place = requests.at(i);
      if (requests.value(place) instanceof Entry e && e.extra instanceof Result.Premium pr) {
        out.str(requests.key(place)).str(pr.beneficiaryPsnNo()).varint(pr.year());
      }
    }
    out.varint(assigned);
    for (int i = 0, n = requests.size(); i < n; i++) {
      int place = requests.at(i);
      if (requests.value(place) instanceof Entry e && e.extra instanceof Result.WalletTransferView w) {
        writeWalletView(out.str(requests.key(place)), w);
      }
    }
  }

  /** A wallet transfer's view as request images, snapshots and history records hold it. */
  static void writeWalletView(CommandCodec.Output out, Result.WalletTransferView w) {
    out.str(w.transferId()).str(w.authorizerPsnNo()).str(w.beneficiaryPsnNo()).str(w.bindingId())
        .varlong(w.amountFen()).varlong(w.remainingFen()).varlong(w.spentFen()).u8(w.state().code())
        .i64(w.createdAtMillis()).i64(w.acceptByMillis()).str(w.endReason());
  }

  static Result.WalletTransferView readWalletView(ByteBuffer in) {
    return new Result.WalletTransferView(CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in),
        CommandCodec.str(in), CommandCodec.varlong(in), CommandCodec.varlong(in), CommandCodec.varlong(in),
        WalletTransferState.ofCode(in.get() & 0xff), in.getLong(), in.getLong(), CommandCodec.str(in));
  }

  void readExtras(ByteBuffer in, int format) {
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      Entry e = extraOf(CommandCodec.str(in), format);
      e.extra = new Result.Premium(e.subject, CommandCodec.str(in), e.a, CommandCodec.varint(in), e.b);
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      Entry e = extraOf(CommandCodec.str(in), format);
      e.extra = readWalletView(in);
    }
  }

  /** Premiums and wallet transfers are the back office's requests. */
  private Entry extraOf(String key, int format) {
    String scoped = format == 3 ? key("", key) : key;
    int place = requests.find(scoped);
    if (place == RequestTable.NONE || !(requests.value(place) instanceof Entry e)) {
      throw new IllegalArgumentException("snapshot has a result for an unknown request " + scoped);
    }
    return e;
  }

  /** The kinds of request a terminal makes, kept in its institution's scope. */
  private static boolean terminalKind(RequestKind kind) {
    return switch (kind) {
      case AUTHORIZE, SETTLE, CANCEL, REFUND, TOMBSTONE -> true;
      case CREDIT, PAYOUT, PREMIUM, WALLET_ASSIGN, REGISTER_INSTITUTION, UPSERT_INSURED, SET_REGION_POLICY,
          CREATE_BINDING, REQUEST_BINDING, REVIEW_BINDING, DISSOLVE_BINDING, UPDATE_BINDING_QUOTA, RECORD_DEATH,
          OPEN_WALLET, ACCEPT_WALLET_TRANSFER, DECLINE_WALLET_TRANSFER, MOVE_CLOCK, UPDATE_REGION_POLICY -> false;
    };
  }

  /**
   * One request id kept for idempotency: about 100 bytes plus the id itself. {@code subject} is the
   * institution (the person, for a credit, premium, payout or wallet transfer and an opened wallet;
   * the binding for a binding's change); {@code a}/{@code b} are the balance after (and held, for a
   * credit) at the time, or the ledger time a sandbox's clock was moved to.
   */
  static final class Entry {
    final RequestKind kind;
    final long contentHash;
    final String subject;
    final Rejected rejected;
    final Txn txn;
    final TxnState stateAfter;
    final long a;
    final long b;
    final long atMillis;
    /** When it was kept: when recorded, or when kept again after a recall (for the sweep's order). */
    long keptAtMillis;
    boolean reversed;
    /** The whole result, for the rare kinds that need more than the fields above (premiums). */
    Object extra;

    Entry(RequestKind kind, long contentHash, String subject, Rejected rejected, Txn txn, TxnState stateAfter,
        long a, long b, long atMillis) {
      this.kind = kind;
      this.contentHash = contentHash;
      this.subject = subject;
      this.rejected = rejected;
      this.txn = txn;
      this.stateAfter = stateAfter;
      this.a = a;
      this.b = b;
      this.atMillis = atMillis;
      this.keptAtMillis = atMillis;
    }
  }
}
