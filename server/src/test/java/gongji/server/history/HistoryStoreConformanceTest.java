package gongji.server.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.domain.ReconcileGroup;
import gongji.server.ledger.Command.BindingRole;
import gongji.server.ledger.HistoryCodec;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryRecord;
import gongji.server.ledger.HistoryStore;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Result;
import gongji.server.ledger.WalletTransferState;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every history store does, whatever it keeps its records in: each implementation runs these
 * tests through a subclass that says how to open one.
 */
abstract class HistoryStoreConformanceTest {
  /** 2026-11-25 10:00 China time. */
  static final long T0 = 1_764_036_000_000L;
  static final long DAY = 86_400_000L;

  HistoryStore store;

  /** A new, empty store. */
  abstract HistoryStore open() throws IOException;

  @BeforeEach
  void setUp() throws IOException {
    store = open();
  }

  @AfterEach
  void tearDown() throws IOException {
    store.close();
  }

  static HistoryRecord usage(String kind, long at, String authorizer, String beneficiary, long amountFen) {
    return new HistoryRecord.Usage(new Result.Usage(kind, at, authorizer, beneficiary, "P62010200017", "T" + at,
        "B1", amountFen));
  }

  static HistoryRecord settlement(String institution, String kind, long at, long total, long own, long aid) {
    return new HistoryRecord.Settlement(institution,
        new Result.ReconcileLine("T" + at, kind, at, total, own, aid, total - own - aid, PHARMACY_310));
  }

  static final ReconcileGroup PHARMACY_310 = new ReconcileGroup(310, 41, "620100");

  static HistoryRecord grouped(String institution, String kind, long at, long total, ReconcileGroup group) {
    return new HistoryRecord.Settlement(institution,
        new Result.ReconcileLine("T" + at, kind, at, total, total, 0, 0, group));
  }

  static HistoryRecord alert(long seq, long at) {
    return new HistoryRecord.Alert(new Result.Alert(seq, at, "IMPERSONATION", "P62010200017", "", "detail " + seq,
        seq % 2 == 0 ? gongji.server.ledger.AlertParties.NONE
            : new gongji.server.ledger.AlertParties("6201**0001", "6201**0002", "POS01", "cashier-" + seq)));
  }

  List<Result.Usage> usage(String psnNo, BindingRole role, long from, long to, int offset, int limit)
      throws IOException {
    return ((Result.Usages) store.answer(new HistoryQuery.Usage(psnNo, role, from, to, offset, limit))).usages();
  }

  @Test
  void empty_appliedNothing_answersNothing() throws IOException {
    assertEquals(0, store.appliedSeq());
    assertEquals(List.of(), usage("A", null, 0, Long.MAX_VALUE, 0, 10));
    Result.Reconciliation r = (Result.Reconciliation) store.answer(new HistoryQuery.Reconcile("P1", 20_000));
    assertEquals(List.of(0L, 0L, 0L, 0L, 0L), toList(r.settlements()));
    assertEquals(List.of(), ((Result.Alerts) store.answer(new HistoryQuery.Alerts(0, 10))).alerts());
  }

  @Test
  void apply_usage_isListedForBothPartiesOldestFirst() throws IOException {
    store.apply(3, List.of(usage("SETTLED", T0 + 2, "A", "B", 100), usage("SETTLED", T0 + 1, "C", "B", 50)));
    store.apply(5, List.of(usage("REFUNDED", T0 + 3, "A", "B", -100)));

    assertEquals(5, store.appliedSeq());
    assertEquals(List.of(100L, 50L, -100L), amounts(usage("B", null, 0, Long.MAX_VALUE, 0, 10)));
    assertEquals(List.of(100L, -100L), amounts(usage("A", null, 0, Long.MAX_VALUE, 0, 10)));
    assertEquals(List.of(100L, -100L), amounts(usage("A", BindingRole.AUTHORIZER, 0, Long.MAX_VALUE, 0, 10)));
    assertEquals(List.of(), usage("A", BindingRole.BENEFICIARY, 0, Long.MAX_VALUE, 0, 10));
    assertEquals(List.of(50L), amounts(usage("B", null, T0 + 1, T0 + 2, 0, 10)));
  }

  @Test
  void usage_pages_sayWhetherThereIsMore() throws IOException {
    List<HistoryRecord> records = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      records.add(usage("SETTLED", T0 + i, "A", "B", i));
    }
    store.apply(1, records);

    Result.Usages first = (Result.Usages) store.answer(new HistoryQuery.Usage("B", null, 0, Long.MAX_VALUE, 0, 10));
    Result.Usages last = (Result.Usages) store.answer(new HistoryQuery.Usage("B", null, 0, Long.MAX_VALUE, 20, 10));
    Result.Usages exact = (Result.Usages) store.answer(new HistoryQuery.Usage("B", null, 0, Long.MAX_VALUE, 15, 10));

    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), amounts(first.usages()));
    assertTrue(first.more());
    assertEquals(List.of(20L, 21L, 22L, 23L, 24L), amounts(last.usages()));
    assertFalse(last.more());
    assertEquals(10, exact.usages().size());
    assertFalse(exact.more(), "the page ends with the records");
  }

  @Test
  void reconcile_addsUpEachDayApart_settlementsAndRefunds() throws IOException {
    store.apply(2, List.of(settlement("P1", "SETTLED", T0, 1_000, 600, 300),
        settlement("P1", "SETTLED", T0 + 5, 500, 500, 0), settlement("P2", "SETTLED", T0 + 6, 70, 70, 0)));
    store.apply(4, List.of(settlement("P1", "REFUNDED", T0 + 7, 500, 500, 0),
        settlement("P1", "REFUND_REVERSED", T0 + 8, 500, 500, 0), settlement("P1", "SETTLED", T0 + DAY, 9, 9, 0),
        settlement("P1", "SETTLEMENT_REVERSED", T0 + 9, 1_000, 600, 300)));
    long day = Ledger.localDay(T0);

    Result.Reconciliation r = (Result.Reconciliation) store.answer(new HistoryQuery.Reconcile("P1", day));
    Result.Reconciliation next = (Result.Reconciliation) store.answer(new HistoryQuery.Reconcile("P1", day + 1));

    assertEquals(List.of(3L, 2_000L, 1_600L, 300L, 100L), toList(r.settlements()));
    assertEquals(List.of(2L, 1_500L, 1_100L, 300L, 100L), toList(r.refunds()));
    assertEquals(List.of(1L, 9L, 9L, 0L, 0L), toList(next.settlements()));
  }

  @Test
  void reconcile_groups_eachAddsUpItsOwnEvents_andTheyAddUpToTheDay() throws IOException {
    ReconcileGroup resident = new ReconcileGroup(390, 41, "620100");
    ReconcileGroup fuzhou = new ReconcileGroup(310, 11, "350100");
    store.apply(2, List.of(grouped("P1", "SETTLED", T0, 1_000, PHARMACY_310), grouped("P1", "SETTLED", T0 + 1, 300,
        fuzhou), grouped("P1", "SETTLED", T0 + 2, 20, resident), grouped("P1", "REFUNDED", T0 + 3, 300, fuzhou)));
    store.apply(3, List.of(grouped("P1", "SETTLED", T0 + 4, 5, PHARMACY_310), grouped("P2", "SETTLED", T0 + 5, 7,
        resident)));

    Result.Reconciliation r = (Result.Reconciliation) store.answer(new HistoryQuery.Reconcile("P1", Ledger.localDay(T0)));

    Result.ReconcileLines second = (Result.ReconcileLines) store.answer(
        new HistoryQuery.ReconcileDetail("P1", Ledger.localDay(T0), 1, 1));

    assertEquals(List.of(fuzhou, PHARMACY_310, resident), r.groups().stream().map(Result.GroupTotals::group).toList(),
        "by insutype, then clr_type, then setl_optins");
    assertEquals(List.of(1L, 300L, 300L, 0L, 0L), toList(r.groups().get(0).settlements()));
    assertEquals(List.of(1L, 300L, 300L, 0L, 0L), toList(r.groups().get(0).refunds()));
    assertEquals(List.of(2L, 1_005L, 1_005L, 0L, 0L), toList(r.groups().get(1).settlements()));
    assertEquals(List.of(0L, 0L, 0L, 0L, 0L), toList(r.groups().get(1).refunds()));
    assertEquals(List.of(1L, 20L, 20L, 0L, 0L), toList(r.groups().get(2).settlements()));
    assertEquals(List.of(4L, 1_325L, 1_325L, 0L, 0L), toList(r.settlements()));
    assertEquals(fuzhou, second.lines().get(0).group());
  }

  @Test
  void reconcileDetail_pagesThroughTheDayInOrder() throws IOException {
    List<HistoryRecord> records = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      records.add(settlement("P1", "SETTLED", T0 + i, 100 + i, 0, 0));
    }
    records.add(settlement("P1", "SETTLED", T0 + DAY, 1, 0, 0));
    store.apply(9, records);
    long day = Ledger.localDay(T0);

    Result.ReconcileLines a = (Result.ReconcileLines) store.answer(new HistoryQuery.ReconcileDetail("P1", day, 0, 3));
    Result.ReconcileLines c = (Result.ReconcileLines) store.answer(new HistoryQuery.ReconcileDetail("P1", day, 6, 3));
    Result.ReconcileLines past = (Result.ReconcileLines) store.answer(
        new HistoryQuery.ReconcileDetail("P1", day, Integer.MAX_VALUE, 3));

    assertEquals(List.of(100L, 101L, 102L), a.lines().stream().map(Result.ReconcileLine::totalFen).toList());
    assertTrue(a.more());
    assertEquals(List.of(106L), c.lines().stream().map(Result.ReconcileLine::totalFen).toList());
    assertFalse(c.more());
    assertEquals(List.of(), past.lines());
  }

  @Test
  void reconcileDetail_ofAGroup_pagesThroughItsLinesOnly_andLeavesTheUngroupedOut() throws IOException {
    ReconcileGroup resident = new ReconcileGroup(390, 41, "620100");
    List<HistoryRecord> records = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      records.add(grouped("P1", "SETTLED", T0 + i, 100 + i, i % 2 == 0 ? PHARMACY_310 : resident));
    }
    records.add(grouped("P1", "SETTLED", T0 + 7, 1, ReconcileGroup.UNGROUPED));
    store.apply(9, records);
    long day = Ledger.localDay(T0);
    ReconcileGroup.Filter employees = new ReconcileGroup.Filter("310", "", "");
    ReconcileGroup.Filter lanzhou = new ReconcileGroup.Filter("", "41", "620100");

    Result.ReconcileLines a = (Result.ReconcileLines) store.answer(
        new HistoryQuery.ReconcileDetail("P1", day, 0, 2, employees));
    Result.ReconcileLines b = (Result.ReconcileLines) store.answer(
        new HistoryQuery.ReconcileDetail("P1", day, 2, 2, employees));
    Result.ReconcileLines all = (Result.ReconcileLines) store.answer(
        new HistoryQuery.ReconcileDetail("P1", day, 0, 100, lanzhou));
    Result.ReconcileLines none = (Result.ReconcileLines) store.answer(
        new HistoryQuery.ReconcileDetail("P1", day, 0, 100, new ReconcileGroup.Filter("", "", "350100")));

    assertEquals(List.of(100L, 102L), a.lines().stream().map(Result.ReconcileLine::totalFen).toList());
    assertTrue(a.more());
    assertEquals(List.of(104L, 106L), b.lines().stream().map(Result.ReconcileLine::totalFen).toList());
    assertFalse(b.more(), "no line of the group after the last");
    assertEquals(7, all.lines().size(), "both groups of the region, not the ungrouped line");
    assertEquals(List.of(), none.lines());
  }

  @Test
  void alerts_afterASequenceNumber_oldestFirst() throws IOException {
    store.apply(1, List.of(alert(1, T0), alert(2, T0 + 1)));
    store.apply(2, List.of(alert(3, T0 + 2)));

    List<Result.Alert> after1 = ((Result.Alerts) store.answer(new HistoryQuery.Alerts(1, 10))).alerts();
    List<Result.Alert> first = ((Result.Alerts) store.answer(new HistoryQuery.Alerts(0, 1))).alerts();

    assertEquals(List.of(2L, 3L), after1.stream().map(Result.Alert::seq).toList());
    assertEquals(List.of(1L), first.stream().map(Result.Alert::seq).toList());
  }

  static HistoryRecord transfer(long number, String authorizer, String beneficiary, WalletTransferState state) {
    return new HistoryRecord.WalletTransfer(new Result.WalletTransferView(id(number), authorizer,
        beneficiary, "B1", 1_000 * number, 0, 0, state, T0 + number, T0 + DAY, ""));
  }

  /** A transfer id as the ledger gives them: "W" and the number in upper-case base 36. */
  static String id(long number) {
    return "W" + Long.toString(number, 36).toUpperCase(java.util.Locale.ROOT);
  }

  List<String> transfers(String psnNo, BindingRole role, long before, int limit) throws IOException {
    return ((Result.WalletTransfers) store.answer(new HistoryQuery.WalletTransfers(psnNo, role, before, limit)))
        .transfers().stream().map(t -> t.transferId() + " " + t.state()).toList();
  }

  @Test
  void walletTransfers_newestFirst_latestRecordWins_byRoleAndPage_andOneByItsId() throws IOException {
    store.apply(1, List.of(transfer(1, "A", "B", WalletTransferState.PENDING),
        transfer(2, "B", "A", WalletTransferState.PENDING), transfer(3, "A", "C", WalletTransferState.PENDING)));
    store.apply(2, List.of(transfer(1, "A", "B", WalletTransferState.DECLINED),
        transfer(40, "C", "A", WalletTransferState.PENDING)));

    assertEquals(List.of(id(40) + " PENDING", "W3 PENDING", "W2 PENDING", "W1 DECLINED"),
        transfers("A", null, Long.MAX_VALUE, 10));
    assertEquals(List.of("W3 PENDING", "W1 DECLINED"), transfers("A", BindingRole.AUTHORIZER, Long.MAX_VALUE, 10));
    assertEquals(List.of(id(40) + " PENDING", "W2 PENDING"),
        transfers("A", BindingRole.BENEFICIARY, Long.MAX_VALUE, 10));
    assertEquals(List.of("W2 PENDING", "W1 DECLINED"), transfers("A", null, 3, 10), "below number 3");
    Result.WalletTransfers page = (Result.WalletTransfers) store.answer(
        new HistoryQuery.WalletTransfers("A", null, Long.MAX_VALUE, 2));
    assertEquals(2, page.transfers().size());
    assertTrue(page.more());
    assertFalse(((Result.WalletTransfers) store.answer(new HistoryQuery.WalletTransfers("A", null, 3, 2))).more());
    assertEquals(List.of(), transfers("D", null, Long.MAX_VALUE, 10));
    assertEquals(List.of(), transfers("A", null, 1, 10));
    assertEquals(transfer(1, "A", "B", WalletTransferState.DECLINED),
        HistoryCodec.decode(store.transferImage("W1")));
    assertEquals(null, store.transferImage("W5"));
  }

  @Test
  void apply_atOrBelowWhatWasApplied_isIgnored() throws IOException {
    store.apply(4, List.of(usage("SETTLED", T0, "A", "B", 1)));
    store.apply(4, List.of(usage("SETTLED", T0, "A", "B", 1)));
    store.apply(3, List.of(usage("SETTLED", T0, "A", "B", 1)));

    assertEquals(4, store.appliedSeq());
    assertEquals(1, usage("B", null, 0, Long.MAX_VALUE, 0, 10).size(), "replayed batches are not applied twice");
  }

  @Test
  void apply_noRecords_stillMovesTheSequenceNumber() throws IOException {
    store.apply(7, List.of());

    assertEquals(7, store.appliedSeq());
  }

  @Test
  void answers_equalThoseOfAnotherStore_overASeededStream() throws IOException {
    MemoryHistoryStore model = new MemoryHistoryStore();
    SplittableRandom random = new SplittableRandom(42);
    String[] people = {"A", "B", "C", "D"};
    long seq = 0;
    long at = T0;
    long alertSeq = 0;
    for (int batch = 0; batch < 200; batch++) {
      List<HistoryRecord> records = new ArrayList<>();
      for (int i = random.nextInt(6); i > 0; i--) {
        at += random.nextLong(3_600_000);
        switch (random.nextInt(4)) {
          case 0 -> records.add(usage("SETTLED", at, people[random.nextInt(4)], people[random.nextInt(4)],
              random.nextLong(-500, 5_000)));
          case 1 -> records.add(random.nextBoolean()
              ? settlement(random.nextBoolean() ? "P1" : "H2", random.nextInt(4) == 0 ? "REFUNDED" : "SETTLED", at,
                  1_000, random.nextLong(500), random.nextLong(500))
              : grouped(random.nextBoolean() ? "P1" : "H2", random.nextInt(4) == 0 ? "REFUNDED" : "SETTLED", at,
                  random.nextLong(1_000), new ReconcileGroup(random.nextBoolean() ? 310 : 390, 41,
                      random.nextBoolean() ? "620100" : "350100")));
          case 2 -> records.add(alert(++alertSeq, at));
          default -> {
            // A transfer's parties never change: the same number is always between the same two.
            int number = 1 + random.nextInt(30);
            records.add(transfer(number, people[number % 4], people[(number % 4 + 1 + number / 4 % 3) % 4],
                WalletTransferState.ofCode(random.nextInt(5))));
          }
        }
      }
      seq += 1 + random.nextInt(3);
      store.apply(seq, records);
      model.apply(seq, records);
    }
    for (String p : people) {
      for (BindingRole role : new BindingRole[] {null, BindingRole.AUTHORIZER, BindingRole.BENEFICIARY}) {
        for (int offset : new int[] {0, 3, 50}) {
          HistoryQuery q = new HistoryQuery.Usage(p, role, T0 + 3_600_000, Long.MAX_VALUE, offset, 7);
          assertEquals(model.answer(q), store.answer(q), q::toString);
        }
      }
    }
    for (long day = Ledger.localDay(T0); day <= Ledger.localDay(at); day++) {
      for (String inst : new String[] {"P1", "H2"}) {
        Result.Reconciliation want = (Result.Reconciliation) model.answer(new HistoryQuery.Reconcile(inst, day));
        Result.Reconciliation got = (Result.Reconciliation) store.answer(new HistoryQuery.Reconcile(inst, day));
        assertEquals(toList(want.settlements()), toList(got.settlements()));
        assertEquals(toList(want.refunds()), toList(got.refunds()));
        assertEquals(groupsText(want), groupsText(got));
        HistoryQuery detail = new HistoryQuery.ReconcileDetail(inst, day, 1, 4);
        assertEquals(model.answer(detail), store.answer(detail));
      }
    }
    HistoryQuery alerts = new HistoryQuery.Alerts(5, 1_000);
    assertEquals(model.answer(alerts), store.answer(alerts));
    for (String p : people) {
      for (BindingRole role : new BindingRole[] {null, BindingRole.AUTHORIZER, BindingRole.BENEFICIARY}) {
        for (long before : new long[] {Long.MAX_VALUE, 17, 1}) {
          HistoryQuery q = new HistoryQuery.WalletTransfers(p, role, before, 4);
          assertEquals(model.answer(q), store.answer(q), q::toString);
        }
      }
    }
  }

  static List<String> groupsText(Result.Reconciliation r) {
    return r.groups().stream().map(g -> g.group() + " " + toList(g.settlements()) + " " + toList(g.refunds()))
        .toList();
  }

  static List<Long> amounts(List<Result.Usage> usages) {
    return usages.stream().map(Result.Usage::amountFen).toList();
  }

  static List<Long> toList(long[] a) {
    List<Long> out = new ArrayList<>();
    for (long v : a) {
      out.add(v);
    }
    return out;
  }
}
