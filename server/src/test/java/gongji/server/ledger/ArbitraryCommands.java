package gongji.server.ledger;

import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.MedicalType;
import gongji.server.domain.RegionPolicy;
import gongji.server.domain.Relationship;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A seeded source of valid mutating commands with arbitrary field values, for the codec and the
 * journal: the ledger need not make sense of them. Values lean towards the edges (0, 1, the
 * largest long the field allows, empty and non-ASCII strings).
 */
final class ArbitraryCommands {
  /** Strings that are valid UTF-16 (no lone surrogates) and so round-trip through UTF-8. */
  private static final String[] STRINGS = {
      "", "A", "P62010000017", "H35010000002", "T1", "张伟", "李娜·王", "Ωmega ß", "emoji 😀🏥", "tab\tnewline\n",
      "\u0000nul", "ॐ नमः", "x".repeat(300), "医保个人账户共济".repeat(20)};
  private static final MedicalType[] MEDICAL_TYPES = MedicalType.values();

  private final SplittableRandom random;
  private int nextId;

  ArbitraryCommands(SplittableRandom random) {
    this.random = random;
  }

  /** One command of each mutating type, then random ones: at least {@code n} in all. */
  List<Command> list(int n) {
    List<Command> out = new ArrayList<>();
    for (int type = 0; type < TYPES; type++) {
      out.add(of(type));
    }
    out.addAll(naming());
    while (out.size() < n) {
      out.add(next());
    }
    return out;
  }

  /** How many mutating command types {@link #of} makes. */
  static final int TYPES = 34;

  /**
   * The commands written with a type code of their own when their alert names someone: a refusal and
   * an alert that name the claimed person, the owner, the terminal and the operator.
   */
  List<Command> naming() {
    return List.of(
        new Command.Reject(id(), hash(), pick(RequestKind.values()), str(), Outcome.IMPERSONATION, str(), parties()),
        new Command.RecordAlert(str(), str(), str(), str(), parties()));
  }

  private AlertParties parties() {
    return new AlertParties(str(), str(), str(), str());
  }

  Command next() {
    return of(random.nextInt(TYPES));
  }

  /** The types a {@link Command.Idempotent} may key: the back office's changes without an id of their own. */
  private static final int[] KEYABLE = {0, 1, 2, 3, 12, 13, 14, 15, 19, 20, 22, 26, 28, 33};

  /** Some of a policy's fields, at least one. */
  private java.util.Set<RegionPolicy.Field> fields() {
    RegionPolicy.Field[] all = RegionPolicy.Field.values();
    java.util.Set<RegionPolicy.Field> f = java.util.EnumSet.of(all[random.nextInt(all.length)]);
    for (RegionPolicy.Field x : all) {
      if (random.nextInt(3) == 0) {
        f.add(x);
      }
    }
    return f;
  }

  /** A random command of the given type (0 until {@link #TYPES}, one per journaled type). */
  Command of(int type) {
    return switch (type) {
      case 0 -> new Command.RegisterInstitution(new Institution(str(), str(), terminals()));
      case 1 -> new Command.UpsertInsured(insured());
      case 2 -> new Command.SetRegionPolicy(policy());
      case 3 -> new Command.CreateBinding(str(), str(), pick(Relationship.values()), amount());
      case 4 -> new Command.Credit(id(), hash(), str(), amount());
      case 5 -> new Command.Authorize(id(), hash(), str(), str(), str(), pick(MEDICAL_TYPES), bill(),
          random.nextBoolean(), random.nextBoolean());
      case 6 -> new Command.Settle(id(), hash(), str(), str(), random.nextInt(4) == 0 ? -1 : amountBelowMax());
      case 7 -> new Command.Cancel(id(), hash(), str(), str());
      case 8 -> new Command.Refund(id(), hash(), str(), str());
      case 9 -> new Command.Reverse(str(), id());
      case 10 -> new Command.Reject(id(), hash(), pick(RequestKind.values()), str(), pick(Outcome.values()), str());
      case 11 -> new Command.Tick();
      case 12 -> new Command.RequestBinding(str(), str(), pick(Relationship.values()), amount(), str());
      case 13 -> new Command.ReviewBinding(str(), random.nextBoolean(), str());
      case 14 -> new Command.DissolveBinding(str(), str());
      case 15 -> new Command.RecordDeath(str());
      case 16 -> new Command.PayOutToHeirs(id(), hash(), str(), heirs());
      case 17 -> new Command.PayPremium(id(), hash(), str(), str(), amount(), count());
      case 18 -> new Command.RecordAlert(str(), str(), str(), str());
      case 19 -> new Command.UpdateBindingQuota(str(), str(), amount());
      case 20 -> new Command.OpenWallet(str());
      case 21 -> new Command.AssignWalletQuota(id(), hash(), str(), str(), amount());
      case 22 -> new Command.AnswerWalletTransfer(str(), str(), random.nextBoolean());
      case 23 -> new Command.Sweep(1 + random.nextLong(Long.MAX_VALUE), 1 + random.nextInt(Integer.MAX_VALUE), false);
      case 24 -> new Command.Recalled(of(random.nextInt(23)), random.nextLong(Long.MAX_VALUE), str(), image(), str(),
          image());
      case 25 -> new Command.Idempotent(id(), hash(), of(KEYABLE[random.nextInt(KEYABLE.length)]));
      case 26 -> new Command.MoveClock(random.nextLong());
      case 27 -> new Command.Reject(id(), hash(), pick(RequestKind.values()), str(), Outcome.IMPERSONATION, str(), false);
      case 28 -> new Command.UpdateRegionPolicy(policy(), fields());
      case 29 -> new Command.Sweep(1 + random.nextLong(Long.MAX_VALUE), 1 + random.nextInt(Integer.MAX_VALUE), true);
      case 30 -> new Command.Sweep(1 + random.nextLong(Long.MAX_VALUE), 1 + random.nextInt(Integer.MAX_VALUE), true,
          true);
      case 31 -> new Command.Recalled(of(random.nextInt(23)), random.nextLong(Long.MAX_VALUE), str(), image(), str(),
          image(), transferImages());
      case 32 -> {
        CredentialType credType = pick(CredentialType.values());
        String older = str();
        String current = str();
        yield new Command.RekeyCredential(str(), new Credential(credType, older),
            new Credential(credType, current.equals(older) ? current + "'" : current));
      }
      case 33 -> {
        List<Credential> olderForms = new ArrayList<>();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
          olderForms.add(new Credential(pick(CredentialType.values()), str()));
        }
        yield new Command.UpsertInsured(insured(), olderForms);
      }
      default -> throw new IllegalArgumentException("type " + type);
    };
  }

  /** Records of wallet transfers recalled with a sale: one to three, each an id and some bytes. */
  private java.util.List<Command.TransferImage> transferImages() {
    java.util.List<Command.TransferImage> out = new java.util.ArrayList<>();
    for (int n = 1 + random.nextInt(3); n > 0; n--) {
      byte[] b = new byte[1 + random.nextInt(40)];
      random.nextBytes(b);
      out.add(new Command.TransferImage(str(), b));
    }
    return out;
  }

  /** An image recalled from history: null (none) or some bytes. */
  private byte[] image() {
    if (random.nextInt(3) == 0) {
      return null;
    }
    byte[] b = new byte[1 + random.nextInt(40)];
    random.nextBytes(b);
    return b;
  }

  private List<Command.Heir> heirs() {
    List<Command.Heir> out = new ArrayList<>();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      out.add(new Command.Heir(str(), str(), amount()));
    }
    return out;
  }

  /** A non-negative int (the journal's varints carry 0..Integer.MAX_VALUE). */
  private int count() {
    return switch (random.nextInt(4)) {
      case 0 -> 0;
      case 1 -> Integer.MAX_VALUE;
      default -> random.nextInt(0, 3_000);
    };
  }

  String id() {
    return random.nextInt(4) == 0 ? str() : "R-" + (nextId++);
  }

  String str() {
    if (random.nextInt(3) == 0) {
      StringBuilder sb = new StringBuilder();
      int n = random.nextInt(12);
      for (int i = 0; i < n; i++) {
        int cp;
        do {
          cp = random.nextInt(4) == 0 ? random.nextInt(0x110000) : random.nextInt(0x80);
        } while (cp >= 0xD800 && cp <= 0xDFFF);
        sb.appendCodePoint(cp);
      }
      return sb.toString();
    }
    return STRINGS[random.nextInt(STRINGS.length)];
  }

  long hash() {
    return switch (random.nextInt(5)) {
      case 0 -> 0;
      case 1 -> Long.MIN_VALUE;
      case 2 -> Long.MAX_VALUE;
      case 3 -> -1;
      default -> random.nextLong();
    };
  }

  /** A non-negative amount in fen: the journal's varints carry 0..Long.MAX_VALUE. */
  long amount() {
    return switch (random.nextInt(6)) {
      case 0 -> 0;
      case 1 -> Long.MAX_VALUE;
      case 2 -> 1;
      case 3 -> 1L << (7 * (1 + random.nextInt(8)));
      default -> random.nextLong(0, Long.MAX_VALUE);
    };
  }

  /** A Settle's final total: {@code -1} means the authorized total, so the largest is one below the maximum. */
  private long amountBelowMax() {
    return Math.min(amount(), Long.MAX_VALUE - 1);
  }

  private <E> E pick(E[] values) {
    return values[random.nextInt(values.length)];
  }

  private Set<String> terminals() {
    Set<String> out = new HashSet<>();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      out.add(str());
    }
    return out;
  }

  private Insured insured() {
    List<Credential> creds = new ArrayList<>();
    int n = random.nextInt(4);
    for (int i = 0; i < n; i++) {
      creds.add(new Credential(pick(CredentialType.values()), str()));
    }
    return new Insured(str(), str(), pick(InsuranceType.values()), pick(InsuredStatus.values()), str(), creds);
  }

  private RegionPolicy policy() {
    Set<ItemCategory> optional = EnumSet.noneOf(ItemCategory.class);
    for (ItemCategory c : ItemCategory.values()) {
      if (c.optional() && random.nextBoolean()) {
        optional.add(c);
      }
    }
    int ttl = random.nextInt(3) == 0 ? (random.nextBoolean() ? 60 : 86_400) : random.nextInt(60, 86_401);
    return new RegionPolicy(str(), str(), amount(), random.nextBoolean(), random.nextBoolean(), random.nextBoolean(),
        optional, ttl, count(), amount(),
        new RegionPolicy.WalletRules(random.nextInt(1, 101), random.nextLong(1, 100_000_001), random.nextInt(24),
            random.nextInt(24)),
        pick(RegionPolicy.AidOrder.values()));
  }

  /** A bill whose payable parts (never in forbidden categories) sum to at most its total. */
  Bill bill() {
    long[] payable = new long[ItemCategory.count()];
    long total = random.nextInt(4) == 0 ? Long.MAX_VALUE : random.nextLong(0, 1L << 40);
    long left = total;
    for (ItemCategory c : ItemCategory.values()) {
      if (!c.forbidden() && left > 0 && random.nextBoolean()) {
        long p = random.nextInt(5) == 0 ? left : random.nextLong(0, left == Long.MAX_VALUE ? left : left + 1);
        payable[c.ordinal()] = p;
        left -= p;
      }
    }
    return Bill.of(total, payable);
  }
}
