package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.RegionPolicy;
import gongji.server.ledger.Result.Rejected;
import gongji.server.ledger.Result.RequestView;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * The money state machine: one command at a time, dispatched to the part that owns it.
 *
 * <p>How it works. The ledger is single-threaded and deterministic: the sequencer calls
 * {@link #apply} with one command and the ledger time at a time, and the same commands with the same
 * times always produce the same state and results (that is what makes journal replay exact). It
 * does no I/O and reads no clock. Its parts, each with one reason to change:
 *
 * <pre>
 * Accounts    double entry over flat arrays: balances and holds, the only place money moves
 * Registry    persons, credentials, institutions, region policies and their resolution
 * Funding     the funding plan: sources, drawing order, floors, quotas, the daily allowance; Identify
 * Sales       authorize, settle, cancel, refund, expiry, and the money side of a reversal
 * Bindings    mutual-aid bindings: request, review, dissolve, end, quota
 * Wallets     the wallet: open, assign, accept or decline, return, the earmarks
 * LifeEvents  changes of insurance, death and payout to heirs, premiums paid for relatives
 * RequestLog  idempotency: what each request id of the window led to, tombstones, reversal marks
 * Records     usage records, reconciliation events, alerts: made here, handed on to history
 * Auditor     every invariant, checked from scratch
 * </pre>
 *
 * <p>Invariants, checked with {@code verify} where they could break: no personal balance is negative;
 * {@code 0 <= held <= balance}; the sum of balances is zero; each binding's {@code heldFen} is the
 * sum of its open legs and {@code usedFen} the sum of its settled, unrefunded legs. Every command
 * checks first and changes state after: a refused command changes nothing but the idempotency record.
 */
public final class Ledger {
  /** Persons the Identify view holds at most unless {@link #boundIdentityView} says otherwise. */
  public static final int DEFAULT_IDENTITY_VIEW_MAX_PERSONS = Identities.DEFAULT_MAX_PERSONS;

  private final LedgerTime time = new LedgerTime();
  private final Recall recall = new Recall();
  private final Identities identities = new Identities(time, Identities.DEFAULT_MAX_PERSONS);
  private final Accounts accounts = new Accounts(identities);
  private final Registry registry;
  private final Funding funding;
  private final Records records;
  private final Wallets wallets;
  private final Bindings bindings;
  private final Sales sales;
  private final LifeEvents life;
  private final RequestLog requests;
  /**
   * The size of the last snapshot image this ledger was read from or written out to (0: none), so
   * that the next image's buffer starts about that size ({@link Snapshots#image}); not its state.
   */
  private int imageBytes;

  public Ledger(Duration idempotencyWindow, ReferenceListener listener) {
    requireNonNull(idempotencyWindow, "idempotencyWindow");
    requireNonNull(listener, "listener");
    registry = new Registry(accounts, listener, identities);
    funding = new Funding(accounts, registry, time, identities);
    records = new Records(time);
    wallets = new Wallets(accounts, registry, funding, time, recall, identities);
    bindings = new Bindings(registry, wallets, identities);
    sales = new Sales(accounts, registry, funding, wallets, bindings, records, recall, time, identities);
    life = new LifeEvents(accounts, registry, funding, bindings, wallets, records, time, identities);
    identities.bind(accounts, registry, funding, this);
    requests = new RequestLog(idempotencyWindow, registry, sales, bindings, wallets, recall, time);
  }

  /** The ledger time: the latest time any command was applied at. */
  public long nowMillis() {
    return time.nowMillis();
  }

  /**
   * When the earliest open hold expires or pending wallet transfer returns, or {@link Long#MAX_VALUE}
   * if there is neither.
   */
  public long nextExpiryMillis() {
    return Math.min(sales.nextExpiryMillis(), wallets.nextReturnMillis());
  }

  /**
   * Bounds the {@link IdentityView} at {@code maxPersons} (0: it holds no one, and the writer answers
   * every Identify); past the bound it starts again empty. Not part of the state: a ledger made from a
   * snapshot or a journal starts at {@link #DEFAULT_IDENTITY_VIEW_MAX_PERSONS}; set before the
   * sequencer starts.
   */
  public void boundIdentityView(int maxPersons) {
    identities.maxPersons(maxPersons);
  }

  /**
   * What the commands applied since the last call changed in the {@link IdentityView}, or null if
   * nothing: to be published once they are durable, before their replies leave.
   */
  IdentityView.Publication identityChanges() {
    return identities.collect();
  }

  /**
   * Moves the ledger time to {@code atMillis} (never back) and does what came due by then: expired
   * holds are released, unaccepted wallet transfers returned, request ids past the window forgotten.
   * This changes money state: a failure here is a broken invariant.
   */
  public void advanceTo(long atMillis) {
    time.advanceTo(atMillis);
    sales.expireDue();
    wallets.returnDue();
    requests.forgetExpired();
  }

  /**
   * Applies one command at the given time (ledger time never goes back: an earlier time counts as
   * the current one). Never throws for a valid command; an exception means a bug.
   */
  public Result apply(Command command, long atMillis) {
    Command.Recalled recalled = command instanceof Command.Recalled r ? r : null;
    Command c = recalled != null ? recalled.command() : command;
    if (stale(c, recalled)) {
      return new Result.Stale(); // applied to nothing, not even time
    }
    advanceTo(atMillis);
    recall.begin(recalled, c.mutating());
    try {
      Result r = dispatch(c);
      if (c.mutating()) {
        // After every journaled command, so that replay hands history the same records at the same points.
        wallets.takeChanged(records);
      }
      return r;
    } finally {
      recall.end();
      wallets.endCommand();
    }
  }

  /**
   * Whether a command needs what the writer let go of and brings no look-up that saw every sweep
   * (see {@link Recall}): memory wins, so what is still kept needs no look-up at all.
   */
  private boolean stale(Command c, Command.Recalled recalled) {
    if (recall.sweeps() == 0) {
      return false;
    }
    // By scope and id, not the joined key: a new id's miss is remembered, and the command's own
    // look-up of it finds nothing again without a probe (RequestTable.find).
    String scope = Recall.requestScope(c);
    String id = scope == null ? null : Recall.namedRequestId(c);
    String txnId = Recall.txnId(c);
    String transferId = Recall.transferId(c);
    boolean keyKept = scope == null || requests.has(scope, id);
    boolean saleKept = txnId == null || sales.txn(txnId) != null;
    boolean transferKept = transferId == null || wallets.grant(transferId) != null;
    if (keyKept && saleKept && transferKept) {
      return false;
    }
    if (recalled == null) {
      return true;
    }
    String key = keyKept ? null : RequestLog.key(scope, id);
    // A recalled entry of a sale, for a command that names no sale itself: the sale must have come too.
    byte[] entry = keyKept || !recalled.requestKey().equals(key) ? null : recalled.request();
    String entrySale = entry == null ? null : RequestLog.txnIdOf(entry);
    boolean entrySaleKept = entrySale == null || sales.txn(entrySale) != null;
    if (recall.missedBy(recalled.sweeps(), keyKept ? null : key, saleKept ? null : txnId,
        entrySaleKept ? null : entrySale, transferKept ? null : transferId)) {
      return true;
    }
    if (!transferKept && !recalled.txnId().equals(transferId)) {
      return true; // a transfer let go of, and no look-up of it
    }
    if (txnId == null && !entrySaleKept && (recalled.sale() == null || !recalled.txnId().equals(entrySale))) {
      return true;
    }
    // A sale brought from history names the wallet transfers it drew on: each one let go of (an ended
    // one) must have come too, from a look-up that saw every sweep that let go of it.
    String fromHistory = !saleKept ? txnId : !entrySaleKept ? entrySale : null;
    if (fromHistory != null && recalled.sale() != null && recalled.txnId().equals(fromHistory)) {
      for (String g : Sales.grantIdsOf(recalled.sale())) {
        if (wallets.grant(g) == null
            && (recalled.transfer(g) == null || recall.missedBy(recalled.sweeps(), null, g))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Whether a {@link Command.Sweep} with this recent window would let go of something now, and the
   * last sweep was long enough ago: the sequencer asks before each batch.
   */
  public boolean sweepDue(long nowMillis, long recentWindowMillis) {
    long horizon = nowMillis - recentWindowMillis;
    return recall.paced(nowMillis) && (requests.oldestKeptMillis() < horizon
        || sales.oldestTouchedMillis() < horizon || wallets.letGoDue(nowMillis, true));
  }

  /**
   * Whether wallet transfers changed since the last journaled command (returned at the end of the
   * quiet hours as time moved, say): their records reach history with the next journaled command,
   * so the sequencer sends a {@link Command.Tick} when it has nothing else to send.
   */
  public boolean transfersChanged() {
    return wallets.hasChanged();
  }

  /** The ids of the wallet transfers the writer keeps, in no particular order (see {@link #transferChanged}). */
  public List<String> transfersKept() {
    List<String> ids = new java.util.ArrayList<>(wallets.kept());
    for (WalletGrant g : wallets.all()) {
      ids.add(g.id);
    }
    return ids;
  }

  /**
   * Hands a kept transfer's record to history again with the next journaled command: recovery
   * calls it for each one history lacks (a data directory from before transfers went to history).
   */
  public void transferChanged(String transferId) {
    WalletGrant g = wallets.grant(transferId);
    if (g != null) {
      wallets.changed(g);
    }
  }

  /** How many wallet transfers the writer keeps. */
  public int transfersKeptCount() {
    return wallets.kept();
  }

  /** The sweeps applied so far (see {@link Recall}). */
  public long sweeps() {
    return recall.sweeps();
  }

  /**
   * The figures for the meters now: {@code previous} itself when none changed (the alerts' map is
   * copied only when an alert was raised). Only on the writer's thread.
   */
  public LedgerFigures figures(LedgerFigures previous) {
    long held = sales.heldFen();
    int open = sales.openCount();
    long alerts = records.alertsRaised();
    if (previous != null && previous.alertsRaised() == alerts) {
      return previous.holdsOutstandingFen() == held && previous.openSales() == open ? previous
          : new LedgerFigures(held, open, alerts, previous.alertsByKind());
    }
    return new LedgerFigures(held, open, alerts, records.alertsByKind());
  }

  /** How many sales (open, and closed within the recent window) are kept. */
  public int salesKept() {
    return sales.all().size();
  }

  /** Whether the writer keeps a wallet transfer in memory (for tests). */
  boolean keepsTransfer(String transferId) {
    return wallets.grant(transferId) != null;
  }

  /** Whether the writer keeps a sale in memory (for tests). */
  boolean keepsSale(String txnId) {
    return sales.txn(txnId) != null;
  }

  /**
   * Hands what has been closed for the recent window to history (see {@link Recall}), at most
   * {@code maxItems}: request entries first, then, only if every entry due went, sales, then (a
   * sweep with {@code transfers}) the declined and returned wallet transfers made before today, and
   * (with {@code ended} too) the ended ones no kept sale names.
   */
  private Result sweep(Command.Sweep c) {
    long horizon = time.nowMillis() - c.recentWindowMillis();
    List<HistoryRecord> out = new java.util.ArrayList<>();
    int entries = requests.evict(horizon, out, c.maxItems(), recall);
    int sales = entries < c.maxItems() ? this.sales.evict(horizon, out, c.maxItems() - entries) : 0;
    int transfers = c.transfers() && entries + sales < c.maxItems()
        ? wallets.evict(out, c.maxItems() - entries - sales, c.ended()) : 0;
    out.add(new HistoryRecord.Swept(recall.swept(time.nowMillis(), entries + sales + transfers >= c.maxItems()),
        time.nowMillis()));
    records.addAll(out);
    return new Result.Done();
  }

  private Result dispatch(Command command) {
    // Requests with an idempotency key: the earlier result if the id was seen, else run and recorded.
    return switch (command.type()) {
      // terminals
      case AUTHORIZE -> {
        Command.Authorize c = (Command.Authorize) command;
        Result seen = requests.replay(c, RequestKind.AUTHORIZE);
        yield seen != null ? seen : requests.record(c, RequestKind.AUTHORIZE, c.institution(), sales.authorize(c));
      }
      case SETTLE -> {
        Command.Settle c = (Command.Settle) command;
        Result seen = requests.replay(c, RequestKind.SETTLE);
        yield seen != null ? seen : requests.record(c, RequestKind.SETTLE, c.institution(), sales.settle(c));
      }
      case CANCEL -> {
        Command.Cancel c = (Command.Cancel) command;
        Result seen = requests.replay(c, RequestKind.CANCEL);
        yield seen != null ? seen : requests.record(c, RequestKind.CANCEL, c.institution(), sales.cancel(c));
      }
      case REFUND -> {
        Command.Refund c = (Command.Refund) command;
        Result seen = requests.replay(c, RequestKind.REFUND);
        yield seen != null ? seen : requests.record(c, RequestKind.REFUND, c.institution(), sales.refund(c));
      }
      case REVERSE -> reverse((Command.Reverse) command);
      case REJECT -> reject((Command.Reject) command);
      case IDENTIFY -> {
        Command.Identify c = (Command.Identify) command;
        Result r = funding.identify(c);
        identities.include(c.psnNo(), c.institution());
        yield r;
      }
      case GET_TRANSACTION -> getTransaction((Command.GetTransaction) command);
      // back office: reference data, accounts
      case REGISTER_INSTITUTION -> registry.registerInstitution(((Command.RegisterInstitution) command).institution());
      case UPSERT_INSURED -> life.upsertInsured((Command.UpsertInsured) command);
      case REKEY_CREDENTIAL -> registry.rekey((Command.RekeyCredential) command);
      case SET_REGION_POLICY -> {
        registry.setPolicy(((Command.SetRegionPolicy) command).policy());
        yield new Result.Done();
      }
      case UPDATE_REGION_POLICY -> {
        Command.UpdateRegionPolicy c = (Command.UpdateRegionPolicy) command;
        RegionPolicy updated = registry.ownPolicy(c.values().admdvs()).with(c.values(), c.fields());
        registry.setPolicy(updated);
        yield new Result.Reference(updated);
      }
      case GET_REGION_POLICY -> new Result.Reference(registry.ownPolicy(((Command.GetRegionPolicy) command).admdvs()));
      case GET_BINDING -> bindings.view(((Command.GetBinding) command).bindingId());
      case LOAD_REFERENCE -> new Result.Reference(registry.reference((Command.LoadReference) command));
      case CREDIT -> {
        Command.Credit c = (Command.Credit) command;
        Result seen = requests.replay(c, RequestKind.CREDIT);
        yield seen != null ? seen : requests.record(c, RequestKind.CREDIT, "", credit(c));
      }
      case GET_ACCOUNT -> getAccount(((Command.GetAccount) command).psnNo());
      // bindings
      case CREATE_BINDING -> bindings.create((Command.CreateBinding) command);
      case REQUEST_BINDING -> bindings.request((Command.RequestBinding) command);
      case REVIEW_BINDING -> bindings.review((Command.ReviewBinding) command);
      case DISSOLVE_BINDING -> bindings.dissolve((Command.DissolveBinding) command);
      case UPDATE_BINDING_QUOTA -> bindings.updateQuota((Command.UpdateBindingQuota) command);
      case LIST_BINDINGS -> bindings.list((Command.ListBindings) command);
      // the wallet
      case OPEN_WALLET -> wallets.open(((Command.OpenWallet) command).psnNo());
      case GET_WALLET -> wallets.get(((Command.GetWallet) command).psnNo());
      case ASSIGN_WALLET_QUOTA -> {
        Command.AssignWalletQuota c = (Command.AssignWalletQuota) command;
        Result seen = requests.replay(c, RequestKind.WALLET_ASSIGN);
        yield seen != null ? seen : requests.record(c, RequestKind.WALLET_ASSIGN, c.authorizerPsnNo(), wallets.assign(c));
      }
      case ANSWER_WALLET_TRANSFER -> wallets.answer((Command.AnswerWalletTransfer) command);
      // What the writer keeps (everything, if nothing is swept): the gateway asks history instead.
      case LIST_WALLET_TRANSFERS -> wallets.list((Command.ListWalletTransfers) command);
      // life events
      case RECORD_DEATH -> life.recordDeath(((Command.RecordDeath) command).psnNo());
      case PAY_OUT_TO_HEIRS -> {
        Command.PayOutToHeirs c = (Command.PayOutToHeirs) command;
        Result seen = requests.replay(c, RequestKind.PAYOUT);
        yield seen != null ? seen : requests.record(c, RequestKind.PAYOUT, c.psnNo(), life.payOut(c));
      }
      case PAY_PREMIUM -> {
        Command.PayPremium c = (Command.PayPremium) command;
        Result seen = requests.replay(c, RequestKind.PREMIUM);
        yield seen != null ? seen : requests.record(c, RequestKind.PREMIUM, c.payerPsnNo(), life.payPremium(c));
      }
      case IDEMPOTENT -> {
        Command.Idempotent c = (Command.Idempotent) command;
        Result seen = requests.replay(c, c.kind());
        if (seen != null) {
          yield seen;
        }
        Result r = dispatch(c.command());
        // A move to a time not ahead is bad input: kept under no id, as INVALID_ARGUMENT never is.
        yield r instanceof Result.ClockMoved m && !m.moved() ? r : requests.record(c, c.kind(), "", r);
      }
      case MOVE_CLOCK -> {
        long to = ((Command.MoveClock) command).toMillis();
        boolean ahead = to > time.nowMillis();
        if (ahead) {
          advanceTo(to);
        }
        yield new Result.ClockMoved(time.nowMillis(), ahead);
      }
      // records
      case RECORD_ALERT -> {
        Command.RecordAlert c = (Command.RecordAlert) command;
        records.alert(c.kind(), c.institution(), c.psnNo(), c.detail(), c.parties());
        yield new Result.Done();
      }
      // time and checks
      case TICK -> new Result.Done();
      case SWEEP -> sweep((Command.Sweep) command);
      case RECALLED -> throw new IllegalArgumentException("a recalled command inside another");
      case AUDIT -> new Result.AuditReport(List.copyOf(audit()));
    };
  }

  /** A refusal the gateway decided (an impersonation, say), recorded under its request id. */
  private Result reject(Command.Reject c) {
    if (c.alert() && !requests.contains(c.scope(), c.requestId())) {
      records.alert("IMPERSONATION", c.institution(), "", c.detail(), c.parties());
    }
    Result seen = requests.replay(c, c.kind());
    return seen != null ? seen : requests.record(c, c.kind(), c.institution(), new Rejected(c.outcome(), c.detail()));
  }

  /**
   * Undoes a request by its id, whatever its outcome was unknown to the terminal: an authorization
   * is voided, a settlement returned, a refund taken back. An id not seen yet gets a tombstone, so
   * that the original is refused if it arrives late. Only the institution's own requests are found.
   */
  private Result reverse(Command.Reverse c) {
    String id = c.originalRequestId();
    RequestLog.Entry e = requests.entry(c.institution(), id);
    if (e == null) {
      requests.tombstone(c.institution(), id);
      return new Result.Reversal(id, ReversalOutcome.NOT_RECEIVED, "");
    }
    if (!e.subject.equals(c.institution())) {
      return new Rejected(Outcome.REQUEST_NOT_FOUND, "request_id " + id + " is not known to " + c.institution());
    }
    String txnId = e.txn == null ? "" : e.txn.id;
    if (e.kind == RequestKind.TOMBSTONE) {
      return new Result.Reversal(id, ReversalOutcome.NOT_RECEIVED, "");
    }
    if (e.rejected != null) {
      return new Result.Reversal(id, ReversalOutcome.ORIGINAL_FAILED, txnId);
    }
    if (e.reversed) {
      return new Result.Reversal(id, ReversalOutcome.REVERSED, txnId);
    }
    Rejected refused = switch (e.kind) {
      case AUTHORIZE -> sales.reverseAuthorize(e.txn);
      case SETTLE -> sales.reverseSettle(e.txn);
      case REFUND -> sales.reverseRefund(e.txn);
      default -> new Rejected(Outcome.TRANSACTION_STATE_CONFLICT, "a " + e.kind + " request cannot be reversed");
    };
    if (refused != null) {
      return refused;
    }
    requests.markReversed(c.institution(), id, e);
    return new Result.Reversal(id, ReversalOutcome.REVERSED, txnId);
  }

  private Result getTransaction(Command.GetTransaction c) {
    if (c.requestId() != null) {
      RequestLog.Entry e = requests.entry(c.institution(), c.requestId());
      if (e == null || !e.subject.equals(c.institution())) {
        return new Rejected(Outcome.REQUEST_NOT_FOUND, "request_id " + c.requestId() + " is not known to " + c.institution());
      }
      boolean ok = e.kind != RequestKind.TOMBSTONE && e.rejected == null;
      String reason = e.kind == RequestKind.TOMBSTONE ? Outcome.REQUEST_ID_REVERSED.name()
          : e.rejected != null ? e.rejected.outcome().name() : "";
      RequestView rv = new RequestView(c.requestId(), e.kind, ok && !e.reversed, e.reversed, reason,
          e.kind == RequestKind.TOMBSTONE ? 0 : e.contentHash);
      return new Result.Lookup(e.txn == null ? null : e.txn.view(), rv);
    }
    Txn t = sales.owned(c.txnId(), c.institution());
    return t == null ? Sales.notFound(c.txnId(), c.institution()) : new Result.Lookup(t.view(), null);
  }

  /** Money paid into a personal account (contributions, a carried-forward balance). */
  private Result credit(Command.Credit c) {
    PersonState p = registry.person(c.psnNo());
    if (p == null) {
      return Registry.patientNotFound(c.psnNo());
    }
    if (p.account < 0) {
      return new Rejected(Outcome.NO_PERSONAL_ACCOUNT, "psn_no " + c.psnNo() + " has no personal account");
    }
    if (p.frozen) {
      return new Rejected(Outcome.ACCOUNT_FROZEN, "the account of " + c.psnNo() + " is frozen");
    }
    accounts.transfer(Accounts.CONTRIBUTIONS, p.account, c.amountFen());
    return new Result.Account(c.psnNo(), accounts.balance(p.account), accounts.held(p.account));
  }

  private Result getAccount(String psnNo) {
    PersonState p = registry.person(psnNo);
    if (p == null) {
      return Registry.patientNotFound(psnNo);
    }
    if (p.account < 0) {
      return new Rejected(Outcome.NO_PERSONAL_ACCOUNT, "psn_no " + psnNo + " has no personal account");
    }
    return new Result.Account(psnNo, accounts.balance(p.account), accounts.held(p.account));
  }

  /**
   * The history records made since the last call (usage, reconciliation events, alerts), oldest
   * first. The sequencer takes them after every batch and hands them to the history store; the
   * ledger keeps none of them.
   */
  public List<HistoryRecord> takeHistory() {
    return records.take();
  }

  // ---- for tests and tools ------------------------------------------------------------------

  /** Every violated invariant (empty when sound); O(state). */
  public List<String> audit() {
    return Auditor.audit(accounts, bindings, wallets, sales);
  }

  /**
   * What is wrong with the person records still kept as the bytes of the snapshot they were read
   * from (see {@link Registry#keptRecordProblem}), or null; O(persons). For the check after a start.
   */
  String keptRecordProblem() {
    return registry.keptRecordProblem();
  }

  /** The binding with this id as a result, or BINDING_NOT_FOUND. */
  public Result binding(String bindingId) {
    return bindings.view(bindingId);
  }

  /** The balance of a person's account, in fen, or -1 without one (for tests and tools). */
  public long balanceOf(String psnNo) {
    PersonState p = registry.person(psnNo);
    return p == null || p.account < 0 ? -1 : accounts.balance(p.account);
  }

  /** The held funds of a person's account, in fen, or -1 without one. */
  public long heldOf(String psnNo) {
    PersonState p = registry.person(psnNo);
    return p == null || p.account < 0 ? -1 : accounts.held(p.account);
  }

  /** The balance of an institution's settlement account (what the fund owes it), in fen. */
  public long institutionBalance(String code) {
    InstitutionState s = registry.institution(code);
    return s == null ? -1 : accounts.balance(s.account);
  }

  /**
   * How many keyed numbers each identity key generation holds (generation 0: numbers not keyed at
   * all): the persons' credentials, which a presented credential is matched against, and heirs'
   * identity numbers in payouts, kept as audit records and never matched.
   */
  public KeyedNumbers keyedNumbers() {
    return registry.keyedNumbers();
  }

  /** The counts of {@link #keyedNumbers()}, by generation, oldest first. */
  public record KeyedNumbers(java.util.SortedMap<Integer, Long> credentials, java.util.SortedMap<Integer, Long> heirs) {}

  /** How many request ids are kept for idempotency. */
  public int requestsKept() {
    return requests.size();
  }

  /** The local (UTC+8) day number of a time. */
  public static long localDay(long millis) {
    return LedgerTime.localDay(millis);
  }

  /** An id the ledger gives: a letter and the number in upper-case base 36 ("T1", "B2S"), built in one go. */
  static String id(char kind, long number) {
    byte[] digits = new byte[14];
    int at = digits.length;
    long n = number;
    do {
      int d = (int) (n % 36);
      digits[--at] = (byte) (d < 10 ? '0' + d : 'A' + d - 10);
      n /= 36;
    } while (n > 0);
    digits[--at] = (byte) kind;
    return new String(digits, at, digits.length - at, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /** The number of an id the ledger gave ({@link #id}): "W1A" is 46. */
  public static long number(String id) {
    return Long.parseLong(id.substring(1), 36);
  }

  // ---- snapshots ----------------------------------------------------------------------------

  /** The snapshot format {@link #snapshot} writes; 3 also kept history (see {@link #restore}). */
  public static final int SNAPSHOT_FORMAT = Sales.SNAPSHOT_FORMAT_WITH_ARCHIVED_WALLET;

  /** Writes the whole working state, section by section (see {@link LedgerSnapshot}). */
  public void snapshot(CommandCodec.Output out) {
    snapshotThroughRegistry(out);
    bindings.write(out);
    wallets.write(out);
    sales.write(out);
    requests.write(out);
    records.write(out);
    requests.writeExtras(out);
  }

  /** The sections before the bindings: where the bindings section of an image begins (for tests). */
  void snapshotThroughRegistry(CommandCodec.Output out) {
    out.i64(time.nowMillis()).varlong(sales.next()).varlong(bindings.next()).varlong(recall.sweeps());
    accounts.write(out);
    registry.write(out);
  }

  /** A ledger with the state a {@link #snapshot} of the current format wrote. */
  public static Ledger restore(ByteBuffer in, Duration idempotencyWindow, ReferenceListener listener) {
    return restore(in, SNAPSHOT_FORMAT, idempotencyWindow, listener).ledger();
  }

  /**
   * A ledger restored from a snapshot of the given format, with the history a format-3 snapshot
   * kept in the ledger (empty for format 4): the caller hands it to the history store.
   */
  public static Restored restore(ByteBuffer in, int format, Duration idempotencyWindow, ReferenceListener listener) {
    if (format < 3 || format > SNAPSHOT_FORMAT) {
      throw new IllegalArgumentException("snapshot format " + format + " (expected: 3 to " + SNAPSHOT_FORMAT + ")");
    }
    Ledger l = new Ledger(idempotencyWindow, listener);
    l.time.restore(in.getLong());
    l.sales.restoreNext(CommandCodec.varlong(in));
    l.bindings.restoreNext(CommandCodec.varlong(in));
    if (format >= Sales.SNAPSHOT_FORMAT_WITH_TOUCH) {
      l.recall.restoreSweeps(CommandCodec.varlong(in));
    }
    l.accounts.read(in);
    l.registry.read(in);
    l.bindings.read(in, format);
    l.wallets.read(in, l.bindings);
    l.sales.read(in, format);
    l.requests.read(in, format);
    List<HistoryRecord> history = List.of();
    if (format == 3) {
      history = l.records.readFormat3(in, l.registry, l.sales);
    } else {
      l.records.read(in);
    }
    l.requests.readExtras(in, format);
    l.wallets.afterRestore();
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " bytes left after the snapshot");
    }
    return new Restored(l, history);
  }

  int imageBytes() {
    return imageBytes;
  }

  void imageBytes(int bytes) {
    imageBytes = bytes;
  }

  /** A restored ledger and the history its snapshot held (format 3 only). */
  public record Restored(Ledger ledger, List<HistoryRecord> history) {}
}
