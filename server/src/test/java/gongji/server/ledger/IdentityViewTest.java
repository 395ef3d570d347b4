package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The Identify view answers what the writer answers. A seeded workload (sales, cancels, refunds,
 * credits, bindings made, reviewed, dissolved and re-quoted, wallet transfers, deaths and changes of
 * insurance, policy changes, time moving past hold expiries, 06:00 returns and midnight) is applied
 * to a ledger; after each step the view is published as the sequencer publishes it and asked about
 * every person at every place, and each answer it gives must equal {@link Funding#identify}'s on
 * the writer at the same time. A failing seed is printed; {@code -Didentify.seed=N} replays it first.
 */
class IdentityViewTest {
  private static final String[] REGIONS = {"620100", "620500", "350100", "440300"};
  private static final String[] PLACES = {"P62010000017", "H35010000002", "P44030000001", null};
  private static final String TERMINAL = "T1";
  /** 2026-12-04 10:00 in China. */
  private static final long START_MILLIS = 1_764_813_600_000L;

  @Test
  void answer_afterSeededWorkloads_isTheWritersAnswerForEveryPersonAndPlace() {
    long first = Long.getLong("identify.seed", 7_000L);
    long viewAnswers = 0;
    long asked = 0;
    for (long seed = first; seed < first + 120; seed++) {
      Run run = new Run(seed);
      try {
        run.execute(150);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + " (replay with -Didentify.seed=" + seed + "), step " + run.step
            + ": " + e.getMessage(), e);
      }
      viewAnswers += run.viewAnswers;
      asked += run.asked;
    }
    // The comparison says something only if the view answered most of the time.
    assertTrue(viewAnswers * 2 > asked, "the view answered " + viewAnswers + " of " + asked);
  }

  @Test
  void answer_holdDue_leavesItToTheWriter() {
    long[] now = {START_MILLIS};
    Ledger ledger = aIdentifiedAtAPharmacy(now[0]);
    IdentityView view = new IdentityView(() -> java.time.Instant.ofEpochMilli(now[0]));
    publish(ledger, view);
    assertNotNull(view.answer("A", "P62010000017"));
    ledger.apply(new Command.Authorize("a1", 2, "P62010000017", TERMINAL, "A", MedicalType.PHARMACY,
        Bill.of(List.of(new LineItem("d", ItemCategory.DRUG, true, 1, 3_000))), true, true), now[0]);
    publish(ledger, view);
    Result.Identity held = (Result.Identity) view.answer("A", "P62010000017");
    assertEquals(7_000, held.availableFen());

    now[0] += 61_000; // the hold expired: only the writer moves time and releases it
    assertNull(view.answer("A", "P62010000017"));
    Result.Identity writer = (Result.Identity) ledger.apply(new Command.Identify("A", "P62010000017"), now[0]);
    assertEquals(10_000, writer.availableFen());
    publish(ledger, view);
    assertEquals(writer, view.answer("A", "P62010000017"));
  }

  /** A ledger where A (10,000 fen in their account, holds of 60 s in their region) identified at pharmacy P62010000017. */
  private static Ledger aIdentifiedAtAPharmacy(long nowMillis) {
    Ledger ledger = new Ledger(Duration.ofDays(1), ReferenceListener.NONE);
    ledger.apply(new Command.SetRegionPolicy(new RegionPolicy("620100", "Lanzhou", 0, true, true, false,
        Set.of(), 60)), nowMillis);
    ledger.apply(new Command.RegisterInstitution(new Institution("P62010000017", "p", Set.of(TERMINAL))), nowMillis);
    ledger.apply(new Command.UpsertInsured(person("A", InsuranceType.EMPLOYEE_BASIC, "620100")), nowMillis);
    ledger.apply(new Command.Credit("c1", 1, "A", 10_000), nowMillis);
    ledger.apply(new Command.Identify("A", "P62010000017"), nowMillis);
    return ledger;
  }

  @Test
  void answer_entryStampedAfterThePublicationRead_isNotMixedIn() {
    IdentityView view = new IdentityView(InstantSource.fixed(java.time.Instant.ofEpochMilli(START_MILLIS)));
    IdentityView.Entry a = entry(person("A", InsuranceType.EMPLOYEE_BASIC, "620100"));
    view.publish(publication(1, a, 100));
    assertEquals(100, ((Result.Identity) view.answer("A", null)).balanceFen());
    // What a reader finds while publication 3 is under way: its numbers are in the entry, publication 2 is the one visible.
    a.write(3, numbers(300), 0);
    view.publish(publication(2, new IdentityView.Entry[0], new long[0]));
    assertNull(view.answer("A", null));
    view.publish(publication(3, a, 300));
    assertEquals(300, ((Result.Identity) view.answer("A", null)).balanceFen());
  }

  @Test
  void answer_numbersChangedOnly_areWrittenIntoTheEntryTheViewHolds_aNewShapeMakesANewOne() {
    long[] now = {START_MILLIS};
    Ledger ledger = aIdentifiedAtAPharmacy(now[0]);
    IdentityView view = new IdentityView(() -> java.time.Instant.ofEpochMilli(now[0]));
    publish(ledger, view);
    IdentityView.Entry first = view.entry("A");
    assertNotNull(first);
    ledger.apply(new Command.Authorize("a1", 2, "P62010000017", TERMINAL, "A", MedicalType.PHARMACY,
        Bill.of(List.of(new LineItem("d", ItemCategory.DRUG, true, 1, 3_000))), true, true), now[0]);
    publish(ledger, view);
    assertSame(first, view.entry("A"), "a sale changes numbers only");
    assertEquals(7_000, ((Result.Identity) view.answer("A", "P62010000017")).availableFen());

    ledger.apply(new Command.UpsertInsured(person("A", InsuranceType.RESIDENT_BASIC, "620100")), now[0]);
    publish(ledger, view);
    assertNotSame(first, view.entry("A"), "a new record is a new shape");
    assertEquals(ledger.apply(new Command.Identify("A", "P62010000017"), now[0]), view.answer("A", "P62010000017"));
  }

  /**
   * Numbers written in place while other threads answer from them: every answer is one
   * publication's whole (balance, available amount and each source's amount were written equal, so
   * an answer mixing two writes shows them unequal). Bounded by count; a mix fails at once.
   */
  @Test
  void answer_whileNumbersAreWrittenInPlace_isNeverTorn() throws Exception {
    IdentityView view = new IdentityView(InstantSource.fixed(java.time.Instant.ofEpochMilli(START_MILLIS)));
    IdentityView.Source[] two = {
        new IdentityView.Source(1, person("B", InsuranceType.EMPLOYEE_BASIC, "620100"), Relationship.SPOUSE, "", "62",
            false),
        new IdentityView.Source(2, person("C", InsuranceType.EMPLOYEE_BASIC, "620100"), Relationship.CHILD, "", "62",
            false)};
    IdentityView.Entry a = new IdentityView.Entry(person("A", InsuranceType.EMPLOYEE_BASIC, "620100"),
        new IdentityView.Source[0], two);
    int writes = 200_000;
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.ConcurrentLinkedQueue<String> torn = new java.util.concurrent.ConcurrentLinkedQueue<>();
    Runnable reader = () -> {
      while (!done.get() && torn.isEmpty()) {
        Result.Identity r = (Result.Identity) view.answer("A", null);
        if (r == null) {
          continue;
        }
        answered.incrementAndGet();
        long b = r.balanceFen();
        if (r.availableFen() != b || r.aidSources().size() != 2 || r.aidSources().get(0).availableFen() != b
            || r.aidSources().get(1).availableFen() != b) {
          torn.add(r.toString());
        }
      }
    };
    Thread[] readers = {new Thread(reader, "reader-1"), new Thread(reader, "reader-2")};
    view.publish(publication(1, new IdentityView.Entry[] {a}, new long[] {1, 1, 1, 0, 0, 0, 0, 0, 1, 1}));
    for (Thread t : readers) {
      t.start();
    }
    try {
      long[] numbers = new long[10];
      for (long k = 2; k <= writes && torn.isEmpty(); k++) {
        Arrays.fill(numbers, k);
        numbers[0] = 1;
        numbers[3] = 0;
        numbers[4] = 0;
        numbers[5] = 0;
        numbers[6] = 0;
        numbers[7] = 0;
        view.publish(publication(k, new IdentityView.Entry[] {a}, numbers));
      }
    } finally {
      done.set(true);
      for (Thread t : readers) {
        t.join(10_000);
      }
    }
    assertTrue(torn.isEmpty(), "torn answers: " + torn);
    assertTrue(answered.get() > 0, "no answer while writing");
  }

  private static IdentityView.Entry entry(Insured insured) {
    return new IdentityView.Entry(insured, new IdentityView.Source[0], new IdentityView.Source[0]);
  }

  /** The numbers of an entry without sources: an account holding {@code balanceFen}, all of it available. */
  private static long[] numbers(long balanceFen) {
    return new long[] {1, balanceFen, balanceFen, 0, 0, 0, 0, 0};
  }

  private static IdentityView.Publication publication(long seq, IdentityView.Entry e, long balanceFen) {
    return publication(seq, new IdentityView.Entry[] {e}, numbers(balanceFen));
  }

  private static IdentityView.Publication publication(long seq, IdentityView.Entry[] entries, long[] numbers) {
    return new IdentityView.Publication(seq, START_MILLIS, Long.MAX_VALUE, entries, numbers, List.of(), List.of(), false);
  }

  @Test
  void answer_closed_leavesItToTheWriter() {
    Ledger ledger = new Ledger(Duration.ofDays(1), ReferenceListener.NONE);
    IdentityView view = new IdentityView(InstantSource.fixed(java.time.Instant.ofEpochMilli(START_MILLIS)));
    ledger.apply(new Command.UpsertInsured(person("A", InsuranceType.RESIDENT_BASIC, "620100")), START_MILLIS);
    ledger.apply(new Command.Identify("A", null), START_MILLIS);
    publish(ledger, view);
    assertNotNull(view.answer("A", null));
    view.close();
    assertNull(view.answer("A", null));
  }

  private static void publish(Ledger ledger, IdentityView view) {
    IdentityView.Publication p = ledger.identityChanges();
    if (p != null) {
      view.publish(p);
    }
  }

  private static Insured person(String psnNo, InsuranceType type, String admdvs) {
    return new Insured(psnNo, "人" + psnNo, type, InsuredStatus.NORMAL, admdvs,
        List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-" + psnNo)));
  }

  /** One seed's world and workload. */
  private static final class Run {
    final SplittableRandom random;
    final Ledger ledger = new Ledger(Duration.ofDays(2), ReferenceListener.NONE);
    long now = START_MILLIS;
    final IdentityView view = new IdentityView(() -> java.time.Instant.ofEpochMilli(now));
    final List<String> people = new ArrayList<>();
    final List<InsuranceType> types = new ArrayList<>();
    final List<String> bindings = new ArrayList<>();
    /** Each binding's authorizer and beneficiary, by the binding's place in {@link #bindings}. */
    final List<String[]> parties = new ArrayList<>();
    final List<String> transfers = new ArrayList<>();
    final List<String[]> sales = new ArrayList<>(); // {institution, txnId}
    int nextId;
    int step;
    long viewAnswers;
    long asked;

    Run(long seed) {
      random = new SplittableRandom(seed);
    }

    void execute(int steps) {
      for (String admdvs : REGIONS) {
        apply(new Command.SetRegionPolicy(policy(admdvs)));
      }
      for (String code : PLACES) {
        if (code != null && random.nextInt(8) > 0) { // sometimes a place the ledger does not know
          apply(new Command.RegisterInstitution(new Institution(code, "inst " + code, Set.of(TERMINAL))));
        }
      }
      int n = 4 + random.nextInt(6);
      for (int i = 0; i < n; i++) {
        String psnNo = "PSN" + i;
        InsuranceType type = random.nextInt(10) < 7 ? InsuranceType.EMPLOYEE_BASIC : InsuranceType.RESIDENT_BASIC;
        people.add(psnNo);
        types.add(type);
        apply(new Command.UpsertInsured(new Insured(psnNo, "人" + i, type, InsuredStatus.NORMAL,
            REGIONS[random.nextInt(REGIONS.length)], List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD,
                "SSC-" + i)))));
      }
      for (step = 0; step < steps; step++) {
        int commands = 1 + random.nextInt(4);
        for (int c = 0; c < commands; c++) {
          next();
        }
        publish(ledger, view);
        now += switch (random.nextInt(20)) {
          case 0 -> 61_000 + random.nextLong(600_000); // past a hold's time to live
          case 1 -> random.nextLong(30 * 3_600_000L); // past midnight, 06:00
          default -> random.nextLong(2_000);
        };
        compare();
        publish(ledger, view);
      }
    }

    /** Every person at every place: the view's answer, where it gives one, is the writer's. */
    private void compare() {
      for (String psnNo : people) {
        for (String place : PLACES) {
          Result seen = view.answer(psnNo, place);
          Result writer = ledger.apply(new Command.Identify(psnNo, place), now);
          asked++;
          if (seen != null) {
            viewAnswers++;
            assertEquals(writer, seen, "identify " + psnNo + " at " + place);
          }
        }
      }
    }

    private RegionPolicy policy(String admdvs) {
      long[] floors = {0, 0, 1_000, 5_000};
      Set<ItemCategory> optional = EnumSet.noneOf(ItemCategory.class);
      if (random.nextBoolean()) {
        optional.add(ItemCategory.HEALTH_CHECKUP);
      }
      RegionPolicy p = new RegionPolicy(admdvs, "region " + admdvs, floors[random.nextInt(floors.length)],
          random.nextBoolean(), random.nextInt(4) > 0, random.nextBoolean(), optional, 60,
          random.nextInt(3) == 0 ? 1 + random.nextInt(3) : 0, random.nextInt(3) == 0 ? random.nextLong(1, 20_000) : 0);
      RegionPolicy.AidOrder[] orders = RegionPolicy.AidOrder.values();
      return p.withAidOrder(orders[random.nextInt(orders.length)]);
    }

    private void next() {
      String who = pick(people);
      String other = pick(people);
      String place = PLACES[random.nextInt(PLACES.length - 1)];
      switch (random.nextInt(24)) {
        case 0, 1, 2 -> apply(new Command.Credit(id(), random.nextLong(), who, random.nextLong(1, 30_000)));
        case 3, 4 -> {
          Result r = apply(new Command.CreateBinding(who, other, pick(Relationship.values()),
              random.nextBoolean() ? 0 : random.nextLong(1, 20_000)));
          if (r instanceof Result.BindingView v) {
            bindings.add(v.bindingId());
            parties.add(new String[] {who, other});
          }
        }
        case 5 -> {
          Result r = apply(new Command.RequestBinding(who, other, pick(Relationship.values()), 0, "doc"));
          if (r instanceof Result.BindingView v) {
            bindings.add(v.bindingId());
            parties.add(new String[] {who, other});
          }
        }
        case 6 -> {
          if (!bindings.isEmpty()) {
            apply(new Command.ReviewBinding(pick(bindings), random.nextBoolean(), ""));
          }
        }
        case 7 -> {
          if (!bindings.isEmpty()) {
            apply(new Command.DissolveBinding(pick(bindings), who));
          }
        }
        case 8 -> {
          if (!bindings.isEmpty()) {
            apply(new Command.UpdateBindingQuota(pick(bindings), who, random.nextBoolean() ? 0 : random.nextLong(1,
                20_000)));
          }
        }
        case 9, 10, 11, 12 -> {
          List<LineItem> items = new ArrayList<>();
          int lines = 1 + random.nextInt(3);
          for (int i = 0; i < lines; i++) {
            items.add(new LineItem("i" + i, pick(ItemCategory.values()), random.nextInt(4) > 0, 1,
                random.nextLong(1, 15_000)));
          }
          Result r = apply(new Command.Authorize(id(), random.nextLong(), place, TERMINAL, who,
              pick(MedicalType.values()), Bill.of(items), random.nextInt(8) > 0, random.nextInt(4) > 0));
          if (r instanceof Result.Sale v) {
            sales.add(new String[] {place, v.txn().txnId()});
          }
        }
        case 13, 14, 15 -> {
          if (!sales.isEmpty()) {
            String[] s = pick(sales);
            apply(new Command.Settle(id(), random.nextLong(), s[0], s[1], random.nextLong(0, 20_000)));
          }
        }
        case 16 -> {
          if (!sales.isEmpty()) {
            String[] s = pick(sales);
            apply(new Command.Cancel(id(), random.nextLong(), s[0], s[1]));
          }
        }
        case 17 -> {
          if (!sales.isEmpty()) {
            String[] s = pick(sales);
            apply(new Command.Refund(id(), random.nextLong(), s[0], s[1]));
          }
        }
        case 18 -> apply(new Command.OpenWallet(who));
        case 19 -> {
          // Mostly through a binding made, to a wallet opened: most such transfers are made.
          String[] between = parties.isEmpty() || random.nextInt(4) == 0 ? new String[] {who, other} : pick(parties);
          apply(new Command.OpenWallet(between[1]));
          Result r = apply(new Command.AssignWalletQuota(id(), random.nextLong(), between[0], between[1],
              random.nextLong(1, 10_000)));
          if (r instanceof Result.WalletTransferView v) {
            transfers.add(v.transferId());
            if (random.nextBoolean()) {
              apply(new Command.AnswerWalletTransfer(v.transferId(), between[1], true));
            }
          }
        }
        case 20 -> {
          if (!transfers.isEmpty()) {
            apply(new Command.AnswerWalletTransfer(pick(transfers), random.nextBoolean() ? who : other,
                random.nextInt(4) > 0));
          }
        }
        case 21 -> {
          int i = people.indexOf(who);
          InsuranceType type = random.nextInt(4) == 0 ? pick(InsuranceType.values()) : types.get(i);
          types.set(i, type);
          InsuredStatus status = random.nextInt(3) == 0 ? pick(new InsuredStatus[] {InsuredStatus.SUSPENDED,
              InsuredStatus.TERMINATED, InsuredStatus.NORMAL}) : InsuredStatus.NORMAL;
          apply(new Command.UpsertInsured(new Insured(who, "人" + i + (random.nextBoolean() ? "改" : ""), type, status,
              REGIONS[random.nextInt(REGIONS.length)], List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD,
                  "SSC-" + i)))));
        }
        case 22 -> {
          if (random.nextInt(4) == 0) {
            apply(new Command.RecordDeath(who));
          } else {
            apply(new Command.PayPremium(id(), random.nextLong(), who, other, random.nextLong(1, 5_000), 2026));
          }
        }
        default -> {
          if (random.nextInt(3) == 0) {
            apply(new Command.SetRegionPolicy(policy(pick(REGIONS))));
          } else if (random.nextBoolean()) {
            apply(new Command.RegisterInstitution(new Institution(pick(new String[] {"P62010000017",
                "H35010000002", "P44030000001"}), "inst again", Set.of(TERMINAL))));
          } else {
            boolean transfers = random.nextBoolean();
            apply(new Command.Sweep(60_000, 1 + random.nextInt(20), transfers, transfers && random.nextBoolean()));
          }
        }
      }
    }

    private Result apply(Command c) {
      return ledger.apply(c, now);
    }

    private String id() {
      return "R" + nextId++;
    }

    private <T> T pick(List<T> list) {
      return list.get(random.nextInt(list.size()));
    }

    private <T> T pick(T[] array) {
      return array[random.nextInt(array.length)];
    }
  }
}
