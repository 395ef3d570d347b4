package gongji.server.ledger;

import gongji.server.domain.FundSource;
import gongji.server.domain.MedicalType;
import gongji.server.domain.ReconcileGroup;
import gongji.server.ledger.Result.Breakdown;
import gongji.server.ledger.Result.TxnView;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A sale: authorized with legs (holds) on the accounts that pay it, then settled (the legs posted,
 * perhaps for less), cancelled or expired (the holds voided), refunded (the posted legs returned).
 * It keeps numbers, not reply objects; its replies are rebuilt from them when asked for.
 */
final class Txn {
  final String id;
  final InstitutionState institution;
  final PersonState patient;
  final MedicalType medicalType;
  /**
   * The group its settlement-side events are reconciled in, fixed when it was authorized (the
   * patient's insurance and region then): a refund after the patient moved counts where the sale did.
   */
  final ReconcileGroup group;
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
  // Its own two requests, kept here instead of entries of their own (kept: the request log has it).
  boolean authorizeKept;
  long authorizeHash;
  boolean authorizeReversed;
  boolean settleKept;
  long settleHash;
  long settledAtMillis;
  boolean settleReversed;
  /**
   * When the sale last changed or an entry naming it was kept (when it expired, for an expiry: the
   * same live and replayed); a closed sale untouched for the recent window goes to history.
   */
  long touchedAtMillis;
  /** Its places in the heaps of open holds by expiry and of closed sales by touch, or -1. */
  int expiryPlace = -1;
  int touchedPlace = -1;

  Txn(String id, InstitutionState institution, PersonState patient, MedicalType medicalType, ReconcileGroup group,
      long totalFen, long inScopeFen, TxnLeg[] legs, long cashFen, long createdAtMillis, long expiresAtMillis) {
    this.id = id;
    this.institution = institution;
    this.patient = patient;
    this.medicalType = medicalType;
    this.group = group;
    this.totalFen = totalFen;
    this.inScopeFen = inScopeFen;
    this.legs = legs;
    this.cashFen = cashFen;
    this.createdAtMillis = createdAtMillis;
    this.expiresAtMillis = expiresAtMillis;
    this.touchedAtMillis = createdAtMillis;
  }

  /** Whether nothing can change its money any more but a refund or a reversal. */
  /** The fen of its authorized legs: what it holds while open. */
  long legsFen() {
    long sum = 0;
    for (TxnLeg leg : legs) {
      sum += leg.amountFen();
    }
    return sum;
  }

  boolean closed() {
    return state != TxnState.AUTHORIZED;
  }

  /** Whether the sale is the given institution's (the only one that may see or change it). */
  boolean of(String institutionCode) {
    return institution.code().equals(institutionCode);
  }

  // ---- replies, rebuilt from the numbers ----------------------------------------------------

  /** The split as authorized; the legs keep the owners' names as shown at the sale. */
  Breakdown authorizedBreakdown() {
    return breakdown(legs, cashFen, inScopeFen, authorizedBalanceAfterFen);
  }

  /** The split as settled (null before the sale settled). */
  Breakdown settledBreakdown() {
    return posted == null ? null : breakdown(posted, settledCashFen, settledInScopeFen, settledBalanceAfterFen);
  }

  /** After a release nothing is drawn from accounts: the whole bill would be cash. */
  Breakdown releasedBreakdown(long balanceAfterFen) {
    return new Breakdown(totalFen, Math.min(inScopeFen, totalFen), 0, 0, totalFen, List.of(), balanceAfterFen);
  }

  /** The split of some legs with a balance after. */
  Breakdown breakdown(TxnLeg[] of, long cash, long inScope, long balanceAfterFen) {
    List<Result.Leg> out = new ArrayList<>(of.length + 1);
    long own = 0;
    long aid = 0;
    for (TxnLeg leg : of) {
      if (leg.amountFen() == 0) {
        continue;
      }
      if (leg.binding() == null) {
        own += leg.amountFen();
        out.add(new Result.Leg(FundSource.OWN_ACCOUNT, leg.shownAs(), 0, "", leg.amountFen()));
      } else if (leg.grant() != null) {
        aid += leg.amountFen();
        out.add(new Result.Leg(FundSource.WALLET, leg.shownAs(), leg.binding().seq, leg.grant().id,
            leg.amountFen()));
      } else {
        aid += leg.amountFen();
        out.add(new Result.Leg(FundSource.MUTUAL_AID, leg.shownAs(), leg.binding().seq, "", leg.amountFen()));
      }
    }
    if (cash > 0) {
      out.add(Result.Leg.cash(cash));
    }
    long total = own + aid + cash;
    // A fresh list nobody else holds: wrapped, not copied.
    return new Breakdown(total, Math.min(inScope, total), own, aid, cash, Collections.unmodifiableList(out),
        balanceAfterFen);
  }

  /** The sale as it is now. */
  TxnView view() {
    return view(state);
  }

  /** The sale as it was when it was in {@code state}. */
  TxnView view(TxnState as) {
    boolean settled = as == TxnState.SETTLED || as == TxnState.REFUNDED;
    return view(as, authorizedBreakdown(), settled ? settledBreakdown() : null);
  }

  /** The same, with the splits the caller built already. */
  TxnView view(TxnState as, Breakdown authorized, Breakdown settled) {
    return new TxnView(id, institution.code(), patient.insured().psnNo(), medicalType, as, authorized, settled,
        createdAtMillis, expiresAtMillis);
  }

  /** Adds the settled total, own-account, mutual-aid and cash amounts to {@code into[1..4]}. */
  void addSettledSplit(long[] into) {
    long own = 0;
    long aid = 0;
    for (TxnLeg leg : posted) {
      if (leg.binding() == null) {
        own += leg.amountFen();
      } else {
        aid += leg.amountFen();
      }
    }
    into[1] += own + aid + settledCashFen;
    into[2] += own;
    into[3] += aid;
    into[4] += settledCashFen;
  }
}
