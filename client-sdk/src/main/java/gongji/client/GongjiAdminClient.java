package gongji.client;

import gongji.client.internal.Mapping;
import gongji.v1.BindingRole;
import gongji.v1.MutualAidOrder;
import gongji.v1.ReconcileTotals;
import gongji.v1.Relationship;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Gongji back-office client of the insurance agency: institutions, insured persons, accounts,
 * family mutual-aid bindings (家庭共济), region policies, life events, fraud alerts and day-end
 * reconciliation. One per application, thread-safe, shared by all threads; not for terminals (see
 * {@link GongjiClient}). Its calls are grouped by area: {@link #family()} (bindings, quotas,
 * premiums), {@link #wallets()}, {@link #reference()} (institutions, insured persons, region
 * policies), {@link #accounts()} (credits, balances, death and payout) and {@link #records()} (usage
 * records, alerts, reconciliation). Each call comes in a blocking form and an async form returning a
 * {@link CompletableFuture}.
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
 *   Binding b = admin.family().requestBinding(authorizer, beneficiary, "SPOUSE", "HUKOU-0042", 0);
 *   admin.family().reviewBinding(b.id(), true, "household register seen");
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
  private final FamilyAdmin family = new FamilyAdmin(this);
  private final WalletAdmin wallets = new WalletAdmin(this);
  private final ReferenceAdmin reference = new ReferenceAdmin(this);
  private final AccountAdmin accounts = new AccountAdmin(this);
  private final RecordsAdmin records = new RecordsAdmin(this);

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

  // ---- the calls, by area --------------------------------------------------------------------

  /**
   * Bindings: request, review, dissolve, create, look up, list; quotas; premiums paid for relatives.
   *
   * @return the calls of this area, on this client's channels
   */
  public FamilyAdmin family() {
    return family;
  }

  /**
   * Wallets (医保钱包): open, assign quota, accept or decline a transfer, look up, list.
   *
   * @return the calls of this area, on this client's channels
   */
  public WalletAdmin wallets() {
    return wallets;
  }

  /**
   * Reference data: institutions, insured persons, region policies.
   *
   * @return the calls of this area, on this client's channels
   */
  public ReferenceAdmin reference() {
    return reference;
  }

  /**
   * Personal accounts: credits, balances, a death and the payout to heirs.
   *
   * @return the calls of this area, on this client's channels
   */
  public AccountAdmin accounts() {
    return accounts;
  }

  /**
   * Usage records, fraud alerts and day-end reconciliation.
   *
   * @return the calls of this area, on this client's channels
   */
  public RecordsAdmin records() {
    return records;
  }

  /** The channels the area clients call on. */
  Channels channels() {
    return channels;
  }

  // ---- plumbing -------------------------------------------------------------------------------

  /** The caller's request id, or a fresh one (a UUID) that every attempt of the call sends. */
  static String requestId(RequestOptions options) {
    return options.requestId() != null ? options.requestId() : java.util.UUID.randomUUID().toString();
  }

  void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the client is closed");
    }
  }

  static final List<String> RELATIONSHIPS =
      Arrays.asList("SPOUSE", "PARENT", "CHILD", "SIBLING", "GRANDPARENT", "GRANDCHILD");

  static Relationship relationship(String name) {
    Checks.notNull(name, "relationship");
    Checks.argument(RELATIONSHIPS.contains(name), "relationship: " + name + " (expected: one of " + RELATIONSHIPS + ")");
    return Relationship.valueOf("RELATIONSHIP_" + name);
  }

  static BindingRole role(Role role) {
    switch (Checks.notNull(role, "role")) {
      case AUTHORIZER:
        return BindingRole.BINDING_ROLE_AUTHORIZER;
      case BENEFICIARY:
        return BindingRole.BINDING_ROLE_BENEFICIARY;
      default:
        return BindingRole.BINDING_ROLE_EITHER;
    }
  }

  static String strip(String prefix, String name) {
    return name.startsWith(prefix) ? name.substring(prefix.length()) : name;
  }

  static Binding binding(gongji.v1.Binding b) {
    return new Binding(b.getBindingId(), b.getAuthorizerPsnNo(), b.getBeneficiaryPsnNo(),
        strip("RELATIONSHIP_", b.getRelationship().name()), b.getQuotaFen(), b.getUsedFen(),
        strip("BINDING_STATE_", b.getState().name()), b.getEvidenceRef(), b.getEndReason(), b.getWalletFen());
  }

  static Wallet wallet(gongji.v1.Wallet w) {
    List<WalletTransfer> transfers = new ArrayList<WalletTransfer>();
    for (gongji.v1.WalletTransfer t : w.getTransfersList()) {
      transfers.add(walletTransfer(t));
    }
    return new Wallet(w.getPsnNo(), w.getOpen(), Mapping.millis(w.getOpenTime()), w.getAvailableFen(), w.getPendingFen(),
        w.getTransfersToday(), transfers);
  }

  static WalletTransfer walletTransfer(gongji.v1.WalletTransfer t) {
    return new WalletTransfer(t.getTransferId(), t.getAuthorizerPsnNo(), t.getBeneficiaryPsnNo(), t.getBindingId(),
        t.getAmountFen(), t.getRemainingFen(), t.getSpentFen(), strip("WALLET_TRANSFER_STATE_", t.getState().name()),
        Mapping.millis(t.getCreateTime()), Mapping.millis(t.getAcceptDeadline()), t.getEndReason());
  }

  static RegionPolicySettings.MutualAidOrder mutualAidOrder(MutualAidOrder order) {
    switch (order) {
      case MUTUAL_AID_ORDER_CLOSEST_RELATIVE:
        return RegionPolicySettings.MutualAidOrder.CLOSEST_RELATIVE;
      case MUTUAL_AID_ORDER_LARGEST_AVAILABLE:
        return RegionPolicySettings.MutualAidOrder.LARGEST_AVAILABLE;
      default:
        return RegionPolicySettings.MutualAidOrder.BINDING;
    }
  }

  static Account account(gongji.v1.Account a) {
    return new Account(a.getPsnNo(), a.getBalanceFen(), a.getHeldFen(), a.getAvailableFen());
  }

  static Reconciliation.Totals totals(ReconcileTotals t) {
    return new Reconciliation.Totals(t.getCount(), t.getTotalFen(), t.getAccountPayFen(), t.getMutualAidPayFen(),
        t.getCashPayFen());
  }

  static InsuredPerson insured(gongji.v1.Insured i) {
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
