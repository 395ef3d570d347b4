package gongji.client;

import gongji.client.internal.Mapping;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.Institution;
import gongji.v1.InsuredLineResult;
import gongji.v1.ItemCategory;
import gongji.v1.MutualAidOrder;
import gongji.v1.RegionPolicy;
import gongji.v1.RegisterInstitutionRequest;
import gongji.v1.UpdateRegionPolicyRequest;
import gongji.v1.UpsertInsuredRequest;
import gongji.v1.UpsertInsuredsRequest;
import gongji.v1.UpsertInsuredsResponse;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The back office's reference data: designated institutions, insured persons and region policies. Reached through {@link GongjiAdminClient#reference()}: thread-safe, closed with
 * its client.
 */
public final class ReferenceAdmin {
  private final GongjiAdminClient client;

  ReferenceAdmin(GongjiAdminClient client) {
    this.client = client;
  }

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
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    RegisterInstitutionRequest req = RegisterInstitutionRequest.newBuilder().setRequestId(requestId).setInstitution(Institution.newBuilder()
        .setFixmedinsCode(Checks.notNull(fixmedinsCode, "fixmedinsCode")).setName(Checks.notNull(name, "name"))
        .addAllTerminalIds(Checks.notNull(terminalIds, "terminalIds"))).build();
    return client.channels().call(AdminServiceGrpc.getRegisterInstitutionMethod(), req, requestId, options.deadlineMillis()).thenApply(r -> (Void) null);
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
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    Checks.notNull(person, "person");
    UpsertInsuredRequest req = UpsertInsuredRequest.newBuilder().setRequestId(requestId).setInsured(insured(person)).build();
    return client.channels().call(AdminServiceGrpc.getUpsertInsuredMethod(), req, requestId, options.deadlineMillis()).thenApply(GongjiAdminClient::insured);
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

  /** The most persons one {@link #upsertInsureds} takes: a region's register is sent in batches of this many. */
  public static final int MAX_PERSONS_PER_BATCH = 1_000;

  /**
   * Creates or updates many insured persons at once (loading a region's register). Each person is its
   * own idempotent {@link #upsertInsured}, keyed by the batch's request id and its position: a person
   * may be refused (e.g. {@link RejectionReason#CREDENTIAL_IN_USE}) while the others apply, and the same
   * batch sent again applies no person twice and returns each line's first result. A malformed person
   * refuses the whole batch, {@link RejectionReason#FIELD_INVALID} naming {@code insureds[i]} and the
   * field; nothing of it is applied.
   *
   * @param persons the persons as they should be, 1 to {@value #MAX_PERSONS_PER_BATCH}
   * @param options the batch's request id (1 to 50 characters of [A-Za-z0-9_-]; made up by the client when
   *     absent; a retry sends the same) and deadline (a full batch may need more than the client's default)
   * @return the persons in order, each {@link InsuredLine#applied() applied} or with its {@link InsuredLine#rejection()}
   */
  public CompletableFuture<List<InsuredLine>> upsertInsuredsAsync(List<InsuredPerson> persons, RequestOptions options) {
    client.checkOpen();
    Checks.notNull(options, "options");
    final List<InsuredPerson> sent = Batches.lines(persons, "persons", MAX_PERSONS_PER_BATCH);
    String requestId = Batches.requestId(options);
    UpsertInsuredsRequest.Builder b = UpsertInsuredsRequest.newBuilder().setRequestId(requestId);
    for (InsuredPerson p : sent) {
      b.addInsureds(insured(p));
    }
    return client.channels().call(AdminServiceGrpc.getUpsertInsuredsMethod(), b.build(), requestId, options.deadlineMillis())
        .thenApply((UpsertInsuredsResponse r) -> {
          List<InsuredLine> out = new ArrayList<InsuredLine>(r.getResultsCount());
          for (int i = 0; i < r.getResultsCount(); i++) {
            InsuredLineResult x = r.getResults(i);
            out.add(x.getErrorReason().isEmpty() ? new InsuredLine(i, sent.get(i), null, "")
                : new InsuredLine(i, sent.get(i), RejectionReason.of(x.getErrorReason()), x.getErrorMessage()));
          }
          return out;
        });
  }

  /**
   * {@link #upsertInsuredsAsync(List, RequestOptions)} under this batch id, with the client's default deadline.
   *
   * @param requestId the idempotency key of the batch, 1 to 50 characters of [A-Za-z0-9_-]
   * @param persons as there
   * @return as there
   */
  public CompletableFuture<List<InsuredLine>> upsertInsuredsAsync(String requestId, List<InsuredPerson> persons) {
    return upsertInsuredsAsync(persons, RequestOptions.requestId(Checks.notNull(requestId, "requestId")));
  }

  /**
   * Blocking {@link #upsertInsuredsAsync(List, RequestOptions)}.
   *
   * @param persons the persons as they should be, 1 to {@value #MAX_PERSONS_PER_BATCH}
   * @param options the batch's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the persons in order, each applied or refused
   * @throws GongjiRejectedException if the gateway refused the whole batch (e.g. {@link RejectionReason#FIELD_INVALID})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public List<InsuredLine> upsertInsureds(List<InsuredPerson> persons, RequestOptions options) {
    return Channels.join(upsertInsuredsAsync(persons, options));
  }

  /**
   * Blocking {@link #upsertInsuredsAsync(String, List)}.
   *
   * @param requestId the idempotency key of the batch
   * @param persons the persons as they should be
   * @return the persons in order, each applied or refused
   * @throws GongjiRejectedException if the gateway refused the whole batch (e.g. {@link RejectionReason#FIELD_INVALID})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public List<InsuredLine> upsertInsureds(String requestId, List<InsuredPerson> persons) {
    return Channels.join(upsertInsuredsAsync(requestId, persons));
  }

  /** A person as the wire has them. */
  private static gongji.v1.Insured insured(InsuredPerson person) {
    gongji.v1.Insured.Builder b = gongji.v1.Insured.newBuilder().setPsnNo(person.psnNo()).setName(person.name())
        .setInsuranceType(gongji.v1.InsuranceType.valueOf("INSURANCE_TYPE_" + person.insuranceType()))
        .setStatus(gongji.v1.InsuredStatus.valueOf("INSURED_STATUS_" + person.status()))
        .setInsuplcAdmdvs(person.admdvs());
    for (Credential c : person.credentials()) {
      b.addCredentials(Mapping.credential(c));
    }
    return b.build();
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
    client.checkOpen();
    Checks.notNull(changes, "changes");
    Checks.notNull(options, "options");
    Checks.argument(!changes.updateMask().isEmpty(), "changes: no setting given (expected: at least one)");
    String requestId = GongjiAdminClient.requestId(options);
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
    return client.channels().call(AdminServiceGrpc.getUpdateRegionPolicyMethod(), req, requestId, options.deadlineMillis())
        .thenApply(ReferenceAdmin::policy);
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
    client.checkOpen();
    gongji.v1.GetRegionPolicyRequest req = gongji.v1.GetRegionPolicyRequest.newBuilder()
        .setAdmdvs(Checks.notNull(admdvs, "admdvs")).build();
    return client.channels().call(AdminServiceGrpc.getGetRegionPolicyMethod(), req, null).thenApply(ReferenceAdmin::policy);
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

  static RegionPolicySettings policy(RegionPolicy p) {
    RegionPolicySettings.Builder s = RegionPolicySettings.builder(p.getAdmdvs()).name(p.getName())
        .retainedFloorFen(p.getRetainedFloorFen()).extendedRelativesAllowed(p.getExtendedRelativesAllowed())
        .quotaAllowed(p.getQuotaAllowed()).crossProvinceEnabled(p.getCrossProvinceEnabled())
        .holdTtlSeconds(p.getHoldTtlSeconds()).maxMutualAidUsesPerDay(p.getMaxMutualAidUsesPerDay())
        .maxMutualAidFenPerDay(p.getMaxMutualAidFenPerDay())
        .walletMaxTransfersPerDay(p.getWalletMaxTransfersPerDay()).walletMaxTransferFen(p.getWalletMaxTransferFen())
        .walletQuietHours(p.getWalletQuietFromHour(), p.getWalletQuietUntilHour())
        .mutualAidOrder(GongjiAdminClient.mutualAidOrder(p.getMutualAidOrder()));
    for (ItemCategory c : p.getOptionalCategoriesAllowedList()) {
      s.allowOptionalCategory(Item.Category.valueOf(GongjiAdminClient.strip("ITEM_CATEGORY_", c.name())));
    }
    return s.read();
  }
}
