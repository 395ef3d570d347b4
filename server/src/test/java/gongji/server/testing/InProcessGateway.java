package gongji.server.testing;

import static java.util.Objects.requireNonNull;

import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import gongji.server.GatewayServer;
import gongji.server.Node;
import gongji.server.ledger.Command;
import gongji.server.ledger.Journal;
import gongji.server.ledger.Result;
import gongji.v1.Account;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.Alert;
import gongji.v1.Binding;
import gongji.v1.BindingRole;
import gongji.v1.DissolveBindingRequest;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.ListAlertsRequest;
import gongji.v1.ListAlertsResponse;
import gongji.v1.ListBindingsRequest;
import gongji.v1.ListBindingsResponse;
import gongji.v1.ListUsageRecordsRequest;
import gongji.v1.ListUsageRecordsResponse;
import gongji.v1.RecordDeathRequest;
import gongji.v1.RequestBindingRequest;
import gongji.v1.ReviewBindingRequest;
import gongji.v1.UsageRecord;
import gongji.v1.CreateBindingRequest;
import gongji.v1.CreditAccountRequest;
import gongji.v1.Credential;
import gongji.v1.CredentialType;
import gongji.v1.GetAccountRequest;
import gongji.v1.Institution;
import gongji.v1.InsuranceType;
import gongji.v1.Insured;
import gongji.v1.InsuredStatus;
import gongji.v1.ItemCategory;
import gongji.v1.RegionPolicy;
import gongji.v1.RegisterInstitutionRequest;
import gongji.v1.Relationship;
import gongji.v1.UpdateRegionPolicyRequest;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.UpsertInsuredRequest;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole gateway node on an in-process gRPC server, for service tests: the real services, health
 * and reflection, an in-memory ledger ({@link Journal#NONE}) and a {@link MutableClock} that only a
 * test moves. Open it in {@code @BeforeEach}, close it in {@code @AfterEach}.
 *
 * <p>The back-office helpers ({@link #region}, {@link #employee}, {@link #credit}, {@link #bind} ...)
 * go through the real AdminService, so fixtures are built the way the agency would build them.
 */
public final class InProcessGateway implements AutoCloseable {
  /** How long any one call may take before the test fails instead of hanging. */
  private static final long CALL_DEADLINE_SECONDS = 10;

  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final MutableClock clock;
  private final Node node;
  private final GatewayServer server;
  private final ManagedChannel channel;
  private final Map<String, Insured> people = new HashMap<>();

  private InProcessGateway(MutableClock clock) throws Exception {
    this.clock = clock;
    this.node = new Node(GatewayConfig.forTests(), clock, Journal.NONE);
    String name = "gongji-test-" + SEQUENCE.incrementAndGet() + "-" + InProcessServerBuilder.generateName();
    try {
      this.server = GatewayServer.start(node, InProcessServerBuilder.forName(name).directExecutor(), Duration.ofSeconds(5));
    } catch (Exception e) {
      node.close();
      throw e;
    }
    this.channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  /** An empty gateway: no regions, institutions or people. */
  public static InProcessGateway start() throws Exception {
    return new InProcessGateway(MutableClock.atMondayMorning());
  }

  /** An empty gateway whose ledger time starts at {@code clock}. */
  public static InProcessGateway start(MutableClock clock) throws Exception {
    return new InProcessGateway(clock);
  }

  /** A gateway loaded with {@link DemoData}: the Lanzhou family, a pharmacy and a hospital. */
  public static InProcessGateway startWithDemoData() throws Exception {
    InProcessGateway g = start();
    try {
      DemoData.load(g.node.gateway());
    } catch (Exception e) {
      g.close();
      throw e;
    }
    return g;
  }

  public SettlementServiceGrpc.SettlementServiceBlockingStub settlement() {
    return SettlementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  public AdminServiceGrpc.AdminServiceBlockingStub admin() {
    return AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  public FamilyServiceGrpc.FamilyServiceBlockingStub family() {
    return FamilyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
  }

  public ManagedChannel channel() {
    return channel;
  }

  public MutableClock clock() {
    return clock;
  }

  public Node node() {
    return node;
  }

  /** The ledger's invariant violations (empty when sound), asked through the sequencer. */
  public List<String> audit() throws Exception {
    Result r = node.gateway().admin(new Command.Audit()).get(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
    return ((Result.AuditReport) r).violations();
  }

  // ---- back office, through AdminService ------------------------------------------------------

  /** Sets a region's policy; {@code optional} are the optional categories accounts may pay there. */
  public RegionPolicy region(String admdvs, long retainedFloorFen, boolean quotaAllowed, int holdTtlSeconds,
      ItemCategory... optional) {
    RegionPolicy policy = RegionPolicy.newBuilder()
        .setAdmdvs(admdvs)
        .setName("region " + admdvs)
        .setRetainedFloorFen(retainedFloorFen)
        .setExtendedRelativesAllowed(true)
        .setQuotaAllowed(quotaAllowed)
        .setCrossProvinceEnabled(true)
        .addAllOptionalCategoriesAllowed(Arrays.asList(optional))
        .setHoldTtlSeconds(holdTtlSeconds)
        .build();
    return policy(policy);
  }

  /**
   * Replaces a region's whole policy (update mask "*"), a setting left 0 taken as the national
   * default as the tests were written: holds of 1,800 s, 3 wallet transfers a day of 2,000 yuan,
   * quiet 22-6 (hours both 0), binding order.
   */
  public RegionPolicy policy(RegionPolicy policy) {
    return admin().updateRegionPolicy(replacing(policy));
  }

  /** An update that replaces the whole policy, 0 settings as the national defaults (see {@link #policy}). */
  public static UpdateRegionPolicyRequest replacing(RegionPolicy p) {
    RegionPolicy.Builder b = p.toBuilder();
    if (p.getHoldTtlSeconds() == 0) {
      b.setHoldTtlSeconds(1800);
    }
    if (p.getWalletMaxTransfersPerDay() == 0) {
      b.setWalletMaxTransfersPerDay(3);
    }
    if (p.getWalletMaxTransferFen() == 0) {
      b.setWalletMaxTransferFen(200_000);
    }
    if (p.getWalletQuietFromHour() == 0 && p.getWalletQuietUntilHour() == 0) {
      b.setWalletQuietFromHour(22).setWalletQuietUntilHour(6);
    }
    if (p.getMutualAidOrderValue() == 0) {
      b.setMutualAidOrder(gongji.v1.MutualAidOrder.MUTUAL_AID_ORDER_BINDING);
    }
    return UpdateRegionPolicyRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setPolicy(b)
        .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("*")).build();
  }

  public Institution institution(String code, String... terminalIds) {
    return admin().registerInstitution(RegisterInstitutionRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setInstitution(Institution.newBuilder().setFixmedinsCode(code).setName("institution " + code)
            .addAllTerminalIds(Arrays.asList(terminalIds)))
        .build());
  }

  /** An employee in normal status whose social security card number is {@code card}. */
  public Insured employee(String psnNo, String name, String admdvs, String card) {
    return upsert(insured(psnNo, name, InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC, admdvs, card));
  }

  /** A resident-insured person in normal status: no personal account. */
  public Insured resident(String psnNo, String name, String admdvs, String card) {
    return upsert(insured(psnNo, name, InsuranceType.INSURANCE_TYPE_RESIDENT_BASIC, admdvs, card));
  }

  /** Changes the insured status of a person created through this gateway. */
  public Insured status(String psnNo, InsuredStatus status) {
    Insured before = requireNonNull(people.get(psnNo), psnNo);
    return upsert(before.toBuilder().setStatus(status).build());
  }

  /** Moves a person's insurance to another pooling region (a transfer of the insurance relationship). */
  public Insured move(String psnNo, String admdvs) {
    Insured before = requireNonNull(people.get(psnNo), psnNo);
    return upsert(before.toBuilder().setInsuplcAdmdvs(admdvs).build());
  }

  /** Records a death through AdminService.RecordDeath. */
  public Insured recordDeath(String psnNo) {
    Insured after = admin().recordDeath(RecordDeathRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setPsnNo(psnNo).build());
    people.put(psnNo, after);
    return after;
  }

  /** A person in normal status with one social security card, as an UpsertInsured would send them. */
  public static Insured insured(String psnNo, String name, InsuranceType type, String admdvs, String card) {
    return Insured.newBuilder()
        .setPsnNo(psnNo)
        .setName(name)
        .setInsuranceType(type)
        .setStatus(InsuredStatus.INSURED_STATUS_NORMAL)
        .setInsuplcAdmdvs(admdvs)
        .addCredentials(Credential.newBuilder()
            .setType(CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD).setNumber(card))
        .build();
  }

  private Insured upsert(Insured insured) {
    Insured out = admin().upsertInsured(UpsertInsuredRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setInsured(insured).build());
    people.put(insured.getPsnNo(), insured);
    return out;
  }

  private final AtomicInteger credits = new AtomicInteger();

  public Account credit(String psnNo, long amountFen) {
    return admin().creditAccount(CreditAccountRequest.newBuilder()
        .setRequestId("credit-" + credits.incrementAndGet())
        .setPsnNo(psnNo)
        .setAmountFen(amountFen)
        .build());
  }

  /** Binds a beneficiary to an authorizer; returns the binding id. {@code quotaFen} 0 is no quota. */
  public String bind(String authorizer, String beneficiary, Relationship relationship, long quotaFen) {
    Binding b = admin().createBinding(CreateBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setAuthorizerPsnNo(authorizer)
        .setBeneficiaryPsnNo(beneficiary)
        .setRelationship(relationship)
        .setQuotaFen(quotaFen)
        .build());
    return b.getBindingId();
  }

  // ---- family mutual aid, through FamilyService -----------------------------------------------

  /** Asks for a binding (REQUESTED until reviewed); {@code quotaFen} 0 is no quota. */
  public Binding requestBinding(String authorizer, String beneficiary, Relationship relationship, long quotaFen) {
    return family().requestBinding(RequestBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setAuthorizerPsnNo(authorizer)
        .setBeneficiaryPsnNo(beneficiary)
        .setRelationship(relationship)
        .setEvidenceRef("hukou-" + authorizer + "-" + beneficiary)
        .setQuotaFen(quotaFen)
        .build());
  }

  /** The agency's review of a requested binding. */
  public Binding review(String bindingId, boolean approve, String note) {
    return family().reviewBinding(ReviewBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setBindingId(bindingId).setApprove(approve).setNote(note).build());
  }

  /** A party (or anyone, to see it refused) dissolves a binding. */
  public Binding dissolve(String bindingId, String byPsnNo) {
    return family().dissolveBinding(DissolveBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setBindingId(bindingId).setByPsnNo(byPsnNo).build());
  }

  /** Every binding of a person in a role, following page tokens with pages of {@code pageSize}. */
  public List<Binding> bindings(String psnNo, BindingRole role, int pageSize) {
    List<Binding> out = new ArrayList<>();
    String token = "";
    do {
      ListBindingsResponse page = family().listBindings(ListBindingsRequest.newBuilder()
          .setPsnNo(psnNo).setRole(role).setPageSize(pageSize).setPageToken(token).build());
      out.addAll(page.getBindingsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return out;
  }

  /** One binding by id, found among the authorizer's bindings. */
  public Binding binding(String authorizer, String bindingId) {
    return bindings(authorizer, BindingRole.BINDING_ROLE_AUTHORIZER, 1000).stream()
        .filter(b -> b.getBindingId().equals(bindingId)).findFirst()
        .orElseThrow(() -> new AssertionError("no binding " + bindingId + " of " + authorizer));
  }

  /** Every usage record of a person in a role and time range, following page tokens. */
  public List<UsageRecord> usage(String psnNo, BindingRole role, long startMillis, long endMillis, int pageSize) {
    List<UsageRecord> out = new ArrayList<>();
    String token = "";
    do {
      ListUsageRecordsRequest.Builder req = ListUsageRecordsRequest.newBuilder().setPsnNo(psnNo).setRole(role)
          .setPageSize(pageSize).setPageToken(token);
      if (startMillis != 0) {
        req.setStartTime(time(startMillis));
      }
      if (endMillis != 0) {
        req.setEndTime(time(endMillis));
      }
      ListUsageRecordsResponse page = family().listUsageRecords(req.build());
      out.addAll(page.getRecordsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return out;
  }

  /** Every alert the gateway recorded, oldest first, following page tokens. */
  public List<Alert> alerts() {
    List<Alert> out = new ArrayList<>();
    String token = "";
    do {
      ListAlertsResponse page = admin().listAlerts(ListAlertsRequest.newBuilder().setPageSize(50).setPageToken(token).build());
      out.addAll(page.getAlertsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return out;
  }

  public Account account(String psnNo) {
    return admin().getAccount(GetAccountRequest.newBuilder().setPsnNo(psnNo).build());
  }

  /** A wire time as epoch milliseconds. */
  public static long millis(com.google.protobuf.Timestamp t) {
    return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
  }

  /** Epoch milliseconds as a wire time. */
  public static com.google.protobuf.Timestamp time(long millis) {
    return com.google.protobuf.Timestamp.newBuilder().setSeconds(Math.floorDiv(millis, 1000))
        .setNanos(Math.floorMod(millis, 1000) * 1_000_000).build();
  }

  /** "yyyy-MM-dd" as a wire date. */
  public static com.google.type.Date date(String day) {
    java.time.LocalDate d = java.time.LocalDate.parse(day);
    return com.google.type.Date.newBuilder().setYear(d.getYear()).setMonth(d.getMonthValue())
        .setDay(d.getDayOfMonth()).build();
  }

  /** Stops taking calls, drains, closes the node (sequencer, journal) and the channel. */
  @Override
  public void close() {
    try {
      try {
        channel.shutdownNow();
        channel.awaitTermination(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS);
      } finally {
        server.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while closing the gateway", e);
    } catch (Exception e) {
      throw new IllegalStateException("closing the gateway failed", e);
    }
  }
}
