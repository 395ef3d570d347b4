package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gongji.server.domain.ReconcileGroup;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class HistoryCodecTest {
  private static final long AT = 1_764_036_000_000L;

  @Test
  void settlement_withItsGroup_comesBackTheSame() {
    HistoryRecord.Settlement s = new HistoryRecord.Settlement("P62010200017", new Result.ReconcileLine("T1",
        "REFUNDED", AT, 35_000, 3_000, 20_000, 12_000, new ReconcileGroup(390, 11, "350100")));

    assertEquals(s, HistoryCodec.decode(HistoryCodec.encode(s)));
    assertEquals(HistoryCodec.GROUPED_SETTLEMENT, HistoryCodec.encode(s)[0]);
  }

  @Test
  void settlement_ofFormat2_withoutAGroup_isReadAsUngrouped() {
    CommandCodec.Output out = new CommandCodec.Output(64);
    out.u8(HistoryCodec.SETTLEMENT).str("P62010200017").str("T1").str("SETTLED").i64(AT).varlong(35_000)
        .varlong(3_000).varlong(20_000).varlong(12_000);

    HistoryRecord r = HistoryCodec.decode(Arrays.copyOf(out.array(), out.size()));

    assertEquals(new HistoryRecord.Settlement("P62010200017", new Result.ReconcileLine("T1", "SETTLED", AT, 35_000,
        3_000, 20_000, 12_000, ReconcileGroup.UNGROUPED)), r);
  }

  @Test
  void settlement_withAGroupCodeOutOfRange_isRefusedAsDamaged() {
    CommandCodec.Output out = new CommandCodec.Output(64);
    out.u8(HistoryCodec.GROUPED_SETTLEMENT).str("P62010200017").str("T1").str("SETTLED").i64(AT).varlong(1)
        .varlong(1).varlong(0).varlong(0).varint(31_000).varint(41).str("620100");

    assertThrows(IllegalArgumentException.class, () -> HistoryCodec.decode(Arrays.copyOf(out.array(), out.size())));
  }

  /**
   * The history format and its record codes are on disk: pinned here, so that changing either is a
   * decision (a new kind of record takes a new code and, when an older build cannot read it, a new
   * format that such a build refuses by its number).
   */
  @Test
  void formatAndRecordCodes_arePinned() throws IllegalAccessException {
    Map<String, Integer> codes = new TreeMap<>();
    for (Field f : HistoryCodec.class.getDeclaredFields()) {
      if (f.getType() == byte.class && Modifier.isStatic(f.getModifiers())) {
        codes.put(f.getName(), (int) f.getByte(null));
      }
    }

    assertEquals(4, HistoryCodec.FORMAT);
    assertEquals(List.of(1, 2, 3), List.of(HistoryCodec.FORMAT_WITHOUT_IMAGES, HistoryCodec.FORMAT_WITHOUT_GROUPS,
        HistoryCodec.FORMAT_WITHOUT_NAMING_ALERTS));
    assertEquals(new TreeMap<>(Map.of("USAGE", 1, "SETTLEMENT", 2, "ALERT", 3, "REQUEST_IMAGE", 4, "SALE_IMAGE", 5,
        "SWEPT", 6, "GROUPED_SETTLEMENT", 7, "NAMING_ALERT", 12, "WALLET_TRANSFER", 25)), codes);
  }

  /** What each kind of record is written as, and that it reads back the same. */
  @Test
  void everyKindOfRecord_isWrittenWithItsCode_andReadBack() {
    Map<HistoryRecord, Byte> written = Map.of(
        new HistoryRecord.Usage(new Result.Usage("SETTLED", AT, "A", "B", "P62010200017", "T1", "B1", 100)),
        HistoryCodec.USAGE,
        new HistoryRecord.Settlement("P62010200017", new Result.ReconcileLine("T1", "SETTLED", AT, 1, 1, 0, 0,
            new ReconcileGroup(310, 41, "620100"))), HistoryCodec.GROUPED_SETTLEMENT,
        new HistoryRecord.Alert(new Result.Alert(1, AT, "IMPERSONATION", "P62010200017", "A", "detail",
            new AlertParties("6201**0001", "6201**0002", "POS01", "cashier"))), HistoryCodec.NAMING_ALERT,
        new HistoryRecord.Swept(3, AT), HistoryCodec.SWEPT);

    for (Map.Entry<HistoryRecord, Byte> e : written.entrySet()) {
      byte[] bytes = HistoryCodec.encode(e.getKey());
      assertEquals((byte) e.getValue(), bytes[0], e.getKey()::toString);
      assertEquals(e.getKey(), HistoryCodec.decode(bytes));
    }
    assertEquals(HistoryCodec.REQUEST_IMAGE, HistoryCodec.encode(new HistoryRecord.RequestImage("K", AT, new byte[] {1}))[0]);
    assertEquals(HistoryCodec.SALE_IMAGE, HistoryCodec.encode(new HistoryRecord.SaleImage("T1", new byte[] {1}))[0]);
  }

  @Test
  void walletTransfer_comesBackTheSame_underItsPinnedCode25() {
    HistoryRecord.WalletTransfer w = new HistoryRecord.WalletTransfer(new Result.WalletTransferView("W1A",
        "62010019800101001100000001", "62010019820304002200000002", "B3", 20_000, 0, 0, WalletTransferState.RETURNED,
        AT, AT + 86_400_000L, "not accepted by 2025-11-26 06:00"));

    byte[] encoded = HistoryCodec.encode(w);

    assertEquals(w, HistoryCodec.decode(encoded));
    assertEquals(25, encoded[0], "the code is part of the history format: never changed or reused");
    assertThrows(IllegalArgumentException.class, () -> HistoryCodec.decode(Arrays.copyOf(encoded, encoded.length - 1)));
  }
}
