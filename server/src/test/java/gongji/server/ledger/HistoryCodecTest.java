package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gongji.server.domain.ReconcileGroup;
import java.util.Arrays;
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
