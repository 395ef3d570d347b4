package gongji.server.ledger;

import static com.google.common.base.Verify.verify;

import gongji.server.domain.Bill;
import gongji.server.domain.Masking;
import gongji.server.domain.MedicalType;
import gongji.server.domain.PaymentPlanner;
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
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Sales: authorize (holds on each paying account, all or none), settle (post the holds, perhaps
 * for a lower final total), cancel and expiry (void them), refund (return each posted fen to the
 * account it came from), and the reversal of any of these by request id.
 *
 * <p>Every operation checks first and changes state after: a refused one changes nothing. What a
 * binding or a wallet transfer has drawn is kept on it here, as the legs move money.
 */
final class Sales {
  private final Accounts accounts;
  private final Registry registry;
  private final Funding funding;
  private final Wallets wallets;
  private final Records records;
  private final LedgerTime time;
  private final Map<String, Txn> txns = new HashMap<>();
  private final PriorityQueue<Txn> expiries =
      new PriorityQueue<>((a, b) -> Long.compare(a.expiresAtMillis, b.expiresAtMillis));
  private long nextTxn = 1;

  Sales(Accounts accounts, Registry registry, Funding funding, Wallets wallets, Records records, LedgerTime time) {
    this.accounts = accounts;
    this.registry = registry;
    this.funding = funding;
    this.wallets = wallets;
    this.records = records;
    this.time = time;
  }

  Txn txn(String id) {
    return txns.get(id);
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

  /** The sale if it is the institution's, else null: another institution's sale is not found. */
  Txn owned(String txnId, String institution) {
    Txn t = txns.get(txnId);
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
    if (!patient.insured.active()) {
      return new Rejected(Outcome.INSURED_NOT_ACTIVE,
          "the patient's insured status is " + patient.insured.status() + " (expected: NORMAL)");
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
        records.alert("MUTUAL_AID_LIMIT_EXCEEDED", c.institution(), patient.psnNo(), over);
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
      } else {
        accounts.hold(owner.account, draw);
        if (b != null) {
          b.heldFen += draw;
        }
      }
      legs[k++] = new TxnLeg(owner, owner.masked, b, g, draw);
    }
    long inScope = bill.payableFen(funding.payableMask(patient));
    RegionPolicy local = registry.policyOf(inst);
    long now = time.nowMillis();
    Txn t = new Txn(Ledger.id('T', nextTxn++), inst, patient, c.medicalType(), bill.totalFen(), inScope, legs, cash,
        now, now + local.holdTtlSeconds() * 1000L);
    txns.put(t.id, t);
    expiries.add(t);
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
      } else {
        accounts.release(from, leg.amountFen());
        accounts.transfer(from, t.institution.account, amounts[i]);
        BindingState b = leg.binding();
        if (b != null) {
          b.heldFen -= leg.amountFen();
          b.usedFen += amounts[i];
          verify(b.heldFen >= 0, "binding %s held went negative", b.id);
        }
      }
      if (reduced) {
        posted[i] = new TxnLeg(leg.owner(), leg.ownerMasked(), leg.binding(), leg.grant(), amounts[i]);
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
      } else if (leg.binding() != null) {
        leg.binding().usedFen += leg.amountFen();
      }
      accounts.transfer(from, t.institution.account, leg.amountFen());
    }
    t.state = TxnState.SETTLED;
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
            "the quota of binding " + b.id + " freed by the refund is in use again; it cannot be taken back");
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

  void write(CommandCodec.Output out) {
    out.varint(txns.size());
    for (Txn t : txns.values()) {
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
    }
  }

  void read(ByteBuffer in, Bindings bindings) {
    for (int n = CommandCodec.varint(in); n > 0; n--) {
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
      Txn t = new Txn(id, inst, patient, medicalType, total, inScope, readLegs(in, bindings), cash, created, expires);
      t.state = state;
      if (in.get() != 0) {
        t.posted = readLegs(in, bindings);
      }
      t.authorizedBalanceAfterFen = in.getLong();
      t.settledCashFen = CommandCodec.varlong(in);
      t.settledInScopeFen = CommandCodec.varlong(in);
      t.settledBalanceAfterFen = in.getLong();
      if (txns.put(id, t) != null) {
        throw new IllegalArgumentException("snapshot holds sale " + id + " twice");
      }
      if (state == TxnState.AUTHORIZED) {
        expiries.add(t);
      }
    }
  }

  private static void writeLegs(CommandCodec.Output out, TxnLeg[] legs) {
    out.varint(legs.length);
    for (TxnLeg leg : legs) {
      out.str(leg.owner().psnNo()).str(leg.binding() == null ? "" : leg.binding().id)
          .str(leg.grant() == null ? "" : leg.grant().id).varlong(leg.amountFen());
      // The owner as shown at the sale: written only when a change of name made it differ from today's.
      boolean renamed = !leg.ownerMasked().equals(leg.owner().masked);
      out.u8(renamed ? 1 : 0);
      if (renamed) {
        out.str(leg.ownerMasked());
      }
    }
  }

  private TxnLeg[] readLegs(ByteBuffer in, Bindings bindings) {
    TxnLeg[] legs = new TxnLeg[LedgerSnapshot.count(in)];
    for (int i = 0; i < legs.length; i++) {
      String psnNo = CommandCodec.str(in);
      PersonState owner = LedgerSnapshot.known(registry.person(psnNo), "person", psnNo);
      String binding = CommandCodec.str(in);
      String grant = CommandCodec.str(in);
      BindingState b = binding.isEmpty() ? null : LedgerSnapshot.known(bindings.binding(binding), "binding", binding);
      WalletGrant g = grant.isEmpty() ? null : LedgerSnapshot.known(wallets.grant(grant), "wallet transfer", grant);
      long amountFen = CommandCodec.varlong(in);
      String shown = in.get() != 0 ? CommandCodec.str(in) : owner.masked;
      legs[i] = new TxnLeg(owner, shown, b, g, amountFen);
    }
    return legs;
  }
}
