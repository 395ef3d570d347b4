package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.fail;

import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.FundSource;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.domain.RegionPolicy;
import gongji.server.domain.Relationship;
import gongji.server.ledger.Result.Leg;
import gongji.server.ledger.Result.Rejected;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The ledger under a seeded random workload, checked by an auditor, as TigerBeetle tests its state
 * machine. No threads: the test calls {@link Ledger#apply} directly.
 *
 * <p>Each seed builds a small world (regions with random floors, quotas, optional categories and
 * hold times; employees and residents; random bindings) and then runs a list of random operations:
 * credits, authorizations with random bills and flags, settles (full, exact, lower, too high),
 * cancels, refunds, reversals of known and unknown ids, late originals of reversed ids, replays with
 * the same and with other content, status changes, identifies, lookups and clock jumps past expiry.
 *
 * <p>The auditor is an independent model of the money. It predicts each reply (who pays how much,
 * in which order; which refusal) from the requests alone, updates its own balances, holds and quota
 * usage from what it predicted, and after every step compares them with the ledger: every balance,
 * hold, institution balance and binding usage; no amount negative; {@link Ledger#audit()} empty; a
 * replay returns a result equal to the first one.
 *
 * <p>On failure the seed and the step are printed, with the steps shrunk (by dropping steps while it
 * still fails) to a short trace. Replay one seed with {@code -Dgongji.seed=N}; change the size with
 * {@code -Dgongji.seeds=N} and {@code -Dgongji.steps=N}.
 */
class LedgerWorkloadTest {
  private static final long FIRST_SEED = 1;
  private static final int SEEDS = Integer.getInteger("gongji.seeds", 200);
  private static final int STEPS = Integer.getInteger("gongji.steps", 500);
  private static final long START_MILLIS = 1_772_413_200_000L; // 2026-03-02T01:00:00Z
  private static final int MAX_SHRINK_RUNS = 3_000;

  @Test
  void apply_seededWorkload_auditorAgreesAfterEveryStep() {
    Long only = Long.getLong("gongji.seed");
    long from = only != null ? only : FIRST_SEED;
    int seeds = only != null ? 1 : SEEDS;
    for (long seed = from; seed < from + seeds; seed++) {
      List<Op> ops = Op.generate(seed, STEPS);
      Failure failure = new Run(seed, ops, false).execute();
      if (failure != null) {
        fail(report(seed, ops, failure));
      }
    }
  }

  // ---- failure reports and shrinking ----------------------------------------------------------

  private record Failure(int step, String message, Throwable cause) {}

  private static String report(long seed, List<Op> ops, Failure failure) {
    List<Op> shrunk = shrink(seed, ops, failure);
    Run replay = new Run(seed, shrunk, true);
    Failure again = replay.execute();
    StringBuilder sb = new StringBuilder();
    sb.append("seed ").append(seed).append(", step ").append(failure.step()).append(" of ").append(ops.size())
        .append(": ").append(failure.message())
        .append("\nreplay: mvn -B -o -q -pl server test -Dtest=LedgerWorkloadTest -Dgongji.seed=").append(seed)
        .append(" -Dgongji.steps=").append(ops.size());
    if (failure.cause() != null) {
      sb.append("\ncause: ").append(failure.cause());
    }
    sb.append("\nshrunk to ").append(shrunk.size()).append(" steps, failing at step ")
        .append(again == null ? "?" : again.step()).append(": ").append(again == null ? "-" : again.message())
        .append("\ntrace of the shrunk run:");
    List<String> trace = replay.trace;
    for (String line : trace.subList(Math.max(0, trace.size() - 80), trace.size())) {
      sb.append("\n  ").append(line);
    }
    return sb.toString();
  }

  /** Drops chunks of steps while the run still fails (any failure): a shorter story of the bug. */
  private static List<Op> shrink(long seed, List<Op> ops, Failure failure) {
    List<Op> current = new ArrayList<>(ops.subList(0, failure.step() + 1));
    int runs = 0;
    int chunk = Math.max(1, current.size() / 2);
    while (chunk >= 1 && runs < MAX_SHRINK_RUNS) {
      boolean removed = false;
      for (int start = 0; start < current.size() && runs < MAX_SHRINK_RUNS; ) {
        List<Op> candidate = new ArrayList<>(current.subList(0, start));
        candidate.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
        runs++;
        Failure f = new Run(seed, candidate, false).execute();
        if (f != null) {
          current = new ArrayList<>(candidate.subList(0, f.step() + 1));
          removed = true;
        } else {
          start += chunk;
        }
      }
      if (!removed) {
        chunk /= 2;
      }
    }
    return current;
  }

  // ---- the workload ---------------------------------------------------------------------------

  enum Kind {
    CREDIT, AUTHORIZE, SETTLE, CANCEL, REFUND, REVERSE_KNOWN, REVERSE_UNKNOWN, LATE_ORIGINAL, REPLAY_SAME,
    REPLAY_OTHER, ADVANCE, STATUS, REJECT, TICK, BIND, IDENTIFY, LOOKUP
  }

  /**
   * One operation: its kind, how much time passes before it, and random numbers that pick its
   * targets at run time (so that dropping earlier steps still leaves a runnable list).
   */
  record Op(Kind kind, int dtMillis, long a, long b, long c, int bits) {
    private static final Kind[] WEIGHTED = weighted();

    private static Kind[] weighted() {
      Map<Kind, Integer> w = new LinkedHashMap<>();
      w.put(Kind.CREDIT, 7);
      w.put(Kind.AUTHORIZE, 26);
      w.put(Kind.SETTLE, 14);
      w.put(Kind.CANCEL, 5);
      w.put(Kind.REFUND, 6);
      w.put(Kind.REVERSE_KNOWN, 7);
      w.put(Kind.REVERSE_UNKNOWN, 2);
      w.put(Kind.LATE_ORIGINAL, 2);
      w.put(Kind.REPLAY_SAME, 8);
      w.put(Kind.REPLAY_OTHER, 3);
      w.put(Kind.ADVANCE, 5);
      w.put(Kind.STATUS, 2);
      w.put(Kind.REJECT, 1);
      w.put(Kind.TICK, 1);
      w.put(Kind.BIND, 2);
      w.put(Kind.IDENTIFY, 4);
      w.put(Kind.LOOKUP, 5);
      List<Kind> out = new ArrayList<>();
      w.forEach((k, n) -> {
        for (int i = 0; i < n; i++) {
          out.add(k);
        }
      });
      return out.toArray(new Kind[0]);
    }

    static List<Op> generate(long seed, int steps) {
      SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 17);
      List<Op> ops = new ArrayList<>(steps);
      for (int i = 0; i < steps; i++) {
        ops.add(new Op(WEIGHTED[random.nextInt(WEIGHTED.length)], random.nextInt(3_000), random.nextLong(),
            random.nextLong(), random.nextLong(), random.nextInt()));
      }
      return ops;
    }
  }

  // ---- the model the auditor keeps --------------------------------------------------------------

  private static final class PersonM {
    final String psnNo;
    final String name;
    final boolean employee;
    final String admdvs;
    final Credential card;
    InsuredStatus status = InsuredStatus.NORMAL;
    final List<BindingM> asBeneficiary = new ArrayList<>();
    long balance;
    long held;

    PersonM(String psnNo, String name, boolean employee, String admdvs) {
      this.psnNo = psnNo;
      this.name = name;
      this.employee = employee;
      this.admdvs = admdvs;
      this.card = new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-" + psnNo);
    }

    long available() {
      return balance - held;
    }

    Insured insured() {
      return new Insured(psnNo, name, employee ? InsuranceType.EMPLOYEE_BASIC : InsuranceType.RESIDENT_BASIC, status,
          admdvs, List.of(card));
    }
  }

  private static final class BindingM {
    final String id;
    final PersonM authorizer;
    final long quota;
    long used;
    long held;
    boolean dissolved;
    PersonM beneficiary;

    BindingM(String id, PersonM authorizer, long quota) {
      this.id = id;
      this.authorizer = authorizer;
      this.quota = quota;
    }
  }

  private record LegM(PersonM owner, BindingM binding, long amount) {}

  private static final class TxnM {
    final String id;
    final String institution;
    final List<LegM> legs;
    final long cash;
    final long total;
    final long expiresAt;
    TxnState state = TxnState.AUTHORIZED;
    List<LegM> posted = List.of();

    TxnM(String id, String institution, List<LegM> legs, long cash, long total, long expiresAt) {
      this.id = id;
      this.institution = institution;
      this.legs = legs;
      this.cash = cash;
      this.total = total;
      this.expiresAt = expiresAt;
    }
  }

  private static final class ReqM {
    final RequestKind kind;
    final long hash;
    final String institution;
    final Result result;
    final String txnId;
    final Command command;
    boolean reversed;

    ReqM(RequestKind kind, long hash, String institution, Result result, String txnId, Command command) {
      this.kind = kind;
      this.hash = hash;
      this.institution = institution;
      this.result = result;
      this.txnId = txnId;
      this.command = command;
    }
  }

  private static final class StepFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StepFailure(String message) {
      super(message, null, false, false);
    }
  }

  /** One run of a seed's world and a list of operations, with the auditor alongside. */
  private static final class Run {
    private static final String[] REGIONS = {"620100", "620500", "350100"};
    private static final String[] INSTITUTIONS = {"P62010000017", "H35010000002"};
    private static final String TERMINAL = "T1";
    private static final ItemCategory[] CATEGORIES = ItemCategory.values();

    final long seed;
    final List<Op> ops;
    final boolean tracing;
    final List<String> trace = new ArrayList<>();
    final Ledger ledger = new Ledger(Duration.ofDays(365), ReferenceListener.NONE);

    final Map<String, RegionPolicy> policies = new HashMap<>();
    final List<PersonM> people = new ArrayList<>();
    final Map<String, PersonM> byPsnNo = new HashMap<>();
    final List<BindingM> bindings = new ArrayList<>();
    final Map<String, Long> institutionBalance = new HashMap<>();
    final Map<String, TxnM> txns = new LinkedHashMap<>();
    final List<TxnM> txnList = new ArrayList<>();
    /** Requests by scoped key ("institution|id", "|id" for the back office), as the ledger scopes them. */
    final Map<String, ReqM> requests = new HashMap<>();
    final List<String> keyedIds = new ArrayList<>();
    final List<String> tombstones = new ArrayList<>();
    long now = START_MILLIS;
    int nextId;
    int step = -1;
    boolean calledThisStep;

    Run(long seed, List<Op> ops, boolean tracing) {
      this.seed = seed;
      this.ops = ops;
      this.tracing = tracing;
    }

    Failure execute() {
      try {
        setUp();
        checkState();
        for (step = 0; step < ops.size(); step++) {
          Op op = ops.get(step);
          now += op.dtMillis();
          expire();
          calledThisStep = false;
          apply(op);
          if (!calledThisStep) {
            // The model expired holds as of now; the ledger does so on its next command.
            expectDone(call(new Command.Tick()), "tick");
          }
          checkState();
        }
        return null;
      } catch (StepFailure e) {
        return new Failure(Math.max(step, 0), e.getMessage(), null);
      } catch (RuntimeException | AssertionError e) {
        return new Failure(Math.max(step, 0), "exception (in the ledger or the auditor): " + e, e);
      }
    }

    // ---- the world of a seed ----------------------------------------------------------------

    private void setUp() {
      SplittableRandom random = new SplittableRandom(seed);
      long[] floors = {0, 0, 5_000, 20_000};
      int[] ttls = {60, 300, 1_800};
      for (String admdvs : REGIONS) {
        Set<ItemCategory> optional = EnumSet.noneOf(ItemCategory.class);
        if (random.nextBoolean()) {
          optional.add(ItemCategory.NON_PROGRAMME_VACCINE);
        }
        if (random.nextBoolean()) {
          optional.add(ItemCategory.HEALTH_CHECKUP);
        }
        RegionPolicy p = new RegionPolicy(admdvs, "region " + admdvs, floors[random.nextInt(floors.length)],
            random.nextBoolean(), random.nextInt(4) > 0, random.nextBoolean(), optional, ttls[random.nextInt(ttls.length)]);
        policies.put(admdvs, p);
        expectDone(call(new Command.SetRegionPolicy(p)), "set policy " + admdvs);
      }
      for (String code : INSTITUTIONS) {
        expectDone(call(new Command.RegisterInstitution(new Institution(code, "inst " + code, Set.of(TERMINAL)))),
            "register " + code);
        institutionBalance.put(code, 0L);
      }
      int n = 4 + random.nextInt(5);
      for (int i = 0; i < n; i++) {
        PersonM p = new PersonM("PSN" + seed + "X" + i, "人" + i, random.nextInt(10) < 7,
            REGIONS[random.nextInt(REGIONS.length)]);
        people.add(p);
        byPsnNo.put(p.psnNo, p);
        expectDone(call(new Command.UpsertInsured(p.insured())), "upsert " + p.psnNo);
        if (p.employee) {
          long amount = random.nextLong(0, 50_001);
          if (amount > 0) {
            credit(p, amount, random.nextLong());
          }
        }
      }
      int attempts = random.nextInt(3 * n);
      for (int i = 0; i < attempts; i++) {
        bind(random.nextLong(), random.nextLong(), random.nextInt(), random.nextLong());
      }
      trace("world: " + describeWorld());
    }

    private String describeWorld() {
      StringBuilder sb = new StringBuilder();
      for (RegionPolicy p : policies.values()) {
        sb.append("\n    region ").append(p.admdvs()).append(" floor ").append(p.retainedFloorFen())
            .append(" quota ").append(p.quotaAllowed()).append(" extended ").append(p.extendedRelativesAllowed())
            .append(" optional ").append(p.optionalCategoriesAllowed()).append(" ttl ").append(p.holdTtlSeconds());
      }
      for (PersonM p : people) {
        sb.append("\n    ").append(p.psnNo).append(p.employee ? " employee " : " resident ").append(p.admdvs)
            .append(" balance ").append(p.balance);
      }
      for (BindingM b : bindings) {
        sb.append("\n    binding ").append(b.id).append(" from ").append(b.authorizer.psnNo).append(" quota ")
            .append(b.quota);
      }
      return sb.toString();
    }

    // ---- operations -------------------------------------------------------------------------

    private void apply(Op op) {
      switch (op.kind()) {
        case CREDIT -> {
          PersonM p = pick(people, op.a());
          credit(p, 1 + Math.floorMod(op.b(), 30_000), op.c());
        }
        case AUTHORIZE -> authorize(op, newId("A"), null);
        case SETTLE -> {
          if (!txnList.isEmpty()) {
            settle(pick(txnList, op.a()), op);
          }
        }
        case CANCEL -> {
          if (!txnList.isEmpty()) {
            cancel(pick(txnList, op.a()), op);
          }
        }
        case REFUND -> {
          if (!txnList.isEmpty()) {
            refund(pick(txnList, op.a()), op);
          }
        }
        case REVERSE_KNOWN -> {
          if (!keyedIds.isEmpty()) {
            String key = pickRecentOrAny(keyedIds, op);
            ReqM e = requests.get(key);
            String inst = (op.bits() & 7) == 0 ? otherInstitution(e.institution) : e.institution;
            reverse(inst.isEmpty() ? INSTITUTIONS[0] : inst, idOf(key));
          }
        }
        case REVERSE_UNKNOWN -> reverse(pick(List.of(INSTITUTIONS), op.a()), newId("U"));
        case LATE_ORIGINAL -> {
          if (!tombstones.isEmpty()) {
            String key = pick(tombstones, op.a());
            authorize(op, idOf(key), scopeOf(key));
          }
        }
        case REPLAY_SAME -> {
          if (!keyedIds.isEmpty()) {
            replaySame(pickRecentOrAny(keyedIds, op));
          }
        }
        case REPLAY_OTHER -> {
          List<String> ids = new ArrayList<>(keyedIds);
          ids.addAll(tombstones);
          if (!ids.isEmpty()) {
            replayOther(pick(ids, op.a()), op);
          }
        }
        case ADVANCE -> {
          long jump = (op.bits() & 1) == 0 ? Math.floorMod(op.b(), 120_000) : Math.floorMod(op.b(), 2_000_000);
          now += jump;
          expire();
          trace("advance " + jump + " ms");
          Result r = call(new Command.Tick());
          expectDone(r, "tick");
        }
        case STATUS -> status(pick(people, op.a()), op);
        case REJECT -> {
          String id = newId("J");
          String inst = pick(List.of(INSTITUTIONS), op.a());
          Command.Reject c = new Command.Reject(id, op.c(), RequestKind.AUTHORIZE, inst, Outcome.IMPERSONATION,
              "card of another person");
          Result r = call(c);
          trace("reject " + id + " -> " + brief(r));
          expectOutcome(r, Outcome.IMPERSONATION, "gateway refusal " + id);
          remember(id, new ReqM(RequestKind.AUTHORIZE, c.contentHash(), inst, r, null, c));
        }
        case TICK -> expectDone(call(new Command.Tick()), "tick");
        case BIND -> bind(op.a(), op.b(), op.bits(), op.c());
        case IDENTIFY -> identify(pick(people, op.a()));
        case LOOKUP -> lookup(op);
      }
    }

    private void credit(PersonM p, long amount, long hash) {
      String id = newId("K");
      Command.Credit c = new Command.Credit(id, hash, p.psnNo, amount);
      Result r = call(c);
      trace("credit " + id + " " + p.psnNo + " " + amount + " -> " + brief(r));
      if (!p.employee) {
        expectOutcome(r, Outcome.NO_PERSONAL_ACCOUNT, "credit to a resident");
      } else {
        p.balance += amount;
        check(r instanceof Result.Account a && a.balanceFen() == p.balance && a.heldFen() == p.held,
            () -> "credit reply " + r + " (expected balance " + p.balance + " held " + p.held + ")");
      }
      remember(id, new ReqM(RequestKind.CREDIT, hash, "", r, null, c));
    }

    private void bind(long a, long b, int bits, long quotaBits) {
      PersonM authorizer = pick(people, a);
      PersonM beneficiary = pick(people, b);
      Relationship rel = Relationship.values()[Math.floorMod(bits, Relationship.values().length)];
      long quota = (bits & 0x100) == 0 ? 0 : 1 + Math.floorMod(quotaBits, 20_000);
      RegionPolicy policy = policies.get(authorizer.admdvs);
      boolean eligible = authorizer != beneficiary && authorizer.employee
          && authorizer.status == InsuredStatus.NORMAL && beneficiary.status == InsuredStatus.NORMAL
          && (rel.core() || policy.extendedRelativesAllowed());
      boolean quotaAllowed = quota == 0 || policy.quotaAllowed();
      boolean exists = beneficiary.asBeneficiary.stream().anyMatch(x -> x.authorizer == authorizer && !x.dissolved);
      boolean allowed = eligible && quotaAllowed && !exists;
      Result r = call(new Command.CreateBinding(authorizer.psnNo, beneficiary.psnNo, rel, quota));
      trace("bind " + authorizer.psnNo + " -> " + beneficiary.psnNo + " " + rel + " quota " + quota + " -> " + brief(r));
      if (!allowed) {
        expectOutcome(r, !eligible ? Outcome.BINDING_NOT_ALLOWED : !quotaAllowed ? Outcome.QUOTA_NOT_ALLOWED
            : Outcome.BINDING_EXISTS, "binding that the rules refuse");
        return;
      }
      check(r instanceof Result.BindingView v && v.active() && v.quotaFen() == quota && v.usedFen() == 0
          && v.authorizerPsnNo().equals(authorizer.psnNo) && v.beneficiaryPsnNo().equals(beneficiary.psnNo),
          () -> "binding reply " + r + " (expected an active binding)");
      BindingM m = new BindingM(((Result.BindingView) r).bindingId(), authorizer, quota);
      check(bindings.stream().noneMatch(x -> x.id.equals(m.id)), () -> "binding id reused: " + m.id);
      m.beneficiary = beneficiary;
      bindings.add(m);
      beneficiary.asBeneficiary.add(m);
    }

    private void status(PersonM p, Op op) {
      InsuredStatus[] inactive = {InsuredStatus.SUSPENDED, InsuredStatus.TERMINATED};
      p.status = p.status == InsuredStatus.NORMAL ? inactive[op.bits() & 1] : InsuredStatus.NORMAL;
      if (p.status == InsuredStatus.TERMINATED) {
        // The end of either party's insurance dissolves their bindings for good.
        for (BindingM b : bindings) {
          if (b.authorizer == p || b.beneficiary == p) {
            b.dissolved = true;
          }
        }
      }
      trace("status " + p.psnNo + " -> " + p.status);
      expectDone(call(new Command.UpsertInsured(p.insured())), "status change");
    }

    /** An authorization with a random bill; {@code late} when its id was reversed before it came. */
    /** An authorization; {@code lateAt} names the institution of a reversed id whose original comes late. */
    private void authorize(Op op, String id, String lateAt) {
      boolean late = lateAt != null;
      SplittableRandom random = new SplittableRandom(op.c());
      PersonM patient = pick(people, op.a());
      String inst = late ? lateAt : pick(List.of(INSTITUTIONS), op.b());
      boolean useAccount = (op.bits() & 0b111) != 0;
      boolean useAid = (op.bits() & 0b11000) != 0;
      boolean badTerminal = (op.bits() & 0x3E0) == 0;
      List<LineItem> items = new ArrayList<>();
      int lines = 1 + random.nextInt(5);
      for (int i = 0; i < lines; i++) {
        long amount = random.nextInt(8) == 0 ? 0 : random.nextLong(1, 20_001);
        items.add(new LineItem("I" + i, CATEGORIES[random.nextInt(CATEGORIES.length)], random.nextInt(5) > 0, 1, amount));
      }
      Command.Authorize c = new Command.Authorize(id, random.nextLong(), inst, badTerminal ? "T9" : TERMINAL,
          patient.psnNo, MedicalType.PHARMACY, Bill.of(items), useAccount, useAid);
      Result r = call(c);
      trace("authorize " + id + " " + patient.psnNo + " at " + inst + (badTerminal ? "/T9" : "") + " account "
          + useAccount + " aid " + useAid + " items " + items.stream().map(i -> i.category() + (i.inPolicyScope()
          ? "" : "(out)") + ":" + i.amountFen()).toList() + " -> " + brief(r));
      if (late) {
        expectOutcome(r, Outcome.REQUEST_ID_REVERSED, "late original of a reversed id");
        return;
      }
      ReqM entry;
      if (badTerminal) {
        expectOutcome(r, Outcome.TERMINAL_NOT_REGISTERED, "authorize from an unregistered terminal");
        entry = new ReqM(RequestKind.AUTHORIZE, c.contentHash(), inst, r, null, c);
      } else if (patient.status != InsuredStatus.NORMAL) {
        expectOutcome(r, Outcome.INSURED_NOT_ACTIVE, "authorize for a patient not in normal status");
        entry = new ReqM(RequestKind.AUTHORIZE, c.contentHash(), inst, r, null, c);
      } else {
        TxnM t = expectAuthorized(c, patient, items, r);
        entry = new ReqM(RequestKind.AUTHORIZE, c.contentHash(), inst, r, t.id, c);
      }
      remember(id, entry);
    }

    private TxnM expectAuthorized(Command.Authorize c, PersonM patient, List<LineItem> items, Result r) {
      long total = 0;
      long[] payable = new long[CATEGORIES.length];
      for (LineItem i : items) {
        total += i.amountFen();
        if (i.inPolicyScope() && !i.category().forbidden()) {
          payable[i.category().ordinal()] += i.amountFen();
        }
      }
      // The sources in drawing order: own account, then mutual aid in binding order.
      List<BindingM> sourceBindings = new ArrayList<>();
      List<Long> sourceAvailable = new ArrayList<>();
      List<Set<ItemCategory>> sourceCategories = new ArrayList<>();
      if (c.useAccount()) {
        if (patient.employee) {
          sourceBindings.add(null);
          sourceAvailable.add(patient.available());
          sourceCategories.add(payableCategories(patient.admdvs));
        }
        if (c.useMutualAid()) {
          RegionPolicy place = policies.get(c.institution().substring(1, 7));
          for (BindingM b : patient.asBeneficiary) {
            if (b.dissolved || b.authorizer.status != InsuredStatus.NORMAL) {
              continue;
            }
            RegionPolicy from = policies.get(b.authorizer.admdvs);
            if (!from.admdvs().substring(0, 2).equals(place.admdvs().substring(0, 2))
                && !(from.crossProvinceEnabled() && place.crossProvinceEnabled())) {
              continue;
            }
            long share = Math.max(0, b.authorizer.available() - policies.get(b.authorizer.admdvs).retainedFloorFen());
            if (b.quota > 0) {
              share = Math.min(share, Math.max(0, b.quota - b.used - b.held));
            }
            sourceBindings.add(b);
            sourceAvailable.add(share);
            sourceCategories.add(payableCategories(b.authorizer.admdvs));
          }
        }
      }
      // Each source pays, up to what it has, the categories it may: optional ones first.
      List<ItemCategory> order = new ArrayList<>();
      for (ItemCategory cat : CATEGORIES) {
        if (cat.optional()) {
          order.add(cat);
        }
      }
      for (ItemCategory cat : CATEGORIES) {
        if (!cat.optional() && !cat.forbidden()) {
          order.add(cat);
        }
      }
      long[] remaining = payable.clone();
      List<LegM> legs = new ArrayList<>();
      long paid = 0;
      Set<ItemCategory> union = EnumSet.noneOf(ItemCategory.class);
      for (int s = 0; s < sourceBindings.size(); s++) {
        long cap = sourceAvailable.get(s);
        union.addAll(sourceCategories.get(s));
        long draw = 0;
        for (ItemCategory cat : order) {
          if (sourceCategories.get(s).contains(cat)) {
            long d = Math.min(cap, remaining[cat.ordinal()]);
            remaining[cat.ordinal()] -= d;
            cap -= d;
            draw += d;
          }
        }
        if (draw > 0) {
          BindingM b = sourceBindings.get(s);
          legs.add(new LegM(b == null ? patient : b.authorizer, b, draw));
          paid += draw;
        }
      }
      long cash = total - paid;
      union.addAll(payableCategories(patient.admdvs));
      long inScope = 0;
      for (ItemCategory cat : union) {
        inScope += payable[cat.ordinal()];
      }
      check(r instanceof Result.Sale, () -> "authorize reply " + r + " (expected a sale with legs "
          + describe(legs, cash) + ")");
      Result.Sale sale = (Result.Sale) r;
      long ttlMillis = policies.get(c.institution().substring(1, 7)).holdTtlSeconds() * 1000L;
      check(sale.txn().state() == TxnState.AUTHORIZED && sale.txn().expiresAtMillis() == now + ttlMillis
          && sale.txn().createdAtMillis() == now && sale.requestId().equals(c.requestId()),
          () -> "authorized sale " + sale.txn() + " (expected AUTHORIZED, expiring at " + (now + ttlMillis) + ")");
      check(!txns.containsKey(sale.txn().txnId()), () -> "transaction id reused: " + sale.txn().txnId());
      // Place the holds in the model.
      for (LegM leg : legs) {
        leg.owner().held += leg.amount();
        if (leg.binding() != null) {
          leg.binding().held += leg.amount();
        }
      }
      expectBreakdown(sale.breakdown(), legs, cash, total, Math.min(inScope, total), patient, "authorize");
      TxnM t = new TxnM(sale.txn().txnId(), c.institution(), legs, cash, total, now + ttlMillis);
      txns.put(t.id, t);
      txnList.add(t);
      return t;
    }

    private Set<ItemCategory> payableCategories(String admdvs) {
      Set<ItemCategory> out = EnumSet.noneOf(ItemCategory.class);
      for (ItemCategory cat : CATEGORIES) {
        if (!cat.forbidden() && (!cat.optional() || policies.get(admdvs).optionalCategoriesAllowed().contains(cat))) {
          out.add(cat);
        }
      }
      return out;
    }

    private void settle(TxnM t, Op op) {
      String id = newId("S");
      boolean wrongInstitution = (op.bits() & 0xF) == 0;
      long finalTotal = switch (Math.floorMod(op.b(), 5)) {
        case 0, 1 -> -1;
        case 2 -> t.total;
        case 3 -> Math.floorMod(op.c(), t.total + 1);
        default -> t.total + 1 + Math.floorMod(op.c(), 1_000);
      };
      String inst = wrongInstitution ? otherInstitution(t.institution) : t.institution;
      Command.Settle c = new Command.Settle(id, op.c(), inst, t.id, finalTotal);
      Result r = call(c);
      trace("settle " + id + " " + t.id + " (" + t.state + ", total " + t.total + ") final " + finalTotal
          + (wrongInstitution ? " from " + inst : "") + " -> " + brief(r));
      if (wrongInstitution) {
        expectOutcome(r, Outcome.TRANSACTION_NOT_FOUND, "settle from another institution");
      } else if (t.state != TxnState.AUTHORIZED) {
        expectOutcome(r, Outcome.TRANSACTION_STATE_CONFLICT, "settle of a " + t.state + " sale");
      } else if (finalTotal > t.total) {
        expectOutcome(r, Outcome.AMOUNT_EXCEEDS_AUTHORIZED, "settle above the authorized total");
      } else {
        long target = finalTotal < 0 ? t.total : finalTotal;
        // The reduction comes off the last account leg first, then the earlier ones, then cash.
        long left = t.total - target;
        long[] amounts = new long[t.legs.size()];
        for (int i = amounts.length - 1; i >= 0; i--) {
          long d = Math.min(left, t.legs.get(i).amount());
          amounts[i] = t.legs.get(i).amount() - d;
          left -= d;
        }
        long cash = t.cash - left;
        List<LegM> posted = new ArrayList<>();
        for (int i = 0; i < amounts.length; i++) {
          LegM leg = t.legs.get(i);
          leg.owner().held -= leg.amount();
          leg.owner().balance -= amounts[i];
          if (leg.binding() != null) {
            leg.binding().held -= leg.amount();
            leg.binding().used += amounts[i];
          }
          posted.add(new LegM(leg.owner(), leg.binding(), amounts[i]));
          institutionBalance.merge(t.institution, amounts[i], Long::sum);
        }
        t.posted = posted;
        t.state = TxnState.SETTLED;
        check(r instanceof Result.Sale s && s.txn().state() == TxnState.SETTLED,
            () -> "settle reply " + r + " (expected SETTLED with legs " + describe(posted, cash) + ")");
        expectBreakdown(((Result.Sale) r).breakdown(), nonZero(posted), cash, target, -1, null, "settle");
      }
      remember(id, new ReqM(RequestKind.SETTLE, c.contentHash(), inst, r, r instanceof Result.Sale ? t.id : null, c));
    }

    private void cancel(TxnM t, Op op) {
      String id = newId("C");
      Command.Cancel c = new Command.Cancel(id, op.c(), t.institution, t.id);
      Result r = call(c);
      trace("cancel " + id + " " + t.id + " (" + t.state + ") -> " + r);
      if (t.state == TxnState.SETTLED || t.state == TxnState.REFUNDED) {
        expectOutcome(r, Outcome.TRANSACTION_STATE_CONFLICT, "cancel of a " + t.state + " sale");
      } else {
        if (t.state == TxnState.AUTHORIZED) {
          release(t, TxnState.CANCELLED);
        }
        check(r instanceof Result.Sale s && s.txn().state() == t.state,
            () -> "cancel reply " + r + " (expected a sale in state " + t.state + ")");
      }
      remember(id, new ReqM(RequestKind.CANCEL, c.contentHash(), t.institution, r,
          r instanceof Result.Sale ? t.id : null, c));
    }

    private void refund(TxnM t, Op op) {
      String id = newId("R");
      Command.Refund c = new Command.Refund(id, op.c(), t.institution, t.id);
      Result r = call(c);
      trace("refund " + id + " " + t.id + " (" + t.state + ") -> " + brief(r));
      if (t.state != TxnState.SETTLED) {
        expectOutcome(r, Outcome.TRANSACTION_STATE_CONFLICT, "refund of a " + t.state + " sale");
      } else {
        returnPosted(t);
        t.state = TxnState.REFUNDED;
        check(r instanceof Result.Sale s && s.txn().state() == TxnState.REFUNDED,
            () -> "refund reply " + r + " (expected REFUNDED)");
        List<LegM> back = nonZero(t.posted);
        long cash = ((Result.Sale) r).breakdown().totalFen() - back.stream().mapToLong(LegM::amount).sum();
        expectBreakdown(((Result.Sale) r).breakdown(), back, cash, -1, -1, null, "refund");
      }
      remember(id, new ReqM(RequestKind.REFUND, c.contentHash(), t.institution, r,
          r instanceof Result.Sale ? t.id : null, c));
    }

    private void reverse(String inst, String id) {
      Result r = call(new Command.Reverse(inst, id));
      // Only the institution's own request ids: another's with the same id is not even seen.
      ReqM e = requests.get(key(inst, id));
      trace("reverse " + id + " at " + inst + " (" + (e == null ? "unknown" : e.kind + (e.reversed ? ", reversed" : "")
          + (e.txnId == null ? "" : ", " + e.txnId + " " + txns.get(e.txnId).state)) + ") -> " + brief(r));
      if (e == null) {
        expectReversal(r, ReversalOutcome.NOT_RECEIVED, "");
        requests.put(key(inst, id), new ReqM(RequestKind.TOMBSTONE, 0, inst, null, null, null));
        tombstones.add(key(inst, id));
        return;
      }
      if (e.kind == RequestKind.TOMBSTONE) {
        expectReversal(r, ReversalOutcome.NOT_RECEIVED, "");
        return;
      }
      String txnId = e.txnId == null ? "" : e.txnId;
      if (e.result instanceof Rejected) {
        expectReversal(r, ReversalOutcome.ORIGINAL_FAILED, txnId);
        return;
      }
      if (e.reversed) {
        expectReversal(r, ReversalOutcome.REVERSED, txnId);
        return;
      }
      TxnM t = txns.get(e.txnId);
      switch (e.kind) {
        case AUTHORIZE -> {
          if (t.state == TxnState.SETTLED || t.state == TxnState.REFUNDED) {
            expectOutcome(r, Outcome.TRANSACTION_STATE_CONFLICT, "reversal of the authorization of a " + t.state + " sale");
            return;
          }
          if (t.state == TxnState.AUTHORIZED) {
            release(t, TxnState.CANCELLED);
          }
        }
        case SETTLE -> {
          if (t.state == TxnState.REFUNDED) {
            expectOutcome(r, Outcome.TRANSACTION_STATE_CONFLICT, "reversal of the settlement of a refunded sale");
            return;
          }
          if (t.state == TxnState.SETTLED) {
            returnPosted(t);
            t.state = TxnState.CANCELLED;
          }
        }
        case REFUND -> {
          if (t.state == TxnState.REFUNDED) {
            Map<PersonM, Long> takeBack = new HashMap<>();
            for (LegM leg : t.posted) {
              takeBack.merge(leg.owner(), leg.amount(), Long::sum);
            }
            boolean spent = takeBack.entrySet().stream().anyMatch(x -> x.getKey().available() < x.getValue());
            // Nor may it make a binding pay past its quota, which a later sale may be using again.
            boolean quotaInUse = t.posted.stream().anyMatch(leg -> leg.binding() != null && leg.binding().quota > 0
                && leg.binding().used + leg.binding().held + leg.amount() > leg.binding().quota);
            if (spent || quotaInUse) {
              expectOutcome(r, Outcome.INSUFFICIENT_FUNDS, "reversal of a refund whose money or quota was spent");
              return;
            }
            for (LegM leg : t.posted) {
              leg.owner().balance -= leg.amount();
              institutionBalance.merge(t.institution, leg.amount(), Long::sum);
              if (leg.binding() != null) {
                leg.binding().used += leg.amount();
              }
            }
            t.state = TxnState.SETTLED;
          }
        }
        default -> {
          expectOutcome(r, Outcome.TRANSACTION_STATE_CONFLICT, "reversal of a " + e.kind + " request");
          return;
        }
      }
      e.reversed = true;
      expectReversal(r, ReversalOutcome.REVERSED, txnId);
    }

    private void replaySame(String id) {
      ReqM e = requests.get(id);
      Result r = call(e.command);
      trace("replay " + id + " (" + e.kind + (e.reversed ? ", reversed" : "") + ") -> " + brief(r));
      if (e.reversed) {
        expectOutcome(r, Outcome.REQUEST_ID_REVERSED, "replay of a reversed request");
      } else {
        // The ledger keeps compact entries and rebuilds the result: equal values, not the same object.
        check(r.equals(e.result), () -> "replay of " + id + " returned " + r + " (expected the same " + e.result + ")");
      }
    }

    /** The id of a request used again, in the same scope, for a request with other content. */
    private void replayOther(String key, Op op) {
      ReqM e = requests.get(key);
      String id = idOf(key);
      String scope = scopeOf(key);
      Command c;
      if (scope.isEmpty()) {
        c = new Command.Credit(id, e.hash + 1, people.get(0).psnNo, 1);
      } else if ((op.bits() & 1) == 0) {
        c = new Command.Authorize(id, e.hash + 1, scope, TERMINAL, people.get(0).psnNo, MedicalType.PHARMACY,
            Bill.of(List.of(new LineItem("I", ItemCategory.DRUG, true, 1, 100))), true, true);
      } else {
        c = new Command.Settle(id, e.hash + 1, scope, txnList.isEmpty() ? "T1" : txnList.get(0).id, -1);
      }
      Result r = call(c);
      trace("reuse " + key + " (" + e.kind + ") for " + c.getClass().getSimpleName() + " -> " + brief(r));
      expectOutcome(r, e.kind == RequestKind.TOMBSTONE ? Outcome.REQUEST_ID_REVERSED : Outcome.REQUEST_ID_REUSED,
          "request id used again with other content");
    }

    private void identify(PersonM p) {
      Result r = call(new Command.Identify(p.psnNo));
      trace("identify " + p.psnNo + " -> " + brief(r));
      List<String> expected = new ArrayList<>();
      for (BindingM b : p.asBeneficiary) {
        if (!b.dissolved && b.authorizer.status == InsuredStatus.NORMAL) {
          long share = Math.max(0, b.authorizer.available() - policies.get(b.authorizer.admdvs).retainedFloorFen());
          if (b.quota > 0) {
            share = Math.min(share, Math.max(0, b.quota - b.used - b.held));
          }
          expected.add(b.id + " " + share);
        }
      }
      check(r instanceof Result.Identity i && i.hasAccount() == p.employee
          && i.balanceFen() == (p.employee ? p.balance : 0) && i.availableFen() == (p.employee ? p.available() : 0)
          && i.status() == p.status
          && i.aidSources().stream().map(s -> s.bindingId() + " " + s.availableFen()).toList().equals(expected),
          () -> "identify " + r + " (expected balance " + p.balance + " available " + p.available() + " sources "
              + expected + ")");
    }

    private void lookup(Op op) {
      if ((op.bits() & 1) == 0 && !txnList.isEmpty()) {
        TxnM t = pick(txnList, op.a());
        Result r = call(new Command.GetTransaction(t.institution, t.id, null));
        check(r instanceof Result.Lookup l && l.txn().state() == t.state
            && (l.txn().settled() != null) == (t.state == TxnState.SETTLED || t.state == TxnState.REFUNDED),
            () -> "lookup of " + t.id + ": " + r + " (expected state " + t.state + ")");
      } else if (!keyedIds.isEmpty()) {
        String key = pick(keyedIds, op.a());
        String id = idOf(key);
        ReqM e = requests.get(key);
        if (e.institution.isEmpty()) {
          return;
        }
        Result r = call(new Command.GetTransaction(e.institution, null, id));
        boolean applied = !(e.result instanceof Rejected) && !e.reversed;
        check(r instanceof Result.Lookup l && l.request().applied() == applied && l.request().reversed() == e.reversed
            && l.request().kind() == e.kind && (l.txn() == null) == (e.txnId == null),
            () -> "lookup of request " + id + ": " + r + " (expected applied " + applied + ", reversed " + e.reversed
                + ")");
      }
    }

    // ---- model updates ----------------------------------------------------------------------

    private void expire() {
      for (TxnM t : txnList) {
        if (t.state == TxnState.AUTHORIZED && t.expiresAt <= now) {
          release(t, TxnState.EXPIRED);
        }
      }
    }

    private void release(TxnM t, TxnState state) {
      for (LegM leg : t.legs) {
        leg.owner().held -= leg.amount();
        if (leg.binding() != null) {
          leg.binding().held -= leg.amount();
        }
      }
      t.state = state;
    }

    private void returnPosted(TxnM t) {
      for (LegM leg : t.posted) {
        leg.owner().balance += leg.amount();
        institutionBalance.merge(t.institution, -leg.amount(), Long::sum);
        if (leg.binding() != null) {
          leg.binding().used -= leg.amount();
        }
      }
    }

    private void remember(String id, ReqM entry) {
      String key = key(entry.institution, id);
      ReqM before = requests.put(key, entry);
      check(before == null, () -> "model bug: request id " + key + " recorded twice");
      keyedIds.add(key);
    }

    private static String key(String scope, String id) {
      return scope + "|" + id;
    }

    private static String scopeOf(String key) {
      return key.substring(0, key.indexOf('|'));
    }

    private static String idOf(String key) {
      return key.substring(key.indexOf('|') + 1);
    }

    // ---- checks -----------------------------------------------------------------------------

    /** After every step: the ledger's own audit, and every amount against the auditor's. */
    private void checkState() {
      List<String> violations = ledger.audit();
      check(violations.isEmpty(), () -> "audit: " + violations);
      for (PersonM p : people) {
        long balance = ledger.balanceOf(p.psnNo);
        long held = ledger.heldOf(p.psnNo);
        if (!p.employee) {
          check(balance == -1 && held == -1, () -> "resident " + p.psnNo + " has an account: " + balance + "/" + held);
          continue;
        }
        check(balance == p.balance && held == p.held, () -> p.psnNo + " balance/held " + balance + "/" + held
            + " (auditor: " + p.balance + "/" + p.held + ")");
        check(balance >= 0 && held >= 0 && balance - held >= 0,
            () -> p.psnNo + " negative: balance " + balance + " held " + held);
      }
      for (String code : INSTITUTIONS) {
        long actual = ledger.institutionBalance(code);
        long expected = institutionBalance.get(code);
        check(actual == expected && actual >= 0, () -> code + " balance " + actual + " (auditor: " + expected + ")");
      }
      for (BindingM b : bindings) {
        Result r = ledger.binding(b.id);
        check(r instanceof Result.BindingView v && v.usedFen() == b.used && b.used >= 0 && b.held >= 0,
            () -> "binding " + b.id + ": " + r + " (auditor: used " + b.used + " held " + b.held + ")");
        check(b.quota == 0 || b.used + b.held <= b.quota,
            () -> "binding " + b.id + " over its quota " + b.quota + ": used " + b.used + " held " + b.held);
      }
    }

    private void expectBreakdown(Result.Breakdown b, List<LegM> legs, long cash, long total, long inScope,
        PersonM patient, String what) {
      List<String> expected = new ArrayList<>();
      long own = 0;
      long aid = 0;
      for (LegM leg : legs) {
        expected.add((leg.binding() == null ? FundSource.OWN_ACCOUNT + " -" : FundSource.MUTUAL_AID + " "
            + leg.binding().id) + " " + leg.amount());
        if (leg.binding() == null) {
          own += leg.amount();
        } else {
          aid += leg.amount();
        }
      }
      if (cash > 0) {
        expected.add(FundSource.CASH + " - " + cash);
      }
      List<String> actual = new ArrayList<>();
      for (Leg leg : b.legs()) {
        actual.add(leg.source() + " " + (leg.bindingId().isEmpty() ? "-" : leg.bindingId()) + " " + leg.amountFen());
      }
      long ownFen = own;
      long aidFen = aid;
      check(expected.equals(actual) && b.accountPayFen() == ownFen && b.mutualAidPayFen() == aidFen
          && b.cashPayFen() == cash && b.totalFen() == ownFen + aidFen + cash && (total < 0 || b.totalFen() == total)
          && (inScope < 0 || b.inScopeFen() == inScope)
          && (patient == null || b.balanceAfterFen() == (patient.employee ? patient.available() : 0)),
          () -> what + " breakdown " + b + " (auditor: legs " + expected + ", total " + total + ", in scope " + inScope
              + (patient == null ? "" : ", own available after " + patient.available()) + ")");
    }

    private void expectReversal(Result r, ReversalOutcome outcome, String txnId) {
      check(r instanceof Result.Reversal v && v.reversal() == outcome && v.txnId().equals(txnId),
          () -> "reversal reply " + r + " (expected " + outcome + " " + txnId + ")");
    }

    private static void expectOutcome(Result r, Outcome outcome, String what) {
      check(r.outcome() == outcome, () -> what + ": " + r + " (expected " + outcome + ")");
    }

    private static void expectDone(Result r, String what) {
      check(r instanceof Result.Done, () -> what + ": " + r + " (expected done)");
    }

    private static void check(boolean ok, Supplier<String> message) {
      if (!ok) {
        throw new StepFailure(message.get());
      }
    }

    // ---- small things -----------------------------------------------------------------------

    private String newId(String prefix) {
      return prefix + "-" + (++nextId);
    }

    private static String otherInstitution(String code) {
      return Objects.equals(code, INSTITUTIONS[0]) ? INSTITUTIONS[1] : INSTITUTIONS[0];
    }

    private static <T> T pick(List<T> list, long random) {
      return list.get((int) Math.floorMod(random, (long) list.size()));
    }

    /** Half of the time one of the last few ids: reversing or replaying what just happened is the common case. */
    private static String pickRecentOrAny(List<String> ids, Op op) {
      if ((op.bits() & 0x400) == 0) {
        return pick(ids.subList(Math.max(0, ids.size() - 8), ids.size()), op.a());
      }
      return pick(ids, op.a());
    }

    private static List<LegM> nonZero(List<LegM> legs) {
      return legs.stream().filter(l -> l.amount() > 0).toList();
    }

    private static String describe(List<LegM> legs, long cash) {
      return legs.stream().map(l -> (l.binding() == null ? "own " : l.binding().id + " ") + l.amount()).toList()
          + " cash " + cash;
    }

    /** A result in a line: enough to follow a trace. */
    private static String brief(Result r) {
      if (r instanceof Result.Sale s) {
        StringBuilder sb = new StringBuilder("Sale " + s.txn().txnId() + " " + s.txn().state() + " [");
        for (Leg leg : s.breakdown().legs()) {
          sb.append(leg.source() == FundSource.OWN_ACCOUNT ? "own" : leg.source() == FundSource.CASH ? "cash"
              : leg.bindingId()).append(' ').append(leg.amountFen()).append(", ");
        }
        return sb.append("after ").append(s.breakdown().balanceAfterFen()).append(']').toString();
      }
      if (r instanceof Rejected j) {
        return "Rejected " + j.outcome();
      }
      return String.valueOf(r);
    }

    /** Applies a command at the model's time; every step applies at least one (a tick if nothing else). */
    private Result call(Command command) {
      calledThisStep = true;
      return ledger.apply(command, now);
    }

    private void trace(String line) {
      if (tracing) {
        trace.add("step " + step + " @" + (now - START_MILLIS) + "ms: " + line);
      }
    }
  }
}
