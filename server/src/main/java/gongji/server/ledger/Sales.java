package gongji.server.ledger;

import static com.google.common.base.Verify.verify;

import com.google.common.base.VerifyException;
import gongji.server.domain.Bill;
import gongji.server.domain.Masking;
import gongji.server.domain.MedicalType;
import gongji.server.domain.PaymentPlanner;
import gongji.server.domain.ReconcileGroup;
import gongji.server.domain.RegionPolicy;
import gongji.server.ledger.Command.Authorize;
import gongji.server.ledger.Command.Cancel;
import gongji.server.ledger.Command.Refund;
import gongji.server.ledger.Command.Settle;
import gongji.server.ledger.Result.Breakdown;
import gongji.server.ledger.Result.Rejected;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sales: authorize (holds on each paying account, all or none), settle (post the holds, perhaps
 * for a lower final total), cancel and expiry (void them), refund (return each posted fen to the
 * account it came from), and the reversal of any of these by request id.
 *
 * <p>Every operation checks first and changes state after: a refused one changes nothing. What a
 * binding or a wallet transfer has drawn is kept on it here, as the legs move money.
 *
 * <p>Open sales are kept until they close; closed ones until they have been untouched for the
 * recent window, when a sweep hands their image to history ({@link Recall}). A closed sale a command
 * needs again comes back from the image the command brought.
 */
final class Sales {
  private final Identities identities;
  private final Accounts accounts;
  private final Registry registry;
  private final Funding funding;
  private final Wallets wallets;
  private final Bindings bindings;
  private final Records records;
  private final Recall recall;
  private final LedgerTime time;
  private final Map<String, Txn> txns = new HashMap<>();
  /** Open sales by when their holds expire. */
  private final TxnHeap expiries = new TxnHeap(TxnHeap.By.EXPIRY);
  /** Closed sales by when they were last touched: the sweep takes them from the head. */
  private final TxnHeap closed = new TxnHeap(TxnHeap.By.TOUCHED);
  private long nextTxn = 1;
  /**
   * One instance of each reconciliation group the sales name, so that a sale holds a reference, not
   * a copy: bounded by the registry's regions times the insurance types and clearing types.
   */
  private final Map<ReconcileGroup, ReconcileGroup> groups = new HashMap<>();

  Sales(Accounts accounts, Registry registry, Funding funding, Wallets wallets, Bindings bindings, Records records,
      Recall recall, LedgerTime time, Identities identities) {
    this.identities = identities;
    this.accounts = accounts;
    this.registry = registry;
    this.funding = funding;
    this.wallets = wallets;
    this.bindings = bindings;
    this.records = records;
    this.recall = recall;
    this.time = time;
  }

  /** The sale in memory, or null. */
  Txn txn(String id) {
    return txns.get(id);
  }

  /**
   * The sale in memory, or else the one the command brought from history (taken back into memory
   * if the command changes state), or null.
   */
  Txn recalled(String id) {
    return recalled(id, true);
  }

  /**
   * The same; {@code readmit} false reads a sale only history holds without taking it back (a
   * replayed request, which changes nothing).
   */
  Txn recalled(String id, boolean readmit) {
    Txn t = txns.get(id);
    if (t != null) {
      return t;
    }
    byte[] image = recall.sale(id);
    if (image == null) {
      return null;
    }
    ByteBuffer in = ByteBuffer.wrap(image);
    t = readTxn(in, imageFormat(in), true);
    if (!t.id.equals(id) || !t.closed() || in.hasRemaining()) {
      throw new IllegalArgumentException("the image recalled for sale " + id + " holds " + t.id + " " + t.state);
    }
    if (readmit && recall.readmits()) {
      for (TxnLeg leg : t.legs) {
        if (leg.grant() != null) {
          wallets.readmit(leg.grant()); // an ended transfer let go of comes back with the sale
        }
      }
      txns.put(id, t);
      keep(t, +1);
      archive(t, -1);
      touch(t);
    }
    return t;
  }

  /** Marks a sale changed now (or an entry naming it kept): it stays in memory a recent window longer. */
  void touch(Txn t) {
    touchAt(t, time.nowMillis());
  }

  private void touchAt(Txn t, long atMillis) {
    identities.sale(t);
    t.touchedAtMillis = Math.max(t.touchedAtMillis, atMillis);
    if (t.closed() && txns.get(t.id) == t) {
      expiries.remove(t);
      closed.offer(t);
    }
  }

  /** When the sale untouched longest was last touched, or {@link Long#MAX_VALUE} if none is closed. */
  long oldestTouchedMillis() {
    Txn head = closed.peek();
    return head == null ? Long.MAX_VALUE : head.touchedAtMillis;
  }

  /**
   * Hands the closed sales untouched since before {@code horizon} to history and forgets them, at
   * most {@code max}; returns how many. Run after the request log's sweep with the same horizon, and
   * only if it let go of every entry due: by then no entry in memory names them.
   */
  int evict(long horizon, List<HistoryRecord> out, int max) {
    CommandCodec.Output image = new CommandCodec.Output(256);
    Txn t;
    int n = 0;
    while (n < max && (t = closed.peek()) != null && t.touchedAtMillis < horizon) {
      closed.poll();
      verify(!t.authorizeKept && !t.settleKept, "sale %s let go of while its requests are kept", t.id);
      image.reset();
      image.u8(IMAGE_MARK).varint(IMAGE_FORMAT);
      writeTxn(image, t, IMAGE_FORMAT);
      out.add(new HistoryRecord.SaleImage(t.id, java.util.Arrays.copyOf(image.array(), image.size())));
      archive(t, +1);
      txns.remove(t.id);
      keep(t, -1);
      recall.lettingGoSale(t.id);
      n++;
    }
    return n;
  }

  /**
   * Counts (sign +1) or uncounts (-1) a sale the writer keeps on the wallet transfers its legs name:
   * an ended transfer is let go of only once no kept sale names it ({@link Wallets#reconsider}).
   */
  private void keep(Txn t, int sign) {
    for (TxnLeg leg : t.legs) {
      WalletGrant g = leg.grant();
      if (g != null) {
        g.keptSales += sign;
        wallets.reconsider(g);
      }
    }
  }

  /** Counts (sign +1) or uncounts (-1) what a settled sale holds of its bindings and transfers, for the audit. */
  private static void archive(Txn t, int sign) {
    if (t.state != TxnState.SETTLED) {
      return;
    }
    for (TxnLeg leg : t.posted) {
      if (leg.grant() != null) {
        leg.grant().archivedSpentFen += sign * leg.amountFen();
      } else if (leg.binding() != null) {
        leg.binding().archivedUsedFen += sign * leg.amountFen();
      }
    }
  }

  /** How many sales are open (authorized, neither settled, cancelled nor expired). */
  int openCount() {
    return expiries.size();
  }

  /** The fen the open sales hold (wallet quota in a sale included). */
  long heldFen() {
    return expiries.legsFen();
  }

  Collection<Txn> all() {
    return txns.values();
  }

  long next() {
    return nextTxn;
  }

  void restoreNext(long next) {
    nextTxn = next;
  }

  /** When the earliest open hold expires, or {@link Long#MAX_VALUE}. */
  long nextExpiryMillis() {
    Txn head = expiries.peek();
    return head == null ? Long.MAX_VALUE : head.expiresAtMillis;
  }

  /** Voids the holds of authorizations that expired. */
  void expireDue() {
    Txn head;
    while ((head = expiries.peek()) != null && head.expiresAtMillis <= time.nowMillis()) {
      expiries.poll();
      if (head.state == TxnState.AUTHORIZED) {
        voidHolds(head, TxnState.EXPIRED);
      }
    }
  }

  /**
   * The sale if it is the institution's (in memory or recalled), else null: another institution's
   * sale is not found.
   */
  Txn owned(String txnId, String institution) {
    Txn t = recalled(txnId);
    return t != null && t.of(institution) ? t : null;
  }

  static Rejected notFound(String txnId, String institution) {
    return new Rejected(Outcome.TRANSACTION_NOT_FOUND, "transaction_id " + txnId + " is not known to " + institution);
  }

  // ---- authorize ----------------------------------------------------------------------------

  Result authorize(Authorize c) {
    InstitutionState inst = registry.institution(c.institution());
    if (inst == null) {
      return Registry.institutionNotFound(c.institution());
    }
    if (!inst.institution.terminalIds().contains(c.terminalId())) {
      return new Rejected(Outcome.TERMINAL_NOT_REGISTERED,
          "terminal_id " + c.terminalId() + " is not registered with " + c.institution());
    }
    PersonState patient = registry.person(c.psnNo());
    if (patient == null) {
      return Registry.patientNotFound(c.psnNo());
    }
    if (!patient.insured().active()) {
      return new Rejected(Outcome.INSURED_NOT_ACTIVE,
          "the patient's insured status is " + patient.insured().status() + " (expected: NORMAL)");
    }
    if (patient.frozen) {
      return new Rejected(Outcome.ACCOUNT_FROZEN, "the patient's account is frozen");
    }
    Bill bill = c.bill();
    long cash = funding.plan(patient, inst, bill, c.useAccount(), c.useMutualAid());
    long aidFen = funding.aidFen();
    if (aidFen > 0) {
      String over = funding.chargeAid(patient, aidFen);
      if (over != null) {
        records.alert("MUTUAL_AID_LIMIT_EXCEEDED", c.institution(), patient.psnNo(), over,
            new AlertParties("", Masking.psnNo(patient.psnNo()), c.terminalId(), ""));
        return new Rejected(Outcome.MUTUAL_AID_LIMIT_EXCEEDED, over);
      }
    }

    // After this point the authorization must succeed: place the holds.
    int n = funding.sources();
    int legCount = 0;
    for (int i = 0; i < n; i++) {
      if (funding.draw(i) > 0) {
        legCount++;
      }
    }
    TxnLeg[] legs = new TxnLeg[legCount];
    int k = 0;
    for (int i = 0; i < n; i++) {
      long draw = funding.draw(i);
      if (draw == 0) {
        continue;
      }
      BindingState b = funding.binding(i);
      WalletGrant g = funding.grant(i);
      PersonState owner = b == null ? patient : b.authorizer;
      if (g != null) {
        g.inSaleFen += draw; // the earmark already holds it
        wallets.changed(g);
      } else {
        accounts.hold(owner.account, draw);
        if (b != null) {
          b.heldFen += draw;
        }
      }
      legs[k++] = new TxnLeg(owner, owner.insured(), b, g, draw);
    }
    long inScope = bill.payableFen(funding.payableMask(patient));
    RegionPolicy local = registry.policyOf(inst);
    long now = time.nowMillis();
    ReconcileGroup group = group(ReconcileGroup.of(patient.insured(), c.medicalType()));
    Txn t = new Txn(Ledger.id('T', nextTxn++), inst, patient, c.medicalType(), group, bill.totalFen(), inScope, legs,
        cash, now, now + local.holdTtlSeconds() * 1000L);
    txns.put(t.id, t);
    keep(t, +1);
    expiries.offer(t);
    t.authorizedBalanceAfterFen = funding.ownAvailable(patient);
    Breakdown authorized = t.authorizedBreakdown();
    return new Result.Sale(c.requestId(), t.view(TxnState.AUTHORIZED, authorized, null), authorized);
  }

  // ---- settle -------------------------------------------------------------------------------

  Result settle(Settle c) {
    Txn t = owned(c.txnId(), c.institution());
    if (t == null) {
      return notFound(c.txnId(), c.institution());
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
      amounts[i] = t.legs[i].amountFen();
    }
    long cash = PaymentPlanner.shrink(amounts, t.cashFen, t.totalFen - finalTotal);
    // After this point the settlement must succeed.
    boolean reduced = cash != t.cashFen;
    for (int i = 0; i < amounts.length && !reduced; i++) {
      reduced = amounts[i] != t.legs[i].amountFen();
    }
    TxnLeg[] posted = reduced ? new TxnLeg[t.legs.length] : t.legs; // legs are immutable: share them
    for (int i = 0; i < posted.length; i++) {
      TxnLeg leg = t.legs[i];
      int from = leg.owner().account;
      WalletGrant g = leg.grant();
      if (g != null) {
        // The earmark holds the whole leg: what is posted leaves it, the rest stays or goes back.
        accounts.release(from, amounts[i]);
        accounts.transfer(from, t.institution.account, amounts[i]);
        g.inSaleFen -= leg.amountFen();
        g.spentFen += amounts[i];
        wallets.unearmarkIfClosed(g, leg.amountFen() - amounts[i]);
        wallets.changed(g);
      } else {
        accounts.release(from, leg.amountFen());
        accounts.transfer(from, t.institution.account, amounts[i]);
        BindingState b = leg.binding();
        if (b != null) {
          b.heldFen -= leg.amountFen();
          b.usedFen += amounts[i];
          if (b.heldFen < 0) { // not verify(..., b.id()): that would make the id on every settlement
            throw new VerifyException("binding " + b.id() + " held went negative");
          }
        }
      }
      if (reduced) {
        posted[i] = new TxnLeg(leg.owner(), leg.shownAs(), leg.binding(), leg.grant(), amounts[i]);
      }
    }
    long aidReleased = 0;
    long aidPosted = 0;
    for (int i = 0; i < posted.length; i++) {
      if (t.legs[i].binding() != null) {
        aidReleased += t.legs[i].amountFen() - amounts[i];
        aidPosted += amounts[i];
      }
    }
    Funding.unuseAid(t, aidReleased, aidPosted == 0);
    t.posted = posted;
    t.state = TxnState.SETTLED;
    // The reduction came off the account legs first, which pay only in-scope items: so did the bill.
    t.settledCashFen = cash;
    t.settledInScopeFen = Math.max(0, t.inScopeFen - (t.totalFen - finalTotal));
    t.settledBalanceAfterFen = funding.ownAvailable(t.patient);
    touch(t);
    records.settlementEvent(t, Records.SETTLED, +1);
    Breakdown settled = t.settledBreakdown();
    return new Result.Sale(c.requestId(), t.view(TxnState.SETTLED, t.authorizedBreakdown(), settled), settled);
  }

  // ---- cancel, refund -----------------------------------------------------------------------

  Result cancel(Cancel c) {
    Txn t = owned(c.txnId(), c.institution());
    if (t == null) {
      return notFound(c.txnId(), c.institution());
    }
    if (t.state == TxnState.SETTLED || t.state == TxnState.REFUNDED) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
          "transaction " + t.id + " is " + t.state + "; refund it instead");
    }
    if (t.state == TxnState.AUTHORIZED) {
      voidHolds(t, TxnState.CANCELLED);
    }
    return new Result.Sale(c.requestId(), t.view(), t.releasedBreakdown(funding.ownAvailable(t.patient)));
  }

  Result refund(Refund c) {
    Txn t = owned(c.txnId(), c.institution());
    if (t == null) {
      return notFound(c.txnId(), c.institution());
    }
    if (t.state != TxnState.SETTLED) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
          "transaction " + t.id + " is " + t.state + " (expected: SETTLED)");
    }
    returnPosted(t);
    t.state = TxnState.REFUNDED;
    touch(t);
    records.settlementEvent(t, Records.REFUNDED, -1);
    return new Result.Sale(c.requestId(), t.view(),
        t.breakdown(t.posted, t.settledCashFen, t.settledInScopeFen, funding.ownAvailable(t.patient)));
  }

  // ---- reversal -----------------------------------------------------------------------------

  /** Undoes an authorization: its holds are voided (nothing if it is no longer open). */
  Rejected reverseAuthorize(Txn t) {
    if (t.state == TxnState.SETTLED || t.state == TxnState.REFUNDED) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
          "transaction " + t.id + " is " + t.state + "; reverse its settlement or refund it instead");
    }
    if (t.state == TxnState.AUTHORIZED) {
      voidHolds(t, TxnState.CANCELLED);
    }
    return null;
  }

  /** Undoes a settlement: the posted legs go back and the sale ends cancelled. */
  Rejected reverseSettle(Txn t) {
    if (t.state == TxnState.REFUNDED) {
      return new Rejected(Outcome.TRANSACTION_STATE_CONFLICT,
          "transaction " + t.id + " was refunded; its settlement has nothing left to reverse");
    }
    if (t.state == TxnState.SETTLED) {
      returnPosted(t);
      t.state = TxnState.CANCELLED;
      touch(t);
      records.settlementEvent(t, Records.SETTLEMENT_REVERSED, -1);
    }
    return null;
  }

  /** Undoes a refund: what it gave back is taken again, unless it was spent since. */
  Rejected reverseRefund(Txn t) {
    if (t.state != TxnState.REFUNDED) {
      return null;
    }
    Rejected spent = refundSpentAgain(t.posted);
    if (spent != null) {
      return spent;
    }
    for (TxnLeg leg : t.posted) {
      int from = leg.owner().account;
      WalletGrant g = leg.grant();
      if (g != null) {
        if (g.state == WalletTransferState.ACCEPTED) {
          accounts.release(from, leg.amountFen());
        } else {
          g.returnedFen -= leg.amountFen();
          leg.binding().walletFen += leg.amountFen();
        }
        g.spentFen += leg.amountFen();
        wallets.changed(g);
      } else if (leg.binding() != null) {
        leg.binding().usedFen += leg.amountFen();
      }
      accounts.transfer(from, t.institution.account, leg.amountFen());
    }
    t.state = TxnState.SETTLED;
    touch(t);
    records.settlementEvent(t, Records.REFUND_REVERSED, +1);
    return null;
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
        boolean otherInWallet = other.grant() != null && other.grant().state == WalletTransferState.ACCEPTED;
        ownerFree += other.owner() == leg.owner() && !otherInWallet ? other.amountFen() : 0;
        sameGrant += other.grant() != null && other.grant() == leg.grant() ? other.amountFen() : 0;
        sameBinding += other.binding() != null && other.binding() == leg.binding() && !otherInWallet ? other.amountFen() : 0;
      }
      WalletGrant g = leg.grant();
      boolean inWallet = g != null && g.state == WalletTransferState.ACCEPTED;
      if (inWallet ? g.remainingFen() < sameGrant
          : accounts.available(leg.owner().account) < ownerFree || (g != null && g.returnedFen < sameGrant)) {
        return new Rejected(Outcome.INSUFFICIENT_FUNDS, "the refunded money was spent again from "
            + (g != null ? "wallet transfer " + g.id : Masking.psnNo(leg.owner().psnNo()))
            + "; it cannot be taken back");
      }
      BindingState b = leg.binding();
      if (b != null && !inWallet && b.quotaFen > 0 && b.drawnFen() + sameBinding > b.quotaFen) {
        return new Rejected(Outcome.INSUFFICIENT_FUNDS,
            "the quota of binding " + b.id() + " freed by the refund is in use again; it cannot be taken back");
      }
    }
    return null;
  }

  // ---- money movements of a sale ------------------------------------------------------------

  private void voidHolds(Txn t, TxnState state) {
    long aid = 0;
    for (TxnLeg leg : t.legs) {
      WalletGrant g = leg.grant();
      if (g != null) {
        g.inSaleFen -= leg.amountFen(); // back in the wallet, or back to the authorizer if it closed
        wallets.unearmarkIfClosed(g, leg.amountFen());
        wallets.changed(g);
        aid += leg.amountFen();
      } else {
        accounts.release(leg.owner().account, leg.amountFen());
        if (leg.binding() != null) {
          leg.binding().heldFen -= leg.amountFen();
          aid += leg.amountFen();
        }
      }
    }
    t.state = state;
    // An expiry is applied whenever time is next moved, live and replayed alike: it counts as
    // touched when it fell due, not when it was noticed.
    touchAt(t, state == TxnState.EXPIRED ? t.expiresAtMillis : time.nowMillis());
    Funding.unuseAid(t, aid, true);
  }

  /**
   * Sends each posted leg back to the account it came from, even if the binding was dissolved since.
   * Wallet quota spent by the sale goes back into the wallet while the transfer is still accepted;
   * after the relationship ended it returns to the authorizer like the rest of the transfer did.
   */
  private void returnPosted(Txn t) {
    for (TxnLeg leg : t.posted) {
      accounts.transfer(t.institution.account, leg.owner().account, leg.amountFen());
      WalletGrant g = leg.grant();
      if (g != null) {
        g.spentFen -= leg.amountFen();
        wallets.changed(g);
        if (g.state == WalletTransferState.ACCEPTED) {
          accounts.hold(leg.owner().account, leg.amountFen());
        } else {
          g.returnedFen += leg.amountFen();
          leg.binding().walletFen -= leg.amountFen();
        }
      } else if (leg.binding() != null) {
        leg.binding().usedFen -= leg.amountFen();
      }
    }
  }

  // ---- snapshot section ---------------------------------------------------------------------

  /** The first snapshot format that keeps when each sale was last touched, and the archived counts. */
  static final int SNAPSHOT_FORMAT_WITH_TOUCH = 5;
  /** The first snapshot format that keeps each sale's reconciliation group. */
  static final int SNAPSHOT_FORMAT_WITH_GROUP = 6;
  /**
   * The first snapshot format that keeps, with a binding's archived used amount, what ended wallet
   * transfers the writer let go of spent through it ({@link BindingState#archivedWalletFen}).
   */
  static final int SNAPSHOT_FORMAT_WITH_ARCHIVED_WALLET = 8;
  /**
   * The first byte of a sale image (what history keeps of a closed sale) of format 6 and later,
   * followed by the format as a varint and the sale as a snapshot of that format holds it. An image
   * of format 5, written before images carried a format, begins with the sale's id instead, whose
   * length is never 0.
   */
  static final int IMAGE_MARK = 0;
  /** The format of the sale images written now: the sale as a snapshot of this format holds it. */
  static final int IMAGE_FORMAT = SNAPSHOT_FORMAT_WITH_GROUP;

  /** The format of the sale image {@code in} begins, after reading its mark and number if it has them. */
  private static int imageFormat(ByteBuffer in) {
    if (in.get(in.position()) != IMAGE_MARK) {
      return SNAPSHOT_FORMAT_WITH_TOUCH;
    }
    in.get();
    int format = CommandCodec.varint(in);
    if (format < SNAPSHOT_FORMAT_WITH_GROUP || format > IMAGE_FORMAT) {
      throw new IllegalArgumentException("sale image of format " + format + " (expected: "
          + SNAPSHOT_FORMAT_WITH_TOUCH + " to " + IMAGE_FORMAT + ")");
    }
    return format;
  }

  /**
   * The wallet transfers the legs of a sale image name (what history keeps of a closed sale, as
   * {@link #evict} writes it), in leg order: a look-up brings their records with the sale's, since
   * the writer may have let go of ended ones ({@link Recaller}). Posted legs name the same ones.
   */
  static List<String> grantIdsOf(byte[] image) {
    try {
      return grantIdsOf(ByteBuffer.wrap(image));
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("a sale image cut short: " + image.length + " bytes", e);
    }
  }

  private static List<String> grantIdsOf(ByteBuffer in) {
    imageFormat(in);
    CommandCodec.str(in); // id
    CommandCodec.str(in); // institution
    CommandCodec.str(in); // patient
    in.get(); // medical type
    CommandCodec.varlong(in); // total
    CommandCodec.varlong(in); // in scope
    CommandCodec.varlong(in); // cash
    in.getLong(); // created
    in.getLong(); // expires
    in.get(); // state
    List<String> ids = List.of();
    for (int n = LedgerSnapshot.count(in); n > 0; n--) {
      CommandCodec.str(in); // owner
      CommandCodec.str(in); // binding
      String grant = CommandCodec.str(in);
      CommandCodec.varlong(in); // amount
      if (in.get() != 0) {
        CommandCodec.str(in); // as shown at the sale
      }
      if (!grant.isEmpty()) {
        ids = ids.isEmpty() ? new java.util.ArrayList<>(2) : ids;
        ids.add(grant);
      }
    }
    return ids;
  }

  /** The one instance of a group. */
  private ReconcileGroup group(ReconcileGroup g) {
    ReconcileGroup known = groups.putIfAbsent(g, g);
    return known == null ? g : known;
  }

  void write(CommandCodec.Output out) {
    out.varint(txns.size());
    // By id: a map that held more sales than now iterates in another order than a fresh one would.
    Txn[] sorted = txns.values().toArray(new Txn[0]);
    java.util.Arrays.sort(sorted, (a, b) -> a.id.compareTo(b.id));
    for (Txn t : sorted) {
      writeTxn(out, t, Ledger.SNAPSHOT_FORMAT);
    }
    // The archived counts by binding number, then by transfer number: the maps' own orders depend on
    // their capacity (a map that held more than now iterates otherwise than a fresh one), and two
    // ledgers in the same state must write the same bytes. The reader takes them in any order.
    int n = 0;
    for (BindingState b : bindings.all()) {
      n += b.archivedUsedFen != 0 || b.archivedWalletFen != 0 ? 1 : 0;
    }
    long[] bindingSeqs = new long[n];
    n = 0;
    for (BindingState b : bindings.all()) {
      if (b.archivedUsedFen != 0 || b.archivedWalletFen != 0) {
        bindingSeqs[n++] = b.seq;
      }
    }
    java.util.Arrays.sort(bindingSeqs);
    out.varint(n);
    for (long seq : bindingSeqs) {
      BindingState b = bindings.get(seq);
      out.str(b.id()).varlong(b.archivedUsedFen).varlong(b.archivedWalletFen);
    }
    List<WalletGrant> grants = new java.util.ArrayList<>();
    for (WalletGrant g : wallets.all()) {
      if (g.archivedSpentFen != 0) {
        grants.add(g);
      }
    }
    grants.sort((x, y) -> Long.compare(x.seq, y.seq));
    out.varint(grants.size());
    for (WalletGrant g : grants) {
      out.str(g.id).varlong(g.archivedSpentFen);
    }
  }

  void read(ByteBuffer in, int format) {
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      Txn t = readTxn(in, format, false);
      if (txns.put(t.id, t) != null) {
        throw new IllegalArgumentException("snapshot holds sale " + t.id + " twice");
      }
      keep(t, +1);
      if (format < SNAPSHOT_FORMAT_WITH_TOUCH) {
        t.touchedAtMillis = time.nowMillis(); // kept a recent window from the migration on
      }
      if (t.state == TxnState.AUTHORIZED) {
        expiries.offer(t);
      } else {
        closed.offer(t);
      }
    }
    if (format >= SNAPSHOT_FORMAT_WITH_TOUCH) {
      for (int n = CommandCodec.varint(in); n > 0; n--) {
        String id = CommandCodec.str(in);
        BindingState b = LedgerSnapshot.known(bindings.binding(id), "binding", id);
        b.archivedUsedFen = CommandCodec.varlong(in);
        if (format >= SNAPSHOT_FORMAT_WITH_ARCHIVED_WALLET) {
          b.archivedWalletFen = CommandCodec.varlong(in);
        }
      }
      for (int n = CommandCodec.varint(in); n > 0; n--) {
        String id = CommandCodec.str(in);
        LedgerSnapshot.known(wallets.grant(id), "wallet transfer", id).archivedSpentFen = CommandCodec.varlong(in);
      }
    }
  }

  /** One sale, as a snapshot of {@code format} holds it; also the image history keeps of a closed sale. */
  private static void writeTxn(CommandCodec.Output out, Txn t, int format) {
    out.str(t.id).str(t.institution.code()).str(t.patient.psnNo()).u8(t.medicalType.code())
        .varlong(t.totalFen).varlong(t.inScopeFen).varlong(t.cashFen).i64(t.createdAtMillis).i64(t.expiresAtMillis)
        .u8(t.state.code());
    writeLegs(out, t.legs);
    out.u8(t.posted == null ? 0 : 1);
    if (t.posted != null) {
      writeLegs(out, t.posted);
    }
    out.i64(t.authorizedBalanceAfterFen).varlong(t.settledCashFen).varlong(t.settledInScopeFen)
        .i64(t.settledBalanceAfterFen);
    if (format >= SNAPSHOT_FORMAT_WITH_TOUCH) {
      out.i64(t.touchedAtMillis);
    }
    if (format >= SNAPSHOT_FORMAT_WITH_GROUP) {
      // The national numbers themselves (insutype 310/390, clr_type 41/11/21/99), not our enums' codes.
      out.varint(t.group.insutype()).varint(t.group.clrType()).str(t.group.setlOptins());
    }
  }

  /**
   * One sale as {@link #writeTxn} wrote it; {@code image}: brought from history, whose legs may name
   * ended wallet transfers let go of ({@link Wallets#named}), else from a snapshot, whose name only kept ones.
   */
  private Txn readTxn(ByteBuffer in, int format, boolean image) {
    String id = CommandCodec.str(in);
    String code = CommandCodec.str(in);
    InstitutionState inst = LedgerSnapshot.known(registry.institution(code), "institution", code);
    String psnNo = CommandCodec.str(in);
    PersonState patient = LedgerSnapshot.known(registry.person(psnNo), "person", psnNo);
    MedicalType medicalType = MedicalType.ofCode(in.get() & 0xff);
    long total = CommandCodec.varlong(in);
    long inScope = CommandCodec.varlong(in);
    long cash = CommandCodec.varlong(in);
    long created = in.getLong();
    long expires = in.getLong();
    TxnState state = TxnState.ofCode(in.get() & 0xff);
    TxnLeg[] legs = readLegs(in, image);
    TxnLeg[] posted = in.get() != 0 ? readLegs(in, image) : null;
    long authorizedBalanceAfter = in.getLong();
    long settledCash = CommandCodec.varlong(in);
    long settledInScope = CommandCodec.varlong(in);
    long settledBalanceAfter = in.getLong();
    long touched = format >= SNAPSHOT_FORMAT_WITH_TOUCH ? in.getLong() : created;
    // Before sales kept their group, the patient's as recorded now stands in for it.
    ReconcileGroup group = format >= SNAPSHOT_FORMAT_WITH_GROUP
        ? new ReconcileGroup(CommandCodec.varint(in), CommandCodec.varint(in), CommandCodec.str(in))
        : ReconcileGroup.of(patient.insured(), medicalType);
    Txn t = new Txn(id, inst, patient, medicalType, group(group), total, inScope, legs, cash, created, expires);
    t.state = state;
    t.posted = posted;
    t.authorizedBalanceAfterFen = authorizedBalanceAfter;
    t.settledCashFen = settledCash;
    t.settledInScopeFen = settledInScope;
    t.settledBalanceAfterFen = settledBalanceAfter;
    t.touchedAtMillis = touched;
    return t;
  }

  private static void writeLegs(CommandCodec.Output out, TxnLeg[] legs) {
    out.varint(legs.length);
    for (TxnLeg leg : legs) {
      out.str(leg.owner().psnNo()).str(leg.binding() == null ? "" : leg.binding().id())
          .str(leg.grant() == null ? "" : leg.grant().id).varlong(leg.amountFen());
      // The owner as shown at the sale: written only when a change of name made it differ from today's.
      boolean renamed = leg.renamed();
      out.u8(renamed ? 1 : 0);
      if (renamed) {
        out.str(leg.ownerMasked());
      }
    }
  }

  private TxnLeg[] readLegs(ByteBuffer in, boolean image) {
    TxnLeg[] legs = new TxnLeg[LedgerSnapshot.count(in)];
    for (int i = 0; i < legs.length; i++) {
      String psnNo = CommandCodec.str(in);
      PersonState owner = LedgerSnapshot.known(registry.person(psnNo), "person", psnNo);
      String binding = CommandCodec.str(in);
      String grant = CommandCodec.str(in);
      BindingState b = binding.isEmpty() ? null : LedgerSnapshot.known(bindings.binding(binding), "binding", binding);
      WalletGrant g = grant.isEmpty() ? null
          : image ? wallets.named(grant) : LedgerSnapshot.known(wallets.grant(grant), "wallet transfer", grant);
      long amountFen = CommandCodec.varlong(in);
      Object shown = in.get() != 0 ? CommandCodec.str(in) : owner.insured();
      legs[i] = new TxnLeg(owner, shown, b, g, amountFen);
    }
    return legs;
  }
}
