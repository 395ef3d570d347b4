package gongji.server.ledger;

import static com.google.common.base.Verify.verify;

import com.google.common.base.Strings;
import com.google.common.base.VerifyException;
import static java.util.Objects.requireNonNull;

import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.FundSource;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.Masking;
import gongji.server.domain.MedicalType;
import gongji.server.domain.Relationship;
import gongji.server.domain.PaymentPlanner;
import gongji.server.domain.RegionPolicy;
import gongji.server.ledger.Command.Authorize;
import gongji.server.ledger.Command.Cancel;
import gongji.server.ledger.Command.CreateBinding;
import gongji.server.ledger.Command.Credit;
import gongji.server.ledger.Command.GetAccount;
import gongji.server.ledger.Command.GetTransaction;
import gongji.server.ledger.Command.Identify;
import gongji.server.ledger.Command.Keyed;
import gongji.server.ledger.Command.Refund;
import gongji.server.ledger.Command.RegisterInstitution;
import gongji.server.ledger.Command.Reject;
import gongji.server.ledger.Command.Reverse;
import gongji.server.ledger.Command.SetRegionPolicy;
import gongji.server.ledger.Command.Settle;
import gongji.server.ledger.Command.Tick;
import gongji.server.ledger.Command.UpsertInsured;
import gongji.server.ledger.Result.AidSource;
import gongji.server.ledger.Result.Breakdown;
import gongji.server.ledger.Result.Leg;
import gongji.server.ledger.Result.Rejected;
import gongji.server.ledger.Result.RequestView;
import gongji.server.ledger.Result.TxnView;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The money state machine: accounts, holds, bindings, sales and the idempotency record.
 *
 * <p>How it works. The ledger is single-threaded and deterministic: the sequencer calls
 * {@link #apply} with one command and the ledger time at a time, and the same commands with the same
 * times always produce the same state and results (that is what makes journal replay exact). It
 * does no I/O and reads no clock.
 *
 * <p>Money is double-entry: every movement is a {@link #transfer} from one account to another, so
 * the sum of all balances is always zero (the contribution account goes negative as money comes
 * in). A hold does not move money; it reserves part of a personal account's balance ({@code held}).
 * Settle posts holds as transfers to the institution's settlement account; Cancel and expiry void
 * them; Refund transfers the posted amounts back to the accounts they came from.
 *
 * <p>Invariants, checked with {@code verify} where they could break: no personal balance is negative;
 * {@code 0 <= held <= balance}; the sum of balances is zero; each binding's {@code heldFen} is the
 * sum of its open legs and {@code usedFen} the sum of its settled, unrefunded legs. Every command
 * checks first and changes state after: a refused command changes nothing but the idempotency record.
 */
public final class Ledger {
  /** The account money comes in from (monthly contributions, carried-forward balances). */
  static final int CONTRIBUTIONS = 0;
  /** The account money leaves through to heirs of deceased account holders. */
  static final int PAYOUTS = 1;
  /** The account resident premiums paid for relatives go to. */
  static final int PREMIUMS = 2;

  private static final int FIRST_ACCOUNT = 3;
  private static final String[] EVENT_KINDS = {"SETTLED", "REFUNDED", "SETTLEMENT_REVERSED", "REFUND_REVERSED"};
  /** Alerts kept for the agency to list; older ones are dropped (they are also in the log). */
  private static final int MAX_ALERTS = 10_000;
  private static final long DAY_MILLIS = 86_400_000L;
  /** China's one time zone, UTC+8: the day that velocity limits count in. */
  private static final long LOCAL_OFFSET_MILLIS = 8 * 3_600_000L;
  private static final Comparator<Result.Usage> USAGE_BY_TIME =
      Comparator.comparingLong(Result.Usage::atMillis);

  private final Duration idempotencyWindow;
  private final ReferenceListener listener;

  // Accounts, by index: balance and held funds, in fen.
  private long[] balance = new long[1024];
  private long[] held = new long[1024];
  private int accounts = FIRST_ACCOUNT;

  private final Map<String, PersonState> persons = new HashMap<>();
  private final Map<Credential, PersonState> credentials = new HashMap<>();
  private final Map<String, InstitutionState> institutions = new HashMap<>();
  private final Map<String, RegionPolicy> policies = new HashMap<>();
  /**
   * The policy that governs each area looked up so far (see {@link #policy}), so that the hot path
   * neither cuts strings nor builds defaults; emptied whenever a policy is set. Bounded by the areas
   * of the registered people and institutions (a few thousand in the whole country).
   */
  private final Map<String, RegionPolicy> resolvedPolicies = new HashMap<>();
  private final Map<String, BindingState> bindings = new HashMap<>();
  private final Map<String, Txn> txns = new HashMap<>();
  /**
   * The idempotency record, oldest first: per request id a {@link RequestEntry}, or, for the two
   * requests of almost every sale (its authorization and its settlement), the {@link Txn} itself,
   * which keeps their few numbers ({@link #entry} reads either alike).
   */
  private final LinkedHashMap<String, Object> requests = new LinkedHashMap<>();
  private final PriorityQueue<Txn> expiries =
      new PriorityQueue<>((a, b) -> Long.compare(a.expiresAtMillis, b.expiresAtMillis));
  private final Map<String, WalletGrant> grants = new HashMap<>();
  /** Pending wallet transfers by the time they return unless accepted. */
  private final PriorityQueue<WalletGrant> grantReturns =
      new PriorityQueue<>((a, b) -> Long.compare(a.acceptByMillis, b.acceptByMillis));
  private long nextGrant = 1;

  private final java.util.ArrayDeque<Result.Alert> alerts = new java.util.ArrayDeque<>();
  private long nextAlert = 1;
  private long nowMillis;
  private long nextTxn = 1;
  private long nextBinding = 1;

  // Scratch space for authorizations, reused: the sequencer is the only caller.
  private long[] scratchAvailable = new long[16];
  private int[] scratchMask = new int[16];
  private long[] scratchDraw = new long[16];
  private final List<BindingState> scratchBindings = new ArrayList<>();
  private final List<WalletGrant> scratchGrants = new ArrayList<>();
  private final List<BindingState> scratchOrdered = new ArrayList<>();

  public Ledger(Duration idempotencyWindow, ReferenceListener listener) {
    this.idempotencyWindow = requireNonNull(idempotencyWindow, "idempotencyWindow");
    this.listener = requireNonNull(listener, "listener");
  }

  /** The ledger time: the latest time any command was applied at. */
  public long nowMillis() {
    return nowMillis;
  }

  /**
   * When the earliest open hold expires or pending wallet transfer returns, or {@link Long#MAX_VALUE}
   * if there is neither.
   */
  public long nextExpiryMillis() {
    Txn head = expiries.peek();
    WalletGrant grant = grantReturns.peek();
    return Math.min(head == null ? Long.MAX_VALUE : head.expiresAtMillis,
        grant == null ? Long.MAX_VALUE : grant.acceptByMillis);
  }

  /**
   * Moves the ledger time to {@code atMillis} (never back) and does what came due by then: expired
   * holds are released, unaccepted wallet transfers returned, request ids past the window forgotten.
   * This changes money state: a failure here is a broken invariant.
   */
  public void advanceTo(long atMillis) {
    if (atMillis > nowMillis) {
      nowMillis = atMillis;
    }
    expireDue();
  }

  /**
   * Applies one command at the given time (ledger time never goes back: an earlier time counts as
   * the current one). Never throws for a valid command; an exception means a bug.
   */
  public Result apply(Command command, long atMillis) {
    advanceTo(atMillis);
    if (command instanceof Authorize c) {
      Result replay = replay(c, RequestKind.AUTHORIZE);
      return replay != null ? replay : record(c, RequestKind.AUTHORIZE, c.institution(), authorize(c));
    }
    if (command instanceof Settle c) {
      Result replay = replay(c, RequestKind.SETTLE);
      return replay != null ? replay : record(c, RequestKind.SETTLE, c.institution(), settle(c));
    }
    if (command instanceof Identify c) {
      return identify(c);
    }
    if (command instanceof Cancel c) {
      Result replay = replay(c, RequestKind.CANCEL);
      return replay != null ? replay : record(c, RequestKind.CANCEL, c.institution(), cancel(c));
    }
    if (command instanceof Refund c) {
      Result replay = replay(c, RequestKind.REFUND);
      return replay != null ? replay : record(c, RequestKind.REFUND, c.institution(), refund(c));
    }
    if (command instanceof Reverse c) {
      return reverse(c);
    }
    if (command instanceof GetTransaction c) {
      return getTransaction(c);
    }
    if (command instanceof Reject c) {
      if (c.outcome() == Outcome.IMPERSONATION && !requests.containsKey(c.requestId())) {
        alert("IMPERSONATION", c.institution(), "", c.detail());
      }
      Result replay = replay(c, c.kind());
      return replay != null ? replay : record(c, c.kind(), c.institution(), new Rejected(c.outcome(), c.detail()));
    }
    if (command instanceof Credit c) {
      Result replay = replay(c, RequestKind.CREDIT);
      return replay != null ? replay : record(c, RequestKind.CREDIT, "", credit(c));
    }
    if (command instanceof Command.LoadReference c) {
      return new Result.Reference(reference(c));
    }
    if (command instanceof GetAccount c) {
      return getAccount(c);
    }
    if (command instanceof Command.Audit) {
      return new Result.AuditReport(List.copyOf(audit()));
    }
    if (command instanceof Tick) {
      return new Result.Done();
    }
    if (command instanceof UpsertInsured c) {
      return upsertInsured(c.insured());
    }
    if (command instanceof RegisterInstitution c) {
      return registerInstitution(c.institution());
    }
    if (command instanceof SetRegionPolicy c) {
      policies.put(c.policy().admdvs(), c.policy());
      resolvedPolicies.clear();
      listener.policyChanged(c.policy());
      return new Result.Done();
    }
    if (command instanceof CreateBinding c) {
      Result r = requestBinding(c.authorizerPsnNo(), c.beneficiaryPsnNo(), c.relationship(), c.quotaFen(), "");
      if (r instanceof Result.BindingView v) {
        BindingState b = bindings.get(v.bindingId());
        b.status = BindingStatus.ACTIVE;
        return bindingView(b);
      }
      return r;
    }
    if (command instanceof Command.RequestBinding c) {
      return requestBinding(c.authorizerPsnNo(), c.beneficiaryPsnNo(), c.relationship(), c.quotaFen(), c.evidenceRef());
    }
    if (command instanceof Command.ReviewBinding c) {
      return reviewBinding(c);
    }
    if (command instanceof Command.DissolveBinding c) {
      return dissolveBinding(c);
    }
    if (command instanceof Command.ListBindings c) {
      return listBindings(c);
    }
    if (command instanceof Command.ListAlerts c) {
      List<Result.Alert> out = new ArrayList<>();
      for (Result.Alert a : alerts) {
        if (a.seq() > c.afterSeq() && out.size() < c.limit()) {
          out.add(a);
        }
      }
      return new Result.Alerts(List.copyOf(out));
    }
    if (command instanceof Command.PayPremium c) {
      Result replay = replay(c, RequestKind.PREMIUM);
      return replay != null ? replay : record(c, RequestKind.PREMIUM, c.payerPsnNo(), payPremium(c));
    }
    if (command instanceof Command.Reconcile c) {
      return reconcile(c);
    }
    if (command instanceof Command.ReconcileDetail c) {
      return reconcileDetail(c);
    }
    if (command instanceof Command.ListUsage c) {
      return listUsage(c);
    }
    if (command instanceof Command.RecordAlert c) {
      alert(c.kind(), c.institution(), c.psnNo(), c.detail());
      return new Result.Done();
    }
    if (command instanceof Command.RecordDeath c) {
      return recordDeath(c.psnNo());
    }
    if (command instanceof Command.PayOutToHeirs c) {
      Result replay = replay(c, RequestKind.PAYOUT);
      return replay != null ? replay : record(c, RequestKind.PAYOUT, c.psnNo(), payOut(c));
    }
    if (command instanceof Command.UpdateBindingQuota c) {
      return updateBindingQuota(c);
    }
    if (command instanceof Command.OpenWallet c) {
      return openWallet(c.psnNo());
    }
    if (command instanceof Command.GetWallet c) {
      return getWallet(c.psnNo());
    }
    if (command instanceof Command.AssignWalletQuota c) {
      Result replay = replay(c, RequestKind.WALLET_ASSIGN);
      return replay != null ? replay : record(c, RequestKind.WALLET_ASSIGN, c.authorizerPsnNo(), assignWalletQuota(c));
    }
    if (command instanceof Command.AnswerWalletTransfer c) {
      return answerWalletTransfer(c);
    }
    if (command instanceof Command.ListWalletTransfers c) {
      return listWalletTransfers(c);
    }
    throw new IllegalArgumentException("unknown command: " + command);
  }

  // ---- idempotency --------------------------------------------------------------------------

  /**
   * The result of an earlier request with this id, if there was one: the same result for the same
   * content; REQUEST_ID_REUSED for other content; REQUEST_ID_REVERSED once reversed. Null if new.
   */
  private Result replay(Keyed c, RequestKind kind) {
    RequestEntry e = entry(c.requestId());
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

  /**
   * Keeps what it takes to answer a replay of this request: not the result itself, which would cost
   * hundreds of bytes per id over the whole idempotency window, but the transaction it touched and
   * the few numbers of that moment; {@link #resultOf} rebuilds the identical result from them.
   */
  private Result record(Keyed c, RequestKind kind, String subject, Result result) {
    RequestEntry e;
    if (result instanceof Result.Sale s && (kind == RequestKind.AUTHORIZE || kind == RequestKind.SETTLE)) {
      Txn t = txns.get(s.txn().txnId());
      if (kind == RequestKind.AUTHORIZE) {
        t.authorizeRequestId = c.requestId();
        t.authorizeHash = c.contentHash();
      } else {
        t.settleRequestId = c.requestId();
        t.settleHash = c.contentHash();
        t.settledAtMillis = nowMillis;
      }
      requests.put(c.requestId(), t);
      return result;
    }
    if (result instanceof Rejected r) {
      e = new RequestEntry(kind, c.contentHash(), subject, r, null, null, 0, 0, nowMillis);
    } else if (result instanceof Result.Sale s) {
      e = new RequestEntry(kind, c.contentHash(), subject, null, txns.get(s.txn().txnId()), s.txn().state(),
          s.breakdown().balanceAfterFen(), 0, nowMillis);
    } else if (result instanceof Result.Premium pr) {
      e = new RequestEntry(kind, c.contentHash(), subject, null, null, null, pr.amountFen(), pr.payerBalanceAfterFen(),
          nowMillis);
      e.extra = pr;
    } else if (result instanceof Result.Payout po) {
      e = new RequestEntry(kind, c.contentHash(), subject, null, null, null, po.totalFen(),
          persons.get(subject).payouts.size() - 1, nowMillis);
    } else if (result instanceof Result.WalletTransferView w) {
      e = new RequestEntry(kind, c.contentHash(), subject, null, null, null, w.amountFen(), 0, nowMillis);
      e.extra = w;
    } else if (result instanceof Result.Account a) {
      e = new RequestEntry(kind, c.contentHash(), a.psnNo(), null, null, null, a.balanceFen(), a.heldFen(), nowMillis);
    } else {
      throw new IllegalStateException("cannot record " + result);
    }
    requests.put(c.requestId(), e);
    return result;
  }

  /** The entry of a request id, or null; for a sale's own requests, made from the sale. */
  private RequestEntry entry(String requestId) {
    Object v = requests.get(requestId);
    return v == null ? null : entryOf(requestId, v);
  }

  private static RequestEntry entryOf(String requestId, Object v) {
    if (!(v instanceof Txn t)) {
      return (RequestEntry) v;
    }
    boolean authorize = requestId.equals(t.authorizeRequestId);
    RequestEntry e = authorize
        ? new RequestEntry(RequestKind.AUTHORIZE, t.authorizeHash, t.institution.institution.code(), null, t,
            TxnState.AUTHORIZED, t.authorizedBalanceAfterFen, 0, t.createdAtMillis)
        : new RequestEntry(RequestKind.SETTLE, t.settleHash, t.institution.institution.code(), null, t, TxnState.SETTLED,
            t.settledBalanceAfterFen, 0, t.settledAtMillis);
    e.reversed = authorize ? t.authorizeReversed : t.settleReversed;
    return e;
  }

  /** When a request was recorded. */
  private static long recordedAt(String requestId, Object v) {
    if (v instanceof Txn t) {
      return requestId.equals(t.authorizeRequestId) ? t.createdAtMillis : t.settledAtMillis;
    }
    return ((RequestEntry) v).atMillis;
  }

  /** Keeps a request in the compact form when it is a sale's own successful authorization or settlement. */
  private void keep(String requestId, RequestEntry e) {
    Txn t = e.txn;
    if (e.rejected == null && t != null && (e.kind == RequestKind.AUTHORIZE || e.kind == RequestKind.SETTLE)) {
      if (e.kind == RequestKind.AUTHORIZE) {
        t.authorizeRequestId = requestId;
        t.authorizeHash = e.contentHash;
        t.authorizeReversed = e.reversed;
      } else {
        t.settleRequestId = requestId;
        t.settleHash = e.contentHash;
        t.settledAtMillis = e.atMillis;
        t.settleReversed = e.reversed;
      }
      requests.put(requestId, t);
    } else {
      requests.put(requestId, e);
    }
  }

  /** The result a request had, rebuilt from its entry (see {@link #record}). */
  private Result resultOf(String requestId, RequestEntry e) {
    if (e.rejected != null) {
      return e.rejected;
    }
    return switch (e.kind) {
      case CREDIT -> new Result.Account(e.subject, e.a, e.b);
      case PAYOUT -> persons.get(e.subject).payouts.get((int) e.b);
      case PREMIUM -> (Result.Premium) e.extra;
      case AUTHORIZE -> {
        Breakdown authorized = authorizedBreakdown(e.txn);
        yield new Result.Sale(requestId, view(e.txn, TxnState.AUTHORIZED, authorized, null), authorized);
      }
      case SETTLE -> {
        Breakdown settled = settledBreakdown(e.txn);
        yield new Result.Sale(requestId, view(e.txn, TxnState.SETTLED, authorizedBreakdown(e.txn), settled), settled);
      }
      case CANCEL -> new Result.Sale(requestId, view(e.txn, e.stateAfter), releasedBreakdown(e.txn, e.a));
      case REFUND -> new Result.Sale(requestId, view(e.txn, TxnState.REFUNDED),
          breakdown(e.txn, e.txn.posted, e.txn.settledCashFen, e.txn.settledInScopeFen, e.a));
      case WALLET_ASSIGN -> (Result.WalletTransferView) e.extra;
      case TOMBSTONE -> throw new IllegalStateException("a tombstone has no result");
    };
  }

  // ---- terminals ----------------------------------------------------------------------------

  private Result authorize(Authorize c) {
    InstitutionState inst = institutions.get(c.institution());
    if (inst == null) {
      return new Rejected(Outcome.INSTITUTION_NOT_FOUND, "fixmedins_code " + c.institution() + " is not registered");
    }
    if (!inst.institution.terminalIds().contains(c.terminalId())) {
      return new Rejected(Outcome.TERMINAL_NOT_REGISTERED,
          "terminal_id " + c.terminalId() + " is not registered with " + c.institution());
    }
    PersonState patient = persons.get(c.psnNo());
    if (patient == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + c.psnNo() + " is not insured here");
    }
    if (!patient.insured.active()) {
      return new Rejected(Outcome.INSURED_NOT_ACTIVE,
          "the patient's insured status is " + patient.insured.status() + " (expected: NORMAL)");
    }
    if (patient.frozen) {
      return new Rejected(Outcome.ACCOUNT_FROZEN, "the patient's account is frozen");
    }

    // Sources in drawing order: own account, then wallet quota oldest first, then the bindings in
    // the order the patient's region sets.
    Bill bill = c.bill();
    int n = 0;
    scratchBindings.clear();
    scratchGrants.clear();
    if (c.useAccount()) {
      if (patient.account >= 0) {
        ensureScratch(1);
        scratchAvailable[0] = available(patient.account);
        scratchMask[0] = policy(patient.insured.admdvs()).payableMask();
        scratchBindings.add(null);
        scratchGrants.add(null);
        n = 1;
      }
      if (c.useMutualAid()) {
        for (WalletGrant g : patient.grantsIn) {
          if (g.remainingFen() == 0 || !pays(g.binding) || !reaches(g.binding, inst)) {
            continue;
          }
          ensureScratch(n + 1);
          scratchAvailable[n] = g.remainingFen();
          scratchMask[n] = policy(g.binding.authorizer.insured.admdvs()).payableMask();
          scratchBindings.add(g.binding);
          scratchGrants.add(g);
          n++;
        }
        for (BindingState b : inDrawingOrder(patient, inst)) {
          ensureScratch(n + 1);
          scratchAvailable[n] = shareable(b);
          scratchMask[n] = policy(b.authorizer.insured.admdvs()).payableMask();
          scratchBindings.add(b);
          scratchGrants.add(null);
          n++;
        }
      }
    }
    long cash = PaymentPlanner.allocate(bill, n, scratchAvailable, scratchMask, scratchDraw);
    long aidFen = 0;
    for (int i = 0; i < n; i++) {
      if (scratchBindings.get(i) != null) {
        aidFen += scratchDraw[i];
      }
    }
    if (aidFen > 0) {
      RegionPolicy home = policy(patient.insured.admdvs());
      long day = localDay(nowMillis);
      if (patient.aidDay != day) {
        patient.aidDay = day;
        patient.aidUsesToday = 0;
        patient.aidFenToday = 0;
      }
      if ((home.maxMutualAidUsesPerDay() > 0 && patient.aidUsesToday + 1 > home.maxMutualAidUsesPerDay())
          || (home.maxMutualAidFenPerDay() > 0 && patient.aidFenToday + aidFen > home.maxMutualAidFenPerDay())) {
        String detail = "mutual aid of " + aidFen + " fen would exceed today's limit for this beneficiary in region "
            + home.admdvs() + " (used today: " + patient.aidUsesToday + " times, " + patient.aidFenToday
            + " fen; limits: " + home.maxMutualAidUsesPerDay() + " times, " + home.maxMutualAidFenPerDay()
            + " fen); pay without mutual aid";
        alert("MUTUAL_AID_LIMIT_EXCEEDED", c.institution(), patient.insured.psnNo(), detail);
        return new Rejected(Outcome.MUTUAL_AID_LIMIT_EXCEEDED, detail);
      }
      patient.aidUsesToday++;
      patient.aidFenToday += aidFen;
    }

    // After this point the authorization must succeed: place the holds.
    int legCount = 0;
    for (int i = 0; i < n; i++) {
      if (scratchDraw[i] > 0) {
        legCount++;
      }
    }
    TxnLeg[] legs = new TxnLeg[legCount];
    int k = 0;
    for (int i = 0; i < n; i++) {
      long draw = scratchDraw[i];
      if (draw == 0) {
        continue;
      }
      BindingState b = scratchBindings.get(i);
      WalletGrant g = scratchGrants.get(i);
      PersonState owner = b == null ? patient : b.authorizer;
      if (g != null) {
        g.inSaleFen += draw; // the earmark already holds it
      } else {
        hold(owner.account, draw);
        if (b != null) {
          b.heldFen += draw;
        }
      }
      legs[k++] = new TxnLeg(owner, owner.masked, b, g, draw);
    }
    long inScope = bill.payableFen(unionMask(n) | policy(patient.insured.admdvs()).payableMask());
    RegionPolicy local = policy(inst.admdvs);
    Txn t = new Txn(id('T', nextTxn++), inst, patient, c.medicalType(),
        bill.totalFen(), inScope, legs, cash, nowMillis, nowMillis + local.holdTtlSeconds() * 1000L);
    txns.put(t.id, t);
    expiries.add(t);
    t.authorizedBalanceAfterFen = ownAvailable(patient);
    Breakdown authorized = authorizedBreakdown(t);
    return new Result.Sale(c.requestId(), view(t, TxnState.AUTHORIZED, authorized, null), authorized);
  }

  private Result settle(Settle c) {
    Txn t = txns.get(c.txnId());
    if (t == null || !t.institution.institution.code().equals(c.institution())) {
      return new Rejected(Outcome.TRANSACTION_NOT_FOUND, "transaction_id " + c.txnId() + " is not known to " + c.institution());
    }
    if (t.state != TxnState.AUTHORIZED) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
          "transaction " + t.id + " is " + t.state + " (expected: AUTHORIZED)");
    }
    long finalTotal = c.finalTotalFen() < 0 ? t.totalFen : c.finalTotalFen();
    if (finalTotal > t.totalFen) {
      return new Rejected(Outcome.AMOUNT_EXCEEDS_AUTHORIZED,
          "final_total_fen " + finalTotal + " is above the authorized total " + t.totalFen);
    }
    long[] amounts = new long[t.legs.length];
    for (int i = 0; i < amounts.length; i++) {
      amounts[i] = t.legs[i].amountFen;
    }
    long cash = PaymentPlanner.shrink(amounts, t.cashFen, t.totalFen - finalTotal);
    // After this point the settlement must succeed.
    boolean reduced = cash != t.cashFen;
    for (int i = 0; i < amounts.length && !reduced; i++) {
      reduced = amounts[i] != t.legs[i].amountFen;
    }
    TxnLeg[] posted = reduced ? new TxnLeg[t.legs.length] : t.legs; // legs are immutable: share them
    for (int i = 0; i < posted.length; i++) {
      TxnLeg leg = t.legs[i];
      if (leg.grant != null) {
        release(leg.owner.account, amounts[i]);
        transfer(leg.owner.account, t.institution.account, amounts[i]);
        leg.grant.inSaleFen -= leg.amountFen;
        leg.grant.spentFen += amounts[i];
        unearmarkIfClosed(leg.grant, leg.amountFen - amounts[i]);
      } else {
        release(leg.owner.account, leg.amountFen);
        transfer(leg.owner.account, t.institution.account, amounts[i]);
        if (leg.binding != null) {
          leg.binding.heldFen -= leg.amountFen;
          leg.binding.usedFen += amounts[i];
          verify(leg.binding.heldFen >= 0, "binding %s held went negative", leg.binding.id);
        }
      }
      if (reduced) {
        posted[i] = new TxnLeg(leg.owner, leg.ownerMasked, leg.binding, leg.grant, amounts[i]);
      }
    }
    long aidReleased = 0;
    long aidPosted = 0;
    for (int i = 0; i < posted.length; i++) {
      if (t.legs[i].binding != null) {
        aidReleased += t.legs[i].amountFen - amounts[i];
        aidPosted += amounts[i];
      }
    }
    unuseMutualAid(t, aidReleased, aidPosted == 0);
    t.posted = posted;
    t.state = TxnState.SETTLED;
    // The reduction came off the account legs first, which pay only in-scope items: so did the bill.
    t.settledCashFen = cash;
    t.settledInScopeFen = Math.max(0, t.inScopeFen - (t.totalFen - finalTotal));
    t.settledBalanceAfterFen = ownAvailable(t.patient);
    settlementEvent(t, 0, +1);
    Breakdown settled = settledBreakdown(t);
    return new Result.Sale(c.requestId(), view(t, TxnState.SETTLED, authorizedBreakdown(t), settled), settled);
  }

  private Result cancel(Cancel c) {
    Txn t = txns.get(c.txnId());
    if (t == null || !t.institution.institution.code().equals(c.institution())) {
      return new Rejected(Outcome.TRANSACTION_NOT_FOUND, "transaction_id " + c.txnId() + " is not known to " + c.institution());
    }
    if (t.state == TxnState.SETTLED || t.state == TxnState.REFUNDED) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
          "transaction " + t.id + " is " + t.state + "; refund it instead");
    }
    if (t.state == TxnState.AUTHORIZED) {
      voidHolds(t, TxnState.CANCELLED);
    }
    return new Result.Sale(c.requestId(), view(t), releasedBreakdown(t, ownAvailable(t.patient)));
  }

  private Result refund(Refund c) {
    Txn t = txns.get(c.txnId());
    if (t == null || !t.institution.institution.code().equals(c.institution())) {
      return new Rejected(Outcome.TRANSACTION_NOT_FOUND, "transaction_id " + c.txnId() + " is not known to " + c.institution());
    }
    if (t.state != TxnState.SETTLED) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
          "transaction " + t.id + " is " + t.state + " (expected: SETTLED)");
    }
    returnPosted(t);
    t.state = TxnState.REFUNDED;
    settlementEvent(t, 1, -1);
    return new Result.Sale(c.requestId(), view(t),
        breakdown(t, t.posted, t.settledCashFen, t.settledInScopeFen));
  }

  private Result reverse(Reverse c) {
    String id = c.originalRequestId();
    RequestEntry e = entry(id);
    if (e == null) {
      // The original has not arrived (or never will): leave a tombstone so that it is refused.
      requests.put(id, new RequestEntry(RequestKind.TOMBSTONE, 0, c.institution(), null, null, null, 0, 0, nowMillis));
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
    Txn t = e.txn;
    switch (e.kind) {
      case AUTHORIZE -> {
        if (t.state == TxnState.SETTLED || t.state == TxnState.REFUNDED) {
          return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
              "transaction " + t.id + " is " + t.state + "; reverse its settlement or refund it instead");
        }
        if (t.state == TxnState.AUTHORIZED) {
          voidHolds(t, TxnState.CANCELLED);
        }
      }
      case SETTLE -> {
        if (t.state == TxnState.REFUNDED) {
          return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
              "transaction " + t.id + " was refunded; its settlement has nothing left to reverse");
        }
        if (t.state == TxnState.SETTLED) {
          returnPosted(t);
          t.state = TxnState.CANCELLED;
          settlementEvent(t, 2, -1);
        }
      }
      case REFUND -> {
        if (t.state == TxnState.REFUNDED) {
          Rejected spent = refundSpentAgain(t.posted);
          if (spent != null) {
            return spent;
          }
          for (TxnLeg leg : t.posted) {
            if (leg.grant != null) {
              if (leg.grant.state == WalletTransferState.ACCEPTED) {
                release(leg.owner.account, leg.amountFen);
              } else {
                leg.grant.returnedFen -= leg.amountFen;
                leg.binding.walletFen += leg.amountFen;
              }
              leg.grant.spentFen += leg.amountFen;
              transfer(leg.owner.account, t.institution.account, leg.amountFen);
            } else {
              transfer(leg.owner.account, t.institution.account, leg.amountFen);
              if (leg.binding != null) {
                leg.binding.usedFen += leg.amountFen;
              }
            }
          }
          t.state = TxnState.SETTLED;
          settlementEvent(t, 3, +1);
        }
      }
      default -> {
        return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT, "a " + e.kind + " request cannot be reversed");
      }
    }
    if (requests.get(id) instanceof Txn sale) {
      if (id.equals(sale.authorizeRequestId)) {
        sale.authorizeReversed = true;
      } else {
        sale.settleReversed = true;
      }
    } else {
      e.reversed = true;
    }
    return new Result.Reversal(id, ReversalOutcome.REVERSED, txnId);
  }

  /**
   * Whether what a refund gave back can be taken back by reversing it, or was spent again since.
   * Legs are summed per account, wallet transfer and binding: one authorizer may have paid several
   * legs of a sale (wallet quota and direct mutual aid, or quota of several transfers). Refunded
   * wallet quota went back into the wallet while its transfer was accepted; after the transfer
   * ended it went back to the authorizer (its returned amount), and only that can be taken back.
   */
  private Rejected refundSpentAgain(TxnLeg[] legs) {
    for (TxnLeg leg : legs) {
      long ownerFree = 0;
      long sameGrant = 0;
      long sameBinding = 0;
      for (TxnLeg other : legs) {
        boolean otherInWallet = other.grant != null && other.grant.state == WalletTransferState.ACCEPTED;
        ownerFree += other.owner == leg.owner && !otherInWallet ? other.amountFen : 0;
        sameGrant += other.grant != null && other.grant == leg.grant ? other.amountFen : 0;
        sameBinding += other.binding != null && other.binding == leg.binding && !otherInWallet ? other.amountFen : 0;
      }
      boolean inWallet = leg.grant != null && leg.grant.state == WalletTransferState.ACCEPTED;
      if (inWallet ? leg.grant.remainingFen() < sameGrant
          : available(leg.owner.account) < ownerFree || (leg.grant != null && leg.grant.returnedFen < sameGrant)) {
        return new Rejected(Outcome.INSUFFICIENT_FUNDS, "the refunded money was spent again from "
            + (leg.grant != null ? "wallet transfer " + leg.grant.id : Masking.psnNo(leg.owner.insured.psnNo()))
            + "; it cannot be taken back");
      }
      BindingState b = leg.binding;
      if (b != null && !inWallet && b.quotaFen > 0 && drawnFen(b) + sameBinding > b.quotaFen) {
        return new Rejected(Outcome.INSUFFICIENT_FUNDS,
            "the quota of binding " + b.id + " freed by the refund is in use again; it cannot be taken back");
      }
    }
    return null;
  }

  private Result identify(Identify c) {
    PersonState p = persons.get(c.psnNo());
    if (p == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + c.psnNo() + " is not insured here");
    }
    List<AidSource> sources = new ArrayList<>();
    InstitutionState place = c.institution() == null ? null : institutions.get(c.institution());
    // Each source shows what a sale would draw from it in drawing order, within today's allowance.
    long allowance = aidAllowanceToday(p);
    for (WalletGrant g : p.grantsIn) {
      if (g.remainingFen() > 0 && pays(g.binding) && (place == null || reaches(g.binding, place))) {
        long shown = Math.min(allowance, g.remainingFen());
        allowance -= shown;
        sources.add(new AidSource(g.binding.id, masked(g.binding.authorizer), g.binding.relationship.inverse(), shown,
            g.id));
      }
    }
    for (BindingState b : inDrawingOrder(p, place)) {
      long shown = Math.min(allowance, shareable(b));
      allowance -= shown;
      sources.add(new AidSource(b.id, masked(b.authorizer), b.relationship.inverse(), shown, ""));
    }
    boolean hasAccount = p.account >= 0;
    return new Result.Identity(p.insured.psnNo(), Masking.name(p.insured.name()), p.insured.insuranceType(),
        p.insured.status(), p.insured.admdvs(), hasAccount, hasAccount ? balance[p.account] : 0,
        hasAccount ? available(p.account) : 0, List.copyOf(sources));
  }

  private Object reference(Command.LoadReference c) {
    switch (c.kind()) {
      case INSTITUTION -> {
        InstitutionState s = institutions.get((String) c.key());
        return s == null ? null : s.institution;
      }
      case INSURED -> {
        PersonState p = persons.get((String) c.key());
        return p == null ? null : p.insured;
      }
      case CREDENTIAL_OWNER -> {
        PersonState p = credentials.get((Credential) c.key());
        return p == null ? null : p.insured.psnNo();
      }
      case POLICY -> {
        return policy((String) c.key());
      }
      default -> throw new IllegalArgumentException("kind: " + c.kind());
    }
  }

  private Result getAccount(GetAccount c) {
    PersonState p = persons.get(c.psnNo());
    if (p == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + c.psnNo() + " is not insured here");
    }
    if (p.account < 0) {
      return new Rejected(Outcome.NO_PERSONAL_ACCOUNT, "psn_no " + c.psnNo() + " has no personal account");
    }
    return new Result.Account(c.psnNo(), balance[p.account], held[p.account]);
  }

  private Result getTransaction(GetTransaction c) {
    if (c.requestId() != null) {
      RequestEntry e = entry(c.requestId());
      if (e == null || !e.subject.equals(c.institution())) {
        return new Rejected(Outcome.REQUEST_NOT_FOUND, "request_id " + c.requestId() + " is not known to " + c.institution());
      }
      boolean ok = e.kind != RequestKind.TOMBSTONE && e.rejected == null;
      String reason = e.kind == RequestKind.TOMBSTONE ? Outcome.REQUEST_ID_REVERSED.name()
          : e.rejected != null ? e.rejected.outcome().name() : "";
      RequestView rv = new RequestView(c.requestId(), e.kind, ok && !e.reversed, e.reversed, reason);
      return new Result.Lookup(e.txn == null ? null : view(e.txn), rv);
    }
    Txn t = txns.get(c.txnId());
    if (t == null || !t.institution.institution.code().equals(c.institution())) {
      return new Rejected(Outcome.TRANSACTION_NOT_FOUND, "transaction_id " + c.txnId() + " is not known to " + c.institution());
    }
    return new Result.Lookup(view(t), null);
  }

  // ---- back office --------------------------------------------------------------------------

  private Result credit(Credit c) {
    PersonState p = persons.get(c.psnNo());
    if (p == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + c.psnNo() + " is not insured here");
    }
    if (p.account < 0) {
      return new Rejected(Outcome.NO_PERSONAL_ACCOUNT, "psn_no " + c.psnNo() + " has no personal account");
    }
    if (p.frozen) {
      return new Rejected(Outcome.ACCOUNT_FROZEN, "the account of " + c.psnNo() + " is frozen");
    }
    transfer(CONTRIBUTIONS, p.account, c.amountFen());
    return new Result.Account(c.psnNo(), balance[p.account], held[p.account]);
  }

  private Result upsertInsured(Insured insured) {
    for (Credential cred : insured.credentials()) {
      PersonState owner = credentials.get(cred);
      if (owner != null && !owner.insured.psnNo().equals(insured.psnNo())) {
        return new Rejected(Outcome.CREDENTIAL_IN_USE,
            "credential " + cred.type() + " " + cred.number() + " belongs to another person");
      }
    }
    PersonState p = persons.get(insured.psnNo());
    Insured before = null;
    if (p == null) {
      p = new PersonState(insured);
      persons.put(insured.psnNo(), p);
    } else {
      before = p.insured;
      for (Credential cred : before.credentials()) {
        credentials.remove(cred);
      }
      p.setInsured(insured);
    }
    for (Credential cred : insured.credentials()) {
      credentials.put(cred, p);
    }
    if (p.account < 0 && insured.hasPersonalAccount()) {
      p.account = newAccount();
    }
    lifeEvent(p, before);
    listener.insuredChanged(before, insured);
    return new Result.Done();
  }

  private Result registerInstitution(Institution institution) {
    InstitutionState s = institutions.get(institution.code());
    if (s == null) {
      institutions.put(institution.code(), new InstitutionState(institution, newAccount()));
    } else {
      s.institution = institution;
    }
    listener.institutionChanged(institution);
    return new Result.Done();
  }

  private Result requestBinding(String authorizerPsnNo, String beneficiaryPsnNo, Relationship relationship,
      long quotaFen, String evidenceRef) {
    PersonState a = persons.get(authorizerPsnNo);
    PersonState b = persons.get(beneficiaryPsnNo);
    if (a == null || b == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND,
          "psn_no " + (a == null ? authorizerPsnNo : beneficiaryPsnNo) + " is not insured here");
    }
    Rejected refused = bindingAllowed(a, b, relationship, quotaFen);
    if (refused != null) {
      return refused;
    }
    for (BindingState existing : b.asBeneficiary) {
      if ((existing.status == BindingStatus.ACTIVE || existing.status == BindingStatus.REQUESTED)
          && existing.authorizer == a) {
        return new Rejected(Outcome.BINDING_NOT_ALLOWED,
            "binding " + existing.id + " between them is already " + existing.status);
      }
    }
    long seq = nextBinding++;
    BindingState s = new BindingState(id('B', seq), seq, a, b, relationship, quotaFen);
    s.evidenceRef = evidenceRef;
    bindings.put(s.id, s);
    b.asBeneficiary.add(s);
    a.asAuthorizer.add(s);
    return bindingView(s);
  }

  /** The rules for who may bind whom, checked when a binding is asked for and again when verified. */
  private Rejected bindingAllowed(PersonState a, PersonState b, Relationship relationship, long quotaFen) {
    if (a == b) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "a person cannot bind themselves");
    }
    if (!a.insured.hasPersonalAccount() || a.account < 0) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "the authorizer must be employee-insured (has no personal account)");
    }
    if (!a.insured.active() || !b.insured.active()) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "both parties must be insured in normal status");
    }
    if (a.frozen || b.frozen) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "an account of the parties is frozen");
    }
    RegionPolicy policy = policy(a.insured.admdvs());
    if (!policy.allows(relationship)) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED,
          "region " + policy.admdvs() + " allows only spouse, parents and children, not " + relationship);
    }
    if (quotaFen > 0 && !policy.quotaAllowed()) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "region " + policy.admdvs() + " does not allow a quota");
    }
    return null;
  }

  private Result reviewBinding(Command.ReviewBinding c) {
    BindingState b = bindings.get(c.bindingId());
    if (b == null) {
      return new Rejected(Outcome.BINDING_NOT_FOUND, "binding_id " + c.bindingId() + " is not known");
    }
    if (b.status != BindingStatus.REQUESTED) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "binding " + b.id + " is " + b.status + " (expected: REQUESTED)");
    }
    if (!c.approve()) {
      b.status = BindingStatus.REJECTED;
      b.endReason = c.note().isEmpty() ? "relationship not verified" : c.note();
      return bindingView(b);
    }
    Rejected refused = bindingAllowed(b.authorizer, b.beneficiary, b.relationship, b.quotaFen);
    if (refused != null) {
      return refused;
    }
    b.status = BindingStatus.ACTIVE;
    return bindingView(b);
  }

  private Result dissolveBinding(Command.DissolveBinding c) {
    BindingState b = bindings.get(c.bindingId());
    if (b == null) {
      return new Rejected(Outcome.BINDING_NOT_FOUND, "binding_id " + c.bindingId() + " is not known");
    }
    boolean byAuthorizer = b.authorizer.insured.psnNo().equals(c.byPsnNo());
    if (!byAuthorizer && !b.beneficiary.insured.psnNo().equals(c.byPsnNo())) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "psn_no " + c.byPsnNo() + " is not a party to binding " + b.id);
    }
    if (b.status == BindingStatus.DISSOLVED || b.status == BindingStatus.REJECTED) {
      return bindingView(b);
    }
    end(b, byAuthorizer ? "dissolved by the authorizer" : "dissolved by the beneficiary");
    return bindingView(b);
  }

  /**
   * Ends a binding. Holds already placed through it stay and settle or expire as authorized: the
   * authorization was valid when it was made. Refunds still return money to the authorizer. Wallet
   * quota assigned through it returns to the authorizer, but for what open sales hold (that returns
   * when they are cancelled or expire).
   */
  private void end(BindingState b, String reason) {
    if (b.status == BindingStatus.ACTIVE || b.status == BindingStatus.REQUESTED) {
      b.status = BindingStatus.DISSOLVED;
      b.endReason = reason;
      for (WalletGrant g : b.grants) {
        if (g.state == WalletTransferState.PENDING || g.state == WalletTransferState.ACCEPTED) {
          closeGrant(g, WalletTransferState.ENDED, reason);
        }
      }
    }
  }

  /**
   * Whether a relative's funds reach the place of treatment: always within the authorizer's
   * province; across provinces only when both regions enable it.
   */
  private boolean reaches(BindingState b, InstitutionState place) {
    RegionPolicy from = policy(b.authorizer.insured.admdvs());
    RegionPolicy at = policy(place.admdvs);
    return from.province().equals(at.province()) || (from.crossProvinceEnabled() && at.crossProvinceEnabled());
  }

  /** Whether a binding pays now: active, with an authorizer insured normally, unfrozen, with an account. */
  private static boolean pays(BindingState b) {
    return b.status == BindingStatus.ACTIVE && b.authorizer.insured.active() && !b.authorizer.frozen
        && b.authorizer.account >= 0;
  }

  private Result listBindings(Command.ListBindings c) {
    PersonState p = persons.get(c.psnNo());
    if (p == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + c.psnNo() + " is not insured here");
    }
    List<Result.BindingView> out = new ArrayList<>();
    if (c.role() != Command.BindingRole.BENEFICIARY) {
      for (BindingState b : p.asAuthorizer) {
        out.add(bindingView(b));
      }
    }
    if (c.role() != Command.BindingRole.AUTHORIZER) {
      for (BindingState b : p.asBeneficiary) {
        out.add(bindingView(b));
      }
    }
    return new Result.Bindings(List.copyOf(out));
  }

  private Result recordDeath(String psnNo) {
    PersonState p = persons.get(psnNo);
    if (p == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + psnNo + " is not insured here");
    }
    Insured before = p.insured;
    p.setInsured(new Insured(before.psnNo(), before.name(), before.insuranceType(), InsuredStatus.DECEASED,
        before.admdvs(), before.credentials()));
    lifeEvent(p, before);
    listener.insuredChanged(before, p.insured);
    return new Result.Done();
  }

  /**
   * What a change of a person's insurance does to their bindings and account: termination and death
   * dissolve every binding (death also freezes the account); an authorizer who moves to another
   * region, or loses their personal account, ends the bindings they authorized.
   */
  private void lifeEvent(PersonState p, Insured before) {
    Insured now = p.insured;
    if (now.status() == InsuredStatus.DECEASED) {
      p.frozen = true;
    }
    if (before == null) {
      return;
    }
    String reason = null;
    if (now.status() == InsuredStatus.TERMINATED && before.status() != InsuredStatus.TERMINATED) {
      reason = "the insurance of " + Masking.psnNo(now.psnNo()) + " ended";
    } else if (now.status() == InsuredStatus.DECEASED && before.status() != InsuredStatus.DECEASED) {
      reason = "death of " + Masking.psnNo(now.psnNo());
    }
    if (reason != null) {
      for (BindingState b : p.asAuthorizer) {
        end(b, reason);
      }
      for (BindingState b : p.asBeneficiary) {
        end(b, reason);
      }
      return;
    }
    if (!now.admdvs().equals(before.admdvs())) {
      String moved = "insurance moved from " + before.admdvs() + " to " + now.admdvs();
      for (BindingState b : p.asAuthorizer) {
        end(b, "the authorizer's " + moved);
      }
      // A beneficiary who moves keeps their bindings, but quota assigned to their wallet returns.
      for (WalletGrant g : p.grantsIn) {
        if (g.state == WalletTransferState.PENDING || g.state == WalletTransferState.ACCEPTED) {
          closeGrant(g, WalletTransferState.ENDED, "the beneficiary's " + moved);
        }
      }
    }
    if (!now.hasPersonalAccount()) {
      for (BindingState b : p.asAuthorizer) {
        end(b, "the authorizer no longer has employee insurance");
      }
    }
  }

  private Result payOut(Command.PayOutToHeirs c) {
    PersonState p = persons.get(c.psnNo());
    if (p == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + c.psnNo() + " is not insured here");
    }
    if (p.insured.status() != InsuredStatus.DECEASED || p.account < 0) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
          "only the account of a deceased person is paid out to heirs (status: " + p.insured.status() + ")");
    }
    if (balance[p.account] == 0) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT, "the account of " + c.psnNo() + " holds nothing to pay out"
          + (p.payouts.isEmpty() ? "" : " (it was paid out before; a later refund would be paid out again)"));
    }
    if (held[p.account] > 0) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
          held[p.account] + " fen are still held by open authorizations; pay out after they settle or expire");
    }
    long total = 0;
    for (Command.Heir h : c.heirs()) {
      total = Math.addExact(total, h.amountFen());
    }
    if (total != balance[p.account]) {
      return new Rejected(Outcome.PAYOUT_MISMATCH,
          "the heirs' shares add up to " + total + " fen but the balance is " + balance[p.account] + " fen");
    }
    transfer(p.account, PAYOUTS, total);
    p.payouts.add(new Result.Payout(c.psnNo(), total, c.heirs(), nowMillis));
    return new Result.Payout(c.psnNo(), total, c.heirs(), nowMillis);
  }

  /**
   * Records a settlement-side event for day-end reconciliation and, for each mutual-aid leg, a usage
   * record for both parties. {@code sign} is +1 when money went to the institution, -1 when back.
   */
  private void settlementEvent(Txn t, int kind, int sign) {
    t.institution.events.add(new InstEvent(t, (byte) kind, nowMillis));
    TxnLeg[] legs = t.posted;
    for (int i = 0; i < legs.length; i++) {
      BindingState b = legs[i].binding;
      if (b == null || firstLegOf(legs, b) < i) {
        continue;
      }
      // One record per relative: wallet quota and direct mutual aid through one binding add up.
      long amount = 0;
      for (int j = i; j < legs.length; j++) {
        amount += legs[j].binding == b ? legs[j].amountFen : 0;
      }
      if (amount > 0) {
        Result.Usage u = new Result.Usage(EVENT_KINDS[kind], nowMillis, b.authorizer.insured.psnNo(),
            t.patient.insured.psnNo(), t.institution.institution.code(), t.id, b.id, sign * amount);
        b.authorizer.usage.add(u);
        t.patient.usage.add(u);
      }
    }
  }

  private static int firstLegOf(TxnLeg[] legs, BindingState b) {
    int i = 0;
    while (legs[i].binding != b) {
      i++;
    }
    return i;
  }

  private Result payPremium(Command.PayPremium c) {
    PersonState payer = persons.get(c.payerPsnNo());
    PersonState beneficiary = persons.get(c.beneficiaryPsnNo());
    if (payer == null || beneficiary == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND,
          "psn_no " + (payer == null ? c.payerPsnNo() : c.beneficiaryPsnNo()) + " is not insured here");
    }
    BindingState binding = null;
    for (BindingState b : beneficiary.asBeneficiary) {
      if (b.authorizer == payer && pays(b)) {
        binding = b;
        break;
      }
    }
    if (binding == null) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED,
          "no active mutual-aid binding lets " + c.payerPsnNo() + " pay for " + c.beneficiaryPsnNo());
    }
    if (beneficiary.insured.insuranceType() != InsuranceType.RESIDENT_BASIC) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED,
          "only a resident's basic insurance premium can be paid for a relative (the beneficiary is "
              + beneficiary.insured.insuranceType() + ")");
    }
    long share = shareable(binding);
    if (c.amountFen() > share) {
      return new Rejected(Outcome.INSUFFICIENT_FUNDS, "the premium of " + c.amountFen() + " fen is above the "
          + share + " fen the payer can share (balance above the retained floor, within the quota)");
    }
    transfer(payer.account, PREMIUMS, c.amountFen());
    binding.usedFen += c.amountFen();
    Result.Usage u = new Result.Usage("PREMIUM", nowMillis, payer.insured.psnNo(), beneficiary.insured.psnNo(), "", "",
        binding.id, c.amountFen());
    payer.usage.add(u);
    beneficiary.usage.add(u);
    binding.premiumFen += c.amountFen();
    return new Result.Premium(c.payerPsnNo(), c.beneficiaryPsnNo(), c.amountFen(), c.year(), available(payer.account));
  }

  private Result reconcile(Command.Reconcile c) {
    InstitutionState inst = institutions.get(c.institution());
    if (inst == null) {
      return new Rejected(Outcome.INSTITUTION_NOT_FOUND, "fixmedins_code " + c.institution() + " is not registered");
    }
    long[] settlements = new long[5];
    long[] refunds = new long[5];
    for (int i = firstEventOfDay(inst, c.dayEpoch()); i < inst.events.size(); i++) {
      InstEvent ev = inst.events.get(i);
      if (localDay(ev.atMillis) != c.dayEpoch()) {
        break;
      }
      long[] into = ev.kind == 0 || ev.kind == 3 ? settlements : refunds;
      into[0]++;
      addSettledSplit(ev.txn, into);
    }
    return new Result.Reconciliation(c.institution(), c.dayEpoch(), settlements, refunds);
  }

  private Result reconcileDetail(Command.ReconcileDetail c) {
    InstitutionState inst = institutions.get(c.institution());
    if (inst == null) {
      return new Rejected(Outcome.INSTITUTION_NOT_FOUND, "fixmedins_code " + c.institution() + " is not registered");
    }
    List<Result.ReconcileLine> lines = new ArrayList<>();
    int i = firstEventOfDay(inst, c.dayEpoch()) + c.offset();
    for (; i < inst.events.size() && lines.size() < c.limit(); i++) {
      InstEvent ev = inst.events.get(i);
      if (localDay(ev.atMillis) != c.dayEpoch()) {
        break;
      }
      long[] split = new long[5];
      addSettledSplit(ev.txn, split);
      lines.add(new Result.ReconcileLine(ev.txn.id, EVENT_KINDS[ev.kind], ev.atMillis, split[1], split[2], split[3],
          split[4]));
    }
    boolean more = i < inst.events.size() && localDay(inst.events.get(i).atMillis) == c.dayEpoch();
    return new Result.ReconcileLines(List.copyOf(lines), more);
  }

  /** Adds a settled sale's total, own-account, mutual-aid and cash amounts to {@code into[1..4]}. */
  private static void addSettledSplit(Txn t, long[] into) {
    long own = 0;
    long aid = 0;
    for (TxnLeg leg : t.posted) {
      if (leg.binding == null) {
        own += leg.amountFen;
      } else {
        aid += leg.amountFen;
      }
    }
    into[1] += own + aid + t.settledCashFen;
    into[2] += own;
    into[3] += aid;
    into[4] += t.settledCashFen;
  }

  /** The index of the first event on or after the start of a local day (events are in time order). */
  private static int firstEventOfDay(InstitutionState inst, long dayEpoch) {
    long start = dayEpoch * DAY_MILLIS - LOCAL_OFFSET_MILLIS;
    int lo = 0;
    int hi = inst.events.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (inst.events.get(mid).atMillis < start) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** The local (UTC+8) day number of a time. */
  public static long localDay(long millis) {
    return Math.floorDiv(millis + LOCAL_OFFSET_MILLIS, DAY_MILLIS);
  }

  private Result listUsage(Command.ListUsage c) {
    PersonState p = persons.get(c.psnNo());
    if (p == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + c.psnNo() + " is not insured here");
    }
    List<Result.Usage> out = new ArrayList<>();
    int skipped = 0;
    boolean more = false;
    for (Result.Usage u : p.usage) {
      if (u.atMillis() < c.fromMillis() || u.atMillis() >= c.toMillis()) {
        continue;
      }
      if (c.role() == Command.BindingRole.AUTHORIZER && !u.authorizerPsnNo().equals(c.psnNo())) {
        continue;
      }
      if (c.role() == Command.BindingRole.BENEFICIARY && !u.beneficiaryPsnNo().equals(c.psnNo())) {
        continue;
      }
      if (skipped++ < c.offset()) {
        continue;
      }
      if (out.size() == c.limit()) {
        more = true;
        break;
      }
      out.add(u);
    }
    return new Result.Usages(List.copyOf(out), more);
  }

  // ---- the wallet ---------------------------------------------------------------------------

  private Result openWallet(String psnNo) {
    PersonState p = persons.get(psnNo);
    if (p == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + psnNo + " is not insured here");
    }
    if (p.walletOpenedAtMillis == 0) {
      if (!p.insured.active()) {
        return new Rejected(Outcome.INSURED_NOT_ACTIVE,
            "the insured status of " + psnNo + " is " + p.insured.status() + " (expected: NORMAL)");
      }
      p.walletOpenedAtMillis = Math.max(1, nowMillis);
    }
    return walletView(p);
  }

  private Result getWallet(String psnNo) {
    PersonState p = persons.get(psnNo);
    if (p == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + psnNo + " is not insured here");
    }
    return walletView(p);
  }

  /**
   * Earmarks quota on the authorizer's account for a relative's wallet. The checks, in order: both
   * insured, the wallet open, an active binding between them, the night window, the amount cap, no
   * transfer pending into the wallet, the day's count, and enough above the floor within the quota.
   * The limits are the authorizer's region's: it is their account the quota is earmarked on.
   */
  private Result assignWalletQuota(Command.AssignWalletQuota c) {
    PersonState a = persons.get(c.authorizerPsnNo());
    PersonState b = persons.get(c.beneficiaryPsnNo());
    if (a == null || b == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND,
          "psn_no " + (a == null ? c.authorizerPsnNo() : c.beneficiaryPsnNo()) + " is not insured here");
    }
    if (b.walletOpenedAtMillis == 0) {
      return new Rejected(Outcome.WALLET_NOT_OPEN, "the wallet of " + c.beneficiaryPsnNo() + " is not open");
    }
    BindingState binding = null;
    for (BindingState x : b.asBeneficiary) {
      if (x.authorizer == a && x.status == BindingStatus.ACTIVE) {
        binding = x;
        break;
      }
    }
    if (binding == null) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "no active mutual-aid binding lets " + c.authorizerPsnNo()
          + " assign quota to the wallet of " + c.beneficiaryPsnNo());
    }
    if (!pays(binding)) {
      return new Rejected(a.frozen ? Outcome.ACCOUNT_FROZEN : Outcome.INSURED_NOT_ACTIVE,
          "the authorizer's account cannot be shared now (status " + a.insured.status() + (a.frozen ? ", frozen)" : ")"));
    }
    if (!b.insured.active()) {
      return new Rejected(Outcome.INSURED_NOT_ACTIVE,
          "the beneficiary's insured status is " + b.insured.status() + " (expected: NORMAL)");
    }
    RegionPolicy policy = policy(a.insured.admdvs());
    RegionPolicy.WalletRules rules = policy.wallet();
    int hour = (int) (Math.floorMod(nowMillis + LOCAL_OFFSET_MILLIS, DAY_MILLIS) / 3_600_000L);
    if (rules.quiet(hour)) {
      return new Rejected(Outcome.WALLET_TRANSFER_WINDOW_CLOSED, String.format(
          "no wallet transfers from %02d:00 to %02d:00 in region %s (it is %s); try again after %02d:00",
          rules.quietFromHour(), rules.quietUntilHour(), policy.admdvs(), localTime(nowMillis), rules.quietUntilHour()));
    }
    if (c.amountFen() > rules.maxTransferFen()) {
      return new Rejected(Outcome.WALLET_TRANSFER_LIMIT_EXCEEDED, "amount_fen " + c.amountFen()
          + " is above the most one wallet transfer may assign in region " + policy.admdvs() + ": "
          + rules.maxTransferFen() + " fen");
    }
    long today = localDay(nowMillis);
    int todayCount = 0;
    for (int i = b.grantsIn.size() - 1; i >= 0; i--) {
      WalletGrant g = b.grantsIn.get(i);
      if (g.state == WalletTransferState.PENDING) {
        return new Rejected(Outcome.WALLET_TRANSFER_PENDING, "wallet transfer " + g.id + " to " + c.beneficiaryPsnNo()
            + " waits for acceptance (until " + localTime(g.acceptByMillis) + "); it blocks another");
      }
      if (localDay(g.createdAtMillis) == today) {
        todayCount++;
      }
    }
    if (todayCount >= rules.maxTransfersPerDay()) {
      return new Rejected(Outcome.WALLET_TRANSFER_LIMIT_EXCEEDED, "the wallet of " + c.beneficiaryPsnNo() + " had "
          + todayCount + " transfers today; region " + policy.admdvs() + " allows " + rules.maxTransfersPerDay() + " a day");
    }
    long share = shareable(binding);
    if (c.amountFen() > share) {
      return new Rejected(Outcome.INSUFFICIENT_FUNDS, "amount_fen " + c.amountFen() + " is above the " + share
          + " fen the authorizer can share (balance above the retained floor, within the quota)");
    }
    // After this point the transfer must succeed: earmark the quota.
    hold(a.account, c.amountFen());
    binding.walletFen += c.amountFen();
    long seq = nextGrant++;
    long acceptBy = (today + 1) * DAY_MILLIS - LOCAL_OFFSET_MILLIS + rules.quietUntilHour() * 3_600_000L;
    WalletGrant g = new WalletGrant(id('W', seq), binding, c.amountFen(), nowMillis,
        acceptBy);
    grants.put(g.id, g);
    binding.grants.add(g);
    b.grantsIn.add(g);
    a.grantsOut.add(g);
    grantReturns.add(g);
    return grantView(g);
  }

  private Result answerWalletTransfer(Command.AnswerWalletTransfer c) {
    WalletGrant g = grants.get(c.transferId());
    if (g == null) {
      return new Rejected(Outcome.WALLET_TRANSFER_NOT_FOUND, "transfer_id " + c.transferId() + " is not known");
    }
    boolean byBeneficiary = g.binding.beneficiary.insured.psnNo().equals(c.byPsnNo());
    boolean byAuthorizer = g.binding.authorizer.insured.psnNo().equals(c.byPsnNo());
    if (c.accept() ? !byBeneficiary : !byBeneficiary && !byAuthorizer) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "psn_no " + c.byPsnNo() + " is not "
          + (c.accept() ? "the beneficiary" : "a party") + " of wallet transfer " + g.id);
    }
    WalletTransferState answered = c.accept() ? WalletTransferState.ACCEPTED : WalletTransferState.DECLINED;
    if (g.state == answered) {
      return grantView(g);
    }
    if (g.state != WalletTransferState.PENDING) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT, "wallet transfer " + g.id + " is " + g.state
          + (g.endReason.isEmpty() ? "" : " (" + g.endReason + ")") + "; expected: PENDING");
    }
    if (c.accept()) {
      g.state = WalletTransferState.ACCEPTED;
    } else {
      closeGrant(g, WalletTransferState.DECLINED, byBeneficiary ? "declined by the beneficiary" : "withdrawn by the authorizer");
    }
    return grantView(g);
  }

  private Result listWalletTransfers(Command.ListWalletTransfers c) {
    PersonState p = persons.get(c.psnNo());
    if (p == null) {
      return new Rejected(Outcome.PATIENT_NOT_FOUND, "psn_no " + c.psnNo() + " is not insured here");
    }
    // Both lists are oldest first: walk them from their ends, newest first, without copying them.
    List<WalletGrant> out = c.role() == Command.BindingRole.BENEFICIARY ? List.of() : p.grantsOut;
    List<WalletGrant> in = c.role() == Command.BindingRole.AUTHORIZER ? List.of() : p.grantsIn;
    int i = out.size() - 1;
    int j = in.size() - 1;
    List<Result.WalletTransferView> page = new ArrayList<>(Math.min(c.limit(), i + j + 2));
    for (int skipped = 0; (i >= 0 || j >= 0) && page.size() < c.limit(); skipped++) {
      WalletGrant g = j < 0 || (i >= 0 && out.get(i).seq > in.get(j).seq) ? out.get(i--) : in.get(j--);
      if (skipped >= c.offset()) {
        page.add(grantView(g));
      }
    }
    return new Result.WalletTransfers(List.copyOf(page), i >= 0 || j >= 0);
  }

  /** Ends a pending or accepted transfer: the unspent quota not held by open sales returns to the authorizer. */
  private void closeGrant(WalletGrant g, WalletTransferState state, String reason) {
    long unspent = g.amountFen - g.spentFen - g.inSaleFen - g.returnedFen;
    g.state = state;
    g.endReason = reason;
    release(g.binding.authorizer.account, unspent);
    g.returnedFen += unspent;
    g.binding.walletFen -= unspent;
  }

  /** Quota a sale no longer draws: back in the wallet while it is accepted, else back to the authorizer. */
  private void unearmarkIfClosed(WalletGrant g, long amountFen) {
    if (amountFen > 0 && g.state != WalletTransferState.ACCEPTED) {
      release(g.binding.authorizer.account, amountFen);
      g.returnedFen += amountFen;
      g.binding.walletFen -= amountFen;
    }
  }

  private Result.WalletView walletView(PersonState p) {
    long available = 0;
    long pending = 0;
    int today = 0;
    long day = localDay(nowMillis);
    List<Result.WalletTransferView> open = new ArrayList<>();
    for (WalletGrant g : p.grantsIn) {
      if (g.state == WalletTransferState.PENDING) {
        pending += g.amountFen;
        open.add(grantView(g));
      } else if (g.remainingFen() > 0) {
        available += g.remainingFen();
        open.add(grantView(g));
      }
      today += localDay(g.createdAtMillis) == day ? 1 : 0;
    }
    return new Result.WalletView(p.insured.psnNo(), p.walletOpenedAtMillis != 0, p.walletOpenedAtMillis, available,
        pending, today, List.copyOf(open));
  }

  private static Result.WalletTransferView grantView(WalletGrant g) {
    return new Result.WalletTransferView(g.id, g.binding.authorizer.insured.psnNo(), g.binding.beneficiary.insured.psnNo(),
        g.binding.id, g.amountFen, g.remainingFen(), g.spentFen, g.state, g.createdAtMillis, g.acceptByMillis,
        g.endReason);
  }

  /** A time as China's local clock shows it, for messages: "2026-11-25 06:00". */
  private static String localTime(long millis) {
    return java.time.Instant.ofEpochMilli(millis).atOffset(java.time.ZoneOffset.ofHours(8)).toLocalDateTime()
        .toString().replace('T', ' ').substring(0, 16);
  }

  // ---- mutual-aid sources -------------------------------------------------------------------

  /**
   * The bindings that pay for a patient at a place (null: anywhere), in the order the patient's
   * region sets. Reuses one list: valid until the next call.
   */
  private List<BindingState> inDrawingOrder(PersonState patient, InstitutionState place) {
    scratchOrdered.clear();
    for (BindingState b : patient.asBeneficiary) {
      if (pays(b) && (place == null || reaches(b, place))) {
        scratchOrdered.add(b);
      }
    }
    if (scratchOrdered.size() > 1) {
      switch (policy(patient.insured.admdvs()).aidOrder()) {
        case BINDING -> { }
        // List.sort is stable: ties stay in binding order.
        case CLOSEST_RELATIVE -> scratchOrdered.sort(Comparator.comparingInt(b -> b.relationship.inverse().ordinal()));
        case LARGEST_AVAILABLE -> scratchOrdered.sort(Comparator.comparingLong(b -> -shareable(b)));
      }
    }
    return scratchOrdered;
  }

  /** What mutual aid a patient may still use today under their region's velocity limits. */
  private long aidAllowanceToday(PersonState p) {
    RegionPolicy home = policy(p.insured.admdvs());
    boolean counting = p.aidDay == localDay(nowMillis);
    int uses = counting ? p.aidUsesToday : 0;
    long fen = counting ? p.aidFenToday : 0;
    if (home.maxMutualAidUsesPerDay() > 0 && uses >= home.maxMutualAidUsesPerDay()) {
      return 0;
    }
    return home.maxMutualAidFenPerDay() > 0 ? Math.max(0, home.maxMutualAidFenPerDay() - fen) : Long.MAX_VALUE;
  }

  private Result updateBindingQuota(Command.UpdateBindingQuota c) {
    BindingState b = bindings.get(c.bindingId());
    if (b == null) {
      return new Rejected(Outcome.BINDING_NOT_FOUND, "binding_id " + c.bindingId() + " is not known");
    }
    if (!b.authorizer.insured.psnNo().equals(c.byPsnNo())) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "only the authorizer of binding " + b.id + " changes its quota");
    }
    if (b.status != BindingStatus.ACTIVE && b.status != BindingStatus.REQUESTED) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "binding " + b.id + " is " + b.status);
    }
    RegionPolicy policy = policy(b.authorizer.insured.admdvs());
    if (!policy.quotaAllowed()) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "region " + policy.admdvs() + " does not allow setting or changing a quota");
    }
    if (c.quotaFen() > 0 && c.quotaFen() < drawnFen(b)) {
      return new Rejected(Outcome.BINDING_NOT_ALLOWED, "quota_fen " + c.quotaFen() + " is below the " + drawnFen(b)
          + " fen already drawn, held or assigned to the wallet through binding " + b.id);
    }
    b.quotaFen = c.quotaFen();
    return bindingView(b);
  }

  private void alert(String kind, String institution, String psnNo, String detail) {
    if (alerts.size() == MAX_ALERTS) {
      alerts.removeFirst();
    }
    alerts.addLast(new Result.Alert(nextAlert++, nowMillis, kind, institution, psnNo, detail));
  }

  /** The binding with this id as a result, or BINDING_NOT_FOUND. */
  public Result binding(String bindingId) {
    BindingState s = bindings.get(bindingId);
    return s == null ? new Rejected(Outcome.BINDING_NOT_FOUND, "binding_id " + bindingId + " is not known") : bindingView(s);
  }

  private static Result.BindingView bindingView(BindingState s) {
    return new Result.BindingView(s.id, s.authorizer.insured.psnNo(), s.beneficiary.insured.psnNo(),
        s.relationship, s.quotaFen, s.usedFen, s.status, s.evidenceRef, s.endReason, s.walletFen);
  }

  // ---- money movements: the only places balances change ------------------------------------

  private void transfer(int from, int to, long amountFen) {
    verify(amountFen >= 0, "transfer of %s fen", amountFen);
    balance[from] -= amountFen;
    balance[to] += amountFen;
    if (from != CONTRIBUTIONS && balance[from] < held[from]) {
      throw broken("account %s: balance %s below held %s", from, balance[from], held[from]);
    }
  }

  private void hold(int account, long amountFen) {
    held[account] += amountFen;
    if (held[account] > balance[account]) {
      throw broken("account %s: held %s above balance %s", account, held[account], balance[account]);
    }
  }

  /**
   * A broken invariant of the money state, for checks on the hot path: Guava's {@code verify} with
   * three values would box them on every call, not only when it fails.
   */
  private static VerifyException broken(String template, long a, long b, long c) {
    return new VerifyException(Strings.lenientFormat(template, a, b, c));
  }

  private void release(int account, long amountFen) {
    held[account] -= amountFen;
    verify(held[account] >= 0, "account %s: held went negative: %s", account, held[account]);
  }

  private void voidHolds(Txn t, TxnState state) {
    long aid = 0;
    for (TxnLeg leg : t.legs) {
      if (leg.grant != null) {
        leg.grant.inSaleFen -= leg.amountFen; // back in the wallet, or back to the authorizer if it closed
        unearmarkIfClosed(leg.grant, leg.amountFen);
        aid += leg.amountFen;
      } else {
        release(leg.owner.account, leg.amountFen);
        if (leg.binding != null) {
          leg.binding.heldFen -= leg.amountFen;
          aid += leg.amountFen;
        }
      }
    }
    t.state = state;
    unuseMutualAid(t, aid, true);
  }

  /**
   * Gives back to the patient's daily mutual-aid allowance what a sale no longer draws: a released
   * authorization is no use at all; a lower final total uses less. Only on the day the sale counted.
   */
  private static void unuseMutualAid(Txn t, long aidFen, boolean wholeUse) {
    PersonState p = t.patient;
    if (aidFen == 0 || p.aidDay != localDay(t.createdAtMillis)) {
      return;
    }
    p.aidFenToday = Math.max(0, p.aidFenToday - aidFen);
    if (wholeUse) {
      p.aidUsesToday = Math.max(0, p.aidUsesToday - 1);
    }
  }

  /**
   * Sends each posted leg back to the account it came from, even if the binding was dissolved since.
   * Wallet quota spent by the sale goes back into the wallet while the transfer is still accepted;
   * after the relationship ended it returns to the authorizer like the rest of the transfer did.
   */
  private void returnPosted(Txn t) {
    for (TxnLeg leg : t.posted) {
      transfer(t.institution.account, leg.owner.account, leg.amountFen);
      if (leg.grant != null) {
        leg.grant.spentFen -= leg.amountFen;
        if (leg.grant.state == WalletTransferState.ACCEPTED) {
          hold(leg.owner.account, leg.amountFen);
        } else {
          leg.grant.returnedFen += leg.amountFen;
          leg.binding.walletFen -= leg.amountFen;
        }
      } else if (leg.binding != null) {
        leg.binding.usedFen -= leg.amountFen;
      }
    }
  }

  private void expireDue() {
    Txn head;
    while ((head = expiries.peek()) != null && head.expiresAtMillis <= nowMillis) {
      expiries.poll();
      if (head.state == TxnState.AUTHORIZED) {
        voidHolds(head, TxnState.EXPIRED);
      }
    }
    WalletGrant grant;
    while ((grant = grantReturns.peek()) != null && grant.acceptByMillis <= nowMillis) {
      grantReturns.poll();
      if (grant.state == WalletTransferState.PENDING) {
        closeGrant(grant, WalletTransferState.RETURNED, "not accepted by " + localTime(grant.acceptByMillis));
      }
    }
    long horizon = nowMillis - idempotencyWindow.toMillis();
    Iterator<Map.Entry<String, Object>> it = requests.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Object> e = it.next();
      if (recordedAt(e.getKey(), e.getValue()) >= horizon) {
        break;
      }
      if (e.getValue() instanceof Txn t) { // the sale outlives its request ids: let them go
        if (e.getKey().equals(t.authorizeRequestId)) {
          t.authorizeRequestId = null;
        } else {
          t.settleRequestId = null;
        }
      }
      it.remove();
    }
  }

  // ---- derived amounts ----------------------------------------------------------------------

  private long available(int account) {
    return balance[account] - held[account];
  }

  /**
   * What a beneficiary may draw through a binding now: above the authorizer's floor, within the
   * quota. Quota assigned to the wallet through the binding counts against the quota; its earmark is
   * already out of the authorizer's available balance.
   */
  private long shareable(BindingState b) {
    long floor = policy(b.authorizer.insured.admdvs()).retainedFloorFen();
    long share = Math.max(0, available(b.authorizer.account) - floor);
    if (b.quotaFen > 0) {
      share = Math.min(share, Math.max(0, b.quotaFen - drawnFen(b)));
    }
    return share;
  }

  /** What counts against a binding's quota: drawn, held by open sales, and assigned to the wallet. */
  private static long drawnFen(BindingState b) {
    return b.usedFen + b.heldFen + b.walletFen;
  }

  /**
   * The policy that governs an area: its own if one is set, else that of the pooling region it lies
   * in (the district 620102 lies in the city 620100), else that of its province (620000), else the
   * national baseline. Policies are set per pooling region, while an institution's code carries the
   * area code of its district.
   */
  private RegionPolicy policy(String admdvs) {
    RegionPolicy p = resolvedPolicies.get(admdvs);
    if (p == null) {
      p = resolvePolicy(admdvs);
      resolvedPolicies.put(admdvs, p);
    }
    return p;
  }

  private RegionPolicy resolvePolicy(String admdvs) {
    RegionPolicy p = policies.get(admdvs);
    if (p == null && admdvs.length() == 6) {
      p = policies.get(admdvs.substring(0, 4) + "00");
      if (p == null) {
        p = policies.get(admdvs.substring(0, 2) + "0000");
      }
    }
    return p != null ? p : RegionPolicy.defaults(admdvs);
  }

  private int unionMask(int n) {
    int m = 0;
    for (int i = 0; i < n; i++) {
      m |= scratchMask[i];
    }
    return m;
  }

  private void ensureScratch(int n) {
    if (n > scratchAvailable.length) {
      int size = Math.max(n, scratchAvailable.length * 2);
      scratchAvailable = Arrays.copyOf(scratchAvailable, size);
      scratchMask = Arrays.copyOf(scratchMask, size);
      scratchDraw = Arrays.copyOf(scratchDraw, size);
    }
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

  private int newAccount() {
    if (accounts == balance.length) {
      balance = Arrays.copyOf(balance, accounts * 2);
      held = Arrays.copyOf(held, accounts * 2);
    }
    return accounts++;
  }

  private Breakdown breakdown(Txn t, TxnLeg[] legs, long cashFen, long inScopeFen) {
    return breakdown(t, legs, cashFen, inScopeFen, ownAvailable(t.patient));
  }

  private static Breakdown breakdown(Txn t, TxnLeg[] legs, long cashFen, long inScopeFen, long balanceAfterFen) {
    List<Leg> out = new ArrayList<>(legs.length + 1);
    long own = 0;
    long aid = 0;
    for (TxnLeg leg : legs) {
      if (leg.amountFen == 0) {
        continue;
      }
      if (leg.binding == null) {
        own += leg.amountFen;
        out.add(new Leg(FundSource.OWN_ACCOUNT, leg.ownerMasked, "", "", leg.amountFen));
      } else if (leg.grant != null) {
        aid += leg.amountFen;
        out.add(new Leg(FundSource.WALLET, leg.ownerMasked, leg.binding.id, leg.grant.id, leg.amountFen));
      } else {
        aid += leg.amountFen;
        out.add(new Leg(FundSource.MUTUAL_AID, leg.ownerMasked, leg.binding.id, "", leg.amountFen));
      }
    }
    if (cashFen > 0) {
      out.add(new Leg(FundSource.CASH, "", "", "", cashFen));
    }
    long total = own + aid + cashFen;
    return new Breakdown(total, Math.min(inScopeFen, total), own, aid, cashFen, List.copyOf(out), balanceAfterFen);
  }

  /** After a release nothing is drawn from accounts: the whole bill would be cash. */
  private static Breakdown releasedBreakdown(Txn t, long balanceAfterFen) {
    return new Breakdown(t.totalFen, Math.min(t.inScopeFen, t.totalFen), 0, 0, t.totalFen, List.of(), balanceAfterFen);
  }

  /**
   * The split as authorized, rebuilt from the legs: a sale keeps numbers, not reply objects, for
   * as long as it is kept; the legs keep the owners' names as shown at the sale.
   */
  private static Breakdown authorizedBreakdown(Txn t) {
    return breakdown(t, t.legs, t.cashFen, t.inScopeFen, t.authorizedBalanceAfterFen);
  }

  /** The split as settled (null before the sale settled). */
  private static Breakdown settledBreakdown(Txn t) {
    return t.posted == null ? null
        : breakdown(t, t.posted, t.settledCashFen, t.settledInScopeFen, t.settledBalanceAfterFen);
  }

  private long ownAvailable(PersonState p) {
    return p.account < 0 ? 0 : available(p.account);
  }

  private static String masked(PersonState p) {
    return p.masked;
  }

  private static TxnView view(Txn t) {
    return view(t, t.state);
  }

  /** The transaction as it was when it was in {@code state}. */
  private static TxnView view(Txn t, TxnState state) {
    boolean settled = state == TxnState.SETTLED || state == TxnState.REFUNDED;
    return view(t, state, authorizedBreakdown(t), settled ? settledBreakdown(t) : null);
  }

  /** The same, with the splits the caller built already. */
  private static TxnView view(Txn t, TxnState state, Breakdown authorized, Breakdown settled) {
    return new TxnView(t.id, t.institution.institution.code(), t.patient.maskedPsnNo, t.medicalType, state, authorized,
        settled, t.createdAtMillis, t.expiresAtMillis);
  }

  // ---- audit --------------------------------------------------------------------------------

  /**
   * Checks every invariant over the whole state and returns the violations (empty when sound).
   * O(state): for tests, the verify tool and start-up, not for the hot path.
   */
  public List<String> audit() {
    List<String> violations = new ArrayList<>();
    long sum = 0;
    for (int i = 0; i < accounts; i++) {
      sum += balance[i];
      if (i != CONTRIBUTIONS && balance[i] < 0) {
        violations.add("account " + i + " balance negative: " + balance[i]);
      }
      if (held[i] < 0 || (i != CONTRIBUTIONS && held[i] > balance[i])) {
        violations.add("account " + i + " held " + held[i] + " outside 0.." + balance[i]);
      }
    }
    if (sum != 0) {
      violations.add("balances sum to " + sum + " (expected: 0)");
    }
    long[] expectHeld = new long[accounts];
    // Per binding: held by open sales, used (settled and premiums), assigned to the wallet.
    Map<BindingState, long[]> expectBinding = new HashMap<>();
    for (BindingState b : bindings.values()) {
      expectBinding.put(b, new long[] {0, b.premiumFen, 0});
    }
    // Per wallet transfer: held by open sales, spent by settled ones.
    Map<WalletGrant, long[]> expectGrant = new HashMap<>();
    for (WalletGrant g : grants.values()) {
      expectGrant.put(g, new long[2]);
      long earmark = g.amountFen - g.spentFen - g.returnedFen;
      expectHeld[g.binding.authorizer.account] += earmark;
      expectBinding.get(g.binding)[2] += g.amountFen - g.returnedFen;
      boolean open = g.state == WalletTransferState.PENDING || g.state == WalletTransferState.ACCEPTED;
      if (g.inSaleFen < 0 || g.spentFen < 0 || g.returnedFen < 0 || earmark < g.inSaleFen
          || (!open && earmark != g.inSaleFen) || (g.state == WalletTransferState.PENDING && earmark != g.amountFen)) {
        violations.add("wallet transfer " + g.id + " " + g.state + ": amount/in sale/spent/returned " + g.amountFen + "/"
            + g.inSaleFen + "/" + g.spentFen + "/" + g.returnedFen + " out of bounds");
      }
    }
    for (Txn t : txns.values()) {
      if (t.state == TxnState.AUTHORIZED) {
        for (TxnLeg leg : t.legs) {
          if (leg.grant != null) {
            expectGrant.get(leg.grant)[0] += leg.amountFen;
          } else {
            expectHeld[leg.owner.account] += leg.amountFen;
            if (leg.binding != null) {
              expectBinding.get(leg.binding)[0] += leg.amountFen;
            }
          }
        }
      } else if (t.state == TxnState.SETTLED) {
        for (TxnLeg leg : t.posted) {
          if (leg.grant != null) {
            expectGrant.get(leg.grant)[1] += leg.amountFen;
          } else if (leg.binding != null) {
            expectBinding.get(leg.binding)[1] += leg.amountFen;
          }
        }
      }
    }
    for (Map.Entry<WalletGrant, long[]> e : expectGrant.entrySet()) {
      WalletGrant g = e.getKey();
      if (g.inSaleFen != e.getValue()[0] || g.spentFen != e.getValue()[1]) {
        violations.add("wallet transfer " + g.id + " in sale/spent " + g.inSaleFen + "/" + g.spentFen
            + " but legs say " + e.getValue()[0] + "/" + e.getValue()[1]);
      }
    }
    for (int i = 0; i < accounts; i++) {
      if (expectHeld[i] != held[i]) {
        violations.add("account " + i + " held " + held[i] + " but open legs sum to " + expectHeld[i]);
      }
    }
    for (Map.Entry<BindingState, long[]> e : expectBinding.entrySet()) {
      BindingState b = e.getKey();
      if (b.heldFen != e.getValue()[0] || b.usedFen != e.getValue()[1] || b.walletFen != e.getValue()[2]) {
        violations.add("binding " + b.id + " held/used/wallet " + b.heldFen + "/" + b.usedFen + "/" + b.walletFen
            + " but legs and transfers say " + e.getValue()[0] + "/" + e.getValue()[1] + "/" + e.getValue()[2]);
      }
      if (b.quotaFen > 0 && drawnFen(b) > b.quotaFen) {
        violations.add("binding " + b.id + " over quota: " + drawnFen(b) + " > " + b.quotaFen);
      }
    }
    return violations;
  }

  /** The balance of a person's account, in fen, or -1 without one (for tests and tools). */
  public long balanceOf(String psnNo) {
    PersonState p = persons.get(psnNo);
    return p == null || p.account < 0 ? -1 : balance[p.account];
  }

  /** The held funds of a person's account, in fen, or -1 without one. */
  public long heldOf(String psnNo) {
    PersonState p = persons.get(psnNo);
    return p == null || p.account < 0 ? -1 : held[p.account];
  }

  /** The balance of an institution's settlement account (what the fund owes it), in fen. */
  public long institutionBalance(String code) {
    InstitutionState s = institutions.get(code);
    return s == null ? -1 : balance[s.account];
  }

  /** How many request ids are kept for idempotency. */
  public int requestsKept() {
    return requests.size();
  }

  // ---- snapshots ----------------------------------------------------------------------------

  /**
   * Writes the whole state. Reference data is written as the commands that create it (the journal's
   * own encoding); money state as numbers. {@link #restore} reads it back into an equal ledger.
   */
  public void snapshot(CommandCodec.Output out) {
    out.i64(nowMillis).varlong(nextTxn).varlong(nextBinding).varint(accounts);
    for (int i = 0; i < accounts; i++) {
      out.i64(balance[i]).varlong(held[i]);
    }
    out.varint(policies.size());
    for (RegionPolicy p : policies.values()) {
      nested(out, new Command.SetRegionPolicy(p));
    }
    out.varint(institutions.size());
    for (InstitutionState i : institutions.values()) {
      nested(out, new Command.RegisterInstitution(i.institution));
      out.varint(i.account);
    }
    out.varint(persons.size());
    for (PersonState p : persons.values()) {
      nested(out, new Command.UpsertInsured(p.insured));
      out.varlong(p.account + 1L).u8(p.frozen ? 1 : 0).i64(p.aidDay).varint(p.aidUsesToday).varlong(p.aidFenToday)
          .i64(p.walletOpenedAtMillis).varint(p.payouts.size());
      for (Result.Payout po : p.payouts) {
        out.varlong(po.totalFen()).i64(po.atMillis()).varint(po.heirs().size());
        for (Command.Heir h : po.heirs()) {
          out.str(h.name()).str(h.idNumber()).varlong(h.amountFen());
        }
      }
    }
    List<BindingState> ordered = new ArrayList<>(bindings.values());
    ordered.sort((x, y) -> Long.compare(x.seq, y.seq));
    out.varint(ordered.size());
    for (BindingState b : ordered) {
      out.str(b.id).varlong(b.seq).str(b.authorizer.insured.psnNo()).str(b.beneficiary.insured.psnNo())
          .u8(b.relationship.ordinal()).varlong(b.quotaFen).varlong(b.usedFen).varlong(b.heldFen).u8(b.status.ordinal())
          .str(b.evidenceRef).str(b.endReason).varlong(b.premiumFen).varlong(b.walletFen);
    }
    List<WalletGrant> grantList = new ArrayList<>(grants.values());
    grantList.sort((x, y) -> Long.compare(x.seq, y.seq));
    out.varlong(nextGrant).varint(grantList.size());
    for (WalletGrant g : grantList) {
      out.str(g.id).str(g.binding.id).varlong(g.amountFen).i64(g.createdAtMillis).i64(g.acceptByMillis)
          .u8(g.state.ordinal()).varlong(g.inSaleFen).varlong(g.spentFen).varlong(g.returnedFen).str(g.endReason);
    }
    out.varint(txns.size());
    for (Txn t : txns.values()) {
      out.str(t.id).str(t.institution.institution.code()).str(t.patient.insured.psnNo()).u8(t.medicalType.ordinal())
          .varlong(t.totalFen).varlong(t.inScopeFen).varlong(t.cashFen).i64(t.createdAtMillis).i64(t.expiresAtMillis)
          .u8(t.state.ordinal());
      legs(out, t.legs);
      out.u8(t.posted == null ? 0 : 1);
      if (t.posted != null) {
        legs(out, t.posted);
      }
      out.i64(t.authorizedBalanceAfterFen).varlong(t.settledCashFen).varlong(t.settledInScopeFen)
          .i64(t.settledBalanceAfterFen);
    }
    out.varint(requests.size());
    for (Map.Entry<String, Object> en : requests.entrySet()) {
      RequestEntry e = entryOf(en.getKey(), en.getValue());
      out.str(en.getKey()).u8(e.kind.ordinal()).i64(e.contentHash).str(e.subject).u8(e.rejected == null ? 0 : 1);
      if (e.rejected != null) {
        out.u8(e.rejected.outcome().ordinal()).str(e.rejected.detail());
      }
      out.str(e.txn == null ? "" : e.txn.id).u8(e.stateAfter == null ? 255 : e.stateAfter.ordinal())
          .i64(e.a).i64(e.b).i64(e.atMillis).u8(e.reversed ? 1 : 0);
    }
    out.varlong(nextAlert).varint(alerts.size());
    for (Result.Alert a : alerts) {
      out.varlong(a.seq()).i64(a.atMillis()).str(a.kind()).str(a.institution()).str(a.psnNo()).str(a.detail());
    }
    out.varint(institutions.size());
    for (InstitutionState i : institutions.values()) {
      out.str(i.institution.code()).varint(i.events.size());
      for (InstEvent ev : i.events) {
        out.str(ev.txn.id).u8(ev.kind).i64(ev.atMillis);
      }
    }
    List<Result.Usage> usages = usagesInOrder();
    out.varint(usages.size());
    for (Result.Usage u : usages) {
      out.str(u.kind()).i64(u.atMillis()).str(u.authorizerPsnNo()).str(u.beneficiaryPsnNo()).str(u.institution())
          .str(u.txnId()).str(u.bindingId()).i64(u.amountFen());
    }
    int premiums = 0;
    for (Object v : requests.values()) {
      premiums += v instanceof RequestEntry e && e.extra instanceof Result.Premium ? 1 : 0;
    }
    out.varint(premiums);
    for (Map.Entry<String, Object> en : requests.entrySet()) {
      if (en.getValue() instanceof RequestEntry e && e.extra instanceof Result.Premium pr) {
        out.str(en.getKey()).str(pr.beneficiaryPsnNo()).varint(pr.year());
      }
    }
    int assigned = 0;
    for (Object v : requests.values()) {
      assigned += v instanceof RequestEntry e && e.extra instanceof Result.WalletTransferView ? 1 : 0;
    }
    out.varint(assigned);
    for (Map.Entry<String, Object> en : requests.entrySet()) {
      if (en.getValue() instanceof RequestEntry e && e.extra instanceof Result.WalletTransferView w) {
        out.str(en.getKey()).str(w.transferId()).str(w.authorizerPsnNo()).str(w.beneficiaryPsnNo()).str(w.bindingId())
            .varlong(w.amountFen()).varlong(w.remainingFen()).varlong(w.spentFen()).u8(w.state().ordinal())
            .i64(w.createdAtMillis()).i64(w.acceptByMillis()).str(w.endReason());
      }
    }
  }

  /**
   * Every usage record once, in an order that keeps the order of every person's list. A record is in
   * its authorizer's and its beneficiary's lists, and {@link #restore} appends it to both: written
   * authorizer by authorizer, a beneficiary's records from two authorizers would come back out of
   * the order they happened in. A record is written once both lists have come to it.
   */
  private List<Result.Usage> usagesInOrder() {
    int expected = 0;
    for (PersonState p : persons.values()) {
      for (Result.Usage u : p.usage) {
        expected += u.authorizerPsnNo().equals(p.insured.psnNo()) ? 1 : 0;
      }
    }
    List<Result.Usage> out = new ArrayList<>(expected);
    Map<Result.Usage, PersonState> firstToReach = new java.util.IdentityHashMap<>();
    Map<PersonState, Integer> next = new java.util.IdentityHashMap<>();
    java.util.ArrayDeque<PersonState> ready = new java.util.ArrayDeque<>(persons.values());
    while (!ready.isEmpty()) {
      PersonState p = ready.poll();
      int i = next.getOrDefault(p, 0);
      while (i < p.usage.size()) {
        Result.Usage u = p.usage.get(i);
        String psnNo = p.insured.psnNo();
        PersonState other = persons.get(u.authorizerPsnNo().equals(psnNo) ? u.beneficiaryPsnNo() : u.authorizerPsnNo());
        boolean twoLists = other != null && other != p;
        PersonState first = firstToReach.putIfAbsent(u, p);
        if (twoLists && (first == null || first == p)) {
          break; // the other list has not come to u yet; it takes u (and moves p on) when it does
        }
        out.add(u);
        i++;
        if (twoLists) {
          next.merge(other, 1, Integer::sum);
          ready.add(other);
        }
      }
      next.put(p, i);
    }
    verify(out.size() == expected, "usage lists out of order: %s of %s records ordered", out.size(), expected);
    return out;
  }

  /** A ledger with the state a {@link #snapshot} wrote. */
  public static Ledger restore(ByteBuffer in, Duration idempotencyWindow, ReferenceListener listener) {
    Ledger l = new Ledger(idempotencyWindow, listener);
    l.nowMillis = in.getLong();
    l.nextTxn = CommandCodec.varlong(in);
    l.nextBinding = CommandCodec.varlong(in);
    l.accounts = CommandCodec.varint(in);
    int capacity = Math.max(1024, Integer.highestOneBit(Math.max(1, l.accounts)) * 2);
    l.balance = new long[capacity];
    l.held = new long[capacity];
    for (int i = 0; i < l.accounts; i++) {
      l.balance[i] = in.getLong();
      l.held[i] = CommandCodec.varlong(in);
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      RegionPolicy p = ((Command.SetRegionPolicy) nested(in)).policy();
      l.policies.put(p.admdvs(), p);
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      Institution i = ((Command.RegisterInstitution) nested(in)).institution();
      l.institutions.put(i.code(), new InstitutionState(i, CommandCodec.varint(in)));
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      PersonState p = new PersonState(((Command.UpsertInsured) nested(in)).insured());
      p.account = (int) (CommandCodec.varlong(in) - 1);
      p.frozen = in.get() != 0;
      p.aidDay = in.getLong();
      p.aidUsesToday = CommandCodec.varint(in);
      p.aidFenToday = CommandCodec.varlong(in);
      p.walletOpenedAtMillis = in.getLong();
      for (int k = CommandCodec.varint(in); k > 0; k--) {
        long total = CommandCodec.varlong(in);
        long at = in.getLong();
        List<Command.Heir> heirs = new ArrayList<>();
        for (int h = CommandCodec.varint(in); h > 0; h--) {
          heirs.add(new Command.Heir(CommandCodec.str(in), CommandCodec.str(in), CommandCodec.varlong(in)));
        }
        p.payouts.add(new Result.Payout(p.insured.psnNo(), total, List.copyOf(heirs), at));
      }
      l.persons.put(p.insured.psnNo(), p);
      for (Credential c : p.insured.credentials()) {
        l.credentials.put(c, p);
      }
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      String id = CommandCodec.str(in);
      long seq = CommandCodec.varlong(in);
      PersonState a = l.persons.get(CommandCodec.str(in));
      PersonState b = l.persons.get(CommandCodec.str(in));
      BindingState s = new BindingState(id, seq, a, b, Relationship.values()[in.get()], CommandCodec.varlong(in));
      s.usedFen = CommandCodec.varlong(in);
      s.heldFen = CommandCodec.varlong(in);
      s.status = BindingStatus.values()[in.get()];
      s.evidenceRef = CommandCodec.str(in);
      s.endReason = CommandCodec.str(in);
      s.premiumFen = CommandCodec.varlong(in);
      s.walletFen = CommandCodec.varlong(in);
      l.bindings.put(id, s);
      b.asBeneficiary.add(s);
      a.asAuthorizer.add(s);
    }
    l.nextGrant = CommandCodec.varlong(in);
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      String id = CommandCodec.str(in);
      BindingState binding = l.bindings.get(CommandCodec.str(in));
      WalletGrant g = new WalletGrant(id, binding, CommandCodec.varlong(in), in.getLong(), in.getLong());
      g.state = WalletTransferState.values()[in.get()];
      g.inSaleFen = CommandCodec.varlong(in);
      g.spentFen = CommandCodec.varlong(in);
      g.returnedFen = CommandCodec.varlong(in);
      g.endReason = CommandCodec.str(in);
      l.grants.put(id, g);
      binding.grants.add(g);
      binding.beneficiary.grantsIn.add(g);
      binding.authorizer.grantsOut.add(g);
      if (g.state == WalletTransferState.PENDING) {
        l.grantReturns.add(g);
      }
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      String id = CommandCodec.str(in);
      InstitutionState inst = l.institutions.get(CommandCodec.str(in));
      PersonState patient = l.persons.get(CommandCodec.str(in));
      MedicalType medicalType = MedicalType.values()[in.get()];
      long total = CommandCodec.varlong(in);
      long inScope = CommandCodec.varlong(in);
      long cash = CommandCodec.varlong(in);
      long created = in.getLong();
      long expires = in.getLong();
      TxnState state = TxnState.values()[in.get()];
      Txn t = new Txn(id, inst, patient, medicalType, total, inScope, l.legs(in), cash, created, expires);
      t.state = state;
      if (in.get() != 0) {
        t.posted = l.legs(in);
      }
      t.authorizedBalanceAfterFen = in.getLong();
      t.settledCashFen = CommandCodec.varlong(in);
      t.settledInScopeFen = CommandCodec.varlong(in);
      t.settledBalanceAfterFen = in.getLong();
      l.txns.put(id, t);
      if (state == TxnState.AUTHORIZED) {
        l.expiries.add(t);
      }
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      String requestId = CommandCodec.str(in);
      RequestKind kind = RequestKind.values()[in.get()];
      long hash = in.getLong();
      String subject = CommandCodec.str(in);
      Rejected rejected = null;
      if (in.get() != 0) {
        rejected = new Rejected(Outcome.values()[in.get()], CommandCodec.str(in));
      }
      String txnId = CommandCodec.str(in);
      int stateAfter = in.get() & 0xff;
      RequestEntry e = new RequestEntry(kind, hash, subject, rejected, txnId.isEmpty() ? null : l.txns.get(txnId),
          stateAfter == 255 ? null : TxnState.values()[stateAfter], in.getLong(), in.getLong(), in.getLong());
      e.reversed = in.get() != 0;
      l.keep(requestId, e);
    }
    l.nextAlert = CommandCodec.varlong(in);
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      l.alerts.addLast(new Result.Alert(CommandCodec.varlong(in), in.getLong(), CommandCodec.str(in), CommandCodec.str(in),
          CommandCodec.str(in), CommandCodec.str(in)));
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      InstitutionState inst = l.institutions.get(CommandCodec.str(in));
      for (int k = CommandCodec.varint(in); k > 0; k--) {
        inst.events.add(new InstEvent(l.txns.get(CommandCodec.str(in)), in.get(), in.getLong()));
      }
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      Result.Usage u = new Result.Usage(CommandCodec.str(in), in.getLong(), CommandCodec.str(in), CommandCodec.str(in),
          CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in), in.getLong());
      l.persons.get(u.authorizerPsnNo()).usage.add(u);
      if (!u.beneficiaryPsnNo().equals(u.authorizerPsnNo())) {
        l.persons.get(u.beneficiaryPsnNo()).usage.add(u);
      }
    }
    // The records come grouped by authorizer; each person lists theirs oldest first (a stable sort).
    for (PersonState p : l.persons.values()) {
      p.usage.sort(USAGE_BY_TIME);
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      RequestEntry e = (RequestEntry) l.requests.get(CommandCodec.str(in));
      e.extra = new Result.Premium(e.subject, CommandCodec.str(in), e.a, CommandCodec.varint(in), e.b);
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      RequestEntry e = (RequestEntry) l.requests.get(CommandCodec.str(in));
      e.extra = new Result.WalletTransferView(CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in),
          CommandCodec.str(in), CommandCodec.varlong(in), CommandCodec.varlong(in), CommandCodec.varlong(in),
          WalletTransferState.values()[in.get()], in.getLong(), in.getLong(), CommandCodec.str(in));
    }
    if (in.hasRemaining()) {
      throw new IllegalArgumentException(in.remaining() + " bytes left after the snapshot");
    }
    return l;
  }

  private static void nested(CommandCodec.Output out, Command c) {
    CommandCodec.Output inner = new CommandCodec.Output(128);
    CommandCodec.encode(c, inner);
    out.varint(inner.size());
    for (int i = 0; i < inner.size(); i++) {
      out.u8(inner.array()[i]);
    }
  }

  private static Command nested(ByteBuffer in) {
    int n = CommandCodec.varint(in);
    ByteBuffer slice = in.slice(in.position(), n);
    in.position(in.position() + n);
    return CommandCodec.decode(slice);
  }

  private static void legs(CommandCodec.Output out, TxnLeg[] legs) {
    out.varint(legs.length);
    for (TxnLeg leg : legs) {
      out.str(leg.owner.insured.psnNo()).str(leg.binding == null ? "" : leg.binding.id)
          .str(leg.grant == null ? "" : leg.grant.id).varlong(leg.amountFen);
      // The owner as shown at the sale: written only when a change of name made it differ from today's.
      boolean renamed = !leg.ownerMasked.equals(leg.owner.masked);
      out.u8(renamed ? 1 : 0);
      if (renamed) {
        out.str(leg.ownerMasked);
      }
    }
  }

  private TxnLeg[] legs(ByteBuffer in) {
    TxnLeg[] legs = new TxnLeg[CommandCodec.varint(in)];
    for (int i = 0; i < legs.length; i++) {
      PersonState owner = persons.get(CommandCodec.str(in));
      String binding = CommandCodec.str(in);
      String grant = CommandCodec.str(in);
      BindingState b = binding.isEmpty() ? null : bindings.get(binding);
      WalletGrant g = grant.isEmpty() ? null : grants.get(grant);
      long amountFen = CommandCodec.varlong(in);
      String shown = in.get() != 0 ? CommandCodec.str(in) : owner.masked;
      legs[i] = new TxnLeg(owner, shown, b, g, amountFen);
    }
    return legs;
  }

  // ---- state records ------------------------------------------------------------------------

  private static final class PersonState {
    Insured insured;
    /** How the person is shown on payment legs and views: masked once, not on every sale. */
    String masked;
    String maskedPsnNo;
    int account = -1;
    boolean frozen;
    final List<BindingState> asBeneficiary = new ArrayList<>(2);
    final List<BindingState> asAuthorizer = new ArrayList<>(2);
    final List<Result.Payout> payouts = new ArrayList<>(0);
    final List<Result.Usage> usage = new ArrayList<>(0);
    /** Wallet transfers received and assigned, oldest first. */
    final List<WalletGrant> grantsIn = new ArrayList<>(0);
    final List<WalletGrant> grantsOut = new ArrayList<>(0);
    /** When the wallet was opened; 0 while it is not. */
    long walletOpenedAtMillis;
    long aidDay;
    int aidUsesToday;
    long aidFenToday;

    PersonState(Insured insured) {
      setInsured(insured);
    }

    void setInsured(Insured insured) {
      this.insured = insured;
      this.masked = Masking.person(insured.name(), insured.psnNo());
      this.maskedPsnNo = Masking.psnNo(insured.psnNo());
    }
  }

  /** A settlement-side event of an institution: kind indexes {@link #EVENT_KINDS}. */
  private record InstEvent(Txn txn, byte kind, long atMillis) {}

  private static final class InstitutionState {
    Institution institution;
    /** The place of treatment, cut from the code once. */
    final String admdvs;
    final int account;
    final List<InstEvent> events = new ArrayList<>();

    InstitutionState(Institution institution, int account) {
      this.institution = institution;
      this.admdvs = institution.admdvs();
      this.account = account;
    }
  }

  private static final class BindingState {
    final String id;
    /** Creation order: the order in which a beneficiary's bindings pay. */
    final long seq;
    final PersonState authorizer;
    final PersonState beneficiary;
    final Relationship relationship;
    long quotaFen;
    long usedFen;
    long heldFen;
    /** Quota assigned to the wallet through this binding and not returned (spent or earmarked). */
    long walletFen;
    final List<WalletGrant> grants = new ArrayList<>(0);
    BindingStatus status = BindingStatus.REQUESTED;
    String evidenceRef = "";
    long premiumFen;
    String endReason = "";

    BindingState(String id, long seq, PersonState authorizer, PersonState beneficiary,
        Relationship relationship, long quotaFen) {
      this.id = id;
      this.seq = seq;
      this.authorizer = authorizer;
      this.beneficiary = beneficiary;
      this.relationship = relationship;
      this.quotaFen = quotaFen;
    }
  }

  /**
   * One source of a sale: the own account (no binding), a binding, or wallet quota (a grant and its
   * binding); {@code ownerMasked} is the owner as the sale's replies show them (fixed at the sale).
   */
  private record TxnLeg(PersonState owner, String ownerMasked, BindingState binding, WalletGrant grant, long amountFen) {}

  /**
   * Quota assigned to a relative's wallet: an earmark (a hold) on the authorizer's account of
   * {@code amountFen - spentFen - returnedFen}, of which open sales hold {@code inSaleFen}.
   */
  private static final class WalletGrant {
    final String id;
    final long seq;
    final BindingState binding;
    final long amountFen;
    final long createdAtMillis;
    final long acceptByMillis;
    WalletTransferState state = WalletTransferState.PENDING;
    long inSaleFen;
    long spentFen;
    long returnedFen;
    String endReason = "";

    WalletGrant(String id, BindingState binding, long amountFen, long createdAtMillis, long acceptByMillis) {
      this.id = id;
      this.seq = Long.parseLong(id.substring(1), 36);
      this.binding = binding;
      this.amountFen = amountFen;
      this.createdAtMillis = createdAtMillis;
      this.acceptByMillis = acceptByMillis;
    }

    /** What the beneficiary can spend now: accepted, not spent, not held by a sale, not returned. */
    long remainingFen() {
      return state == WalletTransferState.ACCEPTED ? amountFen - spentFen - inSaleFen - returnedFen : 0;
    }
  }

  private static final class Txn {
    final String id;
    final InstitutionState institution;
    final PersonState patient;
    final MedicalType medicalType;
    final long totalFen;
    final long inScopeFen;
    final TxnLeg[] legs;
    final long cashFen;
    final long createdAtMillis;
    final long expiresAtMillis;
    TxnState state = TxnState.AUTHORIZED;
    /** The legs as settled (the authorized ones when nothing changed); null until settled. */
    TxnLeg[] posted;
    /** The patient's available own balance right after the authorization, for its replies. */
    long authorizedBalanceAfterFen;
    long settledCashFen;
    long settledInScopeFen;
    long settledBalanceAfterFen;
    // Its own two requests, kept here instead of in entries of their own (see the requests map).
    String authorizeRequestId;
    long authorizeHash;
    boolean authorizeReversed;
    String settleRequestId;
    long settleHash;
    long settledAtMillis;
    boolean settleReversed;

    Txn(String id, InstitutionState institution, PersonState patient, MedicalType medicalType,
        long totalFen, long inScopeFen, TxnLeg[] legs, long cashFen, long createdAtMillis, long expiresAtMillis) {
      this.id = id;
      this.institution = institution;
      this.patient = patient;
      this.medicalType = medicalType;
      this.totalFen = totalFen;
      this.inScopeFen = inScopeFen;
      this.legs = legs;
      this.cashFen = cashFen;
      this.createdAtMillis = createdAtMillis;
      this.expiresAtMillis = expiresAtMillis;
    }
  }

  /**
   * One request id kept for idempotency: about 100 bytes plus the id itself. {@code subject} is the
   * institution (the person, for a credit); {@code a}/{@code b} are the balance after (and held, for
   * a credit) at the time.
   */
  private static final class RequestEntry {
    final RequestKind kind;
    final long contentHash;
    final String subject;
    final Rejected rejected;
    final Txn txn;
    final TxnState stateAfter;
    final long a;
    final long b;
    final long atMillis;
    boolean reversed;
    /** The whole result, for the rare kinds that need more than the fields above (premiums). */
    Object extra;

    RequestEntry(RequestKind kind, long contentHash, String subject, Rejected rejected, Txn txn, TxnState stateAfter,
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
    }
  }
}
