package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.Bill;
import gongji.server.domain.Institution;
import gongji.server.domain.Insured;
import gongji.server.domain.MedicalType;
import gongji.server.domain.RegionPolicy;
import gongji.server.domain.Relationship;
import java.util.List;

/**
 * The commands the ledger executes, one at a time, on the sequencer thread. Their fields are already
 * validated at the edge; the ledger re-checks everything that depends on its own state.
 *
 * <p>Mutating commands are journaled (with the time the sequencer gave them) and replayed on start;
 * {@link Query} commands only read.
 */
public sealed interface Command {

  /** What kind of command this is: the ledger dispatches on it with an exhaustive switch. */
  Type type();

  /**
   * The kinds of command, one per record: a {@code switch} over them without a default is checked
   * for exhaustiveness by the compiler (Java 17 has no pattern matching over sealed types in switch).
   */
  enum Type {
    REGISTER_INSTITUTION,
    UPSERT_INSURED,
    REKEY_CREDENTIAL,
    SET_REGION_POLICY,
    UPDATE_REGION_POLICY,
    CREATE_BINDING,
    REQUEST_BINDING,
    REVIEW_BINDING,
    DISSOLVE_BINDING,
    RECORD_DEATH,
    PAY_OUT_TO_HEIRS,
    PAY_PREMIUM,
    UPDATE_BINDING_QUOTA,
    OPEN_WALLET,
    ASSIGN_WALLET_QUOTA,
    ANSWER_WALLET_TRANSFER,
    MOVE_CLOCK,
    IDEMPOTENT,
    CREDIT,
    AUTHORIZE,
    SETTLE,
    CANCEL,
    REFUND,
    REVERSE,
    REJECT,
    RECORD_ALERT,
    TICK,
    SWEEP,
    RECALLED,
    IDENTIFY,
    LOAD_REFERENCE,
    LIST_BINDINGS,
    GET_WALLET,
    LIST_WALLET_TRANSFERS,
    AUDIT,
    GET_ACCOUNT,
    GET_TRANSACTION,
    GET_REGION_POLICY,
    GET_BINDING
  }

  /** Whether this command changes state and so must be journaled before it is acknowledged. */
  default boolean mutating() {
    return true;
  }

  /** A command that only reads: never journaled. */
  sealed interface Query extends Command {
    @Override
    default boolean mutating() {
      return false;
    }
  }

  /** A command that carries an idempotency key. */
  sealed interface Keyed extends Command {
    String requestId();

    /**
     * Whose request ids this one is among: the institution for a terminal's requests, "" for the
     * agency's back office. The same id in two scopes is two requests (as Stripe scopes idempotency
     * keys to the account): one institution can neither block, reverse nor probe another's ids.
     */
    default String scope() {
      return "";
    }

    /** A hash of the whole request as the client sent it: same id, other content = reuse. */
    long contentHash();
  }

  // ---- back office --------------------------------------------------------------------------

  record RegisterInstitution(Institution institution) implements Command {
    @Override
    public Type type() {
      return Type.REGISTER_INSTITUTION;
    }

    public RegisterInstitution {
      requireNonNull(institution, "institution");
    }
  }

  /**
   * Registers or updates a person. During a rotation of the identity key, {@code olderForms} are the
   * person's credentials keyed under each older key still in use: a credential held by another
   * person under any of them is refused as under the current one (CREDENTIAL_IN_USE), and this
   * person's own credentials held under an older key are replaced by the current key's.
   */
  record UpsertInsured(Insured insured, List<gongji.server.domain.Credential> olderForms) implements Command {
    /** A person whose credentials are looked for under the current key only. */
    public UpsertInsured(Insured insured) {
      this(insured, List.of());
    }

    @Override
    public Type type() {
      return Type.UPSERT_INSURED;
    }

    public UpsertInsured {
      requireNonNull(insured, "insured");
      olderForms = List.copyOf(olderForms);
    }
  }

  /**
   * Keys a credential again under the current identity key: the gateway found {@code psnNo} by the
   * credential presented, keyed under an older key ({@code older}); the person's credential becomes
   * {@code current}, the same number keyed under the current key. Nothing changes when the person no
   * longer holds {@code older}, or when another person holds {@code current}.
   */
  record RekeyCredential(String psnNo, gongji.server.domain.Credential older, gongji.server.domain.Credential current)
      implements Command {
    @Override
    public Type type() {
      return Type.REKEY_CREDENTIAL;
    }

    public RekeyCredential {
      requireNonNull(psnNo, "psnNo");
      requireNonNull(older, "older");
      requireNonNull(current, "current");
      if (older.type() != current.type() || older.equals(current)) {
        throw new IllegalArgumentException("a credential keyed again keeps its type and changes its key: " + older
            + " -> " + current);
      }
    }
  }

  record SetRegionPolicy(RegionPolicy policy) implements Command {
    @Override
    public Type type() {
      return Type.SET_REGION_POLICY;
    }

    public SetRegionPolicy {
      requireNonNull(policy, "policy");
    }
  }

  /**
   * Changes the {@code fields} of a region's own policy to those of {@code values} (AIP-134), on the
   * writer, so that two updates of other fields both hold; a region without a policy of its own
   * starts from the national defaults. Returns the policy as it then is.
   */
  record UpdateRegionPolicy(RegionPolicy values, java.util.Set<RegionPolicy.Field> fields) implements Command {
    @Override
    public Type type() {
      return Type.UPDATE_REGION_POLICY;
    }

    public UpdateRegionPolicy {
      requireNonNull(values, "values");
      fields = java.util.Set.copyOf(fields);
      if (fields.isEmpty()) {
        throw new IllegalArgumentException("fields: none (expected: at least one)");
      }
    }
  }

  record CreateBinding(String authorizerPsnNo, String beneficiaryPsnNo, Relationship relationship, long quotaFen)
      implements Command {
    @Override
    public Type type() {
      return Type.CREATE_BINDING;
    }

    public CreateBinding {
      requireNonNull(authorizerPsnNo, "authorizerPsnNo");
      requireNonNull(beneficiaryPsnNo, "beneficiaryPsnNo");
      requireNonNull(relationship, "relationship");
    }
  }

  /** Asks for a binding; it pays nothing until the agency verifies the relationship. */
  record RequestBinding(String authorizerPsnNo, String beneficiaryPsnNo, Relationship relationship, long quotaFen,
      String evidenceRef) implements Command {
    @Override
    public Type type() {
      return Type.REQUEST_BINDING;
    }

    public RequestBinding {
      requireNonNull(authorizerPsnNo, "authorizerPsnNo");
      requireNonNull(beneficiaryPsnNo, "beneficiaryPsnNo");
      requireNonNull(relationship, "relationship");
      requireNonNull(evidenceRef, "evidenceRef");
    }
  }

  /** The agency's review of a requested binding: approve (it becomes active) or reject. */
  record ReviewBinding(String bindingId, boolean approve, String note) implements Command {
    @Override
    public Type type() {
      return Type.REVIEW_BINDING;
    }

    public ReviewBinding {
      requireNonNull(bindingId, "bindingId");
      requireNonNull(note, "note");
    }
  }

  /** Either party ends a binding. */
  record DissolveBinding(String bindingId, String byPsnNo) implements Command {
    @Override
    public Type type() {
      return Type.DISSOLVE_BINDING;
    }

    public DissolveBinding {
      requireNonNull(bindingId, "bindingId");
      requireNonNull(byPsnNo, "byPsnNo");
    }
  }

  /** A death: the account freezes and every binding of the person dissolves. */
  record RecordDeath(String psnNo) implements Command {
    @Override
    public Type type() {
      return Type.RECORD_DEATH;
    }

    public RecordDeath {
      requireNonNull(psnNo, "psnNo");
    }
  }

  /** One heir and what they inherit. */
  record Heir(String name, String idNumber, long amountFen) {
    public Heir {
      requireNonNull(name, "name");
      requireNonNull(idNumber, "idNumber");
    }
  }

  /** Pays a deceased person's whole balance out to heirs: an auditable transfer, never a silent zeroing. */
  record PayOutToHeirs(String requestId, long contentHash, String psnNo, java.util.List<Heir> heirs) implements Keyed {
    @Override
    public Type type() {
      return Type.PAY_OUT_TO_HEIRS;
    }

    public PayOutToHeirs {
      requireNonNull(requestId, "requestId");
      requireNonNull(psnNo, "psnNo");
      heirs = java.util.List.copyOf(heirs);
    }
  }

  /** Pays a relative's resident insurance premium (代缴) from the payer's personal account. */
  record PayPremium(String requestId, long contentHash, String payerPsnNo, String beneficiaryPsnNo, long amountFen,
      int year) implements Keyed {
    @Override
    public Type type() {
      return Type.PAY_PREMIUM;
    }

    public PayPremium {
      requireNonNull(requestId, "requestId");
      requireNonNull(payerPsnNo, "payerPsnNo");
      requireNonNull(beneficiaryPsnNo, "beneficiaryPsnNo");
    }
  }

  /** The authorizer changes a binding's quota (0 = no quota), where their region allows quotas. */
  record UpdateBindingQuota(String bindingId, String byPsnNo, long quotaFen) implements Command {
    @Override
    public Type type() {
      return Type.UPDATE_BINDING_QUOTA;
    }

    public UpdateBindingQuota {
      requireNonNull(bindingId, "bindingId");
      requireNonNull(byPsnNo, "byPsnNo");
    }
  }

  /**
   * A back-office change under the caller's request id (AIP-155), with the rules of a sale's: the
   * same id with the same content gets the original result (a retried RequestBinding gets its
   * binding instead of "already REQUESTED"), other content REQUEST_ID_REUSED, and a refusal stays a
   * refusal. Its ids are the back office's ({@link Keyed#scope} ""), like credits and payouts. A
   * journal written before contract v1 holds the bare commands, which replay as they were applied:
   * without an id.
   */
  record Idempotent(String requestId, long contentHash, Command command) implements Keyed {
    @Override
    public Type type() {
      return Type.IDEMPOTENT;
    }

    public Idempotent {
      requireNonNull(requestId, "requestId");
      requireNonNull(command, "command");
      if (RequestKind.of(command) == null) {
        throw new IllegalArgumentException("not a back-office change that takes a request id: " + command);
      }
    }

    /** The kind the request is kept as. */
    public RequestKind kind() {
      return RequestKind.of(command);
    }
  }

  /**
   * Sandbox only: ledger time moves forward to {@code toMillis}, and what falls due by then happens.
   * A time not ahead of the ledger's changes nothing (see {@link Result.ClockMoved#moved}).
   */
  record MoveClock(long toMillis) implements Command {
    @Override
    public Type type() {
      return Type.MOVE_CLOCK;
    }
  }

  // ---- the wallet ---------------------------------------------------------------------------

  /** Opens a person's medical-insurance wallet; opening an open wallet changes nothing. */
  record OpenWallet(String psnNo) implements Command {
    @Override
    public Type type() {
      return Type.OPEN_WALLET;
    }

    public OpenWallet {
      requireNonNull(psnNo, "psnNo");
    }
  }

  /** Earmarks quota on the authorizer's account for a relative's wallet; pending until accepted. */
  record AssignWalletQuota(String requestId, long contentHash, String authorizerPsnNo, String beneficiaryPsnNo,
      long amountFen) implements Keyed {
    @Override
    public Type type() {
      return Type.ASSIGN_WALLET_QUOTA;
    }

    public AssignWalletQuota {
      requireNonNull(requestId, "requestId");
      requireNonNull(authorizerPsnNo, "authorizerPsnNo");
      requireNonNull(beneficiaryPsnNo, "beneficiaryPsnNo");
    }
  }

  /**
   * The answer to a pending wallet transfer: the beneficiary accepts or declines it, or the
   * authorizer withdraws it ({@code accept} false). Answering again with the same answer changes nothing.
   */
  record AnswerWalletTransfer(String transferId, String byPsnNo, boolean accept) implements Command {
    @Override
    public Type type() {
      return Type.ANSWER_WALLET_TRANSFER;
    }

    public AnswerWalletTransfer {
      requireNonNull(transferId, "transferId");
      requireNonNull(byPsnNo, "byPsnNo");
    }
  }

  record Credit(String requestId, long contentHash, String psnNo, long amountFen) implements Keyed {
    @Override
    public Type type() {
      return Type.CREDIT;
    }

    public Credit {
      requireNonNull(requestId, "requestId");
      requireNonNull(psnNo, "psnNo");
    }
  }

  // ---- terminals ----------------------------------------------------------------------------

  record Authorize(
      String requestId,
      long contentHash,
      String institution,
      String terminalId,
      String psnNo,
      MedicalType medicalType,
      Bill bill,
      boolean useAccount,
      boolean useMutualAid) implements Keyed {
    @Override
    public String scope() {
      return institution();
    }

    @Override
    public Type type() {
      return Type.AUTHORIZE;
    }

    public Authorize {
      requireNonNull(requestId, "requestId");
      requireNonNull(institution, "institution");
      requireNonNull(terminalId, "terminalId");
      requireNonNull(psnNo, "psnNo");
      requireNonNull(medicalType, "medicalType");
      requireNonNull(bill, "bill");
    }
  }

  /** Settle; {@code finalTotalFen} is -1 for the authorized total. */
  record Settle(String requestId, long contentHash, String institution, String txnId, long finalTotalFen)
      implements Keyed {
    @Override
    public String scope() {
      return institution();
    }

    @Override
    public Type type() {
      return Type.SETTLE;
    }

    public Settle {
      requireNonNull(requestId, "requestId");
      requireNonNull(institution, "institution");
      requireNonNull(txnId, "txnId");
    }
  }

  record Cancel(String requestId, long contentHash, String institution, String txnId) implements Keyed {
    @Override
    public String scope() {
      return institution();
    }

    @Override
    public Type type() {
      return Type.CANCEL;
    }

    public Cancel {
      requireNonNull(requestId, "requestId");
      requireNonNull(institution, "institution");
      requireNonNull(txnId, "txnId");
    }
  }

  record Refund(String requestId, long contentHash, String institution, String txnId) implements Keyed {
    @Override
    public String scope() {
      return institution();
    }

    @Override
    public Type type() {
      return Type.REFUND;
    }

    public Refund {
      requireNonNull(requestId, "requestId");
      requireNonNull(institution, "institution");
      requireNonNull(txnId, "txnId");
    }
  }

  /** Undo the request {@code originalRequestId} of this institution if it happened; else tombstone it. */
  record Reverse(String institution, String originalRequestId) implements Command {
    @Override
    public Type type() {
      return Type.REVERSE;
    }

    public Reverse {
      requireNonNull(institution, "institution");
      requireNonNull(originalRequestId, "originalRequestId");
    }
  }

  /**
   * Records a refusal that the gateway found before the ledger (from cached reference data), so that
   * the id stays failed; an earlier request with the same id and content still wins.
   */
  record Reject(String requestId, long contentHash, RequestKind kind, String institution, Outcome outcome, String detail,
      boolean alert, AlertParties parties) implements Keyed {
    /** A refusal; an impersonation raises an alert that names nobody. */
    public Reject(String requestId, long contentHash, RequestKind kind, String institution, Outcome outcome,
        String detail) {
      this(requestId, contentHash, kind, institution, outcome, detail, outcome == Outcome.IMPERSONATION);
    }

    /** A refusal that raises an alert naming nobody, or (for an impersonation over the terminal's alert limit) none. */
    public Reject(String requestId, long contentHash, RequestKind kind, String institution, Outcome outcome,
        String detail, boolean alert) {
      this(requestId, contentHash, kind, institution, outcome, detail, alert, AlertParties.NONE);
    }

    /** An impersonation refused whose alert names {@code parties}. */
    public Reject(String requestId, long contentHash, RequestKind kind, String institution, Outcome outcome,
        String detail, AlertParties parties) {
      this(requestId, contentHash, kind, institution, outcome, detail, true, parties);
    }

    @Override
    public String scope() {
      return institution();
    }

    @Override
    public Type type() {
      return Type.REJECT;
    }

    public Reject {
      requireNonNull(requestId, "requestId");
      requireNonNull(kind, "kind");
      requireNonNull(institution, "institution");
      requireNonNull(outcome, "outcome");
      requireNonNull(detail, "detail");
      requireNonNull(parties, "parties");
      if (alert && outcome != Outcome.IMPERSONATION) {
        throw new IllegalArgumentException("alert: only an impersonation raises one (got: " + outcome + ")");
      }
    }
  }

  /** Records a fraud alert found outside a keyed request (an Identify with someone else's card). */
  record RecordAlert(String kind, String institution, String psnNo, String detail, AlertParties parties)
      implements Command {
    /** An alert that names nobody besides {@code psnNo}. */
    public RecordAlert(String kind, String institution, String psnNo, String detail) {
      this(kind, institution, psnNo, detail, AlertParties.NONE);
    }

    @Override
    public Type type() {
      return Type.RECORD_ALERT;
    }

    public RecordAlert {
      requireNonNull(kind, "kind");
      requireNonNull(institution, "institution");
      requireNonNull(psnNo, "psnNo");
      requireNonNull(detail, "detail");
      requireNonNull(parties, "parties");
    }
  }

  /** Lets ledger time pass: expires due holds. The sequencer sends it when a hold is due. */
  record Tick() implements Command {
    @Override
    public Type type() {
      return Type.TICK;
    }
  }

  /**
   * Lets the writer hand what has been closed for {@code recentWindowMillis} to history, at most
   * {@code maxItems} request entries, sales and (with {@code transfers}) closed wallet transfers
   * (see {@link Recall}). The sequencer sends it when something is due, at most once a second
   * unless the last one stopped at its bound; it is journaled, so replay lets go of the same things
   * at the same points. A sweep journaled before wallet transfers went to history (journal type 24)
   * replays without {@code transfers}: it let go of none then, and must let go of none again; one
   * journaled before ended transfers were let go of (type 55) replays without {@code ended}.
   */
  record Sweep(long recentWindowMillis, int maxItems, boolean transfers, boolean ended) implements Command {
    @Override
    public Type type() {
      return Type.SWEEP;
    }

    public Sweep {
      if (recentWindowMillis <= 0) {
        throw new IllegalArgumentException("recentWindowMillis: " + recentWindowMillis + " (expected: > 0)");
      }
      if (maxItems <= 0) {
        throw new IllegalArgumentException("maxItems: " + maxItems + " (expected: > 0)");
      }
      if (ended && !transfers) {
        throw new IllegalArgumentException("a sweep of ended transfers lets go of the declined and returned too");
      }
    }

    /** A sweep as journaled before ended transfers were let go of (type 24 or 55). */
    public Sweep(long recentWindowMillis, int maxItems, boolean transfers) {
      this(recentWindowMillis, maxItems, transfers, false);
    }

    /** A sweep as the sequencer sends it now, closed and ended wallet transfers included. */
    public Sweep(long recentWindowMillis, int maxItems) {
      this(recentWindowMillis, maxItems, true, true);
    }

    /** A sweep of the standard size ({@link Recall#MAX_PER_SWEEP}). */
    public Sweep(long recentWindowMillis) {
      this(recentWindowMillis, Recall.MAX_PER_SWEEP);
    }
  }

  /**
   * A command with what was looked up in history for it before it reached the writer: the image of
   * the request entry under {@code requestKey} and of the sale {@code txnId} (null where history has
   * none), as of the store's {@code sweeps}-th sweep at least. For a command that names a wallet
   * transfer instead of a sale, {@code txnId} is the transfer's id and {@code sale} its record
   * ({@link Recall#transfer}). With a sale, {@code transfers} holds the records of the wallet
   * transfers its legs name ({@link Recall#namedTransfer}: the writer may have let go of ended ones).
   * Journaled with the command, so that replay decides the same without history. See {@link Recall}.
   */
  record Recalled(Command command, long sweeps, String requestKey, byte[] request, String txnId, byte[] sale,
      List<TransferImage> transfers) implements Command {
    @Override
    public Type type() {
      return Type.RECALLED;
    }

    @Override
    public boolean mutating() {
      return command.mutating();
    }

    public Recalled {
      requireNonNull(command, "command");
      requireNonNull(requestKey, "requestKey");
      requireNonNull(txnId, "txnId");
      if (command instanceof Recalled) {
        throw new IllegalArgumentException("a recalled command inside another");
      }
      if (sweeps < 0) {
        throw new IllegalArgumentException("sweeps: " + sweeps + " (expected: >= 0)");
      }
      transfers = List.copyOf(requireNonNull(transfers, "transfers"));
    }

    /** The same with no transfer records (as journaled before ended transfers were let go of). */
    public Recalled(Command command, long sweeps, String requestKey, byte[] request, String txnId, byte[] sale) {
      this(command, sweeps, requestKey, request, txnId, sale, List.of());
    }

    /** The record of wallet transfer {@code transferId} the look-up brought for the sale's legs, or null. */
    public byte[] transfer(String transferId) {
      for (TransferImage t : transfers) {
        if (t.transferId().equals(transferId)) {
          return t.image();
        }
      }
      return null;
    }

    // The images are compared and shown by content: two look-ups that found the same are equal.
    @Override
    public boolean equals(Object o) {
      return o instanceof Recalled r && command.equals(r.command) && sweeps == r.sweeps
          && requestKey.equals(r.requestKey) && java.util.Arrays.equals(request, r.request) && txnId.equals(r.txnId)
          && java.util.Arrays.equals(sale, r.sale) && transfers.equals(r.transfers);
    }

    @Override
    public int hashCode() {
      return java.util.Objects.hash(command, sweeps, requestKey, java.util.Arrays.hashCode(request), txnId,
          java.util.Arrays.hashCode(sale), transfers);
    }

    @Override
    public String toString() {
      return "Recalled[" + command + ", sweeps=" + sweeps + ", requestKey=" + requestKey + ", request="
          + (request == null ? "none" : request.length + " bytes") + ", txnId=" + txnId + ", sale="
          + (sale == null ? "none" : sale.length + " bytes") + (transfers.isEmpty() ? "" : ", transfers="
          + transfers) + "]";
    }
  }

  /** The record of a wallet transfer history holds, brought with a command (see {@link Recalled}). */
  record TransferImage(String transferId, byte[] image) {
    public TransferImage {
      requireNonNull(transferId, "transferId");
      requireNonNull(image, "image");
    }

    // By content: two look-ups that found the same are equal.
    @Override
    public boolean equals(Object o) {
      return o instanceof TransferImage t && transferId.equals(t.transferId) && java.util.Arrays.equals(image, t.image);
    }

    @Override
    public int hashCode() {
      return 31 * transferId.hashCode() + java.util.Arrays.hashCode(image);
    }

    @Override
    public String toString() {
      return transferId + " (" + image.length + " bytes)";
    }
  }

  // ---- reads --------------------------------------------------------------------------------

  /**
   * Who a patient is and what they can pay with at {@code institution} (the place of treatment
   * decides which relatives' funds reach across provinces); null for anywhere in their province.
   */
  record Identify(String psnNo, String institution) implements Query {
    @Override
    public Type type() {
      return Type.IDENTIFY;
    }

    public Identify {
      requireNonNull(psnNo, "psnNo");
    }

    public Identify(String psnNo) {
      this(psnNo, null);
    }
  }

  /** Reference data the caches load on a miss: what {@code key} names depends on {@code kind}. */
  record LoadReference(ReferenceKind kind, Object key) implements Query {
    @Override
    public Type type() {
      return Type.LOAD_REFERENCE;
    }

    public LoadReference {
      requireNonNull(kind, "kind");
      requireNonNull(key, "key");
    }
  }

  /** What a {@link LoadReference} loads. */
  enum ReferenceKind {
    /** An {@code Institution} by code. */
    INSTITUTION,
    /** An {@code Insured} by person number. */
    INSURED,
    /** The person number owning a {@code Credential}. */
    CREDENTIAL_OWNER,
    /**
     * The {@code Insured} record of the person owning a {@code Credential}: the gateway's cache learns
     * the card's owner and their record in one trip through the writer, not two.
     */
    CREDENTIAL_HOLDER,
    /** The {@code RegionPolicy} of a region (the national defaults where none was set). */
    POLICY
  }

  /** The bindings of a person, as authorizer or beneficiary (or both when {@code role} is null). */
  record ListBindings(String psnNo, BindingRole role) implements Query {
    @Override
    public Type type() {
      return Type.LIST_BINDINGS;
    }

    public ListBindings {
      requireNonNull(psnNo, "psnNo");
    }
  }

  /** A person's role in a binding. */
  enum BindingRole { AUTHORIZER, BENEFICIARY }





  /** A person's wallet. */
  record GetWallet(String psnNo) implements Query {
    @Override
    public Type type() {
      return Type.GET_WALLET;
    }

    public GetWallet {
      requireNonNull(psnNo, "psnNo");
    }
  }

  /**
   * The wallet transfers of a person, as authorizer or beneficiary (or both when {@code role} is
   * null), newest first, those numbered below {@code beforeNumber} (a cursor: the number of the last
   * transfer of the previous page, {@link Long#MAX_VALUE} for the first), at most {@code limit}.
   */
  record ListWalletTransfers(String psnNo, BindingRole role, long beforeNumber, int limit) implements Query {
    @Override
    public Type type() {
      return Type.LIST_WALLET_TRANSFERS;
    }

    public ListWalletTransfers {
      requireNonNull(psnNo, "psnNo");
    }
  }

  /** A region's own policy, or the national defaults where it has none (what an update starts from). */
  record GetRegionPolicy(String admdvs) implements Query {
    @Override
    public Type type() {
      return Type.GET_REGION_POLICY;
    }

    public GetRegionPolicy {
      requireNonNull(admdvs, "admdvs");
    }
  }

  /** One binding by id. */
  record GetBinding(String bindingId) implements Query {
    @Override
    public Type type() {
      return Type.GET_BINDING;
    }

    public GetBinding {
      requireNonNull(bindingId, "bindingId");
    }
  }

  /** Checks every invariant of the ledger (O(state)): for tests and tools, not for the hot path. */
  record Audit() implements Query {
    @Override
    public Type type() {
      return Type.AUDIT;
    }
  }

  record GetAccount(String psnNo) implements Query {
    @Override
    public Type type() {
      return Type.GET_ACCOUNT;
    }

    public GetAccount {
      requireNonNull(psnNo, "psnNo");
    }
  }

  /** Exactly one of {@code txnId} and {@code requestId} is non-null. */
  record GetTransaction(String institution, String txnId, String requestId) implements Query {
    @Override
    public Type type() {
      return Type.GET_TRANSACTION;
    }

    public GetTransaction {
      requireNonNull(institution, "institution");
    }
  }
}
