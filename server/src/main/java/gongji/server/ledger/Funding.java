package gongji.server.ledger;

import gongji.server.domain.Bill;
import gongji.server.domain.Masking;
import gongji.server.domain.PaymentPlanner;
import gongji.server.domain.RegionPolicy;
import gongji.server.ledger.Result.AidSource;
import gongji.server.ledger.Result.Rejected;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The funding plan: which sources may pay for a patient at a place, in what order, and how much
 * each can give. The own account first, then wallet quota oldest first, then the bindings in the
 * order the patient's region sets; each relative above their region's retained floor and within the
 * binding's quota; mutual aid within the patient's daily allowance. It reads the money state and
 * changes only the daily counters.
 *
 * <p>{@link #plan} fills scratch arrays that are reused from one authorization to the next: the
 * sequencer is the only caller, and a plan is read before the next one is made.
 */
final class Funding {
  private final Accounts accounts;
  private final Registry registry;
  private final LedgerTime time;
  private final Identities identities;

  // The plan of the last call to plan(): n sources, what each may give and what it draws.
  private int n;
  private long[] available = new long[16];
  private int[] mask = new int[16];
  private long[] draw = new long[16];
  private final List<BindingState> sourceBindings = new ArrayList<>();
  private final List<WalletGrant> sourceGrants = new ArrayList<>();
  private final List<BindingState> ordered = new ArrayList<>();

  Funding(Accounts accounts, Registry registry, LedgerTime time, Identities identities) {
    this.accounts = accounts;
    this.registry = registry;
    this.time = time;
    this.identities = identities;
  }

  /**
   * Plans how a bill is paid: fills the sources in drawing order and what each draws; returns the
   * cash part. The plan is read with {@link #sources}, {@link #draw}, {@link #binding}, {@link #grant}.
   */
  long plan(PersonState patient, InstitutionState place, Bill bill, boolean useAccount, boolean useMutualAid) {
    n = 0;
    sourceBindings.clear();
    sourceGrants.clear();
    if (useAccount) {
      if (patient.account >= 0) {
        add(accounts.available(patient.account), patient, null, null);
      }
      if (useMutualAid) {
        for (WalletGrant g : patient.grantsIn) {
          if (g.remainingFen() > 0 && g.binding.pays() && registry.reaches(g.binding, place)) {
            add(g.remainingFen(), g.binding.authorizer, g.binding, g);
          }
        }
        for (BindingState b : inDrawingOrder(patient, place)) {
          add(shareable(b), b.authorizer, b, null);
        }
      }
    }
    return PaymentPlanner.allocate(bill, n, available, mask, draw);
  }

  private void add(long availableFen, PersonState owner, BindingState binding, WalletGrant grant) {
    if (n == available.length) {
      int size = n * 2;
      available = Arrays.copyOf(available, size);
      mask = Arrays.copyOf(mask, size);
      draw = Arrays.copyOf(draw, size);
    }
    available[n] = availableFen;
    mask[n] = registry.payableMaskOf(owner);
    sourceBindings.add(binding);
    sourceGrants.add(grant);
    n++;
  }

  /** The number of sources in the last plan. */
  int sources() {
    return n;
  }

  /** What source {@code i} of the last plan draws. */
  long draw(int i) {
    return draw[i];
  }

  /** The binding of source {@code i} (null for the own account). */
  BindingState binding(int i) {
    return sourceBindings.get(i);
  }

  /** The wallet transfer of source {@code i} (null unless it is wallet quota). */
  WalletGrant grant(int i) {
    return sourceGrants.get(i);
  }

  /** What the last plan draws from relatives (bindings and wallet quota). */
  long aidFen() {
    long aid = 0;
    for (int i = 0; i < n; i++) {
      if (sourceBindings.get(i) != null) {
        aid += draw[i];
      }
    }
    return aid;
  }

  /** The categories that any source of the last plan may pay for, with the patient's own. */
  int payableMask(PersonState patient) {
    int m = registry.payableMaskOf(patient);
    for (int i = 0; i < n; i++) {
      m |= mask[i];
    }
    return m;
  }

  // ---- the daily allowance ------------------------------------------------------------------

  /**
   * Counts a use of {@code aidFen} mutual aid against the patient's daily limits, or says why it
   * would exceed them (then nothing is counted).
   */
  String chargeAid(PersonState patient, long aidFen) {
    RegionPolicy home = registry.policyOf(patient);
    long day = time.today();
    if (patient.aidDay != day) {
      patient.aidDay = day;
      patient.aidUsesToday = 0;
      patient.aidFenToday = 0;
    }
    if ((home.maxMutualAidUsesPerDay() > 0 && patient.aidUsesToday + 1 > home.maxMutualAidUsesPerDay())
        || (home.maxMutualAidFenPerDay() > 0 && patient.aidFenToday + aidFen > home.maxMutualAidFenPerDay())) {
      return "mutual aid of " + aidFen + " fen would exceed today's limit for this beneficiary in region "
          + home.admdvs() + " (used today: " + patient.aidUsesToday + " times, " + patient.aidFenToday
          + " fen; limits: " + home.maxMutualAidUsesPerDay() + " times, " + home.maxMutualAidFenPerDay()
          + " fen); pay without mutual aid";
    }
    patient.aidUsesToday++;
    patient.aidFenToday += aidFen;
    identities.person(patient);
    return null;
  }

  /**
   * Gives back to the patient's daily mutual-aid allowance what a sale no longer draws: a released
   * authorization is no use at all; a lower final total uses less. Only on the day the sale counted.
   */
  static void unuseAid(Txn t, long aidFen, boolean wholeUse) {
    PersonState p = t.patient;
    if (aidFen == 0 || p.aidDay != LedgerTime.localDay(t.createdAtMillis)) {
      return;
    }
    p.aidFenToday = Math.max(0, p.aidFenToday - aidFen);
    if (wholeUse) {
      p.aidUsesToday = Math.max(0, p.aidUsesToday - 1);
    }
  }

  /** What mutual aid a patient may still use today under their region's velocity limits. */
  long aidAllowanceToday(PersonState p) {
    RegionPolicy home = registry.policyOf(p);
    boolean counting = p.aidDay == time.today();
    int uses = counting ? p.aidUsesToday : 0;
    long fen = counting ? p.aidFenToday : 0;
    if (home.maxMutualAidUsesPerDay() > 0 && uses >= home.maxMutualAidUsesPerDay()) {
      return 0;
    }
    return home.maxMutualAidFenPerDay() > 0 ? Math.max(0, home.maxMutualAidFenPerDay() - fen) : Long.MAX_VALUE;
  }

  // ---- sources ------------------------------------------------------------------------------

  /**
   * The bindings that pay for a patient at a place (null: anywhere), in the order the patient's
   * region sets. Reuses one list: valid until the next call.
   */
  List<BindingState> inDrawingOrder(PersonState patient, InstitutionState place) {
    ordered.clear();
    for (BindingState b = patient.firstAsBeneficiary; b != null; b = b.nextOfBeneficiary) {
      if (b.pays() && (place == null || registry.reaches(b, place))) {
        ordered.add(b);
      }
    }
    if (ordered.size() > 1) {
      switch (registry.policyOf(patient).aidOrder()) {
        case BINDING -> { }
        // List.sort is stable: ties stay in binding order.
        case CLOSEST_RELATIVE -> ordered.sort(Comparator.comparingInt(b -> b.relationship.inverse().ordinal()));
        case LARGEST_AVAILABLE -> ordered.sort(Comparator.comparingLong(b -> -shareable(b)));
      }
    }
    return ordered;
  }

  /**
   * What a beneficiary may draw through a binding now: above the authorizer's floor, within the
   * quota. Quota assigned to the wallet through the binding counts against the quota; its earmark is
   * already out of the authorizer's available balance.
   */
  long shareable(BindingState b) {
    long floor = registry.policyOf(b.authorizer).retainedFloorFen();
    long share = Math.max(0, accounts.available(b.authorizer.account) - floor);
    if (b.quotaFen > 0) {
      share = Math.min(share, Math.max(0, b.quotaFen - b.drawnFen()));
    }
    return share;
  }

  long ownAvailable(PersonState p) {
    return p.account < 0 ? 0 : accounts.available(p.account);
  }

  // ---- Identify -----------------------------------------------------------------------------

  /** Who a patient is and what each source would give a sale now, within today's allowance. */
  Result identify(Command.Identify c) {
    PersonState p = registry.person(c.psnNo());
    if (p == null) {
      return Registry.patientNotFound(c.psnNo());
    }
    List<AidSource> shown = new ArrayList<>();
    InstitutionState place = c.institution() == null ? null : registry.institution(c.institution());
    long allowance = aidAllowanceToday(p);
    for (WalletGrant g : p.grantsIn) {
      if (g.remainingFen() > 0 && g.binding.pays() && (place == null || registry.reaches(g.binding, place))) {
        long give = Math.min(allowance, g.remainingFen());
        allowance -= give;
        shown.add(new AidSource(g.binding.id(), g.binding.authorizer.masked(), g.binding.relationship.inverse(), give,
            g.id));
      }
    }
    for (BindingState b : inDrawingOrder(p, place)) {
      long give = Math.min(allowance, shareable(b));
      allowance -= give;
      shown.add(new AidSource(b.id(), b.authorizer.masked(), b.relationship.inverse(), give, ""));
    }
    boolean hasAccount = p.account >= 0;
    return new Result.Identity(p.psnNo(), Masking.name(p.insured().name()), p.insured().insuranceType(),
        p.insured().status(), p.insured().admdvs(), hasAccount, hasAccount ? accounts.balance(p.account) : 0,
        hasAccount ? accounts.available(p.account) : 0, List.copyOf(shown));
  }

}
