package gongji.server.ledger;

import static com.google.common.base.Preconditions.checkArgument;

import gongji.server.domain.RegionPolicy;
import gongji.server.ledger.IdentityView.Entry;
import gongji.server.ledger.IdentityView.Place;
import gongji.server.ledger.IdentityView.Publication;
import gongji.server.ledger.IdentityView.Source;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The writer's side of the {@link IdentityView}: who is in the view, what each change of a batch
 * may have changed in it, and what it shows of them worked out again after the batch.
 *
 * <p>How it works. The parts of the ledger mark what they change ({@link #account},
 * {@link #person}, {@link #binding}, {@link #grant}, {@link #sale}, {@link #place},
 * {@link #everything}); marks are kept only while the view holds someone, and cost an array store.
 * {@link #collect}, after a batch, turns them into the persons whose answer may have changed and
 * works out again what it shows of them: an Identify answer for a person reads that person, their
 * bindings as beneficiary, the wallet transfers into their wallet, and each of those bindings'
 * authorizer (account, status, region), so a change to a person reaches them and the beneficiaries
 * of the bindings they authorized; a change to a binding or a wallet transfer reaches its
 * beneficiary; a change to an account reaches its owner as a change to the person. Accounts are
 * told apart by an index of owners kept for the persons in the view and their authorizers. A change
 * of a region policy, or more marks than {@link #MAX_MARKS} before a collect, starts the view again
 * empty.
 *
 * <p>Per sale (identify, authorize, settle of a patient paying from their own account) this
 * works the patient's numbers out once per batch that changed them (the sale's authorize and
 * settle) and writes them into the entry the view holds: nothing it makes outlives the
 * publication, unless the person's shape changed (their record, or which sources pay and in what
 * order), which makes a new {@link Entry}.
 */
final class Identities {
  /** Marks kept at most between two collects (a ledger that is never collected, as in tests, stops marking). */
  static final int MAX_MARKS = 1 << 20;
  /** Persons the view holds at most by default; past it, it starts again empty. */
  static final int DEFAULT_MAX_PERSONS = 1 << 18;

  private final LedgerTime time;
  /** Persons the view holds at most; past it, it starts again empty (0: it holds no one). */
  private int maxPersons;
  private Accounts accounts;
  private Registry registry;
  private Funding funding;
  private Ledger ledger;

  // Who is in the view: persons (with their entry, once a collect made it), places (institution
  // codes), and the owners of the accounts that matter.
  private final IdentityHashMap<PersonState, Entry> persons = new IdentityHashMap<>();
  private final Set<String> places = new HashSet<>();
  private PersonState[] ownerByAccount = new PersonState[0];

  // Marks since the last collect.
  private boolean marking;
  private int marks;
  private int[] accountMarks = new int[64];
  private int accountCount;
  private final List<PersonState> personMarks = new ArrayList<>();
  private final List<BindingState> bindingMarks = new ArrayList<>();
  private final List<WalletGrant> grantMarks = new ArrayList<>();
  private final List<String> placeMarks = new ArrayList<>();
  private boolean restart;
  private long seq;
  private long lastNextDueMillis = Long.MIN_VALUE;
  /**
   * The ledger's local day at the last publication: a new day is published even with nothing else,
   * so that a view read while the clock stands behind the ledger's time (it went back) counts the
   * allowance on the ledger's day, as the writer does.
   */
  private long lastDay = Long.MIN_VALUE;

  /** Scratch: the numbers of the entries a collect works out, one entry's after another; numberCount of them. */
  private long[] numbers = new long[256];
  private int numberCount;

  /** Scratch: the persons whose answer a batch works out again; made anew after a large batch (clearing costs its capacity). */
  private Set<PersonState> rebuild = newRebuild();

  private static Set<PersonState> newRebuild() {
    return Collections.newSetFromMap(new IdentityHashMap<>());
  }

  Identities(LedgerTime time, int maxPersons) {
    this.time = time;
    this.maxPersons = maxPersons;
  }

  /**
   * Bounds the view at {@code maxPersons} from now on (0: it holds no one, and every Identify is the
   * writer's). A view holding more already starts again empty at the next person it would take in.
   */
  void maxPersons(int maxPersons) {
    checkArgument(maxPersons >= 0, "maxPersons: %s (expected: >= 0)", maxPersons);
    this.maxPersons = maxPersons;
  }

  /** The parts it reads what the view shows from, once they are made (they mark changes here as they are made). */
  void bind(Accounts accounts, Registry registry, Funding funding, Ledger ledger) {
    this.accounts = accounts;
    this.registry = registry;
    this.funding = funding;
    this.ledger = ledger;
  }

  // ---- marks -------------------------------------------------------------------------------

  /** An account's balance or holds changed. */
  void account(int account) {
    if (marking && mark()) {
      if (accountCount == accountMarks.length) {
        accountMarks = Arrays.copyOf(accountMarks, accountCount * 2);
      }
      accountMarks[accountCount++] = account;
    }
  }

  /** A person changed: their insurance, account, freezing, mutual-aid counters. */
  void person(PersonState p) {
    if (marking && mark()) {
      personMarks.add(p);
    }
  }

  /** A binding changed: its status, quota or amounts, or it is new. */
  void binding(BindingState b) {
    if (marking && mark()) {
      bindingMarks.add(b);
    }
  }

  /** A wallet transfer changed, or came into or left a wallet. */
  void grant(WalletGrant g) {
    if (marking && mark()) {
      grantMarks.add(g);
    }
  }

  /** A sale changed: its patient, and the bindings and wallet transfers of its legs. */
  void sale(Txn t) {
    if (!marking) {
      return;
    }
    person(t.patient);
    for (TxnLeg leg : t.legs) {
      if (leg.grant() != null) {
        grant(leg.grant());
      } else if (leg.binding() != null) {
        binding(leg.binding());
      }
    }
  }

  /** An institution was registered or changed. */
  void place(String code) {
    if (marking && mark()) {
      placeMarks.add(code);
    }
  }

  /** Everything may have changed (a region policy): the view starts again. */
  void everything() {
    if (marking) {
      restart = true;
    }
  }

  private boolean mark() {
    if (restart) {
      return false;
    }
    if (++marks > MAX_MARKS) {
      restart = true;
      return false;
    }
    return true;
  }

  // ---- who is in the view ------------------------------------------------------------------

  /** The writer answered an Identify of {@code psnNo} at {@code institution}: the view takes them in. */
  void include(String psnNo, String institution) {
    PersonState p = registry.person(psnNo);
    if (p == null || restart) {
      return;
    }
    if (persons.size() >= maxPersons) {
      restart = true;
      return;
    }
    marking = true;
    if (!persons.containsKey(p)) {
      persons.put(p, null);
      personMarks.add(p);
    }
    if (institution != null && places.add(institution)) {
      placeMarks.add(institution);
    }
  }

  // ---- after a batch -----------------------------------------------------------------------

  /**
   * What the batch just applied changed in the view, or null if nothing; clears the marks. On the
   * writer, after the batch and before the next.
   */
  Publication collect() {
    if (!marking) {
      return null;
    }
    long nextDue = ledger.nextExpiryMillis();
    if (restart) {
      clear();
      seq++;
      lastNextDueMillis = nextDue;
      lastDay = time.today();
      return new Publication(seq, time.nowMillis(), nextDue, NO_ENTRIES, NO_NUMBERS, List.of(), List.of(), true);
    }
    if (accountCount == 0 && personMarks.isEmpty() && bindingMarks.isEmpty() && grantMarks.isEmpty()
        && placeMarks.isEmpty() && nextDue == lastNextDueMillis && time.today() == lastDay) {
      return null;
    }
    seq++;
    for (int i = 0; i < accountCount; i++) {
      int a = accountMarks[i];
      PersonState owner = a < ownerByAccount.length ? ownerByAccount[a] : null;
      if (owner != null && owner.account == a) {
        withBeneficiaries(owner);
      }
    }
    for (PersonState p : personMarks) {
      withBeneficiaries(p);
    }
    for (BindingState b : bindingMarks) {
      add(b.beneficiary);
    }
    for (WalletGrant g : grantMarks) {
      add(g.binding.beneficiary);
    }
    Entry[] entries = new Entry[rebuild.size()];
    int n = 0;
    numberCount = 0;
    for (PersonState p : rebuild) {
      Entry last = persons.get(p);
      Entry e = entry(p, last);
      if (e != last) {
        persons.put(p, e);
      }
      entries[n++] = e;
    }
    long[] numbers = Arrays.copyOf(this.numbers, numberCount);
    List<String> codes = List.of();
    List<Place> resolved = List.of();
    if (!placeMarks.isEmpty()) {
      codes = new ArrayList<>(placeMarks.size());
      resolved = new ArrayList<>(placeMarks.size());
      for (String code : placeMarks) {
        if (places.contains(code)) {
          codes.add(code);
          resolved.add(place(code, seq));
        }
      }
    }
    if (rebuild.size() > 1024) {
      rebuild = newRebuild();
    } else {
      rebuild.clear();
    }
    clearMarks();
    lastNextDueMillis = nextDue;
    lastDay = time.today();
    return new Publication(seq, time.nowMillis(), nextDue, entries, numbers, codes, resolved, false);
  }

  private void withBeneficiaries(PersonState p) {
    add(p);
    for (BindingState b = p.firstAsAuthorizer; b != null; b = b.nextOfAuthorizer) {
      add(b.beneficiary);
    }
  }

  private void add(PersonState p) {
    if (persons.containsKey(p)) {
      rebuild.add(p);
    }
  }

  private void clear() {
    persons.clear();
    places.clear();
    ownerByAccount = new PersonState[0];
    marking = false;
    restart = false;
    clearMarks();
  }

  private void clearMarks() {
    marks = 0;
    accountCount = 0;
    personMarks.clear();
    bindingMarks.clear();
    grantMarks.clear();
    placeMarks.clear();
  }

  /**
   * Records {@code p} as the owner of their account, so that a change to it reaches their entry and
   * their beneficiaries'. Stored only when it changes: every store of a reference into this array
   * (old, and as long as the accounts) marks a card the collector then reads again.
   */
  private void own(PersonState p) {
    int a = p.account;
    if (a < 0) {
      return;
    }
    if (a >= ownerByAccount.length) {
      ownerByAccount = Arrays.copyOf(ownerByAccount, Math.max(a + 1, Math.max(64, ownerByAccount.length * 2)));
    }
    if (ownerByAccount[a] != p) {
      ownerByAccount[a] = p;
    }
  }

  /**
   * The entry that shows {@code p} now (see {@link Funding#identify}): {@code last} when their shape
   * is the same, else a new one; its numbers are added to {@link #numbers}.
   */
  private Entry entry(PersonState p, Entry last) {
    own(p);
    for (BindingState b = p.firstAsBeneficiary; b != null; b = b.nextOfBeneficiary) {
      own(b.authorizer);
    }
    List<WalletGrant> grants = List.of(); // the wallet transfers paying now
    if (!p.grantsIn.isEmpty()) {
      grants = new ArrayList<>();
      for (WalletGrant g : p.grantsIn) {
        own(g.binding.authorizer);
        if (g.remainingFen() > 0 && g.binding.pays()) {
          grants.add(g);
        }
      }
    }
    List<BindingState> ordered = p.firstAsBeneficiary == null ? List.of() : funding.inDrawingOrder(p, null);
    Entry e = last != null && last.insured == p.insured() && sameGrants(last.grants, grants)
        && sameBindings(last.bindings, ordered) ? last : newEntry(p, grants, ordered);
    // Its numbers, in the order Entry.write reads them.
    if (numberCount + e.width() > numbers.length) {
      numbers = Arrays.copyOf(numbers, Math.max(numberCount + e.width(), numbers.length * 2));
    }
    RegionPolicy home = registry.policyOf(p);
    boolean hasAccount = p.account >= 0;
    int at = numberCount;
    numbers[at++] = hasAccount ? 1 : 0;
    numbers[at++] = hasAccount ? accounts.balance(p.account) : 0;
    numbers[at++] = hasAccount ? accounts.available(p.account) : 0;
    numbers[at++] = p.aidDay;
    numbers[at++] = p.aidUsesToday;
    numbers[at++] = p.aidFenToday;
    numbers[at++] = home.maxMutualAidUsesPerDay();
    numbers[at++] = home.maxMutualAidFenPerDay();
    for (WalletGrant g : grants) {
      numbers[at++] = g.remainingFen();
    }
    for (BindingState b : ordered) {
      numbers[at++] = funding.shareable(b);
    }
    numberCount = at;
    return e;
  }

  private Entry newEntry(PersonState p, List<WalletGrant> grants, List<BindingState> ordered) {
    Source[] fromGrants = new Source[grants.size()];
    for (int i = 0; i < fromGrants.length; i++) {
      fromGrants[i] = source(grants.get(i).binding, grants.get(i).id);
    }
    Source[] fromBindings = new Source[ordered.size()];
    for (int i = 0; i < fromBindings.length; i++) {
      fromBindings[i] = source(ordered.get(i), "");
    }
    return new Entry(p.insured(), fromGrants, fromBindings);
  }

  private Source source(BindingState b, String grantId) {
    RegionPolicy from = registry.policyOf(b.authorizer);
    return new Source(b.seq, b.authorizer.insured(), b.relationship.inverse(), grantId, from.province(),
        from.crossProvinceEnabled());
  }

  // Whether an entry's sources are what the person's grants and bindings show now, compared where
  // they stand (nothing made when they are).

  private boolean sameGrants(Source[] held, List<WalletGrant> grants) {
    if (held.length != grants.size()) {
      return false;
    }
    for (int i = 0; i < held.length; i++) {
      if (!shows(held[i], grants.get(i).binding, grants.get(i).id)) {
        return false;
      }
    }
    return true;
  }

  private boolean sameBindings(Source[] held, List<BindingState> ordered) {
    if (held.length != ordered.size()) {
      return false;
    }
    for (int i = 0; i < held.length; i++) {
      if (!shows(held[i], ordered.get(i), "")) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code s} is what {@code b} (through wallet transfer {@code grantId}, or "") shows now;
   * a new record of the authorizer is a new source.
   */
  private boolean shows(Source s, BindingState b, String grantId) {
    RegionPolicy from = registry.policyOf(b.authorizer);
    return s.bindingSeq() == b.seq && s.authorizer() == b.authorizer.insured()
        && s.relationship() == b.relationship.inverse() && s.walletTransferId().equals(grantId)
        && Objects.equals(s.province(), from.province()) && s.crossProvince() == from.crossProvinceEnabled();
  }

  private Place place(String code, long stamp) {
    InstitutionState i = registry.institution(code);
    if (i == null) {
      return new Place(stamp, null, false);
    }
    RegionPolicy at = registry.policyOf(i);
    return new Place(stamp, at.province(), at.crossProvinceEnabled());
  }

  private static final Source[] NO_SOURCES = {};
  private static final Entry[] NO_ENTRIES = {};
  private static final long[] NO_NUMBERS = {};
}
