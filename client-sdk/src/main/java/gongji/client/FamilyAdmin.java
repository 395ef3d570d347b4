package gongji.client;

import gongji.v1.AdminServiceGrpc;
import gongji.v1.BindingLineResult;
import gongji.v1.CreateBindingRequest;
import gongji.v1.CreateBindingsRequest;
import gongji.v1.CreateBindingsResponse;
import gongji.v1.DissolveBindingRequest;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.ListBindingsRequest;
import gongji.v1.PayPremiumRequest;
import gongji.v1.RequestBindingRequest;
import gongji.v1.ReviewBindingRequest;
import gongji.v1.UpdateBindingQuotaRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The back office's calls on family mutual-aid bindings (家庭共济): request, review, dissolve, create, look
 * up and list bindings, change a quota, pay a relative's resident premium (代缴). Reached through {@link GongjiAdminClient#family()}: thread-safe, closed with
 * its client.
 */
public final class FamilyAdmin {
  private final GongjiAdminClient client;

  FamilyAdmin(GongjiAdminClient client) {
    this.client = client;
  }

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
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    RequestBindingRequest req = RequestBindingRequest.newBuilder().setRequestId(requestId)
        .setAuthorizerPsnNo(Checks.notNull(authorizerPsnNo, "authorizerPsnNo"))
        .setBeneficiaryPsnNo(Checks.notNull(beneficiaryPsnNo, "beneficiaryPsnNo"))
        .setRelationship(GongjiAdminClient.relationship(relationship))
        .setEvidenceRef(Checks.notNull(evidenceRef, "evidenceRef"))
        .setQuotaFen(quotaFen).build();
    return client.channels().call(FamilyServiceGrpc.getRequestBindingMethod(), req, requestId, options.deadlineMillis())
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
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    ReviewBindingRequest req = ReviewBindingRequest.newBuilder().setRequestId(requestId).setBindingId(Checks.notNull(bindingId, "bindingId"))
        .setApprove(approve).setNote(Checks.notNull(note, "note")).build();
    return client.channels().call(FamilyServiceGrpc.getReviewBindingMethod(), req, requestId, options.deadlineMillis()).thenApply(GongjiAdminClient::binding);
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
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    DissolveBindingRequest req = DissolveBindingRequest.newBuilder().setRequestId(requestId)
        .setBindingId(Checks.notNull(bindingId, "bindingId")).setByPsnNo(Checks.notNull(byPsnNo, "byPsnNo")).build();
    return client.channels().call(FamilyServiceGrpc.getDissolveBindingMethod(), req, requestId, options.deadlineMillis())
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
    client.checkOpen();
    gongji.v1.GetBindingRequest req = gongji.v1.GetBindingRequest.newBuilder()
        .setBindingId(Checks.notNull(bindingId, "bindingId")).build();
    return client.channels().call(FamilyServiceGrpc.getGetBindingMethod(), req, null).thenApply(GongjiAdminClient::binding);
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
  public CompletableFuture<Page<Binding>> listBindingsAsync(String psnNo, GongjiAdminClient.Role role, int pageSize, String pageToken) {
    client.checkOpen();
    ListBindingsRequest req = ListBindingsRequest.newBuilder().setPsnNo(Checks.notNull(psnNo, "psnNo"))
        .setRole(GongjiAdminClient.role(role)).setPageSize(pageSize).setPageToken(Checks.notNull(pageToken, "pageToken")).build();
    return client.channels().call(FamilyServiceGrpc.getListBindingsMethod(), req, null).thenApply(r -> {
      List<Binding> items = new ArrayList<Binding>();
      for (gongji.v1.Binding b : r.getBindingsList()) {
        items.add(GongjiAdminClient.binding(b));
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
  public Page<Binding> listBindings(String psnNo, GongjiAdminClient.Role role, int pageSize, String pageToken) {
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
  public Iterable<Binding> listAllBindings(final String psnNo, final GongjiAdminClient.Role role) {
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
    client.checkOpen();
    PayPremiumRequest req = PayPremiumRequest.newBuilder().setRequestId(Checks.notNull(requestId, "requestId"))
        .setPayerPsnNo(Checks.notNull(payerPsnNo, "payerPsnNo"))
        .setBeneficiaryPsnNo(Checks.notNull(beneficiaryPsnNo, "beneficiaryPsnNo"))
        .setAmountFen(amountFen).setYear(year).build();
    return client.channels().call(FamilyServiceGrpc.getPayPremiumMethod(), req, requestId)
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
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    UpdateBindingQuotaRequest req = UpdateBindingQuotaRequest.newBuilder().setRequestId(requestId)
        .setBindingId(Checks.notNull(bindingId, "bindingId")).setByPsnNo(Checks.notNull(byPsnNo, "byPsnNo"))
        .setQuotaFen(quotaFen).build();
    return client.channels().call(FamilyServiceGrpc.getUpdateBindingQuotaMethod(), req, requestId, options.deadlineMillis())
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
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    CreateBindingRequest req = CreateBindingRequest.newBuilder().setRequestId(requestId)
        .setAuthorizerPsnNo(Checks.notNull(authorizerPsnNo, "authorizerPsnNo"))
        .setBeneficiaryPsnNo(Checks.notNull(beneficiaryPsnNo, "beneficiaryPsnNo"))
        .setRelationship(GongjiAdminClient.relationship(relationship)).setQuotaFen(quotaFen).build();
    return client.channels().call(AdminServiceGrpc.getCreateBindingMethod(), req, requestId, options.deadlineMillis()).thenApply(GongjiAdminClient::binding);
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

  /** The most lines one {@link #createBindings} takes: a region's bindings are sent in batches of this many. */
  public static final int MAX_BINDINGS_PER_BATCH = 10_000;

  /**
   * Creates many ACTIVE mutual-aid bindings at once (loading a region's register, the relationships
   * already verified by the agency). Each line is its own idempotent {@link #createBinding}, keyed by the
   * batch's request id and its position: a line may be refused (e.g. {@link RejectionReason#PATIENT_NOT_FOUND})
   * while the others apply, and the same batch sent again creates no binding twice and returns each line's
   * first result, the same binding ids. A malformed line refuses the whole batch, {@link
   * RejectionReason#FIELD_INVALID} naming {@code lines[i]} and the field; nothing of it is applied.
   *
   * @param lines the bindings, 1 to {@value #MAX_BINDINGS_PER_BATCH}
   * @param options the batch's request id (1 to 50 characters of [A-Za-z0-9_-]; made up by the client when
   *     absent; a retry sends the same) and deadline (a full batch may need more than the client's default)
   * @return the lines in order, each {@link BindingLine#applied() created} with its {@link BindingLine#binding()}
   *     or with its {@link BindingLine#rejection()}
   */
  public CompletableFuture<List<BindingLine>> createBindingsAsync(List<BindingLine> lines, RequestOptions options) {
    client.checkOpen();
    Checks.notNull(options, "options");
    final List<BindingLine> sent = Batches.lines(lines, "lines", MAX_BINDINGS_PER_BATCH);
    String requestId = Batches.requestId(options);
    CreateBindingsRequest.Builder b = CreateBindingsRequest.newBuilder().setRequestId(requestId);
    for (BindingLine line : sent) {
      b.addLines(gongji.v1.BindingLine.newBuilder().setAuthorizerPsnNo(line.authorizerPsnNo())
          .setBeneficiaryPsnNo(line.beneficiaryPsnNo()).setRelationship(GongjiAdminClient.relationship(line.relationship()))
          .setQuotaFen(line.quotaFen()));
    }
    return client.channels().call(AdminServiceGrpc.getCreateBindingsMethod(), b.build(), requestId, options.deadlineMillis())
        .thenApply((CreateBindingsResponse r) -> {
          List<BindingLine> out = new ArrayList<BindingLine>(r.getResultsCount());
          for (int i = 0; i < r.getResultsCount(); i++) {
            BindingLineResult x = r.getResults(i);
            out.add(x.getErrorReason().isEmpty()
                ? sent.get(i).answered(i, GongjiAdminClient.binding(x.getBinding()), null, "")
                : sent.get(i).answered(i, null, RejectionReason.of(x.getErrorReason()), x.getErrorMessage()));
          }
          return out;
        });
  }

  /**
   * {@link #createBindingsAsync(List, RequestOptions)} under this batch id, with the client's default deadline.
   *
   * @param requestId the idempotency key of the batch, 1 to 50 characters of [A-Za-z0-9_-]
   * @param lines as there
   * @return as there
   */
  public CompletableFuture<List<BindingLine>> createBindingsAsync(String requestId, List<BindingLine> lines) {
    return createBindingsAsync(lines, RequestOptions.requestId(Checks.notNull(requestId, "requestId")));
  }

  /**
   * Blocking {@link #createBindingsAsync(List, RequestOptions)}.
   *
   * @param lines the bindings, 1 to {@value #MAX_BINDINGS_PER_BATCH}
   * @param options the batch's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the lines in order, each created or refused
   * @throws GongjiRejectedException if the gateway refused the whole batch (e.g. {@link RejectionReason#FIELD_INVALID})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public List<BindingLine> createBindings(List<BindingLine> lines, RequestOptions options) {
    return Channels.join(createBindingsAsync(lines, options));
  }

  /**
   * Blocking {@link #createBindingsAsync(String, List)}.
   *
   * @param requestId the idempotency key of the batch
   * @param lines the bindings
   * @return the lines in order, each created or refused
   * @throws GongjiRejectedException if the gateway refused the whole batch (e.g. {@link RejectionReason#FIELD_INVALID})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public List<BindingLine> createBindings(String requestId, List<BindingLine> lines) {
    return Channels.join(createBindingsAsync(requestId, lines));
  }
}
