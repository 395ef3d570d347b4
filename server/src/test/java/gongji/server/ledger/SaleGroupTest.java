package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import gongji.server.domain.ReconcileGroup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A sale's reconciliation group is fixed when it is authorized: every later event of the sale
 * (settle, refund, reversal) counts in it, whether the sale stayed in memory, went through a
 * snapshot or came back from history, even after the patient moved to another region. The bytes
 * that carry it are pinned, so that a change of a code fails here.
 */
class SaleGroupTest {
  private static final long START_MILLIS = 1_764_036_000_000L; // 2025-11-25 10:00 Beijing
  private static final long DAY = LocalDate.of(2025, 11, 25).toEpochDay();
  private static final String PHARMACY = "P62010000017";
  private static final String A = "PSNA";
  private static final long W = 10_000;
  private static final ReconcileGroup LANZHOU = new ReconcileGroup(310, 41, "620100");
  private static final ReconcileGroup FUZHOU = new ReconcileGroup(310, 41, "350100");

  @Test
  void refund_afterThePatientMovedRegion_countsInTheRegionOfTheSale() throws IOException {
    LedgerSweepTest.Swept s = world();
    String sale = settledSale(s, "1", 3_000);
    s.apply(new Command.UpsertInsured(person("350100")), at(20));
    s.apply(new Command.Refund("R-1", 13, PHARMACY, sale), at(21));
    String later = settledSale(s, "2", 1_000);

    assertEquals(List.of("SETTLED " + sale + " " + LANZHOU, "REFUNDED " + sale + " " + LANZHOU,
        "SETTLED " + later + " " + FUZHOU), lines(s));
  }

  @Test
  void reversals_afterThePatientMovedRegion_countInTheRegionOfTheSale() throws IOException {
    LedgerSweepTest.Swept s = world();
    String refunded = settledSale(s, "1", 3_000);
    s.apply(new Command.Refund("R-1", 13, PHARMACY, refunded), at(12));
    String settled = settledSale(s, "2", 1_000);
    s.apply(new Command.UpsertInsured(person("350100")), at(20));
    s.apply(new Command.Reverse(PHARMACY, "R-1"), at(21));
    s.apply(new Command.Reverse(PHARMACY, "S-2"), at(22));

    assertEquals(List.of("SETTLED " + refunded + " " + LANZHOU, "REFUNDED " + refunded + " " + LANZHOU,
        "SETTLED " + settled + " " + LANZHOU, "REFUND_REVERSED " + refunded + " " + LANZHOU,
        "SETTLEMENT_REVERSED " + settled + " " + LANZHOU), lines(s));
  }

  @Test
  void refund_ofASaleOnlyHistoryHolds_countsInTheRegionOfTheSale() throws IOException {
    LedgerSweepTest.Swept s = world();
    String sale = settledSale(s, "1", 3_000);
    s.apply(new Command.UpsertInsured(person("350100")), at(20));
    s.apply(new Command.Tick(), at(100));
    s.apply(new Command.Tick(), at(100) + 2 * W);
    assertFalse(s.keeps(sale), "the sale went to history");

    s.apply(new Command.Refund("R-1", 13, PHARMACY, sale), at(200));
    assertEquals(List.of("SETTLED " + sale + " " + LANZHOU, "REFUNDED " + sale + " " + LANZHOU), lines(s));
  }

  @Test
  void refund_afterASnapshot_countsInTheRegionOfTheSale() {
    LedgerSweepTest.Swept s = world();
    String sale = settledSale(s, "1", 3_000);
    s.apply(new Command.UpsertInsured(person("350100")), at(20));
    Ledger copy = LedgerStates.copy(s.ledger);
    copy.takeHistory();

    refund(copy, sale, at(21));
    List<HistoryRecord> made = copy.takeHistory();
    assertEquals(1, made.size(), made.toString());
    assertEquals(LANZHOU, ((HistoryRecord.Settlement) made.get(0)).line().group());
  }

  // ---- the bytes ----------------------------------------------------------------------------

  /**
   * A sale image as history keeps it: the mark 0, the format 6, the sale as a format-6 snapshot holds
   * it, ending with its group as the national numbers (310 = 0xb602, 41 = 0x29) and the region.
   */
  @Test
  void saleImage_isPinned_markFormatAndGroupAsNationalNumbers() throws IOException {
    LedgerSweepTest.Swept s = world();
    String sale = settledSale(s, "1", 3_000);
    s.apply(new Command.Tick(), at(100));
    s.apply(new Command.Tick(), at(100) + 2 * W);
    byte[] image = s.history.saleImage(sale);

    String hex = HexFormat.of().formatHex(image);
    assertEquals("0006" + "025431" + "0c503632303130303030303137" + "0450534e41" + "00", hex.substring(0, 48),
        "mark, format, id, institution, patient, medical type");
    assertTrue(hex.endsWith("b602" + "29" + "06363230313030"), "the group at the end: " + hex);
    assertEquals(0, Sales.IMAGE_MARK);
    assertEquals(6, Sales.IMAGE_FORMAT);
    assertEquals(0x47_4A_53_39, Snapshots.MAGIC, "GJS9");
    assertEquals(0x47_4A_53_38, Snapshots.MAGIC_FORMAT_8, "GJS8");
    assertEquals(0x47_4A_53_37, Snapshots.MAGIC_FORMAT_7, "GJS7");
  }

  /**
   * A sale image of format 5 (written before images carried a format or a group) is still read: the
   * patient's group as recorded now stands in for the sale's.
   */
  @Test
  void format5SaleImage_isRead_withThePatientsGroupOfNow() throws IOException {
    Ledger ledger = format5Snapshot();
    ledger.apply(new Command.UpsertInsured(person("350100")), at(200));
    byte[] image = resource("/ledger/format5/sale-T1.image");
    assertTrue(image[0] != Sales.IMAGE_MARK, "format 5 begins with the id");
    ledger.takeHistory();

    Command.Refund refund = new Command.Refund("R-9", 91, PHARMACY, "T1");
    Result r = ledger.apply(new Command.Recalled(refund, ledger.sweeps(), RequestLog.key(PHARMACY, "R-9"), null,
        "T1", image), at(201));
    assertTrue(r instanceof Result.Sale, r::toString);
    List<HistoryRecord> made = ledger.takeHistory();
    assertEquals(FUZHOU, ((HistoryRecord.Settlement) made.get(0)).line().group());
  }

  /** A snapshot of format 5 (GJS5) is read and written again as format 6 with each sale's group. */
  @Test
  void format5Snapshot_isRead_andWrittenInTheCurrentFormat() throws IOException {
    Ledger ledger = format5Snapshot();
    assertEquals(List.of(), ledger.audit());
    byte[] again = Snapshots.image(ledger, 7);
    assertEquals(Snapshots.MAGIC, ByteBuffer.wrap(again).getInt(0));
    Ledger reread = Snapshots.read(again, 7, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
    assertArrayEquals(LedgerStates.bytes(ledger), LedgerStates.bytes(reread));

    // T2 was settled in Lanzhou: refunded after a move, it still counts there.
    reread.apply(new Command.UpsertInsured(person("350100")), at(200));
    reread.takeHistory();
    refund(reread, "T2", at(201));
    assertEquals(LANZHOU, ((HistoryRecord.Settlement) reread.takeHistory().get(0)).line().group());
  }

  // ---- a small world ------------------------------------------------------------------------

  /** Refunds a sale the ledger keeps, with a look-up that found nothing in history (its request id is new). */
  private static void refund(Ledger ledger, String sale, long atMillis) {
    Command.Refund refund = new Command.Refund("R-9", 91, PHARMACY, sale);
    Result r = ledger.apply(new Command.Recalled(refund, ledger.sweeps(), RequestLog.key(PHARMACY, "R-9"), null,
        sale, null), atMillis);
    assertTrue(r instanceof Result.Sale, r::toString);
  }

  private static Ledger format5Snapshot() throws IOException {
    byte[] image = resource("/ledger/format5/snapshot-7.snap");
    assertEquals(Snapshots.MAGIC_FORMAT_5, ByteBuffer.wrap(image).getInt(0));
    return Snapshots.read(image, 7, LedgerStates.WINDOW, ReferenceListener.NONE).ledger();
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = SaleGroupTest.class.getResourceAsStream(name)) {
      return in.readAllBytes();
    }
  }

  private static LedgerSweepTest.Swept world() {
    LedgerSweepTest.Swept s = new LedgerSweepTest.Swept(W);
    s.apply(new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))), at(0));
    s.apply(new Command.UpsertInsured(person("620100")), at(0));
    s.apply(new Command.Credit("K-1", 1, A, 10_000), at(0));
    return s;
  }

  private static String settledSale(LedgerSweepTest.Swept s, String n, long fen) {
    Result.Sale authorized = (Result.Sale) s.apply(new Command.Authorize("A-" + n, 11, PHARMACY, "T1", A,
        MedicalType.PHARMACY, Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, fen))), true, true), at(10));
    s.apply(new Command.Settle("S-" + n, 12, PHARMACY, authorized.txn().txnId(), -1), at(11));
    return authorized.txn().txnId();
  }

  /** The day's reconciliation lines as history answers them: kind, sale and group. */
  private static List<String> lines(LedgerSweepTest.Swept s) throws IOException {
    Result.ReconcileLines lines = (Result.ReconcileLines) s.history.answer(
        new HistoryQuery.ReconcileDetail(PHARMACY, DAY, 0, 100));
    return lines.lines().stream().map(l -> l.kind() + " " + l.txnId() + " " + l.group()).toList();
  }

  private static Insured person(String admdvs) {
    return new Insured(A, "参保人A", InsuranceType.EMPLOYEE_BASIC, InsuredStatus.NORMAL, admdvs,
        List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-" + A)));
  }

  private static long at(long seconds) {
    return START_MILLIS + seconds * 1_000;
  }
}
