package gongji.loadtest;

import gongji.v1.AcceptWalletTransferRequest;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.AssignWalletQuotaRequest;
import gongji.v1.BindingRole;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.FundSource;
import gongji.v1.ListWalletTransfersRequest;
import gongji.v1.ListWalletTransfersResponse;
import gongji.v1.OpenWalletRequest;
import gongji.v1.WalletTransfer;
import gongji.v1.AuthorizeRequest;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Breakdown;
import gongji.v1.CreateBindingRequest;
import gongji.v1.CreditAccountRequest;
import gongji.v1.Credential;
import gongji.v1.CredentialType;
import gongji.v1.GetAccountRequest;
import gongji.v1.GetTransactionRequest;
import gongji.v1.GetTransactionResponse;
import gongji.v1.InsuranceType;
import gongji.v1.Insured;
import gongji.v1.InsuredStatus;
import gongji.v1.Institution;
import gongji.v1.ItemCategory;
import gongji.v1.LineItem;
import gongji.v1.MedicalType;
import gongji.v1.PaymentLeg;
import gongji.v1.RegionPolicy;
import gongji.v1.RegisterInstitutionRequest;
import gongji.v1.Relationship;
import gongji.v1.UpdateRegionPolicyRequest;
import gongji.v1.SettleRequest;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import gongji.v1.TransactionState;
import gongji.v1.UpsertInsuredRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The kill -9 test: runs the real gateway as a child process on a data directory, drives sales
 * against it from this process, kills it with SIGKILL at a random moment, restarts it, and checks
 * that what was acknowledged survived exactly once.
 *
 * <p>Each cycle's clients authorize and settle two-leg sales (the patient's own account, then a
 * relative's), and now and then have the relative put quota into the patient's wallet, which the
 * patient accepts and later sales draw first; every request is recorded as acknowledged, refused, or
 * unknown (the connection died). An acknowledged wallet transfer must be in the patient's list after
 * the restart.
 * After the restart each request is looked up by its id: an acknowledged one must be there and
 * applied (else "lost"); a refused one must not be applied; an unknown one may be either, but a
 * settled sale must be whole (its legs and cash add up to its total, else "partial"). Then every
 * account's balance must equal the initial credit less the legs of the settled sales that drew on
 * it, as the model rebuilt from the look-ups says: a sale applied twice would show there
 * ("duplicated"), as would any fen out of place. At the end the gateway is stopped and
 * {@code gongji ledger verify} checks the data directory offline.
 */
public final class CrashTest {
  private static final String INSTITUTION = "P62010200099";
  private static final String TERMINAL = "CRASH1";
  private static final int PATIENTS = 24;
  private static final long PATIENT_CREDIT_FEN = 200_000; // spent within a few cycles: then wallet quota and relatives pay
  private static final long RELATIVE_CREDIT_FEN = 50_000_000;

  private final int cycles;
  private final int clients;
  private final long seed;
  private final long minMillis;
  private final long maxMillis;
  private final Path dataDir;
  private final Map<String, Long> expected = new HashMap<>();
  private final Map<String, String> bindingOwner = new HashMap<>();
  private final Map<String, String> patientOfCard = new HashMap<>();
  /** The wallet transfers acknowledged in the current cycle: transfer id, beneficiary. */
  private final ConcurrentLinkedQueue<String[]> transfers = new ConcurrentLinkedQueue<>();

  private long acknowledged;
  private long lost;
  private long duplicated;
  private long partial;
  private long violations;
  private long unknown;
  private long walletTransfers;
  /** Look-ups that had to be tried again (a retryable refusal or no answer by their deadline). */
  private long slowLookUps;
  private static final int LOOK_UP_ATTEMPTS = 3;
  private long walletLegs;

  CrashTest(int cycles, int clients, long seed, long minMillis, long maxMillis, Path dataDir) {
    this.cycles = cycles;
    this.clients = clients;
    this.seed = seed;
    this.minMillis = minMillis;
    this.maxMillis = maxMillis;
    this.dataDir = dataDir;
  }

  /** Runs every cycle, prints the summary; 0 when nothing acknowledged was lost, duplicated or torn. */
  int run() throws Exception {
    String summary = execute();
    System.out.println(summary);
    return passed() ? 0 : 1;
  }

  boolean passed() {
    return lost == 0 && duplicated == 0 && partial == 0 && violations == 0;
  }

  /** Runs every cycle and returns the summary line. */
  String execute() throws Exception {
    System.out.println("crashtest: seed=" + seed + " data-dir=" + dataDir);
    SplittableRandom random = new SplittableRandom(seed);
    int port = freePort();
    Process server = start(port);
    ManagedChannel channel = channel(port);
    try {
      setUp(channel);
      for (int cycle = 1; cycle <= cycles; cycle++) {
        List<Call> calls = loadAndKill(channel, server, cycle, random.split());
        channel.shutdownNow();
        server = start(port);
        channel = channel(port);
        check(channel, calls, cycle);
      }
      channel.shutdownNow();
      server.destroy();
      if (!server.waitFor(30, TimeUnit.SECONDS)) {
        server.destroyForcibly();
        violations++;
        System.out.println("crashtest: the gateway did not stop within 30 s of SIGTERM");
      }
      server.waitFor();
      verifyOffline();
    } finally {
      if (server.isAlive()) {
        server.destroyForcibly();
      }
      channel.shutdownNow();
    }
    return "crashtest: cycles=" + cycles + " acknowledged=" + acknowledged + " unknown=" + unknown + " lost=" + lost
        + " duplicated=" + duplicated + " partial=" + partial + " violations=" + violations + " seed=" + seed
        + " (wallet transfers=" + walletTransfers + ", settled wallet legs=" + walletLegs + ", look-ups tried again="
        + slowLookUps + ")";
  }

  // ---- the child process ------------------------------------------------------------------------

  private Process start(int port) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    // A child that starts fast: it is started once per cycle.
    ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        "gongji.server.Main", "serve", "--port", Integer.toString(port), "--metrics-port", "-1",
        "--data-dir", dataDir.toString(), "--snapshot-every-commands", "2000",
        // Sales and request ids go to history a second after they close: kills land on every side of a sweep.
        "--ledger-recent-window-seconds", "1",
        // Durability is under test here, not callers: loopback, no credentials, one port.
        "--auth-required", "false", "--admin-port", "-1")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Process p = pb.start();
    ManagedChannel ch = channel(port);
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) {
          throw new IllegalStateException("the gateway exited with " + p.exitValue() + "; see " + log);
        }
        try {
          HealthCheckResponse r = HealthGrpc.newBlockingStub(ch).withDeadlineAfter(1, TimeUnit.SECONDS)
              .check(HealthCheckRequest.newBuilder().setService("gongji.v1.SettlementService").build());
          if (r.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
            return p;
          }
        } catch (StatusRuntimeException e) {
          // Not up yet.
        }
        TimeUnit.MILLISECONDS.sleep(50);
      }
      throw new IllegalStateException("the gateway did not become SERVING within 60 s; see " + log);
    } finally {
      ch.shutdownNow();
    }
  }

  private static ManagedChannel channel(int port) {
    return ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private void verifyOffline() throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "gongji.server.Main", "ledger",
        "verify", "--data-dir", dataDir.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    int rc = p.waitFor();
    System.out.print(output.replaceAll("(?m)^", "crashtest: "));
    if (rc != 0) {
      violations++;
    }
  }

  // ---- fixtures -----------------------------------------------------------------------------------

  private void setUp(ManagedChannel channel) {
    AdminServiceGrpc.AdminServiceBlockingStub admin =
        AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    RegionPolicy policy = RegionPolicy.newBuilder()
        .setAdmdvs("620100").setName("兰州市").setRetainedFloorFen(0).setQuotaAllowed(true).setHoldTtlSeconds(600)
        // Wallet transfers at any hour (equal hours: no quiet window), so that a run at night has them too.
        .setCrossProvinceEnabled(true).setWalletQuietFromHour(3).setWalletQuietUntilHour(3)
        .setWalletMaxTransfersPerDay(100).build();
    admin.updateRegionPolicy(UpdateRegionPolicyRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
        .setPolicy(policy).setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addPaths("name")
            .addPaths("quota_allowed").addPaths("hold_ttl_seconds").addPaths("cross_province_enabled")
            .addPaths("wallet_quiet_from_hour").addPaths("wallet_quiet_until_hour")
            .addPaths("wallet_max_transfers_per_day"))
        .build());
    FamilyServiceGrpc.FamilyServiceBlockingStub family =
        FamilyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    admin.registerInstitution(RegisterInstitutionRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setInstitution(Institution.newBuilder()
        .setFixmedinsCode(INSTITUTION).setName("crash test pharmacy").addTerminalIds(TERMINAL)).build());
    for (int i = 0; i < PATIENTS; i++) {
      String patient = psn("1", i);
      String relative = psn("2", i);
      insured(admin, patient, "patient " + i, "CARD-P" + i);
      insured(admin, relative, "relative " + i, "CARD-R" + i);
      patientOfCard.put("CARD-P" + i, patient);
      admin.creditAccount(CreditAccountRequest.newBuilder().setRequestId("crash-credit-p" + i).setPsnNo(patient)
          .setAmountFen(PATIENT_CREDIT_FEN).build());
      admin.creditAccount(CreditAccountRequest.newBuilder().setRequestId("crash-credit-r" + i).setPsnNo(relative)
          .setAmountFen(RELATIVE_CREDIT_FEN).build());
      expected.put(patient, PATIENT_CREDIT_FEN);
      expected.put(relative, RELATIVE_CREDIT_FEN);
      String binding = admin.createBinding(CreateBindingRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setAuthorizerPsnNo(relative)
          .setBeneficiaryPsnNo(patient).setRelationship(Relationship.RELATIONSHIP_PARENT).build()).getBindingId();
      bindingOwner.put(binding, relative);
      family.openWallet(OpenWalletRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setPsnNo(patient).build());
    }
  }

  private static void insured(AdminServiceGrpc.AdminServiceBlockingStub admin, String psnNo, String name, String card) {
    admin.upsertInsured(UpsertInsuredRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString()).setInsured(Insured.newBuilder().setPsnNo(psnNo).setName(name)
        .setInsuranceType(InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC).setStatus(InsuredStatus.INSURED_STATUS_NORMAL)
        .setInsuplcAdmdvs("620100")
        .addCredentials(Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD)
            .setNumber(card))).build());
  }

  private static String psn(String kind, int i) {
    return String.format("6201%s%021d", kind, i);
  }

  // ---- load -------------------------------------------------------------------------------------

  /** What a client sent and what it heard back. */
  private record Call(String requestId, boolean settle, String patient, Outcome outcome, String txnId) {}

  private enum Outcome { ACKNOWLEDGED, REFUSED, UNKNOWN }

  /**
   * Drives sales from {@code clients} threads, kills the gateway with SIGKILL after a random time
   * while they are still sending, waits for every client to notice, and returns what they saw.
   */
  private List<Call> loadAndKill(ManagedChannel channel, Process server, int cycle, SplittableRandom random)
      throws InterruptedException {
    ConcurrentLinkedQueue<Call> calls = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      SplittableRandom r = random.split();
      int client = c;
      Thread t = new Thread(() -> drive(channel, cycle, client, r, calls, stop), "crash-client-" + c);
      t.start();
      threads.add(t);
    }
    TimeUnit.MILLISECONDS.sleep(minMillis + random.nextLong(Math.max(1, maxMillis - minMillis)));
    server.destroyForcibly();
    server.waitFor();
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    return new ArrayList<>(calls);
  }

  private void drive(ManagedChannel channel, int cycle, int client, SplittableRandom random,
      ConcurrentLinkedQueue<Call> calls, AtomicBoolean stop) {
    SettlementServiceGrpc.SettlementServiceBlockingStub stub = SettlementServiceGrpc.newBlockingStub(channel);
    FamilyServiceGrpc.FamilyServiceBlockingStub family = FamilyServiceGrpc.newBlockingStub(channel);
    Terminal terminal = Terminal.newBuilder().setFixmedinsCode(INSTITUTION).setTerminalId(TERMINAL).build();
    for (int n = 0; !stop.get(); n++) {
      int i = random.nextInt(PATIENTS);
      String card = "CARD-P" + i;
      String base = "C" + cycle + "-" + client + "-" + n;
      if (random.nextInt(8) == 0 && !assignAndAccept(family, base, i, random)) {
        return; // the connection died: what happened is found out after the restart
      }
      long amount = 1 + random.nextLong(20_000);
      AuthorizeRequest a = AuthorizeRequest.newBuilder().setRequestId(base + "-A").setTerminal(terminal)
          .setCredential(Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD)
              .setNumber(card))
          .setMedicalType(MedicalType.MEDICAL_TYPE_PHARMACY)
          .addItems(LineItem.newBuilder().setCode("D1").setCategory(ItemCategory.ITEM_CATEGORY_DRUG).setInPolicyScope(true)
              .setQuantity(1).setAmountFen(amount)).build();
      String txn;
      try {
        AuthorizeResponse r = stub.withDeadlineAfter(2, TimeUnit.SECONDS).authorize(a);
        calls.add(new Call(a.getRequestId(), false, patientOfCard.get(card), Outcome.ACKNOWLEDGED, r.getTransactionId()));
        txn = r.getTransactionId();
      } catch (StatusRuntimeException e) {
        calls.add(new Call(a.getRequestId(), false, patientOfCard.get(card), outcome(e), ""));
        if (outcome(e) == Outcome.UNKNOWN) {
          return;
        }
        continue;
      }
      SettleRequest s = SettleRequest.newBuilder().setRequestId(base + "-S").setTerminal(terminal)
          .setTransactionId(txn).build();
      try {
        stub.withDeadlineAfter(2, TimeUnit.SECONDS).settle(s);
        calls.add(new Call(s.getRequestId(), true, patientOfCard.get(card), Outcome.ACKNOWLEDGED, txn));
      } catch (StatusRuntimeException e) {
        calls.add(new Call(s.getRequestId(), true, patientOfCard.get(card), outcome(e), txn));
        if (outcome(e) == Outcome.UNKNOWN) {
          return;
        }
      }
    }
  }

  /**
   * The relative puts quota into the patient's wallet and the patient accepts it; false if the
   * gateway went away meanwhile. A refusal (a daily limit, say) is fine: the sale goes on without.
   */
  private boolean assignAndAccept(FamilyServiceGrpc.FamilyServiceBlockingStub family, String base, int i,
      SplittableRandom random) {
    String patient = psn("1", i);
    WalletTransfer t;
    try {
      t = family.withDeadlineAfter(2, TimeUnit.SECONDS).assignWalletQuota(AssignWalletQuotaRequest.newBuilder()
          .setRequestId(base + "-W").setAuthorizerPsnNo(psn("2", i)).setBeneficiaryPsnNo(patient)
          .setAmountFen(1 + random.nextLong(5_000)).build());
    } catch (StatusRuntimeException e) {
      return outcome(e) != Outcome.UNKNOWN;
    }
    transfers.add(new String[] {t.getTransferId(), patient});
    try {
      family.withDeadlineAfter(2, TimeUnit.SECONDS).acceptWalletTransfer(AcceptWalletTransferRequest.newBuilder().setRequestId(java.util.UUID.randomUUID().toString())
          .setTransferId(t.getTransferId()).setByPsnNo(patient).build());
    } catch (StatusRuntimeException e) {
      return outcome(e) != Outcome.UNKNOWN;
    }
    return true;
  }

  private static Outcome outcome(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED
        || code == Status.Code.INTERNAL || code == Status.Code.UNKNOWN ? Outcome.UNKNOWN : Outcome.REFUSED;
  }

  // ---- checks -----------------------------------------------------------------------------------

  private void check(ManagedChannel channel, List<Call> calls, int cycle) {
    SettlementServiceGrpc.SettlementServiceBlockingStub stub = SettlementServiceGrpc.newBlockingStub(channel);
    Terminal terminal = Terminal.newBuilder().setFixmedinsCode(INSTITUTION).setTerminalId(TERMINAL).build();
    long before = lost + duplicated + partial + violations;
    for (Call c : calls) {
      if (c.outcome == Outcome.ACKNOWLEDGED) {
        acknowledged++;
      } else if (c.outcome == Outcome.UNKNOWN) {
        unknown++;
      }
      GetTransactionResponse r;
      try {
        r = lookUp(stub, terminal, c.requestId, cycle);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
          violations++;
          System.out.println("crashtest: cycle " + cycle + ": look-up of " + c.requestId + " failed: " + e.getStatus());
          printLogTail();
          continue;
        }
        if (c.outcome == Outcome.ACKNOWLEDGED) {
          lost++;
          System.out.println("crashtest: cycle " + cycle + ": LOST acknowledged " + c.requestId);
        }
        continue;
      }
      boolean applied = r.getRequest().getApplied();
      if (c.outcome == Outcome.ACKNOWLEDGED && !applied) {
        lost++;
        System.out.println("crashtest: cycle " + cycle + ": acknowledged " + c.requestId + " not applied: " + r.getRequest());
      }
      if (c.outcome == Outcome.REFUSED && applied) {
        violations++;
        System.out.println("crashtest: cycle " + cycle + ": refused " + c.requestId + " was applied");
      }
      if (c.settle && applied) {
        if (r.getTransaction().getState() != TransactionState.TRANSACTION_STATE_SETTLED || !whole(r.getTransaction().getSettled())) {
          partial++;
          System.out.println("crashtest: cycle " + cycle + ": settled sale " + c.txnId + " is not whole: " + r.getTransaction());
          continue;
        }
        for (PaymentLeg leg : r.getTransaction().getSettled().getLegsList()) {
          String owner = switch (leg.getSource()) {
            case FUND_SOURCE_OWN_ACCOUNT -> c.patient;
            case FUND_SOURCE_MUTUAL_AID, FUND_SOURCE_WALLET -> bindingOwner.get(leg.getBindingId());
            default -> null;
          };
          if (owner != null) {
            expected.merge(owner, -leg.getAmountFen(), Long::sum);
          }
          walletLegs += leg.getSource() == FundSource.FUND_SOURCE_WALLET ? 1 : 0;
        }
      }
    }
    checkTransfers(channel, cycle);
    AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(channel);
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      long balance = admin.withDeadlineAfter(10, TimeUnit.SECONDS)
          .getAccount(GetAccountRequest.newBuilder().setPsnNo(e.getKey()).build()).getBalanceFen();
      if (balance != e.getValue()) {
        if (balance < e.getValue()) {
          duplicated++;
        } else {
          lost++;
        }
        System.out.println("crashtest: cycle " + cycle + ": balance of " + e.getKey() + " is " + balance
            + " fen, the model says " + e.getValue());
        e.setValue(balance);
      }
    }
    if (lost + duplicated + partial + violations > before || cycle % 10 == 0 || cycle == cycles) {
      System.out.println("crashtest: cycle " + cycle + " of " + cycles + ": " + calls.size() + " requests checked;"
          + " acknowledged=" + acknowledged + " lost=" + lost + " duplicated=" + duplicated + " partial=" + partial
          + " violations=" + violations);
    }
  }

  /**
   * Looks a request up as a client would: a retryable refusal (UNAVAILABLE, or no answer by the
   * deadline) is tried again, up to {@link #LOOK_UP_ATTEMPTS} times; each retry is reported, so a
   * gateway slow to answer after a restart shows in the output without passing for lost data.
   */
  private GetTransactionResponse lookUp(SettlementServiceGrpc.SettlementServiceBlockingStub stub, Terminal terminal,
      String requestId, int cycle) {
    for (int attempt = 1; ; attempt++) {
      try {
        return stub.withDeadlineAfter(10, TimeUnit.SECONDS).getTransaction(GetTransactionRequest.newBuilder()
            .setTerminal(terminal).setRequestId(requestId).build());
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        boolean retryable = code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
        if (!retryable || attempt == LOOK_UP_ATTEMPTS) {
          throw e;
        }
        slowLookUps++;
        System.out.println("crashtest: cycle " + cycle + ": look-up of " + requestId + " attempt " + attempt
            + " got " + code + "; trying again");
        printLogTail();
      }
    }
  }

  /** The last lines of the child gateway's log, to see what it was doing. */
  private void printLogTail() {
    Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    try {
      List<String> lines = Files.readAllLines(log);
      System.out.println("crashtest: the last lines of " + log + ":");
      lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> System.out.println("  | " + l));
    } catch (IOException e) {
      System.out.println("crashtest: cannot read " + log + ": " + e);
    }
  }

  /** Every wallet transfer acknowledged in the cycle is in its beneficiary's list after the restart. */
  private void checkTransfers(ManagedChannel channel, int cycle) {
    FamilyServiceGrpc.FamilyServiceBlockingStub family = FamilyServiceGrpc.newBlockingStub(channel);
    Map<String, java.util.Set<String>> listed = new HashMap<>();
    String[] t;
    while ((t = transfers.poll()) != null) {
      acknowledged++;
      walletTransfers++;
      java.util.Set<String> ids = listed.computeIfAbsent(t[1], patient -> {
        java.util.Set<String> all = new java.util.HashSet<>();
        String token = "";
        do {
          ListWalletTransfersResponse page = family.withDeadlineAfter(10, TimeUnit.SECONDS).listWalletTransfers(
              ListWalletTransfersRequest.newBuilder().setPsnNo(patient).setRole(BindingRole.BINDING_ROLE_BENEFICIARY)
                  .setPageSize(100).setPageToken(token).build());
          page.getTransfersList().forEach(w -> all.add(w.getTransferId()));
          token = page.getNextPageToken();
        } while (!token.isEmpty());
        return all;
      });
      if (!ids.contains(t[0])) {
        lost++;
        System.out.println("crashtest: cycle " + cycle + ": LOST acknowledged wallet transfer " + t[0] + " to " + t[1]);
      }
    }
  }

  private static boolean whole(Breakdown b) {
    long sum = 0;
    for (PaymentLeg leg : b.getLegsList()) {
      sum += leg.getAmountFen();
    }
    return sum == b.getTotalFen() && b.getAccountPayFen() + b.getMutualAidPayFen() + b.getCashPayFen() == b.getTotalFen();
  }
}
