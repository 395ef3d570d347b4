package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.Result;
import gongji.server.ledger.WalletTransferState;
import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ListWalletTransfers on a node: read from history, it journals nothing while no change of a
 * transfer is due by time, sees every write acknowledged before it (read-your-writes), and still
 * shows a transfer returned at 06:00 once that time has come.
 */
@SuppressWarnings("try") // Node.close() may throw InterruptedException: the test fails with it
class WalletTransfersListTest {
  private static final GatewayConfig CONFIG = GatewayConfig.forTests().withRecentWindow(Duration.ofSeconds(1));

  @Test
  void list_nothingDueByTime_journalsNothing_butSeesEveryAcknowledgedWrite() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    try (Node node = Node.open(CONFIG, clock, new SimulatedStorage())) {
      DemoData.load(node.gateway());
      submit(node, new Command.OpenWallet(DemoData.LI_NA));
      Result.WalletTransferView assigned = (Result.WalletTransferView) submit(node,
          new Command.AssignWalletQuota("WQ-1", 2, DemoData.ZHANG_WEI, DemoData.LI_NA, 1_000));
      long journaled = node.sequencer().acknowledgedSeq();
      for (int i = 0; i < 5; i++) {
        assertEquals(List.of(assigned), transfers(node), "listed as assigned, asked " + (i + 1) + " times");
      }
      assertEquals(journaled, node.sequencer().acknowledgedSeq(), "a list with nothing due journals nothing");

      Result.WalletTransferView accepted = (Result.WalletTransferView) submit(node,
          new Command.AnswerWalletTransfer(assigned.transferId(), DemoData.LI_NA, true));
      assertEquals(List.of(accepted), transfers(node), "the answer acknowledged before the list is in it");
    }
  }

  @Test
  void list_afterTheQuietHoursOfTheNextDay_showsTheTransferReturned() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    try (Node node = Node.open(CONFIG, clock, new SimulatedStorage())) {
      DemoData.load(node.gateway());
      submit(node, new Command.OpenWallet(DemoData.LI_NA));
      Result.WalletTransferView assigned = (Result.WalletTransferView) submit(node,
          new Command.AssignWalletQuota("WQ-1", 2, DemoData.ZHANG_WEI, DemoData.LI_NA, 1_000));
      assertEquals(WalletTransferState.PENDING, transfers(node).get(0).state());

      clock.advance(Duration.ofMillis(assigned.acceptByMillis() - clock.millis()));
      // Whether the writer's own idle tick or the list's comes first, the list shows the return.
      Result.WalletTransferView listed = transfers(node).get(0);
      assertEquals(WalletTransferState.RETURNED, listed.state(), listed::toString);
      assertEquals(assigned.transferId(), listed.transferId());
    }
  }

  private static List<Result.WalletTransferView> transfers(Node node) throws Exception {
    Result r = node.gateway().history(new HistoryQuery.WalletTransfers(DemoData.LI_NA, null, Long.MAX_VALUE, 10))
        .get(10, TimeUnit.SECONDS);
    return ((Result.WalletTransfers) r).transfers();
  }

  private static Result submit(Node node, Command c) throws Exception {
    return node.sequencer().submit(c).get(10, TimeUnit.SECONDS);
  }
}
