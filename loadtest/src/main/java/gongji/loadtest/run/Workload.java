package gongji.loadtest.run;

import gongji.server.DemoData;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.Binding;
import gongji.v1.BindingRole;
import gongji.v1.CreditAccountsRequest;
import gongji.v1.CreditAccountsResponse;
import gongji.v1.CreditLine;
import gongji.v1.Credential;
import gongji.v1.CredentialType;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.InsuranceType;
import gongji.v1.Insured;
import gongji.v1.InsuredStatus;
import gongji.v1.Institution;
import gongji.v1.ListBindingsRequest;
import gongji.v1.ListBindingsResponse;
import gongji.v1.RegionPolicy;
import gongji.v1.RegisterInstitutionRequest;
import gongji.v1.Relationship;
import gongji.v1.UpdateRegionPolicyRequest;
import gongji.v1.Terminal;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;

/**
 * The people, families and bindings a run works on, and the state they start from.
 *
 * <p>A generated data set ({@link #generated}) is {@code people} insured persons in families of
 * four, all in a region of the run's own ({@code 629900}: no retained floor, extended relatives and
 * quotas allowed, no daily mutual-aid limit), and a pharmacy and a hospital of the run's own:
 * <ul>
 *   <li>{@code A} and {@code B}: employees with 50,000 yuan each (the pharmacy-sale patients);
 *   <li>{@code C}: an employee with only 30 yuan of their own (the mutual-aid-sale patient);
 *   <li>{@code D}: resident-insured, no personal account.
 * </ul>
 * Bindings are created family by family in this order until {@code --bindings} are made: A lets C
 * draw, A lets D draw, B lets C draw, B lets D draw, A lets B draw, B lets A draw. Where A lets D
 * draw, D opens a wallet and A assigns it 20,000 yuan of quota, which D accepts: the wallet-sale
 * patients, who buy at a pharmacy in another province ({@code 359900}). The run's region has no
 * wallet quiet hours and the largest transfer limits, so that setup works at any hour. Person
 * numbers, cards and the institution codes carry the run's tag, so runs against one server do not
 * meet.
 *
 * <p><b>The active set.</b> A run draws the patients of its sales (the payers, the short patients,
 * the wallet patients) from the families of an <em>active set</em>: {@code activePeople} persons,
 * rounded up to whole families, chosen by the run's seed from the whole data set (every family when
 * {@code activePeople} is at least the data set: then the run is what it was before there was an
 * active set). Identify, which moves no money, asks about anyone in the data set. So a run on a
 * million persons touches the accounts of a few thousand, and only those need reading back.
 *
 * <p>The demo data set ({@link #demo}) is the one {@code gongji serve --demo} loads; all of it is
 * active. Either way the opening state is read back through the API ({@link #readBack}) before the
 * load starts: the auditor checks against what the server said then, not against what was sent.
 * What is read back is every account a sale of the run can draw on: the active persons' own, and,
 * following each binding in which an active person is the beneficiary (mutual aid, wallet quota),
 * its authorizer's, wherever in the data set they are; with an active set smaller than the data set,
 * also a seeded sample of the accounts outside both (as many as the active persons have, at most
 * {@link #UNTOUCHED_SAMPLE}), which no sale of the run can draw on and which must therefore not change.
 */
final class Workload {
  static final String REGION = "629900";
  /** A region in another province, where only wallet quota (and cross-province aid) reaches. */
  static final String FAR_REGION = "359900";
  /**
   * Wallet patients at most (a family's child, with four calls each at setup): enough distinct ones for
   * the wallet scenarios, and a set-up of a million persons that does not take a million wallet calls.
   */
  static final int MAX_WALLET_PATIENTS = 10_000;
  /** The quota each wallet patient's first relative assigns to their wallet at setup. */
  static final long WALLET_QUOTA_FEN = 2_000_000;
  static final long RICH_FEN = 5_000_000;
  static final long SHORT_FEN = 3_000;
  private static final int TERMINALS = 8;
  /**
   * The most accounts outside the active set and its relatives read before and after a run that has
   * an active set: a spot check that the gateway moved no money where no sale of the run could.
   */
  static final int UNTOUCHED_SAMPLE = 1_000;

  /**
   * What {@link #readBack} read: the active persons, how many accounts of each kind (the active
   * persons' own; their relatives' outside the active set, found through the bindings; the sample of
   * the rest), the bindings in which an active person is the beneficiary, and how long it took.
   */
  record ReadBack(int activePeople, int activeAccounts, int relativeAccounts, int sampledAccounts, int bindings,
      long millis) {
    int accounts() {
      return activeAccounts + relativeAccounts + sampledAccounts;
    }
  }

  /** One insured person of the data set; {@code index}: their place in {@link #people()}. */
  record Person(String psnNo, String card, boolean hasAccount, long creditFen, int index) {}

  private final String tag;
  private final String institution;
  private final String hospital;
  private final String farPharmacy;
  private final List<String> terminalIds;
  private final List<String> hospitalTerminalIds;
  /** The terminals sales are made at, built once: each sale names one (the auditor's books keep its place). */
  private final List<Terminal> terminals;
  private final List<Terminal> hospitalTerminals;
  private final List<Terminal> farTerminals;
  private final List<Person> people = new ArrayList<>();
  /** The persons whose sales the run makes: the active set (see above). */
  private final List<Person> active = new ArrayList<>();
  /** Active employees who pay for themselves (A, B). */
  private final List<Person> payers = new ArrayList<>();
  /** Active patients whose own account is short and who draw on relatives (C). */
  private final List<Person> shortPatients = new ArrayList<>();
  /** Active residents with an open wallet holding quota from a relative (D, where A lets D draw). */
  private final List<Person> walletPatients = new ArrayList<>();
  /** Every wallet patient of the data set, active or not: the set-up opens their wallets. */
  private final List<Person> wallets = new ArrayList<>();
  private final List<String[]> plannedBindings = new ArrayList<>();
  private final boolean generated;

  private final Map<String, String> authorizerOfBinding = new ConcurrentHashMap<>();
  private final Map<String, Long> openingBalanceFen = new ConcurrentHashMap<>();
  private final Map<String, Long> openingHeldFen = new ConcurrentHashMap<>();
  private final Map<String, gongji.v1.ReconcileResponse> openingReconcile = new ConcurrentHashMap<>();
  private volatile ReadBack readBack;

  private Workload(String tag, String institution, List<String> terminalIds, String hospital,
      List<String> hospitalTerminalIds, String farPharmacy, boolean generated) {
    this.tag = tag;
    this.institution = institution;
    this.terminalIds = terminalIds;
    this.hospital = hospital;
    this.farPharmacy = farPharmacy;
    this.hospitalTerminalIds = hospitalTerminalIds;
    this.generated = generated;
    this.terminals = terminals(institution, terminalIds);
    this.hospitalTerminals = terminals(hospital, hospitalTerminalIds);
    this.farTerminals = terminals(farPharmacy, generated ? terminalIds : List.of("POS01"));
  }

  private static List<Terminal> terminals(String institution, List<String> ids) {
    return ids.stream().map(id -> Terminal.newBuilder().setFixmedinsCode(institution).setTerminalId(id)
        .setOperatorId("loadtest").build()).toList();
  }

  /** A generated data set of {@code people} persons (a multiple of 4 is used) and up to {@code bindings} bindings, all active. */
  static Workload generated(String tag, int people, int bindings) {
    return generated(tag, people, bindings, people, 0);
  }

  /**
   * A generated data set of {@code people} persons (a multiple of 4 is used) and up to
   * {@code bindings} bindings, whose sales are drawn from {@code activePeople} of them (rounded up to
   * whole families) chosen by {@code seed}.
   */
  static Workload generated(String tag, int people, int bindings, int activePeople, long seed) {
    if (people < 4) {
      throw new IllegalArgumentException("--people: " + people + " (expected: >= 4)");
    }
    if (!tag.matches("[A-Za-z0-9]{1,10}")) {
      throw new IllegalArgumentException("--data-tag: " + tag + " (expected: 1 to 10 of [A-Za-z0-9])");
    }
    String sequence = String.format("%05d", Math.floorMod(tag.hashCode(), 100_000));
    List<String> terminals = new ArrayList<>();
    for (int i = 1; i <= TERMINALS; i++) {
      terminals.add(String.format("LT%02d", i));
    }
    Workload w = new Workload(tag, "P" + REGION + sequence, terminals, "H" + REGION + sequence, terminals,
        "P" + FAR_REGION + sequence, true);
    int families = people / 4;
    for (int f = 0; f < families; f++) {
      w.person(f, 'A', true, RICH_FEN);
      w.person(f, 'B', true, RICH_FEN);
      w.person(f, 'C', true, SHORT_FEN);
      w.person(f, 'D', false, 0);
    }
    boolean[] isActive = new boolean[families];
    for (int f : activeFamilies(families, (activePeople + 3) / 4, seed)) {
      isActive[f] = true;
      List<Person> family = w.people.subList(4 * f, 4 * f + 4);
      w.active.addAll(family);
      w.payers.add(family.get(0));
      w.payers.add(family.get(1));
      w.shortPatients.add(family.get(2));
    }
    // Up to 2 bindings a person, in this order (a smaller --bindings takes the first kinds, so a data set
    // keeps its bindings when more kinds are added at the end): the last two are the short patient's own.
    String[][] order = {{"A", "C", "PARENT"}, {"A", "D", "CHILD"}, {"B", "C", "PARENT"}, {"B", "D", "CHILD"},
        {"A", "B", "SPOUSE"}, {"B", "A", "SPOUSE"}, {"C", "D", "GRANDCHILD"}, {"C", "A", "CHILD"}};
    for (String[] kind : order) {
      for (int f = 0; f < families && w.plannedBindings.size() < bindings; f++) {
        w.plannedBindings.add(new String[] {w.psnNo(f, kind[0].charAt(0)), w.psnNo(f, kind[1].charAt(0)), kind[2]});
        if (kind[0].equals("A") && kind[1].equals("D") && w.wallets.size() < MAX_WALLET_PATIENTS) {
          Person d = w.people.get(4 * f + 3);
          w.wallets.add(d);
          if (isActive[f]) {
            w.walletPatients.add(d);
          }
        }
      }
    }
    return w;
  }

  /**
   * {@code count} families of {@code families} chosen by {@code seed} (a partial Fisher-Yates
   * shuffle), in the data set's order; every family, in order, when {@code count} is at least that.
   */
  static int[] activeFamilies(int families, int count, long seed) {
    int[] all = new int[families];
    for (int f = 0; f < families; f++) {
      all[f] = f;
    }
    if (count >= families) {
      return all;
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < count; i++) {
      int j = i + r.nextInt(families - i);
      int t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    int[] chosen = java.util.Arrays.copyOf(all, count);
    java.util.Arrays.sort(chosen);
    return chosen;
  }

  /** The demo data set of {@code gongji serve --demo}, which must already be loaded. */
  static Workload demo() {
    Workload w = new Workload("demo", DemoData.PHARMACY, List.of("POS01", "POS02"), DemoData.HOSPITAL, List.of("HIS01"),
        DemoData.FUZHOU_PHARMACY, false);
    Person zhangWei = w.add(DemoData.ZHANG_WEI, "SSC-ZHANGWEI", true);
    Person liNa = w.add(DemoData.LI_NA, "SSC-LINA", true);
    w.add(DemoData.ZHANG_JIANGUO, "SSC-ZHANGJIANGUO", false);
    w.add(DemoData.WANG_XIUYING, "SSC-WANGXIUYING", true);
    Person zhaoLei = w.add(DemoData.ZHAO_LEI, "SSC-ZHAOLEI", true);
    Person liuGuilan = w.add(DemoData.LIU_GUILAN, "SSC-LIUGUILAN", true);
    Person zhangXiaoyu = w.add(DemoData.ZHANG_XIAOYU, "SSC-ZHANGXIAOYU", false);
    w.active.addAll(w.people);
    w.walletPatients.add(zhangXiaoyu);
    w.wallets.add(zhangXiaoyu);
    w.payers.addAll(List.of(zhangWei, zhaoLei, liuGuilan));
    w.shortPatients.add(liNa);
    return w;
  }

  private Person add(String psnNo, String card, boolean hasAccount) {
    Person p = new Person(psnNo, card, hasAccount, 0, people.size());
    people.add(p);
    return p;
  }

  private String psnNo(int family, char member) {
    return "LT" + tag + "F" + family + member;
  }

  private Person person(int family, char member, boolean employee, long creditFen) {
    String psn = psnNo(family, member);
    Person p = new Person(psn, "C" + psn, employee, creditFen, people.size());
    people.add(p);
    return p;
  }

  String institution() {
    return institution;
  }

  /** A terminal of the pharmacy, taken in turn. */
  Terminal terminal(long index) {
    return terminals.get((int) Math.floorMod(index, (long) terminals.size()));
  }

  /** A terminal of the hospital, taken in turn. */
  Terminal hospitalTerminal(long index) {
    return hospitalTerminals.get((int) Math.floorMod(index, (long) hospitalTerminals.size()));
  }

  /** A terminal of the pharmacy in another province, taken in turn. */
  Terminal farTerminal(long index) {
    return farTerminals.get((int) Math.floorMod(index, (long) farTerminals.size()));
  }

  /** The active wallet patients are taken in turn. */
  Person walletPatient(long turn) {
    if (walletPatients.isEmpty()) {
      throw new IllegalArgumentException("wallet-sale needs wallets among the active persons: --bindings at least"
          + " people / 2 (the first " + MAX_WALLET_PATIENTS + " families have one), and an --active-people that"
          + " takes some of those families in");
    }
    return walletPatients.get((int) Math.floorMod(turn, (long) walletPatients.size()));
  }

  /** The institutions of the data set: the pharmacy, the hospital, the pharmacy in another province. */
  List<String> institutions() {
    return List.of(institution, hospital, farPharmacy);
  }

  /** Today in China time (UTC+8), the day Reconcile counts in. */
  static String today() {
    return java.time.LocalDate.now(java.time.ZoneOffset.ofHours(8)).toString();
  }

  /** Each institution's day-end totals read before the load, and the day they are of. */
  Map<String, gongji.v1.ReconcileResponse> openingReconcile() {
    return openingReconcile;
  }

  List<Person> people() {
    return people;
  }

  /** The persons whose sales the run makes (see the class comment). */
  List<Person> active() {
    return active;
  }

  /** What {@link #readBack} read, or null before it. */
  ReadBack readBackDone() {
    return readBack;
  }

  /** Anyone in the data set, active or not (Identify moves no money). */
  Person anyone(SplittableRandom r) {
    return people.get(r.nextInt(people.size()));
  }

  Person payer(SplittableRandom r) {
    return payers.get(r.nextInt(payers.size()));
  }

  /** The short patients are taken in turn, so that each drains its own account once before any is reused. */
  Person shortPatient(long turn) {
    return shortPatients.get((int) Math.floorMod(turn, (long) shortPatients.size()));
  }

  int bindingsPlanned() {
    return plannedBindings.size();
  }

  /**
   * The person whose account a binding draws on, or null when the binding is not one in which an
   * active person is the beneficiary (so no sale of the run can draw on it).
   */
  String authorizerOf(String bindingId) {
    return authorizerOfBinding.get(bindingId);
  }

  /** The opening balance of every account read back (see the class comment), by its owner. */
  Map<String, Long> openingBalanceFen() {
    return openingBalanceFen;
  }

  Map<String, Long> openingHeldFen() {
    return openingHeldFen;
  }

  /**
   * Creates the data set through AdminService: the region policy, the institution, the persons
   * (pipelined, at most {@code maxInFlight} at once), their opening credits (CreditAccounts, batches
   * of up to 10,000 lines, keyed by the tag so a second setup credits nothing twice), the bindings.
   */
  /**
   * Returns what it took: each step with its time, and how many calls were made again because the
   * gateway refused them with a RetryInfo.
   */
  String setUp(Target target, int maxInFlight, long deadlineNanos) throws InterruptedException {
    if (!generated) {
      return "";
    }
    Bounded calls = new Bounded(maxInFlight, deadlineNanos);
    for (String[] region : new String[][] {{REGION, "压测区"}, {FAR_REGION, "压测外省区"}}) {
      calls.submit(() -> target.call(AdminServiceGrpc.getUpdateRegionPolicyMethod(), UpdateRegionPolicyRequest.newBuilder()
          .setRequestId(java.util.UUID.randomUUID().toString())
          .setPolicy(RegionPolicy.newBuilder().setAdmdvs(region[0]).setName(region[1]).setRetainedFloorFen(0)
              .setExtendedRelativesAllowed(true).setQuotaAllowed(true).setCrossProvinceEnabled(true).setHoldTtlSeconds(1800)
              .setWalletMaxTransfersPerDay(100).setWalletMaxTransferFen(100_000_000)
              .setWalletQuietFromHour(12).setWalletQuietUntilHour(12)
              .setMutualAidOrder(gongji.v1.MutualAidOrder.MUTUAL_AID_ORDER_BINDING))
          .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("*"))
          .build()));
    }
    calls.submit(() -> target.call(AdminServiceGrpc.getRegisterInstitutionMethod(), RegisterInstitutionRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setInstitution(Institution.newBuilder().setFixmedinsCode(farPharmacy).setName("压测外省药房 " + tag)
            .addAllTerminalIds(terminalIds)).build()));
    calls.submit(() -> target.call(AdminServiceGrpc.getRegisterInstitutionMethod(), RegisterInstitutionRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setInstitution(Institution.newBuilder().setFixmedinsCode(institution).setName("压测药房 " + tag)
            .addAllTerminalIds(terminalIds)).build()));
    calls.submit(() -> target.call(AdminServiceGrpc.getRegisterInstitutionMethod(), RegisterInstitutionRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setInstitution(Institution.newBuilder().setFixmedinsCode(hospital).setName("压测医院 " + tag)
            .addAllTerminalIds(hospitalTerminalIds)).build()));
    calls.awaitAll("region and institution");
    // In batches keyed by the tag: a second setup with the same tag applies no line twice.
    List<Insured> batchOfPeople = new ArrayList<>(PERSONS_PER_BATCH);
    int personBatch = 0;
    for (Person p : people) {
      batchOfPeople.add(Insured.newBuilder().setPsnNo(p.psnNo()).setName("压测" + p.psnNo().substring(p.psnNo().length() - 2))
          .setInsuranceType(p.hasAccount() ? InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC : InsuranceType.INSURANCE_TYPE_RESIDENT_BASIC)
          .setStatus(InsuredStatus.INSURED_STATUS_NORMAL).setInsuplcAdmdvs(REGION)
          .addCredentials(Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD).setNumber(p.card()))
          .build());
      if (batchOfPeople.size() == PERSONS_PER_BATCH || p == people.get(people.size() - 1)) {
        gongji.v1.UpsertInsuredsRequest req = gongji.v1.UpsertInsuredsRequest.newBuilder()
            .setRequestId("lt-" + tag + "-persons-" + personBatch++).addAllInsureds(batchOfPeople).build();
        batchOfPeople = new ArrayList<>(PERSONS_PER_BATCH);
        calls.submit(() -> target.call(AdminServiceGrpc.getUpsertInsuredsMethod(), req, 120_000)
            .thenApply(r -> checkLines("UpsertInsureds " + req.getRequestId(), r.getResultsList().stream()
                .map(gongji.v1.InsuredLineResult::getErrorReason).toList(), List.of())));
      }
    }
    calls.awaitAll("persons");
    List<CreditLine> lines = new ArrayList<>();
    int batch = 0;
    for (Person p : people) {
      if (p.creditFen() > 0) {
        lines.add(CreditLine.newBuilder().setPsnNo(p.psnNo()).setAmountFen(p.creditFen()).build());
      }
      if (lines.size() == 10_000 || (p == people.get(people.size() - 1) && !lines.isEmpty())) {
        CreditAccountsRequest req = CreditAccountsRequest.newBuilder().setRequestId("lt-" + tag + "-credit-" + batch++)
            .addAllLines(lines).build();
        lines = new ArrayList<>();
        calls.submit(() -> target.call(AdminServiceGrpc.getCreditAccountsMethod(), req, 120_000)
            .thenApply(Workload::checkCredits));
      }
    }
    calls.awaitAll("credits");
    List<gongji.v1.BindingLine> batchOfBindings = new ArrayList<>(BINDINGS_PER_BATCH);
    int bindingBatch = 0;
    for (int i = 0; i < plannedBindings.size(); i++) {
      String[] b = plannedBindings.get(i);
      batchOfBindings.add(gongji.v1.BindingLine.newBuilder().setAuthorizerPsnNo(b[0]).setBeneficiaryPsnNo(b[1])
          .setRelationship(Relationship.valueOf("RELATIONSHIP_" + b[2])).build());
      if (batchOfBindings.size() == BINDINGS_PER_BATCH || i == plannedBindings.size() - 1) {
        gongji.v1.CreateBindingsRequest req = gongji.v1.CreateBindingsRequest.newBuilder()
            .setRequestId("lt-" + tag + "-bindings-" + bindingBatch++).addAllLines(batchOfBindings).build();
        batchOfBindings = new ArrayList<>(BINDINGS_PER_BATCH);
        // A data set made by an earlier version (a call per binding) finds its bindings there: fine, they are read back.
        calls.submit(() -> target.call(AdminServiceGrpc.getCreateBindingsMethod(), req, 120_000)
            .thenApply(r -> checkLines("CreateBindings " + req.getRequestId(), r.getResultsList().stream()
                .map(gongji.v1.BindingLineResult::getErrorReason).toList(), List.of("BINDING_EXISTS"))));
      }
    }
    calls.awaitAll("bindings");
    for (Person d : wallets) {
      String authorizer = d.psnNo().substring(0, d.psnNo().length() - 1) + "A";
      calls.submit(() -> target.call(FamilyServiceGrpc.getOpenWalletMethod(),
              gongji.v1.OpenWalletRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setPsnNo(d.psnNo()).build())
          .handle((w, e) -> {
            // A second setup with the same tag finds the wallet open already.
            if (e != null && Target.status(e).getCode() != Status.Code.ALREADY_EXISTS
                && Target.status(e).getCode() != Status.Code.FAILED_PRECONDITION) {
              throw new IllegalStateException("OpenWallet " + d.psnNo() + ": " + Target.describe(e), e);
            }
            return w;
          })
          .thenCompose(w -> target.call(FamilyServiceGrpc.getGetWalletMethod(),
              gongji.v1.GetWalletRequest.newBuilder().setPsnNo(d.psnNo()).build()))
          .thenCompose(w -> w.getAvailableFen() > 0 || w.getPendingFen() > 0
              ? CompletableFuture.completedFuture(null)
              : target.call(FamilyServiceGrpc.getAssignWalletQuotaMethod(), gongji.v1.AssignWalletQuotaRequest.newBuilder()
                  .setRequestId("lt-" + tag + "-wallet-" + d.psnNo()).setAuthorizerPsnNo(authorizer)
                  .setBeneficiaryPsnNo(d.psnNo()).setAmountFen(WALLET_QUOTA_FEN).build())
                  .thenCompose(t -> target.call(FamilyServiceGrpc.getAcceptWalletTransferMethod(),
                      gongji.v1.AcceptWalletTransferRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setTransferId(t.getTransferId())
                          .setByPsnNo(d.psnNo()).build()))
                  .thenApply(t -> null)));
    }
    calls.awaitAll("wallets");
    return String.join(", ", calls.steps())
        + (calls.retried() == 0 ? "" : "; " + calls.retried() + " calls made again after the gateway asked to retry");
  }

  /** The persons of one UpsertInsureds: its lines stay well under the gateway's 1,000 and its 1 MiB. */
  private static final int PERSONS_PER_BATCH = 1_000;
  /** The lines of one CreateBindings (the gateway takes up to 10,000). */
  private static final int BINDINGS_PER_BATCH = 5_000;

  /** Fails the set-up when a line of a batch was refused for a reason other than {@code fine}. */
  private static <R> R checkLines(String batch, List<String> reasons, List<String> fine) {
    for (int i = 0; i < reasons.size(); i++) {
      String reason = reasons.get(i);
      if (!reason.isEmpty() && !fine.contains(reason)) {
        throw new IllegalStateException(batch + ": line " + i + " refused: " + reason);
      }
    }
    return null;
  }

  private static CreditAccountsResponse checkCredits(CreditAccountsResponse r) {
    for (var line : r.getResultsList()) {
      if (!line.getErrorReason().isEmpty() && !line.getErrorReason().equals("DUPLICATE")) {
        throw new IllegalStateException("CreditAccounts line refused: " + line.getErrorReason() + " " + line.getErrorMessage());
      }
    }
    return r;
  }

  /**
   * Reads back, before the load, each institution's totals of the day, every binding in which an
   * active person is the beneficiary, and the account (balance and held funds) of every active
   * person who has one, of each authorizer of those bindings, and of a sample of the rest
   * ({@code seed} chooses it); see the class comment.
   */
  void readBack(Target target, int maxInFlight, long deadlineNanos, long seed) throws InterruptedException {
    long start = System.nanoTime();
    Bounded calls = new Bounded(maxInFlight, deadlineNanos);
    String day = today();
    for (String code : institutions()) {
      calls.submit(() -> target.call(AdminServiceGrpc.getReconcileMethod(),
          gongji.v1.ReconcileRequest.newBuilder().setFixmedinsCode(code).setDate(wireDate(day)).build())
          .handle((r, e) -> {
            if (e == null) {
              openingReconcile.put(code, r);
            } else if (Target.status(e).getCode() != Status.Code.NOT_FOUND) {
              throw new IllegalStateException("Reconcile " + code + ": " + Target.describe(e), e);
            }
            // Not registered (a data set made before it had a hospital): nothing to reconcile there.
            return null;
          }));
    }
    for (Person p : active) {
      calls.submit(() -> listBindings(target, p.psnNo(), ""));
    }
    calls.awaitAll("reading back the active persons' bindings");
    java.util.Set<String> activeNos = new java.util.HashSet<>();
    List<String> accounts = new ArrayList<>();
    for (Person p : active) {
      activeNos.add(p.psnNo());
      if (p.hasAccount()) {
        accounts.add(p.psnNo());
      }
    }
    int activeAccounts = accounts.size();
    java.util.Set<String> relatives = new java.util.TreeSet<>(authorizerOfBinding.values());
    relatives.removeAll(activeNos);
    accounts.addAll(relatives);
    List<String> sample = sample(Math.min(UNTOUCHED_SAMPLE, activeAccounts), activeNos, relatives, seed);
    accounts.addAll(sample);
    for (String psnNo : accounts) {
      calls.submit(() -> target.call(AdminServiceGrpc.getGetAccountMethod(),
          gongji.v1.GetAccountRequest.newBuilder().setPsnNo(psnNo).build()).thenAccept(a -> {
            openingBalanceFen.put(psnNo, a.getBalanceFen());
            openingHeldFen.put(psnNo, a.getHeldFen());
          }));
    }
    calls.awaitAll("reading back accounts");
    readBack = new ReadBack(active.size(), activeAccounts, relatives.size(), sample.size(), authorizerOfBinding.size(),
        (System.nanoTime() - start) / 1_000_000);
  }

  /**
   * Up to {@code size} persons with an account, neither active nor a relative of one, chosen by
   * {@code seed}: none when the whole data set is active.
   */
  private List<String> sample(int size, java.util.Set<String> activeNos, java.util.Set<String> relatives, long seed) {
    List<String> sample = new ArrayList<>();
    if (active.size() == people.size()) {
      return sample;
    }
    int[] order = new int[people.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    SplittableRandom r = new SplittableRandom(~seed);
    for (int i = 0; i < order.length && sample.size() < size; i++) {
      int j = i + r.nextInt(order.length - i);
      Person p = people.get(order[j]);
      order[j] = order[i];
      if (p.hasAccount() && !activeNos.contains(p.psnNo()) && !relatives.contains(p.psnNo())) {
        sample.add(p.psnNo());
      }
    }
    return sample;
  }

  /** Every binding of {@code psnNo} as beneficiary: each names the account a leg through it draws on. */
  private CompletableFuture<Void> listBindings(Target target, String psnNo, String pageToken) {
    return target.call(FamilyServiceGrpc.getListBindingsMethod(), ListBindingsRequest.newBuilder().setPsnNo(psnNo)
        .setRole(BindingRole.BINDING_ROLE_BENEFICIARY).setPageSize(1000).setPageToken(pageToken).build())
        .thenCompose((ListBindingsResponse r) -> {
          for (Binding b : r.getBindingsList()) {
            authorizerOfBinding.put(b.getBindingId(), b.getAuthorizerPsnNo());
          }
          return r.getNextPageToken().isEmpty() ? CompletableFuture.completedFuture(null)
              : listBindings(target, psnNo, r.getNextPageToken());
        });
  }

  /** A day "yyyy-MM-dd" as the wire's date. */
  static com.google.type.Date wireDate(String day) {
    java.time.LocalDate d = java.time.LocalDate.parse(day);
    return com.google.type.Date.newBuilder().setYear(d.getYear()).setMonth(d.getMonthValue())
        .setDay(d.getDayOfMonth()).build();
  }
}
