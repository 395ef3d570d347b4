package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.FundSource;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.Masking;
import gongji.server.domain.MedicalType;
import gongji.server.domain.ReconcileGroup;
import gongji.server.domain.Relationship;
import java.util.List;

/** What the ledger answers to a command. Immutable: results are kept for idempotent replay. */
public sealed interface Result {

  /** {@link Outcome#OK} for every result but {@link Rejected}. */
  default Outcome outcome() {
    return Outcome.OK;
  }

  /** A refusal: the outcome and a sentence for people (which value, which state). */
  record Rejected(Outcome outcome, String detail) implements Result {
    public Rejected {
      requireNonNull(outcome, "outcome");
      requireNonNull(detail, "detail");
    }
  }

  /**
   * One leg of a payment. The writer hands over what shows the owner ({@code shownAs}: their
   * {@link gongji.server.domain.Insured} record as at the sale, or the masked text a snapshot kept)
   * and the binding's number; the masked text and the binding id are made when a reply is written,
   * on the caller's thread, not on the writer's (masking every leg of every reply was a tenth of
   * the writer's time).
   */
  record Leg(FundSource source, Object shownAs, long bindingNumber, String walletTransferId, long amountFen) {
    /** A leg with no owner to show and no binding: cash. */
    static Leg cash(long amountFen) {
      return new Leg(FundSource.CASH, "", 0, "", amountFen);
    }

    /** The owner as the sale shows them: masked name and number ("" for cash). */
    public String ownerMasked() {
      return shownAs instanceof gongji.server.domain.Insured i ? Masking.person(i.name(), i.psnNo()) : (String) shownAs;
    }

    /** The binding the leg drew on ("" for the own account and cash). */
    public String bindingId() {
      return bindingNumber == 0 ? "" : Ledger.id(BindingState.KIND, bindingNumber);
    }

    /** Legs are equal when they show the same: the same owner text, however it is held. */
    @Override
    public boolean equals(Object o) {
      return o instanceof Leg l && source == l.source && bindingNumber == l.bindingNumber && amountFen == l.amountFen
          && walletTransferId.equals(l.walletTransferId) && ownerMasked().equals(l.ownerMasked());
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(source, ownerMasked(), bindingNumber, walletTransferId, amountFen);
    }

    @Override
    public String toString() {
      return "Leg[" + source + " " + ownerMasked() + " " + bindingId() + " " + walletTransferId + " " + amountFen + "]";
    }
  }

  /** The split of a bill; {@code balanceAfterFen} is the patient's own available balance after it. */
  record Breakdown(
      long totalFen,
      long inScopeFen,
      long accountPayFen,
      long mutualAidPayFen,
      long cashPayFen,
      List<Leg> legs,
      long balanceAfterFen) {}

  /**
   * A sale as the terminal sees it. {@code settled} is null before settlement. {@code patientPsnNo}
   * is the patient's number in full, for the gateway's own checks; replies show {@link #psnNoMasked},
   * made when asked (on the caller's thread, not the writer's).
   */
  record TxnView(
      String txnId,
      String institution,
      String patientPsnNo,
      MedicalType medicalType,
      TxnState state,
      Breakdown authorized,
      Breakdown settled,
      long createdAtMillis,
      long expiresAtMillis) {
    /** The patient's number as replies show it. */
    public String psnNoMasked() {
      return Masking.psnNo(patientPsnNo);
    }
  }

  /** Authorize, Settle, Cancel and Refund: the sale after the step, and the step's breakdown. */
  record Sale(String requestId, TxnView txn, Breakdown breakdown) implements Result {}

  record Reversal(String originalRequestId, ReversalOutcome reversal, String txnId) implements Result {}

  /** A mutual-aid source as Identify shows it; {@code relationship} is the authorizer's to the patient. */
  record AidSource(String bindingId, String authorizerMasked, Relationship relationship, long availableFen,
      String walletTransferId) {}

  record Identity(
      String psnNo,
      String nameMasked,
      InsuranceType insuranceType,
      InsuredStatus status,
      String admdvs,
      boolean hasAccount,
      long balanceFen,
      long availableFen,
      List<AidSource> aidSources) implements Result {}

  record Account(String psnNo, long balanceFen, long heldFen) implements Result {}

  /**
   * What became of one request: {@code applied} is false when refused or since reversed;
   * {@code contentHash} is the fingerprint of its content it was kept under.
   */
  record RequestView(String requestId, RequestKind kind, boolean applied, boolean reversed, String reason,
      long contentHash) {}

  record Lookup(TxnView txn, RequestView request) implements Result {}

  record BindingView(
      String bindingId,
      String authorizerPsnNo,
      String beneficiaryPsnNo,
      Relationship relationship,
      long quotaFen,
      long usedFen,
      BindingStatus status,
      String evidenceRef,
      String endReason,
      long walletFen) implements Result {
    public boolean active() {
      return status == BindingStatus.ACTIVE;
    }
  }

  record Bindings(List<BindingView> bindings) implements Result {}

  /** A refused attempt that looks like fraud, or a limit that was hit, and whom it concerns. */
  record Alert(long seq, long atMillis, String kind, String institution, String psnNo, String detail,
      AlertParties parties) {
    /** An alert that names nobody besides {@code psnNo}. */
    public Alert(long seq, long atMillis, String kind, String institution, String psnNo, String detail) {
      this(seq, atMillis, kind, institution, psnNo, detail, AlertParties.NONE);
    }

    public Alert {
      requireNonNull(parties, "parties");
    }
  }

  record Alerts(List<Alert> alerts) implements Result {}

  /** One mutual-aid use: who drew on whose account, where, for how much (negative for a return). */
  record Usage(String kind, long atMillis, String authorizerPsnNo, String beneficiaryPsnNo, String institution,
      String txnId, String bindingId, long amountFen) {}

  record Usages(List<Usage> usages, boolean more) implements Result {}

  /** A premium paid for a relative. */
  record Premium(String payerPsnNo, String beneficiaryPsnNo, long amountFen, int year, long payerBalanceAfterFen)
      implements Result {}

  /**
   * One institution's totals for one local day: [count, total, own account, mutual aid, cash], and
   * the same per reconciliation group (in group order; they add up to the day's).
   */
  record Reconciliation(String institution, long dayEpoch, long[] settlements, long[] refunds,
      List<GroupTotals> groups) implements Result {}

  /** A day's totals of one reconciliation group (3201 is per group). */
  record GroupTotals(ReconcileGroup group, long[] settlements, long[] refunds) {}

  /**
   * One line behind the totals: a settlement (or the reversal of a refund) or a refund (or a
   * reversed settlement), with the group it is reconciled in.
   */
  record ReconcileLine(String txnId, String kind, long atMillis, long totalFen, long ownFen, long aidFen, long cashFen,
      ReconcileGroup group) {}

  record ReconcileLines(List<ReconcileLine> lines, boolean more) implements Result {}

  /** A payout of a deceased person's balance. */
  record Payout(String psnNo, long totalFen, List<Command.Heir> heirs, long atMillis) implements Result {}

  /** The invariant violations found by an audit: empty when the ledger is sound. */
  record AuditReport(List<String> violations) implements Result {}

  /** Loaded reference data, or null when there is none. */
  record Reference(Object value) implements Result {}

  /** The results of several commands submitted together, in order. */
  record Batch(List<Result> results) implements Result {}

  /**
   * The ledger's time after a {@link Command.MoveClock}; {@code moved} false when the time asked for
   * was not ahead of it (bad input: kept under no request id).
   */
  record ClockMoved(long nowMillis, boolean moved) implements Result {}

  /** An administrative change was applied; nothing more to say. */
  record Done() implements Result {}

  /**
   * Not applied: the command needs something the writer let go of, and what was looked up for it
   * in history predates the writer's latest sweep ({@link Recall}). The sequencer looks it up again
   * once history has caught up and resubmits it; callers never see this.
   */
  record Stale() implements Result {}

  /** A person's wallet; {@code transfers} are those pending or with quota left, oldest first. */
  record WalletView(String psnNo, boolean open, long openedAtMillis, long availableFen, long pendingFen,
      int transfersToday, List<WalletTransferView> transfers) implements Result {}

  /** One wallet transfer as it is now. */
  record WalletTransferView(String transferId, String authorizerPsnNo, String beneficiaryPsnNo, String bindingId,
      long amountFen, long remainingFen, long spentFen, WalletTransferState state, long createdAtMillis,
      long acceptByMillis, String endReason) implements Result {}

  /** Wallet transfers, newest first; {@code more} when the list goes on. */
  record WalletTransfers(List<WalletTransferView> transfers, boolean more) implements Result {}
}
