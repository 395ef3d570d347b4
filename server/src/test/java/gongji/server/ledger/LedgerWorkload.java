package gongji.server.ledger;

import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.domain.RegionPolicy;
import gongji.server.domain.Relationship;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded stream of mutating commands that make sense to a ledger: a small world (regions,
 * institutions, employees and residents, credits, bindings), then sales and their follow-ups
 * (settle, cancel, refund, reversal), replays with the same and with other content, gateway
 * refusals, binding requests and reviews, status changes, deaths with payouts to heirs, premiums
 * paid for relatives, and ticks.
 *
 * <p>It learns transaction and binding ids from the results it is shown ({@link #observe}) and reads
 * balances from a ledger it is given, so that most commands reach the interesting paths; it checks
 * nothing. Tests that need a model of the money compare ledgers with each other instead.
 */
final class LedgerWorkload {
  static final String[] REGIONS = {"620100", "620500", "350100"};
  static final String[] INSTITUTIONS = {"P62010000017", "H35010000002"};
  static final String TERMINAL = "T1";
  private static final ItemCategory[] CATEGORIES = ItemCategory.values();

  private final SplittableRandom random;
  private final String prefix;
  private final List<String> people = new ArrayList<>();
  private final List<Insured> insured = new ArrayList<>();
  private final List<String> txnIds = new ArrayList<>();
  private final java.util.Map<String, String> txnInstitution = new java.util.HashMap<>();
  private final List<String> bindingIds = new ArrayList<>();
  private final List<Result.BindingView> bindings = new ArrayList<>();
  private final List<String> dead = new ArrayList<>();
  private final List<Command.Keyed> keyed = new ArrayList<>();
  private final List<Result.WalletTransferView> transfers = new ArrayList<>();
  private int nextId;

  LedgerWorkload(SplittableRandom random) {
    this(random, "");
  }

  /** {@code prefix} keeps the request ids of several workloads apart. */
  LedgerWorkload(SplittableRandom random, String prefix) {
    this.random = random;
    this.prefix = prefix;
  }

  /** The people of the world, by person number. */
  List<String> people() {
    return people;
  }

  /** The request ids the workload has used so far, with the commands that used them first. */
  List<Command.Keyed> keyed() {
    return keyed;
  }

  /** The world's setup: policies, institutions, people, credits and a few bindings. */
  List<Command> world() {
    List<Command> out = new ArrayList<>();
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
      boolean limits = random.nextInt(3) == 0;
      RegionPolicy policy = new RegionPolicy(admdvs, "region " + admdvs, floors[random.nextInt(4)],
          random.nextBoolean(), random.nextInt(4) > 0, random.nextBoolean(), optional, ttls[random.nextInt(3)],
          limits ? 1 + random.nextInt(3) : 0, limits ? random.nextLong(1, 30_000) : 0);
      if (random.nextBoolean()) {
        policy = policy.withWallet(new RegionPolicy.WalletRules(1 + random.nextInt(4), random.nextLong(1, 30_000),
            random.nextInt(24), random.nextInt(24)));
      }
      out.add(new Command.SetRegionPolicy(policy.withAidOrder(pick(RegionPolicy.AidOrder.values()))));
    }
    for (String code : INSTITUTIONS) {
      out.add(new Command.RegisterInstitution(new Institution(code, "机构 " + code, Set.of(TERMINAL))));
    }
    int n = 3 + random.nextInt(4);
    for (int i = 0; i < n; i++) {
      String psnNo = "PSN" + prefix + i;
      Insured p = new Insured(psnNo, "参保人" + i,
          random.nextInt(10) < 7 ? InsuranceType.EMPLOYEE_BASIC : InsuranceType.RESIDENT_BASIC, InsuredStatus.NORMAL,
          REGIONS[random.nextInt(REGIONS.length)],
          List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-" + psnNo)));
      people.add(psnNo);
      insured.add(p);
      out.add(new Command.UpsertInsured(p));
      if (p.hasPersonalAccount()) {
        out.add(credit(psnNo, random.nextLong(1, 60_001)));
      }
    }
    for (int i = random.nextInt(1, 2 * n); i > 0; i--) {
      String[] p = pair();
      out.add(new Command.CreateBinding(p[0], p[1], relationship(), random.nextBoolean() ? 0 : random.nextLong(1, 20_000)));
    }
    return out;
  }

  /** How long until the next command: mostly moments, sometimes past every hold's expiry. */
  long nextDelayMillis() {
    return switch (random.nextInt(20)) {
      case 0 -> random.nextLong(60_000, 2_000_000);
      case 1, 2 -> random.nextLong(1_000, 60_000);
      default -> random.nextInt(1_000);
    };
  }

  /** Learns ids from a result: transactions from sales, bindings from binding views. */
  void observe(Result r) {
    if (r instanceof Result.Sale s && !txnIds.contains(s.txn().txnId())) {
      txnIds.add(s.txn().txnId());
      txnInstitution.put(s.txn().txnId(), s.txn().institution());
    } else if (r instanceof Result.BindingView b && !bindingIds.contains(b.bindingId())) {
      bindingIds.add(b.bindingId());
      bindings.add(b);
    } else if (r instanceof Result.WalletTransferView w
        && transfers.stream().noneMatch(t -> t.transferId().equals(w.transferId()))) {
      transfers.add(w);
    }
  }

  /** A transaction, recent ones more often (their follow-ups are the interesting ones). */
  private String txn() {
    int n = txnIds.size();
    return random.nextBoolean() ? txnIds.get(Math.max(0, n - 1 - random.nextInt(Math.min(n, 4)))) : pick(txnIds);
  }

  /** The institution of a transaction, and now and then another one. */
  private String institutionOf(String txnId) {
    return random.nextInt(10) == 0 ? pick(INSTITUTIONS) : txnInstitution.get(txnId);
  }

  private boolean employee(String psnNo) {
    return insured.get(people.indexOf(psnNo)).hasPersonalAccount();
  }

  /** An authorizer and a beneficiary: mostly an employee and someone else. */
  private String[] pair() {
    String a = pick(people);
    for (int i = 0; i < 4 && !employee(a); i++) {
      a = pick(people);
    }
    String b = pick(people);
    for (int i = 0; i < 4 && b.equals(a); i++) {
      b = pick(people);
    }
    return new String[] {a, b};
  }

  /** The next command; {@code view} (the ledger the commands go to, or a twin of it) gives balances. */
  Command next(Ledger view) {
    int roll = random.nextInt(110);
    if (roll < 8) {
      return credit(pick(people), random.nextLong(1, 30_000));
    } else if (roll < 34) {
      return authorize(newId("A"));
    } else if (roll < 48 && !txnIds.isEmpty()) {
      long finalTotal = switch (random.nextInt(4)) {
        case 0 -> random.nextLong(0, 20_000);
        case 1 -> random.nextLong(0, 100_000);
        default -> -1;
      };
      String t = txn();
      return keep(new Command.Settle(newId("S"), random.nextLong(), institutionOf(t), t, finalTotal));
    } else if (roll < 53 && !txnIds.isEmpty()) {
      String t = txn();
      return keep(new Command.Cancel(newId("C"), random.nextLong(), institutionOf(t), t));
    } else if (roll < 59 && !txnIds.isEmpty()) {
      String t = txn();
      return keep(new Command.Refund(newId("R"), random.nextLong(), institutionOf(t), t));
    } else if (roll < 66 && !keyed.isEmpty()) {
      Command.Keyed k = pick(keyed);
      String inst = k instanceof Command.Authorize a ? a.institution()
          : k instanceof Command.Settle s ? s.institution() : pick(INSTITUTIONS);
      return new Command.Reverse(random.nextInt(8) == 0 ? pick(INSTITUTIONS) : inst, k.requestId());
    } else if (roll < 68) {
      return new Command.Reverse(pick(INSTITUTIONS), newId("U"));
    } else if (roll < 76 && !keyed.isEmpty()) {
      return pick(keyed); // the same request again
    } else if (roll < 79 && !keyed.isEmpty()) {
      Command.Keyed k = pick(keyed);
      return new Command.Credit(k.requestId(), k.contentHash() + 1, pick(people), 1); // same id, other content
    } else if (roll < 80) {
      return keep(new Command.Reject(newId("J"), random.nextLong(), RequestKind.AUTHORIZE, pick(INSTITUTIONS),
          Outcome.IMPERSONATION, "card of another person"));
    } else if (roll < 82) {
      return new Command.Tick();
    } else if (roll < 84) {
      String[] p = pair();
      return new Command.CreateBinding(p[0], p[1], relationship(), random.nextBoolean() ? 0 : random.nextLong(1, 20_000));
    } else if (roll < 86) {
      String[] p = pair();
      return new Command.RequestBinding(p[0], p[1], relationship(), random.nextBoolean() ? 0 : random.nextLong(1, 20_000),
          "证明" + nextId++);
    } else if (roll < 88 && !bindingIds.isEmpty()) {
      return new Command.ReviewBinding(pick(bindingIds), random.nextInt(4) > 0, random.nextBoolean() ? "" : "核实");
    } else if (roll < 89 && !bindings.isEmpty()) {
      Result.BindingView b = pick(bindings);
      String by = switch (random.nextInt(5)) {
        case 0 -> pick(people);
        case 1, 2 -> b.authorizerPsnNo();
        default -> b.beneficiaryPsnNo();
      };
      return new Command.DissolveBinding(b.bindingId(), by);
    } else if (roll < 91) {
      return statusChange();
    } else if (roll < 92 && random.nextInt(3) == 0) {
      String p = pick(people);
      dead.add(p);
      return new Command.RecordDeath(p);
    } else if (roll < 94 && !dead.isEmpty()) {
      return payout(view);
    } else if (roll < 98 && !bindings.isEmpty()) {
      Result.BindingView b = pick(bindings);
      boolean stranger = random.nextInt(6) == 0;
      return keep(new Command.PayPremium(newId("M"), random.nextLong(), stranger ? pick(people) : b.authorizerPsnNo(),
          b.beneficiaryPsnNo(), random.nextLong(1, 15_000), 2026));
    } else if (roll >= 100) {
      return wallet();
    }
    return authorize(newId("A"));
  }

  /** Wallet commands: open, assign along bindings, answer, and quota changes on the bindings. */
  private Command wallet() {
    int roll = random.nextInt(10);
    if (roll < 2 || bindings.isEmpty()) {
      return new Command.OpenWallet(bindings.isEmpty() || random.nextInt(4) == 0 ? pick(people)
          : pick(bindings).beneficiaryPsnNo());
    } else if (roll < 6 || transfers.isEmpty()) {
      Result.BindingView b = pick(bindings);
      String from = random.nextInt(8) == 0 ? pick(people) : b.authorizerPsnNo();
      return keep(new Command.AssignWalletQuota(newId("W"), random.nextLong(), from, b.beneficiaryPsnNo(),
          random.nextLong(1, 30_000)));
    } else if (roll < 9) {
      Result.WalletTransferView t = pick(transfers);
      boolean accept = random.nextInt(4) > 0;
      String by = switch (random.nextInt(6)) {
        case 0 -> pick(people);
        case 1 -> t.authorizerPsnNo();
        default -> t.beneficiaryPsnNo();
      };
      return new Command.AnswerWalletTransfer(t.transferId(), by, accept);
    }
    Result.BindingView b = pick(bindings);
    return new Command.UpdateBindingQuota(b.bindingId(), random.nextInt(6) == 0 ? pick(people) : b.authorizerPsnNo(),
        random.nextBoolean() ? 0 : random.nextLong(1, 40_000));
  }

  private Command.Credit credit(String psnNo, long amountFen) {
    return keep(new Command.Credit(newId("K"), random.nextLong(), psnNo, amountFen));
  }

  private Command.Authorize authorize(String id) {
    List<LineItem> items = new ArrayList<>();
    int lines = 1 + random.nextInt(4);
    for (int i = 0; i < lines; i++) {
      long amount = random.nextInt(8) == 0 ? 0 : random.nextLong(1, 20_001);
      // Mostly medicine and services, which accounts pay; now and then anything.
      ItemCategory category = random.nextInt(4) == 0 ? pick(CATEGORIES) : CATEGORIES[random.nextInt(4)];
      items.add(new LineItem("I" + i, category, random.nextInt(5) > 0, 1, amount));
    }
    boolean badTerminal = random.nextInt(25) == 0;
    // Beneficiaries of bindings are the patients that draw on mutual aid.
    String patient = !bindings.isEmpty() && random.nextBoolean() ? pick(bindings).beneficiaryPsnNo() : pick(people);
    return keep(new Command.Authorize(id, random.nextLong(), pick(INSTITUTIONS), badTerminal ? "T9" : TERMINAL,
        patient, pick(MedicalType.values()), Bill.of(items), random.nextInt(8) > 0, random.nextInt(4) > 0));
  }

  /** Core relationships mostly: the extended ones only some regions allow. */
  private Relationship relationship() {
    Relationship[] core = {Relationship.SPOUSE, Relationship.PARENT, Relationship.CHILD};
    return random.nextInt(4) == 0 ? pick(Relationship.values()) : pick(core);
  }

  private Command statusChange() {
    int i = random.nextInt(people.size());
    Insured p = insured.get(i);
    InsuredStatus[] statuses = {InsuredStatus.NORMAL, InsuredStatus.NORMAL, InsuredStatus.NORMAL,
        InsuredStatus.SUSPENDED, InsuredStatus.TERMINATED};
    String admdvs = random.nextInt(4) == 0 ? pick(REGIONS) : p.admdvs();
    Insured changed = new Insured(p.psnNo(), p.name(), p.insuranceType(), pick(statuses), admdvs, p.credentials());
    insured.set(i, changed);
    return new Command.UpsertInsured(changed);
  }

  /** A payout whose shares add up to the balance the view shows (or, sometimes, do not). */
  private Command payout(Ledger view) {
    String psnNo = random.nextInt(8) == 0 ? pick(people) : pick(dead);
    long balance = view == null ? -1 : view.balanceOf(psnNo);
    long total = balance < 0 ? random.nextLong(0, 10_000) : balance + (random.nextInt(6) == 0 ? 1 : 0);
    long first = total == 0 ? 0 : random.nextLong(0, total + 1);
    List<Command.Heir> heirs = random.nextBoolean()
        ? List.of(new Command.Heir("继承人甲", "ID-1", total))
        : List.of(new Command.Heir("继承人甲", "ID-1", first), new Command.Heir("继承人乙", "ID-2", total - first));
    return keep(new Command.PayOutToHeirs(newId("H"), random.nextLong(), psnNo, heirs));
  }

  private <K extends Command.Keyed> K keep(K c) {
    keyed.add(c);
    return c;
  }

  private String newId(String kind) {
    return kind + "-" + prefix + (nextId++);
  }

  private <E> E pick(List<E> list) {
    return list.get(random.nextInt(list.size()));
  }

  private <E> E pick(E[] values) {
    return values[random.nextInt(values.length)];
  }
}
