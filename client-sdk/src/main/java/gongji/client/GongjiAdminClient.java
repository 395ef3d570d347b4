package gongji.client;

import gongji.client.internal.Mapping;
import gongji.v1.AcceptWalletTransferRequest;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.AssignWalletQuotaRequest;
import gongji.v1.BindingRole;
import gongji.v1.CreateBindingRequest;
import gongji.v1.CreditAccountRequest;
import gongji.v1.CreditAccountsRequest;
import gongji.v1.CreditAccountsResponse;
import gongji.v1.CreditLineResult;
import gongji.v1.DeclineWalletTransferRequest;
import gongji.v1.DissolveBindingRequest;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.GetAccountRequest;
import gongji.v1.GetWalletRequest;
import gongji.v1.Institution;
import gongji.v1.ItemCategory;
import gongji.v1.ListAlertsRequest;
import gongji.v1.ListBindingsRequest;
import gongji.v1.ListReconcileDetailsRequest;
import gongji.v1.ListUsageRecordsRequest;
import gongji.v1.ListWalletTransfersRequest;
import gongji.v1.MutualAidOrder;
import gongji.v1.OpenWalletRequest;
import gongji.v1.PayOutToHeirsRequest;
import gongji.v1.PayPremiumRequest;
import gongji.v1.ReconcileDetail;
import gongji.v1.ReconcileGroupTotals;
import gongji.v1.ReconcileRequest;
import gongji.v1.ReconcileTotals;
import gongji.v1.RecordDeathRequest;
import gongji.v1.RegionPolicy;
import gongji.v1.RegisterInstitutionRequest;
import gongji.v1.Relationship;
import gongji.v1.RequestBindingRequest;
import gongji.v1.ReviewBindingRequest;
import gongji.v1.UpdateRegionPolicyRequest;
import gongji.v1.UpdateBindingQuotaRequest;
import gongji.v1.UpsertInsuredRequest;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Gongji back-office client of the insurance agency: institutions, insured persons, accounts,
 * family mutual-aid bindings (家庭共济), region policies, life events, fraud alerts and day-end
 * reconciliation. One per application, thread-safe, shared by all threads; not for terminals (see
 * {@link GongjiClient}). Each call comes in a blocking form and an async form returning a {@link
 * CompletableFuture}.
 *
 * <p>It is built from {@link ClientOptions} as {@link GongjiClient} is (target, TLS, bearer token,
 * deadline, channels, attempts); {@link ClientOptions#terminal()} and the outcome-resolution settings
 * are not used. Every call has the deadline {@link ClientOptions#defaultDeadlineMillis()}, or the one
 * of its {@link RequestOptions}. Every change carries a request id (the caller's, from {@link
 * RequestOptions}, or one the client makes up), so every call is retried on UNAVAILABLE with the
 * same id: the gateway answers a retry of an applied change with its original result. Refusals arrive as {@link GongjiRejectedException} with a {@link RejectionReason}
 * (e.g. {@link RejectionReason#BINDING_NOT_ALLOWED}); passing failures as {@link
 * GongjiRetryableException}.
 *
 * <pre>{@code
 * try (GongjiAdminClient admin = GongjiAdminClient.create(ClientOptions.builder("127.0.0.1:9092")
 *     .usePlaintext().bearerToken(token).build())) {
 *   Binding b = admin.requestBinding(authorizer, beneficiary, "SPOUSE", "HUKOU-0042", 0);
 *   admin.reviewBinding(b.id(), true, "household register seen");
 * }
 * }</pre>
 */
public final class GongjiAdminClient implements AutoCloseable {
  /** A person's role in bindings and usage records. */
  public enum Role {
    /** As authorizer (共济人): whose funds are used. */
    AUTHORIZER,
    /** As beneficiary (被共济人): who uses them. */
    BENEFICIARY,
    /** Both roles. */
    BOTH
  }

  private static final String ADMIN = "gongji.v1.AdminService";
  private static final String FAMILY = "gongji.v1.FamilyService";
  /**
   * The calls a retry cannot apply twice: look-ups, and every change, since each carries a request
   * id that the gateway keeps (the same id and content get the original result). The client makes
   * the id up once per call, so every attempt of it sends the same.
   */
  private static final List<String[]> RETRIED = Arrays.asList(new String[] {FAMILY}, new String[] {ADMIN});

  private final Channels channels;
  private final AtomicBoolean closed = new AtomicBoolean();

  private GongjiAdminClient(Channels channels) {
    this.channels = channels;
  }

  /**
   * An admin client connected to {@code options.target()}. Close it when the application stops.
   *
   * @param options where to connect and how to behave
   * @return a client; share it between threads
   */
  public static GongjiAdminClient create(ClientOptions options) {
    Checks.notNull(options, "options");
    return create(options, Channels.builder(options));
  }

  /**
   * An admin client on a channel built from the caller's builder (an in-process channel in tests, a
   * custom transport or TLS set-up): the client adds its retry policy, builds the channels, owns them
   * and shuts them down on {@link #close()}. {@link ClientOptions#target()} and {@link
   * ClientOptions#plaintext()} are not applied.
   *
   * @param options how to behave
   * @param channelBuilder the channel to build; the client sets its default service config and enables retries
   * @return a client; share it between threads
   */
  public static GongjiAdminClient create(ClientOptions options, ManagedChannelBuilder<?> channelBuilder) {
    Checks.notNull(options, "options");
    Checks.notNull(channelBuilder, "channelBuilder");
    return new GongjiAdminClient(Channels.build(options, channelBuilder, RETRIED));
  }

  // ---- FamilyService --------------------------------------------------------------------------

  /**
   * Asks for a mutual-aid binding. It is REQUESTED, and pays nothing, until the agency reviews it.
   *
   * @param authorizerPsnNo the authorizer (共济人), employee-insured
   * @param beneficiaryPsnNo the beneficiary (被共济人)
   * @param relationship what the beneficiary is to the authorizer: SPOUSE, PARENT, CHILD, SIBLING,
   *     GRANDPARENT or GRANDCHILD
   * @param evidenceRef a reference to the evidence of the relationship, 1 to 100 characters
   * @param quotaFen the most the beneficiary may draw in total, in fen; 0 for no quota
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the requested binding; fails with {@link GongjiRejectedException} (e.g. {@link
   *     RejectionReason#BINDING_NOT_ALLOWED}) or {@link GongjiRetryableException}
   */
  public CompletableFuture<Binding> requestBindingAsync(String authorizerPsnNo, String beneficiaryPsnNo,
      String relationship, String evidenceRef, long quotaFen, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    RequestBindingRequest req = RequestBindingRequest.newBuilder().setRequestId(requestId)
        .setAuthorizerPsnNo(Checks.notNull(authorizerPsnNo, "authorizerPsnNo"))
        .setBeneficiaryPsnNo(Checks.notNull(beneficiaryPsnNo, "beneficiaryPsnNo"))
        .setRelationship(relationship(relationship))
        .setEvidenceRef(Checks.notNull(evidenceRef, "evidenceRef"))
        .setQuotaFen(quotaFen).build();
    return channels.call(FamilyServiceGrpc.getRequestBindingMethod(), req, requestId, options.deadlineMillis())
        .thenApply(GongjiAdminClient::binding);
  }

  /**
   * {@link #requestBindingAsync(String, String, String, String, long, RequestOptions)} with a request id the client makes up.
   *
   * @param authorizerPsnNo as there
   * @param beneficiaryPsnNo as there
   * @param relationship as there
   * @param evidenceRef as there
   * @param quotaFen as there
   * @return as there
   */
  public CompletableFuture<Binding> requestBindingAsync(String authorizerPsnNo, String beneficiaryPsnNo,
      String relationship, String evidenceRef, long quotaFen) {
    return requestBindingAsync(authorizerPsnNo, beneficiaryPsnNo, relationship, evidenceRef, quotaFen, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #requestBindingAsync}.
   *
   * @param authorizerPsnNo the authorizer
   * @param beneficiaryPsnNo the beneficiary
   * @param relationship SPOUSE, PARENT, CHILD, SIBLING, GRANDPARENT or GRANDCHILD
   * @param evidenceRef a reference to the evidence of the relationship
   * @param quotaFen the quota in fen; 0 for none
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the requested binding
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Binding requestBinding(String authorizerPsnNo, String beneficiaryPsnNo, String relationship,
      String evidenceRef, long quotaFen, RequestOptions options) {
    return Channels.join(requestBindingAsync(authorizerPsnNo, beneficiaryPsnNo, relationship, evidenceRef, quotaFen, options));
  }

  /**
   * {@link #requestBinding(String, String, String, String, long, RequestOptions)} with a request id the client makes up.
   *
   * @param authorizerPsnNo as there
   * @param beneficiaryPsnNo as there
   * @param relationship as there
   * @param evidenceRef as there
   * @param quotaFen as there
   * @return as there
   */
  public Binding requestBinding(String authorizerPsnNo, String beneficiaryPsnNo, String relationship,
      String evidenceRef, long quotaFen) {
    return requestBinding(authorizerPsnNo, beneficiaryPsnNo, relationship, evidenceRef, quotaFen, RequestOptions.DEFAULTS);
  }

  /**
   * The agency's review of a requested binding: approve (ACTIVE) or reject (REJECTED).
   *
   * @param bindingId the binding
   * @param approve true to verify the relationship, false to reject it
   * @param note the reviewer's note, 0 to 200 characters (the reason, for a rejection)
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the reviewed binding
   */
  public CompletableFuture<Binding> reviewBindingAsync(String bindingId, boolean approve, String note, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    ReviewBindingRequest req = ReviewBindingRequest.newBuilder().setRequestId(requestId).setBindingId(Checks.notNull(bindingId, "bindingId"))
        .setApprove(approve).setNote(Checks.notNull(note, "note")).build();
    return channels.call(FamilyServiceGrpc.getReviewBindingMethod(), req, requestId, options.deadlineMillis()).thenApply(GongjiAdminClient::binding);
  }

  /**
   * {@link #reviewBindingAsync(String, boolean, String, RequestOptions)} with a request id the client makes up.
   *
   * @param bindingId as there
   * @param approve as there
   * @param note as there
   * @return as there
   */
  public CompletableFuture<Binding> reviewBindingAsync(String bindingId, boolean approve, String note) {
    return reviewBindingAsync(bindingId, approve, note, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #reviewBindingAsync}.
   *
   * @param bindingId the binding
   * @param approve true to verify the relationship, false to reject it
   * @param note the reviewer's note
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the reviewed binding
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#BINDING_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Binding reviewBinding(String bindingId, boolean approve, String note, RequestOptions options) {
    return Channels.join(reviewBindingAsync(bindingId, approve, note, options));
  }

  /**
   * {@link #reviewBinding(String, boolean, String, RequestOptions)} with a request id the client makes up.
   *
   * @param bindingId as there
   * @param approve as there
   * @param note as there
   * @return as there
   */
  public Binding reviewBinding(String bindingId, boolean approve, String note) {
    return reviewBinding(bindingId, approve, note, RequestOptions.DEFAULTS);
  }

  /**
   * Dissolves a binding at the request of either party.
   *
   * @param bindingId the binding
   * @param byPsnNo who dissolves it: the authorizer or the beneficiary
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the dissolved binding
   */
  public CompletableFuture<Binding> dissolveBindingAsync(String bindingId, String byPsnNo, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    DissolveBindingRequest req = DissolveBindingRequest.newBuilder().setRequestId(requestId)
        .setBindingId(Checks.notNull(bindingId, "bindingId")).setByPsnNo(Checks.notNull(byPsnNo, "byPsnNo")).build();
    return channels.call(FamilyServiceGrpc.getDissolveBindingMethod(), req, requestId, options.deadlineMillis())
        .thenApply(GongjiAdminClient::binding);
  }

  /**
   * {@link #dissolveBindingAsync(String, String, RequestOptions)} with a request id the client makes up.
   *
   * @param bindingId as there
   * @param byPsnNo as there
   * @return as there
   */
  public CompletableFuture<Binding> dissolveBindingAsync(String bindingId, String byPsnNo) {
    return dissolveBindingAsync(bindingId, byPsnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #dissolveBindingAsync}.
   *
   * @param bindingId the binding
   * @param byPsnNo the authorizer or the beneficiary
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the dissolved binding
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Binding dissolveBinding(String bindingId, String byPsnNo, RequestOptions options) {
    return Channels.join(dissolveBindingAsync(bindingId, byPsnNo, options));
  }

  /**
   * {@link #dissolveBinding(String, String, RequestOptions)} with a request id the client makes up.
   *
   * @param bindingId as there
   * @param byPsnNo as there
   * @return as there
   */
  public Binding dissolveBinding(String bindingId, String byPsnNo) {
    return dissolveBinding(bindingId, byPsnNo, RequestOptions.DEFAULTS);
  }

  /**
   * One binding by id, in any state.
   *
   * @param bindingId the binding, as {@link #requestBinding} or {@link #createBinding} returned it
   * @return the binding
   */
  public CompletableFuture<Binding> getBindingAsync(String bindingId) {
    checkOpen();
    gongji.v1.GetBindingRequest req = gongji.v1.GetBindingRequest.newBuilder()
        .setBindingId(Checks.notNull(bindingId, "bindingId")).build();
    return channels.call(FamilyServiceGrpc.getGetBindingMethod(), req, null).thenApply(GongjiAdminClient::binding);
  }

  /**
   * Blocking {@link #getBindingAsync}.
   *
   * @param bindingId the binding
   * @return the binding
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#BINDING_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Binding getBinding(String bindingId) {
    return Channels.join(getBindingAsync(bindingId));
  }

  /**
   * One page of a person's bindings: as authorizer first, then as beneficiary in drawing order.
   *
   * @param psnNo the person
   * @param role which bindings
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<Binding>> listBindingsAsync(String psnNo, Role role, int pageSize, String pageToken) {
    checkOpen();
    ListBindingsRequest req = ListBindingsRequest.newBuilder().setPsnNo(Checks.notNull(psnNo, "psnNo"))
        .setRole(role(role)).setPageSize(pageSize).setPageToken(Checks.notNull(pageToken, "pageToken")).build();
    return channels.call(FamilyServiceGrpc.getListBindingsMethod(), req, null).thenApply(r -> {
      List<Binding> items = new ArrayList<Binding>();
      for (gongji.v1.Binding b : r.getBindingsList()) {
        items.add(binding(b));
      }
      return new Page<Binding>(items, r.getNextPageToken());
    });
  }

  /**
   * Blocking {@link #listBindingsAsync}.
   *
   * @param psnNo the person
   * @param role which bindings
   * @param pageSize at most this many, 0 for the default; above 1,000 taken as 1,000
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<Binding> listBindings(String psnNo, Role role, int pageSize, String pageToken) {
    return Channels.join(listBindingsAsync(psnNo, role, pageSize, pageToken));
  }
  /**
   * Every binding of a person, as {@link #listBindings} lists them, fetched a page at a time as the
   * iteration goes on (each iterator starts from the first page).
   *
   * @param psnNo the person
   * @param role which bindings
   * @return the bindings; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<Binding> listAllBindings(final String psnNo, final Role role) {
    return new Pages<Binding>(token -> listBindings(psnNo, role, Pages.PAGE_SIZE, token));
  }


  /**
   * Pays a relative's resident insurance premium (代缴) from the authorizer's personal account; the
   * authorizer needs an active binding to the relative, and the retained floor and quota apply.
   *
   * @param requestId the idempotency key, 1 to 64 characters of [A-Za-z0-9_-]
   * @param payerPsnNo the authorizer who pays
   * @param beneficiaryPsnNo the resident-insured relative
   * @param amountFen the premium, 1 to 10,000,000 fen
   * @param year the insurance year, 2000 to 2100
   * @return the payer's available balance after it, in fen
   */
  public CompletableFuture<Long> payPremiumAsync(String requestId, String payerPsnNo, String beneficiaryPsnNo,
      long amountFen, int year) {
    checkOpen();
    PayPremiumRequest req = PayPremiumRequest.newBuilder().setRequestId(Checks.notNull(requestId, "requestId"))
        .setPayerPsnNo(Checks.notNull(payerPsnNo, "payerPsnNo"))
        .setBeneficiaryPsnNo(Checks.notNull(beneficiaryPsnNo, "beneficiaryPsnNo"))
        .setAmountFen(amountFen).setYear(year).build();
    return channels.call(FamilyServiceGrpc.getPayPremiumMethod(), req, requestId)
        .thenApply(r -> r.getPayerBalanceAfterFen());
  }

  /**
   * Blocking {@link #payPremiumAsync}.
   *
   * @param requestId the idempotency key
   * @param payerPsnNo the authorizer who pays
   * @param beneficiaryPsnNo the resident-insured relative
   * @param amountFen the premium in fen
   * @param year the insurance year
   * @return the payer's available balance after it, in fen
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#INSUFFICIENT_FUNDS})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public long payPremium(String requestId, String payerPsnNo, String beneficiaryPsnNo, long amountFen, int year) {
    return Channels.join(payPremiumAsync(requestId, payerPsnNo, beneficiaryPsnNo, amountFen, year));
  }

  /**
   * One page of a person's mutual-aid usage records (共济使用记录), oldest first.
   *
   * @param psnNo the person
   * @param role as authorizer (whose funds were used), as beneficiary (who used them), or both
   * @param startTimeMillis from this time (inclusive), epoch milliseconds; 0 for the start
   * @param endTimeMillis to this time (exclusive), epoch milliseconds; 0 for now
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<UsageRecord>> listUsageRecordsAsync(String psnNo, Role role, long startTimeMillis,
      long endTimeMillis, int pageSize, String pageToken) {
    checkOpen();
    ListUsageRecordsRequest.Builder b = ListUsageRecordsRequest.newBuilder().setPsnNo(Checks.notNull(psnNo, "psnNo"))
        .setRole(role(role)).setPageSize(pageSize).setPageToken(Checks.notNull(pageToken, "pageToken"));
    if (startTimeMillis != 0) {
      b.setStartTime(Mapping.timestamp(startTimeMillis));
    }
    if (endTimeMillis != 0) {
      b.setEndTime(Mapping.timestamp(endTimeMillis));
    }
    ListUsageRecordsRequest req = b.build();
    return channels.call(FamilyServiceGrpc.getListUsageRecordsMethod(), req, null).thenApply(r -> {
      List<UsageRecord> items = new ArrayList<UsageRecord>();
      for (gongji.v1.UsageRecord u : r.getRecordsList()) {
        items.add(new UsageRecord(u.getKind(), Mapping.millis(u.getTime()), u.getAuthorizerPsnNo(), u.getBeneficiaryPsnNo(),
            u.getFixmedinsCode(), u.getTransactionId(), u.getBindingId(), u.getAmountFen()));
      }
      return new Page<UsageRecord>(items, r.getNextPageToken());
    });
  }

  /**
   * Blocking {@link #listUsageRecordsAsync}.
   *
   * @param psnNo the person
   * @param role which records
   * @param startTimeMillis from (inclusive); 0 for the start
   * @param endTimeMillis to (exclusive); 0 for now
   * @param pageSize at most this many; 0 for the default
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<UsageRecord> listUsageRecords(String psnNo, Role role, long startTimeMillis, long endTimeMillis,
      int pageSize, String pageToken) {
    return Channels.join(listUsageRecordsAsync(psnNo, role, startTimeMillis, endTimeMillis, pageSize, pageToken));
  }
  /**
   * Every usage record of a person in a period, fetched a page at a time as the iteration goes on.
   *
   * @param psnNo the person
   * @param role which records
   * @param startTimeMillis from (inclusive); 0 for the start
   * @param endTimeMillis to (exclusive); 0 for now
   * @return the records; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<UsageRecord> listAllUsageRecords(final String psnNo, final Role role, final long startTimeMillis,
      final long endTimeMillis) {
    return new Pages<UsageRecord>(
        token -> listUsageRecords(psnNo, role, startTimeMillis, endTimeMillis, Pages.PAGE_SIZE, token));
  }


  /**
   * The authorizer changes a binding's quota. Refused ({@link RejectionReason#BINDING_NOT_ALLOWED})
   * where the authorizer's region allows no quotas, and below what the binding has already drawn,
   * holds or assigned to the wallet. Setting the same quota again changes nothing.
   *
   * @param bindingId the binding
   * @param byPsnNo the binding's authorizer
   * @param quotaFen the new quota, 0 (no quota) to 100,000,000 fen
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the binding with its new quota
   */
  public CompletableFuture<Binding> updateBindingQuotaAsync(String bindingId, String byPsnNo, long quotaFen, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    UpdateBindingQuotaRequest req = UpdateBindingQuotaRequest.newBuilder().setRequestId(requestId)
        .setBindingId(Checks.notNull(bindingId, "bindingId")).setByPsnNo(Checks.notNull(byPsnNo, "byPsnNo"))
        .setQuotaFen(quotaFen).build();
    return channels.call(FamilyServiceGrpc.getUpdateBindingQuotaMethod(), req, requestId, options.deadlineMillis())
        .thenApply(GongjiAdminClient::binding);
  }

  /**
   * {@link #updateBindingQuotaAsync(String, String, long, RequestOptions)} with a request id the client makes up.
   *
   * @param bindingId as there
   * @param byPsnNo as there
   * @param quotaFen as there
   * @return as there
   */
  public CompletableFuture<Binding> updateBindingQuotaAsync(String bindingId, String byPsnNo, long quotaFen) {
    return updateBindingQuotaAsync(bindingId, byPsnNo, quotaFen, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #updateBindingQuotaAsync}.
   *
   * @param bindingId the binding
   * @param byPsnNo the binding's authorizer
   * @param quotaFen the new quota in fen; 0 for none
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the binding with its new quota
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#BINDING_NOT_ALLOWED})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Binding updateBindingQuota(String bindingId, String byPsnNo, long quotaFen, RequestOptions options) {
    return Channels.join(updateBindingQuotaAsync(bindingId, byPsnNo, quotaFen, options));
  }

  /**
   * {@link #updateBindingQuota(String, String, long, RequestOptions)} with a request id the client makes up.
   *
   * @param bindingId as there
   * @param byPsnNo as there
   * @param quotaFen as there
   * @return as there
   */
  public Binding updateBindingQuota(String bindingId, String byPsnNo, long quotaFen) {
    return updateBindingQuota(bindingId, byPsnNo, quotaFen, RequestOptions.DEFAULTS);
  }

  /**
   * Opens a person's medical-insurance wallet (医保钱包); an open wallet is returned as it is. The
   * person must be insured in normal status.
   *
   * @param psnNo the person
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the open wallet
   */
  public CompletableFuture<Wallet> openWalletAsync(String psnNo, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    OpenWalletRequest req = OpenWalletRequest.newBuilder().setRequestId(requestId).setPsnNo(Checks.notNull(psnNo, "psnNo")).build();
    return channels.call(FamilyServiceGrpc.getOpenWalletMethod(), req, requestId, options.deadlineMillis()).thenApply(GongjiAdminClient::wallet);
  }

  /**
   * {@link #openWalletAsync(String, RequestOptions)} with a request id the client makes up.
   *
   * @param psnNo as there
   * @return as there
   */
  public CompletableFuture<Wallet> openWalletAsync(String psnNo) {
    return openWalletAsync(psnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #openWalletAsync}.
   *
   * @param psnNo the person
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the open wallet
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#INSURED_NOT_ACTIVE})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Wallet openWallet(String psnNo, RequestOptions options) {
    return Channels.join(openWalletAsync(psnNo, options));
  }

  /**
   * {@link #openWallet(String, RequestOptions)} with a request id the client makes up.
   *
   * @param psnNo as there
   * @return as there
   */
  public Wallet openWallet(String psnNo) {
    return openWallet(psnNo, RequestOptions.DEFAULTS);
  }

  /**
   * A person's wallet: what they can spend, what waits for their acceptance, and the transfers behind it.
   *
   * @param psnNo the person
   * @return the wallet ({@link Wallet#open()} false if never opened)
   */
  public CompletableFuture<Wallet> getWalletAsync(String psnNo) {
    checkOpen();
    GetWalletRequest req = GetWalletRequest.newBuilder().setPsnNo(Checks.notNull(psnNo, "psnNo")).build();
    return channels.call(FamilyServiceGrpc.getGetWalletMethod(), req, null).thenApply(GongjiAdminClient::wallet);
  }

  /**
   * Blocking {@link #getWalletAsync}.
   *
   * @param psnNo the person
   * @return the wallet
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#PATIENT_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Wallet getWallet(String psnNo) {
    return Channels.join(getWalletAsync(psnNo));
  }

  /**
   * The authorizer assigns quota to a relative's wallet: it is earmarked on the authorizer's account
   * and PENDING until the beneficiary accepts it; not accepted by the return hour the next day, it
   * returns. The authorizer needs an active binding to the beneficiary, whose wallet must be open;
   * the authorizer's region limits transfers a day, one transfer's amount and the hours.
   *
   * @param requestId the idempotency key, 1 to 64 characters of [A-Za-z0-9_-]
   * @param authorizerPsnNo the authorizer whose account is earmarked
   * @param beneficiaryPsnNo the beneficiary
   * @param amountFen the quota, 1 to 100,000,000 fen (the region caps one transfer; default 200,000)
   * @return the pending transfer
   */
  public CompletableFuture<WalletTransfer> assignWalletQuotaAsync(String requestId, String authorizerPsnNo,
      String beneficiaryPsnNo, long amountFen) {
    checkOpen();
    AssignWalletQuotaRequest req = AssignWalletQuotaRequest.newBuilder()
        .setRequestId(Checks.notNull(requestId, "requestId"))
        .setAuthorizerPsnNo(Checks.notNull(authorizerPsnNo, "authorizerPsnNo"))
        .setBeneficiaryPsnNo(Checks.notNull(beneficiaryPsnNo, "beneficiaryPsnNo")).setAmountFen(amountFen).build();
    return channels.call(FamilyServiceGrpc.getAssignWalletQuotaMethod(), req, requestId)
        .thenApply(GongjiAdminClient::walletTransfer);
  }

  /**
   * Blocking {@link #assignWalletQuotaAsync}.
   *
   * @param requestId the idempotency key
   * @param authorizerPsnNo the authorizer whose account is earmarked
   * @param beneficiaryPsnNo the beneficiary
   * @param amountFen the quota in fen
   * @return the pending transfer
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#WALLET_NOT_OPEN},
   *     {@link RejectionReason#WALLET_TRANSFER_LIMIT_EXCEEDED}, {@link RejectionReason#WALLET_TRANSFER_WINDOW_CLOSED},
   *     {@link RejectionReason#WALLET_TRANSFER_PENDING}, {@link RejectionReason#INSUFFICIENT_FUNDS})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public WalletTransfer assignWalletQuota(String requestId, String authorizerPsnNo, String beneficiaryPsnNo,
      long amountFen) {
    return Channels.join(assignWalletQuotaAsync(requestId, authorizerPsnNo, beneficiaryPsnNo, amountFen));
  }

  /**
   * The beneficiary accepts a pending transfer: its quota becomes spendable. Accepting an accepted
   * transfer changes nothing.
   *
   * @param transferId the transfer
   * @param byPsnNo the beneficiary
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the accepted transfer
   */
  public CompletableFuture<WalletTransfer> acceptWalletTransferAsync(String transferId, String byPsnNo, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    AcceptWalletTransferRequest req = AcceptWalletTransferRequest.newBuilder().setRequestId(requestId)
        .setTransferId(Checks.notNull(transferId, "transferId")).setByPsnNo(Checks.notNull(byPsnNo, "byPsnNo")).build();
    return channels.call(FamilyServiceGrpc.getAcceptWalletTransferMethod(), req, requestId, options.deadlineMillis())
        .thenApply(GongjiAdminClient::walletTransfer);
  }

  /**
   * {@link #acceptWalletTransferAsync(String, String, RequestOptions)} with a request id the client makes up.
   *
   * @param transferId as there
   * @param byPsnNo as there
   * @return as there
   */
  public CompletableFuture<WalletTransfer> acceptWalletTransferAsync(String transferId, String byPsnNo) {
    return acceptWalletTransferAsync(transferId, byPsnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #acceptWalletTransferAsync}.
   *
   * @param transferId the transfer
   * @param byPsnNo the beneficiary
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the accepted transfer
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#WALLET_TRANSFER_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public WalletTransfer acceptWalletTransfer(String transferId, String byPsnNo, RequestOptions options) {
    return Channels.join(acceptWalletTransferAsync(transferId, byPsnNo, options));
  }

  /**
   * {@link #acceptWalletTransfer(String, String, RequestOptions)} with a request id the client makes up.
   *
   * @param transferId as there
   * @param byPsnNo as there
   * @return as there
   */
  public WalletTransfer acceptWalletTransfer(String transferId, String byPsnNo) {
    return acceptWalletTransfer(transferId, byPsnNo, RequestOptions.DEFAULTS);
  }

  /**
   * The beneficiary declines a pending transfer, or the authorizer withdraws it; the earmark returns
   * to the authorizer. Declining a declined transfer changes nothing.
   *
   * @param transferId the transfer
   * @param byPsnNo the beneficiary or the authorizer
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the declined transfer
   */
  public CompletableFuture<WalletTransfer> declineWalletTransferAsync(String transferId, String byPsnNo, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    DeclineWalletTransferRequest req = DeclineWalletTransferRequest.newBuilder().setRequestId(requestId)
        .setTransferId(Checks.notNull(transferId, "transferId")).setByPsnNo(Checks.notNull(byPsnNo, "byPsnNo")).build();
    return channels.call(FamilyServiceGrpc.getDeclineWalletTransferMethod(), req, requestId, options.deadlineMillis())
        .thenApply(GongjiAdminClient::walletTransfer);
  }

  /**
   * {@link #declineWalletTransferAsync(String, String, RequestOptions)} with a request id the client makes up.
   *
   * @param transferId as there
   * @param byPsnNo as there
   * @return as there
   */
  public CompletableFuture<WalletTransfer> declineWalletTransferAsync(String transferId, String byPsnNo) {
    return declineWalletTransferAsync(transferId, byPsnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #declineWalletTransferAsync}.
   *
   * @param transferId the transfer
   * @param byPsnNo the beneficiary or the authorizer
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the declined transfer
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#WALLET_TRANSFER_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public WalletTransfer declineWalletTransfer(String transferId, String byPsnNo, RequestOptions options) {
    return Channels.join(declineWalletTransferAsync(transferId, byPsnNo, options));
  }

  /**
   * {@link #declineWalletTransfer(String, String, RequestOptions)} with a request id the client makes up.
   *
   * @param transferId as there
   * @param byPsnNo as there
   * @return as there
   */
  public WalletTransfer declineWalletTransfer(String transferId, String byPsnNo) {
    return declineWalletTransfer(transferId, byPsnNo, RequestOptions.DEFAULTS);
  }

  /**
   * One page of a person's wallet transfers, newest first.
   *
   * @param psnNo the person
   * @param role as authorizer (assigned), as beneficiary (received), or both
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<WalletTransfer>> listWalletTransfersAsync(String psnNo, Role role, int pageSize,
      String pageToken) {
    checkOpen();
    ListWalletTransfersRequest req = ListWalletTransfersRequest.newBuilder().setPsnNo(Checks.notNull(psnNo, "psnNo"))
        .setRole(role(role)).setPageSize(pageSize).setPageToken(Checks.notNull(pageToken, "pageToken")).build();
    return channels.call(FamilyServiceGrpc.getListWalletTransfersMethod(), req, null).thenApply(r -> {
      List<WalletTransfer> items = new ArrayList<WalletTransfer>();
      for (gongji.v1.WalletTransfer t : r.getTransfersList()) {
        items.add(walletTransfer(t));
      }
      return new Page<WalletTransfer>(items, r.getNextPageToken());
    });
  }

  /**
   * Blocking {@link #listWalletTransfersAsync}.
   *
   * @param psnNo the person
   * @param role which transfers
   * @param pageSize at most this many; 0 for the default
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<WalletTransfer> listWalletTransfers(String psnNo, Role role, int pageSize, String pageToken) {
    return Channels.join(listWalletTransfersAsync(psnNo, role, pageSize, pageToken));
  }
  /**
   * Every wallet transfer of a person, fetched a page at a time as the iteration goes on.
   *
   * @param psnNo the person
   * @param role which transfers
   * @return the transfers; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<WalletTransfer> listAllWalletTransfers(final String psnNo, final Role role) {
    return new Pages<WalletTransfer>(token -> listWalletTransfers(psnNo, role, Pages.PAGE_SIZE, token));
  }


  // ---- AdminService: reference data -----------------------------------------------------------

  /**
   * Registers a designated institution and its terminals, or replaces its name and terminal list.
   *
   * @param fixmedinsCode the institution code
   * @param name the institution's name, 1 to 100 characters
   * @param terminalIds the terminals allowed to call for it, 1 to 1,000 ids of 1 to 32 characters
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return completes when registered
   */
  public CompletableFuture<Void> registerInstitutionAsync(String fixmedinsCode, String name,
      Collection<String> terminalIds, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    RegisterInstitutionRequest req = RegisterInstitutionRequest.newBuilder().setRequestId(requestId).setInstitution(Institution.newBuilder()
        .setFixmedinsCode(Checks.notNull(fixmedinsCode, "fixmedinsCode")).setName(Checks.notNull(name, "name"))
        .addAllTerminalIds(Checks.notNull(terminalIds, "terminalIds"))).build();
    return channels.call(AdminServiceGrpc.getRegisterInstitutionMethod(), req, requestId, options.deadlineMillis()).thenApply(r -> (Void) null);
  }

  /**
   * {@link #registerInstitutionAsync(String, String, Collection<String>, RequestOptions)} with a request id the client makes up.
   *
   * @param fixmedinsCode as there
   * @param name as there
   * @param terminalIds as there
   * @return as there
   */
  public CompletableFuture<Void> registerInstitutionAsync(String fixmedinsCode, String name,
      Collection<String> terminalIds) {
    return registerInstitutionAsync(fixmedinsCode, name, terminalIds, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #registerInstitutionAsync}.
   *
   * @param fixmedinsCode the institution code
   * @param name the institution's name
   * @param terminalIds the terminals allowed to call for it
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#FIELD_INVALID})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public void registerInstitution(String fixmedinsCode, String name, Collection<String> terminalIds, RequestOptions options) {
    Channels.join(registerInstitutionAsync(fixmedinsCode, name, terminalIds, options));
  }

  /**
   * {@link #registerInstitution(String, String, Collection<String>, RequestOptions)} with a request id the client makes up.
   *
   * @param fixmedinsCode as there
   * @param name as there
   * @param terminalIds as there
   */
  public void registerInstitution(String fixmedinsCode, String name, Collection<String> terminalIds) {
    registerInstitution(fixmedinsCode, name, terminalIds, RequestOptions.DEFAULTS);
  }

  /**
   * Creates an insured person, or updates their name, insurance, status, region and credentials.
   *
   * @param person the person as they should be
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the person as recorded
   */
  public CompletableFuture<InsuredPerson> upsertInsuredAsync(InsuredPerson person, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    Checks.notNull(person, "person");
    gongji.v1.Insured.Builder b = gongji.v1.Insured.newBuilder().setPsnNo(person.psnNo()).setName(person.name())
        .setInsuranceType(gongji.v1.InsuranceType.valueOf("INSURANCE_TYPE_" + person.insuranceType()))
        .setStatus(gongji.v1.InsuredStatus.valueOf("INSURED_STATUS_" + person.status()))
        .setInsuplcAdmdvs(person.admdvs());
    for (Credential c : person.credentials()) {
      b.addCredentials(Mapping.credential(c));
    }
    UpsertInsuredRequest req = UpsertInsuredRequest.newBuilder().setRequestId(requestId).setInsured(b).build();
    return channels.call(AdminServiceGrpc.getUpsertInsuredMethod(), req, requestId, options.deadlineMillis()).thenApply(GongjiAdminClient::insured);
  }

  /**
   * {@link #upsertInsuredAsync(InsuredPerson, RequestOptions)} with a request id the client makes up.
   *
   * @param person as there
   * @return as there
   */
  public CompletableFuture<InsuredPerson> upsertInsuredAsync(InsuredPerson person) {
    return upsertInsuredAsync(person, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #upsertInsuredAsync}.
   *
   * @param person the person as they should be
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the person as recorded
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#CREDENTIAL_IN_USE})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public InsuredPerson upsertInsured(InsuredPerson person, RequestOptions options) {
    return Channels.join(upsertInsuredAsync(person, options));
  }

  /**
   * {@link #upsertInsured(InsuredPerson, RequestOptions)} with a request id the client makes up.
   *
   * @param person as there
   * @return as there
   */
  public InsuredPerson upsertInsured(InsuredPerson person) {
    return upsertInsured(person, RequestOptions.DEFAULTS);
  }

  /**
   * Changes the settings of a region's policy that {@code changes} names ({@link
   * RegionPolicySettings#updateMask()}: those given to its builder), and only those; a region without
   * a policy of its own starts from the national defaults.
   *
   * @param changes the region and the new values of the settings to change
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the region's policy as it then is
   */
  public CompletableFuture<RegionPolicySettings> updateRegionPolicyAsync(RegionPolicySettings changes,
      RequestOptions options) {
    checkOpen();
    Checks.notNull(changes, "changes");
    Checks.notNull(options, "options");
    Checks.argument(!changes.updateMask().isEmpty(), "changes: no setting given (expected: at least one)");
    String requestId = requestId(options);
    RegionPolicy.Builder b = RegionPolicy.newBuilder().setAdmdvs(changes.admdvs()).setName(changes.name())
        .setRetainedFloorFen(changes.retainedFloorFen()).setExtendedRelativesAllowed(changes.extendedRelativesAllowed())
        .setQuotaAllowed(changes.quotaAllowed()).setCrossProvinceEnabled(changes.crossProvinceEnabled())
        .setHoldTtlSeconds(changes.holdTtlSeconds()).setMaxMutualAidUsesPerDay(changes.maxMutualAidUsesPerDay())
        .setMaxMutualAidFenPerDay(changes.maxMutualAidFenPerDay())
        .setWalletMaxTransfersPerDay(changes.walletMaxTransfersPerDay())
        .setWalletMaxTransferFen(changes.walletMaxTransferFen())
        .setWalletQuietFromHour(changes.walletQuietFromHour())
        .setWalletQuietUntilHour(changes.walletQuietUntilHour())
        .setMutualAidOrder(MutualAidOrder.valueOf("MUTUAL_AID_ORDER_" + changes.mutualAidOrder().name()));
    for (Item.Category c : changes.optionalCategoriesAllowed()) {
      b.addOptionalCategoriesAllowed(ItemCategory.valueOf("ITEM_CATEGORY_" + c.name()));
    }
    UpdateRegionPolicyRequest req = UpdateRegionPolicyRequest.newBuilder().setRequestId(requestId).setPolicy(b)
        .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addAllPaths(changes.updateMask())).build();
    return channels.call(AdminServiceGrpc.getUpdateRegionPolicyMethod(), req, requestId, options.deadlineMillis())
        .thenApply(GongjiAdminClient::policy);
  }

  /**
   * {@link #updateRegionPolicyAsync(RegionPolicySettings, RequestOptions)} with a request id the client makes up.
   *
   * @param changes as there
   * @return as there
   */
  public CompletableFuture<RegionPolicySettings> updateRegionPolicyAsync(RegionPolicySettings changes) {
    return updateRegionPolicyAsync(changes, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #updateRegionPolicyAsync(RegionPolicySettings, RequestOptions)}.
   *
   * @param changes the region and the new values of the settings to change
   * @param options the call's request id and deadline
   * @return the region's policy as it then is
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#FIELD_INVALID})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public RegionPolicySettings updateRegionPolicy(RegionPolicySettings changes, RequestOptions options) {
    return Channels.join(updateRegionPolicyAsync(changes, options));
  }

  /**
   * {@link #updateRegionPolicy(RegionPolicySettings, RequestOptions)} with a request id the client makes up.
   *
   * @param changes as there
   * @return as there
   */
  public RegionPolicySettings updateRegionPolicy(RegionPolicySettings changes) {
    return updateRegionPolicy(changes, RequestOptions.DEFAULTS);
  }

  /**
   * A region's own policy, or the national defaults where none was set for it.
   *
   * @param admdvs the region, 6 digits
   * @return the policy (its {@link RegionPolicySettings#updateMask()} empty)
   */
  public CompletableFuture<RegionPolicySettings> getRegionPolicyAsync(String admdvs) {
    checkOpen();
    gongji.v1.GetRegionPolicyRequest req = gongji.v1.GetRegionPolicyRequest.newBuilder()
        .setAdmdvs(Checks.notNull(admdvs, "admdvs")).build();
    return channels.call(AdminServiceGrpc.getGetRegionPolicyMethod(), req, null).thenApply(GongjiAdminClient::policy);
  }

  /**
   * Blocking {@link #getRegionPolicyAsync}.
   *
   * @param admdvs the region, 6 digits
   * @return the policy
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public RegionPolicySettings getRegionPolicy(String admdvs) {
    return Channels.join(getRegionPolicyAsync(admdvs));
  }

  private static RegionPolicySettings policy(RegionPolicy p) {
    RegionPolicySettings.Builder s = RegionPolicySettings.builder(p.getAdmdvs()).name(p.getName())
        .retainedFloorFen(p.getRetainedFloorFen()).extendedRelativesAllowed(p.getExtendedRelativesAllowed())
        .quotaAllowed(p.getQuotaAllowed()).crossProvinceEnabled(p.getCrossProvinceEnabled())
        .holdTtlSeconds(p.getHoldTtlSeconds()).maxMutualAidUsesPerDay(p.getMaxMutualAidUsesPerDay())
        .maxMutualAidFenPerDay(p.getMaxMutualAidFenPerDay())
        .walletMaxTransfersPerDay(p.getWalletMaxTransfersPerDay()).walletMaxTransferFen(p.getWalletMaxTransferFen())
        .walletQuietHours(p.getWalletQuietFromHour(), p.getWalletQuietUntilHour())
        .mutualAidOrder(mutualAidOrder(p.getMutualAidOrder()));
    for (ItemCategory c : p.getOptionalCategoriesAllowedList()) {
      s.allowOptionalCategory(Item.Category.valueOf(strip("ITEM_CATEGORY_", c.name())));
    }
    return s.read();
  }

  // ---- AdminService: accounts -----------------------------------------------------------------

  /**
   * Credits an employee's personal account (a monthly contribution, a carried-forward balance).
   *
   * @param requestId the idempotency key, 1 to 64 characters of [A-Za-z0-9_-]
   * @param psnNo the employee
   * @param amountFen the amount, 1 to 100,000,000 fen
   * @return the account after the credit
   */
  public CompletableFuture<Account> creditAccountAsync(String requestId, String psnNo, long amountFen) {
    checkOpen();
    CreditAccountRequest req = CreditAccountRequest.newBuilder().setRequestId(Checks.notNull(requestId, "requestId"))
        .setPsnNo(Checks.notNull(psnNo, "psnNo")).setAmountFen(amountFen).build();
    return channels.call(AdminServiceGrpc.getCreditAccountMethod(), req, requestId)
        .thenApply(GongjiAdminClient::account);
  }

  /**
   * Blocking {@link #creditAccountAsync}.
   *
   * @param requestId the idempotency key
   * @param psnNo the employee
   * @param amountFen the amount in fen
   * @return the account after the credit
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#NO_PERSONAL_ACCOUNT})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public Account creditAccount(String requestId, String psnNo, long amountFen) {
    return Channels.join(creditAccountAsync(requestId, psnNo, amountFen));
  }

  /**
   * Credits many accounts at once (the monthly contribution run). Each line is its own idempotent
   * credit, keyed by {@code requestId} and its position: a line may be refused while others apply.
   *
   * @param requestId the idempotency key of the batch, 1 to 50 characters of [A-Za-z0-9_-]
   * @param lines the credits, 1 to 10,000
   * @return the lines in order, each {@link CreditLine#applied() applied} or with its {@link CreditLine#rejection()}
   */
  public CompletableFuture<List<CreditLine>> creditAccountsAsync(String requestId, List<CreditLine> lines) {
    checkOpen();
    Checks.notNull(lines, "lines");
    final List<CreditLine> sent = new ArrayList<CreditLine>(lines);
    CreditAccountsRequest.Builder b = CreditAccountsRequest.newBuilder().setRequestId(Checks.notNull(requestId, "requestId"));
    for (CreditLine line : sent) {
      Checks.notNull(line, "lines[]");
      b.addLines(gongji.v1.CreditLine.newBuilder().setPsnNo(line.psnNo()).setAmountFen(line.amountFen()));
    }
    return channels.call(AdminServiceGrpc.getCreditAccountsMethod(), b.build(), requestId)
        .thenApply((CreditAccountsResponse r) -> {
          List<CreditLine> out = new ArrayList<CreditLine>();
          for (int i = 0; i < r.getResultsCount(); i++) {
            CreditLineResult x = r.getResults(i);
            CreditLine line = sent.get(i);
            out.add(x.getErrorReason().isEmpty()
                ? new CreditLine(line.psnNo(), line.amountFen(), account(x.getAccount()), null, "")
                : new CreditLine(line.psnNo(), line.amountFen(), null, RejectionReason.of(x.getErrorReason()),
                    x.getErrorMessage()));
          }
          return out;
        });
  }

  /**
   * Blocking {@link #creditAccountsAsync}.
   *
   * @param requestId the idempotency key of the batch
   * @param lines the credits
   * @return the lines in order, each applied or refused
   * @throws GongjiRejectedException if the gateway refused the whole batch (e.g. {@link RejectionReason#FIELD_INVALID})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public List<CreditLine> creditAccounts(String requestId, List<CreditLine> lines) {
    return Channels.join(creditAccountsAsync(requestId, lines));
  }

  /**
   * A personal account as it is now.
   *
   * @param psnNo the owner
   * @return the account; fails with {@link RejectionReason#PATIENT_NOT_FOUND} for an unknown person
   */
  public CompletableFuture<Account> getAccountAsync(String psnNo) {
    checkOpen();
    GetAccountRequest req = GetAccountRequest.newBuilder().setPsnNo(Checks.notNull(psnNo, "psnNo")).build();
    return channels.call(AdminServiceGrpc.getGetAccountMethod(), req, null).thenApply(GongjiAdminClient::account);
  }

  /**
   * Blocking {@link #getAccountAsync}.
   *
   * @param psnNo the owner
   * @return the account
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#PATIENT_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Account getAccount(String psnNo) {
    return Channels.join(getAccountAsync(psnNo));
  }

  /**
   * Creates an ACTIVE mutual-aid binding, the relationship already verified by the agency.
   *
   * @param authorizerPsnNo the authorizer
   * @param beneficiaryPsnNo the beneficiary
   * @param relationship SPOUSE, PARENT, CHILD, SIBLING, GRANDPARENT or GRANDCHILD
   * @param quotaFen the quota, 0 (none) to 100,000,000 fen
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the active binding
   */
  public CompletableFuture<Binding> createBindingAsync(String authorizerPsnNo, String beneficiaryPsnNo,
      String relationship, long quotaFen, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    CreateBindingRequest req = CreateBindingRequest.newBuilder().setRequestId(requestId)
        .setAuthorizerPsnNo(Checks.notNull(authorizerPsnNo, "authorizerPsnNo"))
        .setBeneficiaryPsnNo(Checks.notNull(beneficiaryPsnNo, "beneficiaryPsnNo"))
        .setRelationship(relationship(relationship)).setQuotaFen(quotaFen).build();
    return channels.call(AdminServiceGrpc.getCreateBindingMethod(), req, requestId, options.deadlineMillis()).thenApply(GongjiAdminClient::binding);
  }

  /**
   * {@link #createBindingAsync(String, String, String, long, RequestOptions)} with a request id the client makes up.
   *
   * @param authorizerPsnNo as there
   * @param beneficiaryPsnNo as there
   * @param relationship as there
   * @param quotaFen as there
   * @return as there
   */
  public CompletableFuture<Binding> createBindingAsync(String authorizerPsnNo, String beneficiaryPsnNo,
      String relationship, long quotaFen) {
    return createBindingAsync(authorizerPsnNo, beneficiaryPsnNo, relationship, quotaFen, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #createBindingAsync}.
   *
   * @param authorizerPsnNo the authorizer
   * @param beneficiaryPsnNo the beneficiary
   * @param relationship SPOUSE, PARENT, CHILD, SIBLING, GRANDPARENT or GRANDCHILD
   * @param quotaFen the quota in fen; 0 for none
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the active binding
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#BINDING_NOT_ALLOWED})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Binding createBinding(String authorizerPsnNo, String beneficiaryPsnNo, String relationship, long quotaFen, RequestOptions options) {
    return Channels.join(createBindingAsync(authorizerPsnNo, beneficiaryPsnNo, relationship, quotaFen, options));
  }

  /**
   * {@link #createBinding(String, String, String, long, RequestOptions)} with a request id the client makes up.
   *
   * @param authorizerPsnNo as there
   * @param beneficiaryPsnNo as there
   * @param relationship as there
   * @param quotaFen as there
   * @return as there
   */
  public Binding createBinding(String authorizerPsnNo, String beneficiaryPsnNo, String relationship, long quotaFen) {
    return createBinding(authorizerPsnNo, beneficiaryPsnNo, relationship, quotaFen, RequestOptions.DEFAULTS);
  }

  // ---- AdminService: life events --------------------------------------------------------------

  /**
   * Records a death: the account freezes and every binding of the person dissolves.
   *
   * @param psnNo the deceased person
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the person as recorded, status DECEASED
   */
  public CompletableFuture<InsuredPerson> recordDeathAsync(String psnNo, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    String requestId = requestId(options);
    RecordDeathRequest req = RecordDeathRequest.newBuilder().setRequestId(requestId).setPsnNo(Checks.notNull(psnNo, "psnNo")).build();
    return channels.call(AdminServiceGrpc.getRecordDeathMethod(), req, requestId, options.deadlineMillis()).thenApply(GongjiAdminClient::insured);
  }

  /**
   * {@link #recordDeathAsync(String, RequestOptions)} with a request id the client makes up.
   *
   * @param psnNo as there
   * @return as there
   */
  public CompletableFuture<InsuredPerson> recordDeathAsync(String psnNo) {
    return recordDeathAsync(psnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #recordDeathAsync}.
   *
   * @param psnNo the deceased person
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the person as recorded
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#PATIENT_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public InsuredPerson recordDeath(String psnNo, RequestOptions options) {
    return Channels.join(recordDeathAsync(psnNo, options));
  }

  /**
   * {@link #recordDeath(String, RequestOptions)} with a request id the client makes up.
   *
   * @param psnNo as there
   * @return as there
   */
  public InsuredPerson recordDeath(String psnNo) {
    return recordDeath(psnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Pays a deceased person's whole balance out to named heirs, as an auditable transaction.
   *
   * @param requestId the idempotency key, 1 to 64 characters of [A-Za-z0-9_-]
   * @param psnNo the deceased person; their account must hold no open authorization
   * @param heirs the heirs, 1 to 20; their shares must add up to the whole balance
   * @return what was paid out in all, in fen
   */
  public CompletableFuture<Long> payOutToHeirsAsync(String requestId, String psnNo, List<Heir> heirs) {
    checkOpen();
    PayOutToHeirsRequest.Builder b = PayOutToHeirsRequest.newBuilder()
        .setRequestId(Checks.notNull(requestId, "requestId")).setPsnNo(Checks.notNull(psnNo, "psnNo"));
    for (Heir h : Checks.notNull(heirs, "heirs")) {
      Checks.notNull(h, "heirs[]");
      b.addHeirs(gongji.v1.Heir.newBuilder().setName(h.name()).setIdNumber(h.idNumber()).setAmountFen(h.amountFen()));
    }
    return channels.call(AdminServiceGrpc.getPayOutToHeirsMethod(), b.build(), requestId)
        .thenApply(p -> p.getTotalFen());
  }

  /**
   * Blocking {@link #payOutToHeirsAsync}.
   *
   * @param requestId the idempotency key
   * @param psnNo the deceased person
   * @param heirs the heirs and their shares
   * @return what was paid out in all, in fen
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#PAYOUT_MISMATCH})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public long payOutToHeirs(String requestId, String psnNo, List<Heir> heirs) {
    return Channels.join(payOutToHeirsAsync(requestId, psnNo, heirs));
  }

  // ---- AdminService: control ------------------------------------------------------------------

  /**
   * One page of fraud alerts (impersonation, mutual-aid limits), oldest first.
   *
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<Alert>> listAlertsAsync(int pageSize, String pageToken) {
    checkOpen();
    ListAlertsRequest req = ListAlertsRequest.newBuilder().setPageSize(pageSize)
        .setPageToken(Checks.notNull(pageToken, "pageToken")).build();
    return channels.call(AdminServiceGrpc.getListAlertsMethod(), req, null).thenApply(r -> {
      List<Alert> items = new ArrayList<Alert>();
      for (gongji.v1.Alert a : r.getAlertsList()) {
        items.add(new Alert(a.getSeq(), Mapping.millis(a.getTime()), a.getKind(), a.getFixmedinsCode(), a.getPsnNo(),
            a.getDetail(), new String[] {a.getClaimedPsnNoMasked(), a.getOwnerPsnNoMasked(), a.getTerminalId(),
                a.getOperatorId()}));
      }
      return new Page<Alert>(items, r.getNextPageToken());
    });
  }

  /**
   * Blocking {@link #listAlertsAsync}.
   *
   * @param pageSize at most this many; 0 for the default
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<Alert> listAlerts(int pageSize, String pageToken) {
    return Channels.join(listAlertsAsync(pageSize, pageToken));
  }
  /**
   * Every fraud alert, oldest first, fetched a page at a time as the iteration goes on.
   *
   * @return the alerts; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<Alert> listAllAlerts() {
    return new Pages<Alert>(token -> listAlerts(Pages.PAGE_SIZE, token));
  }


  /**
   * Day-end totals of one institution for one day (the 3201 analogue).
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time (UTC+8)
   * @return the settlements and refunds of the day, in all and per reconciliation group
   */
  public CompletableFuture<Reconciliation> reconcileAsync(String fixmedinsCode, String date) {
    checkOpen();
    ReconcileRequest req = ReconcileRequest.newBuilder().setFixmedinsCode(Checks.notNull(fixmedinsCode, "fixmedinsCode"))
        .setDate(Mapping.date(Checks.notNull(date, "date"))).build();
    return channels.call(AdminServiceGrpc.getReconcileMethod(), req, null).thenApply(r -> {
      List<Reconciliation.GroupTotals> groups = new ArrayList<Reconciliation.GroupTotals>();
      for (ReconcileGroupTotals g : r.getGroupsList()) {
        groups.add(new Reconciliation.GroupTotals(new ReconcileGroup(g.getInsutype(), g.getClrType(), g.getSetlOptins()),
            totals(g.getSettlements()), totals(g.getRefunds())));
      }
      return new Reconciliation(r.getFixmedinsCode(), Mapping.text(r.getDate()), totals(r.getSettlements()), totals(r.getRefunds()),
          groups);
    });
  }

  /**
   * Blocking {@link #reconcileAsync}.
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time
   * @return the day's totals
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#INSTITUTION_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Reconciliation reconcile(String fixmedinsCode, String date) {
    return Channels.join(reconcileAsync(fixmedinsCode, date));
  }

  /**
   * One page of the settlements and refunds behind a day's totals (the 3202 analogue), in time order.
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<ReconcileLine>> listReconcileDetailsAsync(String fixmedinsCode, String date,
      int pageSize, String pageToken) {
    return listReconcileDetailsAsync(fixmedinsCode, date, null, pageSize, pageToken);
  }

  /**
   * One page of the lines of one reconciliation group behind a day's totals, as 3202 filters them.
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time
   * @param group the group, an empty code taking every value of it ({@link ReconcileGroup#of}); null for all lines
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page of the same group; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<ReconcileLine>> listReconcileDetailsAsync(String fixmedinsCode, String date,
      ReconcileGroup group, int pageSize, String pageToken) {
    checkOpen();
    ListReconcileDetailsRequest.Builder b = ListReconcileDetailsRequest.newBuilder()
        .setFixmedinsCode(Checks.notNull(fixmedinsCode, "fixmedinsCode")).setDate(Mapping.date(Checks.notNull(date, "date")))
        .setPageSize(pageSize).setPageToken(Checks.notNull(pageToken, "pageToken"));
    if (group != null) {
      b.setInsutype(group.insutype()).setClrType(group.clrType()).setSetlOptins(group.setlOptins());
    }
    ListReconcileDetailsRequest req = b.build();
    return channels.call(AdminServiceGrpc.getListReconcileDetailsMethod(), req, null).thenApply(r -> {
      List<ReconcileLine> items = new ArrayList<ReconcileLine>();
      for (ReconcileDetail d : r.getDetailsList()) {
        items.add(new ReconcileLine(d.getTransactionId(), d.getKind(), Mapping.millis(d.getTime()), d.getTotalFen(),
            d.getAccountPayFen(), d.getMutualAidPayFen(), d.getCashPayFen(),
            new ReconcileGroup(d.getInsutype(), d.getClrType(), d.getSetlOptins())));
      }
      return new Page<ReconcileLine>(items, r.getNextPageToken());
    });
  }

  /**
   * Blocking {@link #listReconcileDetailsAsync}.
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time
   * @param pageSize at most this many; 0 for the default
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<ReconcileLine> listReconcileDetails(String fixmedinsCode, String date, int pageSize, String pageToken) {
    return Channels.join(listReconcileDetailsAsync(fixmedinsCode, date, pageSize, pageToken));
  }

  /**
   * Blocking {@link #listReconcileDetailsAsync(String, String, ReconcileGroup, int, String)}.
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time
   * @param group the group ({@link ReconcileGroup#of}); null for all lines
   * @param pageSize at most this many; 0 for the default
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<ReconcileLine> listReconcileDetails(String fixmedinsCode, String date, ReconcileGroup group,
      int pageSize, String pageToken) {
    return Channels.join(listReconcileDetailsAsync(fixmedinsCode, date, group, pageSize, pageToken));
  }
  /**
   * Every reconciliation line (3202) of an institution's day, fetched a page at a time as the
   * iteration goes on.
   *
   * @param fixmedinsCode the institution
   * @param date the day, yyyy-MM-dd in China time
   * @return the lines; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<ReconcileLine> listAllReconcileDetails(final String fixmedinsCode, final String date) {
    return listAllReconcileDetails(fixmedinsCode, date, null);
  }

  /**
   * Every line of one reconciliation group of an institution's day, a page at a time.
   *
   * @param fixmedinsCode the institution
   * @param date the day, yyyy-MM-dd in China time
   * @param group the group ({@link ReconcileGroup#of}); null for all lines
   * @return the lines; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<ReconcileLine> listAllReconcileDetails(final String fixmedinsCode, final String date,
      final ReconcileGroup group) {
    return new Pages<ReconcileLine>(token -> listReconcileDetails(fixmedinsCode, date, group, Pages.PAGE_SIZE, token));
  }


  // ---- plumbing -------------------------------------------------------------------------------

  /** The caller's request id, or a fresh one (a UUID) that every attempt of the call sends. */
  private static String requestId(RequestOptions options) {
    return options.requestId() != null ? options.requestId() : java.util.UUID.randomUUID().toString();
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the client is closed");
    }
  }

  private static final List<String> RELATIONSHIPS =
      Arrays.asList("SPOUSE", "PARENT", "CHILD", "SIBLING", "GRANDPARENT", "GRANDCHILD");

  private static Relationship relationship(String name) {
    Checks.notNull(name, "relationship");
    Checks.argument(RELATIONSHIPS.contains(name), "relationship: " + name + " (expected: one of " + RELATIONSHIPS + ")");
    return Relationship.valueOf("RELATIONSHIP_" + name);
  }

  private static BindingRole role(Role role) {
    switch (Checks.notNull(role, "role")) {
      case AUTHORIZER:
        return BindingRole.BINDING_ROLE_AUTHORIZER;
      case BENEFICIARY:
        return BindingRole.BINDING_ROLE_BENEFICIARY;
      default:
        return BindingRole.BINDING_ROLE_EITHER;
    }
  }

  private static String strip(String prefix, String name) {
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }

  private static Binding binding(gongji.v1.Binding b) {
    return new Binding(b.getBindingId(), b.getAuthorizerPsnNo(), b.getBeneficiaryPsnNo(),
        strip("RELATIONSHIP_", b.getRelationship().name()), b.getQuotaFen(), b.getUsedFen(),
        strip("BINDING_STATE_", b.getState().name()), b.getEvidenceRef(), b.getEndReason(), b.getWalletFen());
  }

  private static Wallet wallet(gongji.v1.Wallet w) {
    List<WalletTransfer> transfers = new ArrayList<WalletTransfer>();
    for (gongji.v1.WalletTransfer t : w.getTransfersList()) {
      transfers.add(walletTransfer(t));
    }
    return new Wallet(w.getPsnNo(), w.getOpen(), Mapping.millis(w.getOpenTime()), w.getAvailableFen(), w.getPendingFen(),
        w.getTransfersToday(), transfers);
  }

  private static WalletTransfer walletTransfer(gongji.v1.WalletTransfer t) {
    return new WalletTransfer(t.getTransferId(), t.getAuthorizerPsnNo(), t.getBeneficiaryPsnNo(), t.getBindingId(),
        t.getAmountFen(), t.getRemainingFen(), t.getSpentFen(), strip("WALLET_TRANSFER_STATE_", t.getState().name()),
        Mapping.millis(t.getCreateTime()), Mapping.millis(t.getAcceptDeadline()), t.getEndReason());
  }

  private static RegionPolicySettings.MutualAidOrder mutualAidOrder(MutualAidOrder order) {
    switch (order) {
      case MUTUAL_AID_ORDER_CLOSEST_RELATIVE:
        return RegionPolicySettings.MutualAidOrder.CLOSEST_RELATIVE;
      case MUTUAL_AID_ORDER_LARGEST_AVAILABLE:
        return RegionPolicySettings.MutualAidOrder.LARGEST_AVAILABLE;
      default:
        return RegionPolicySettings.MutualAidOrder.BINDING;
    }
  }

  private static Account account(gongji.v1.Account a) {
    return new Account(a.getPsnNo(), a.getBalanceFen(), a.getHeldFen(), a.getAvailableFen());
  }

  private static Reconciliation.Totals totals(ReconcileTotals t) {
    return new Reconciliation.Totals(t.getCount(), t.getTotalFen(), t.getAccountPayFen(), t.getMutualAidPayFen(),
        t.getCashPayFen());
  }

  private static InsuredPerson insured(gongji.v1.Insured i) {
    List<Credential> credentials = new ArrayList<Credential>();
    for (gongji.v1.Credential c : i.getCredentialsList()) {
      credentials.add(new Credential(Credential.Type.valueOf(strip("CREDENTIAL_TYPE_", c.getType().name())),
          c.getNumber()));
    }
    return new InsuredPerson(i.getPsnNo(), i.getName(), strip("INSURANCE_TYPE_", i.getInsuranceType().name()),
        strip("INSURED_STATUS_", i.getStatus().name()), i.getInsuplcAdmdvs(), credentials);
  }

  /**
   * Shuts the connection down, waiting up to 5 s for calls in flight. Later calls throw {@link
   * IllegalStateException}. Closing twice is harmless.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      channels.shutdown();
    }
  }
}
