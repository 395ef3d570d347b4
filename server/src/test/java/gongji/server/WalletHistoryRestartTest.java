package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.domain.Bill;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.history.MemoryHistoryStore;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryRecord;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.ReferenceListener;
import gongji.server.ledger.Result;
import gongji.server.ledger.Snapshots;
import gongji.server.ledger.TxnState;
import gongji.server.ledger.WalletTransferState;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.testing.MutableClock;
import gongji.server.testing.RewritingHistoryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The boundary for wallet transfers on a node: a transfer declined one day is let go of by the
 * writer the next, is in the snapshot no more, and after a restart is still listed (by history)
 * and still answered as before, by request id and by transfer id.
 */
@SuppressWarnings("try") // Node.close() may throw InterruptedException: the test fails with it
class WalletHistoryRestartTest {
  private static final GatewayConfig CONFIG = GatewayConfig.forTests().withSnapshots(3, Duration.ofHours(1))
      .withRecentWindow(Duration.ofSeconds(1));

  @TempDir
  Path dir;

  @Test
  void aDeclinedTransfer_afterTheSweepASnapshotAndARestart_isListedAndAnsweredAsBefore() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    Command.Idempotent decline;
    Result.WalletTransferView declined;
    Result conflict;
    try (Node node = Node.open(CONFIG, clock, new FileStorage(dir))) {
      DemoData.load(node.gateway());
      submit(node, new Command.Idempotent("WO-1", 1, new Command.OpenWallet(DemoData.LI_NA)));
      Result.WalletTransferView w = (Result.WalletTransferView) submit(node,
          new Command.AssignWalletQuota("WQ-1", 2, DemoData.ZHANG_WEI, DemoData.LI_NA, 1_000));
      decline = new Command.Idempotent("WD-1", 3,
          new Command.AnswerWalletTransfer(w.transferId(), DemoData.LI_NA, false));
      declined = (Result.WalletTransferView) submit(node, decline);
      assertEquals(WalletTransferState.DECLINED, declined.state());
      conflict = submit(node, new Command.AnswerWalletTransfer(w.transferId(), DemoData.LI_NA, true));
      assertEquals(Outcome.WALLET_TRANSFER_STATE_CONFLICT, conflict.outcome());
      assertEquals(List.of(declined), transfers(node), "listed by history the same day");

      // The next day: sweeps let go of the declined transfer and of the request entries; snapshots follow.
      clock.advance(Duration.ofDays(1));
      for (int i = 0; i < 8; i++) {
        submit(node, new Command.Credit("K-" + i, 10 + i, DemoData.ZHANG_WEI, 100));
        clock.advance(Duration.ofSeconds(2));
      }
      assertEquals(List.of(declined), transfers(node), "listed by history once the writer let go of it");
      awaitSnapshotAfterTheSweep(node);
    }
    try (Node node = Node.open(CONFIG, clock, new FileStorage(dir))) {
      assertTrue(node.snapshotFile() != null, "started from a snapshot");
      java.util.regex.Matcher seq = java.util.regex.Pattern.compile("\\d{20}").matcher(node.snapshotFile());
      assertTrue(seq.find(), node.snapshotFile());
      Ledger snapshot = Snapshots.read(new FileStorage(dir).read(node.snapshotFile()), Long.parseLong(seq.group()),
          CONFIG.idempotencyWindow(), ReferenceListener.NONE).ledger();
      assertEquals(1, snapshot.transfersKeptCount(), "the snapshot holds the demo's accepted transfer only");
      assertEquals(List.of(declined), transfers(node), "still listed after the restart");
      assertEquals(declined, submit(node, decline), "its request id: the original answer");
      assertEquals(Outcome.REQUEST_ID_REUSED, submit(node, new Command.Idempotent("WD-1", 4,
          new Command.AnswerWalletTransfer(declined.transferId(), DemoData.LI_NA, true))).outcome());
      assertEquals(conflict, submit(node,
          new Command.AnswerWalletTransfer(declined.transferId(), DemoData.LI_NA, true)), "by its id: as before");
      assertEquals(List.of(), ((Result.AuditReport) submit(node, new Command.Audit())).violations());
    }
  }

  /**
   * Waits until a snapshot of after the sweep the node has just acknowledged is on disk. Images are
   * made one at a time, every 3 records, by a follower that may lag on a busy machine, and nothing
   * signals that one is written: so more records go in, 20 ms apart, until one is (at most 200 times).
   */
  private void awaitSnapshotAfterTheSweep(Node node) throws Exception {
    long swept = node.sequencer().acknowledgedSeq();
    for (int i = 0; i < 200 && newestSnapshotSeq() < swept; i++) {
      submit(node, new Command.Credit("K-wait-" + i, 100 + i, DemoData.ZHANG_WEI, 1));
      Thread.sleep(20);
    }
    assertTrue(newestSnapshotSeq() >= swept, "a snapshot after the sweep at record " + swept);
  }

  /** The sequence number of the newest snapshot file in the data directory, or -1. */
  private long newestSnapshotSeq() throws java.io.IOException {
    try (var files = java.nio.file.Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("snapshot-") && n.endsWith(".snap"))
          .mapToLong(n -> Long.parseLong(n.substring("snapshot-".length(), n.length() - ".snap".length())))
          .max().orElse(-1);
    }
  }

  @Test
  void aDataDirectoryWhoseHistoryHasNoTransfers_getsThemAfterRecovery_andItsClosedOnesGoTheNextDay() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    SimulatedStorage storage = new SimulatedStorage();
    MemoryHistoryStore history = new MemoryHistoryStore();
    Result.WalletTransferView declined;
    // The first life writes history as an earlier version did: no wallet transfer records.
    try (Node node = Node.open(CONFIG, clock, storage, new RewritingHistoryStore(history, WalletHistoryRestartTest::withoutTransfers))) {
      DemoData.load(node.gateway());
      submit(node, new Command.OpenWallet(DemoData.LI_NA));
      Result.WalletTransferView w = (Result.WalletTransferView) submit(node,
          new Command.AssignWalletQuota("WQ-1", 2, DemoData.ZHANG_WEI, DemoData.LI_NA, 1_000));
      declined = (Result.WalletTransferView) submit(node,
          new Command.AnswerWalletTransfer(w.transferId(), DemoData.LI_NA, false));
      for (int i = 0; i < 4; i++) {
        submit(node, new Command.Credit("K-" + i, 10 + i, DemoData.ZHANG_WEI, 100));
      }
    }
    assertEquals(null, history.transferImage(declined.transferId()), "as an earlier version left it");

    try (Node node = Node.open(CONFIG, clock, storage, history)) {
      assertEquals(List.of(declined), transfers(node), "handed to history after recovery");
      assertEquals(1, ((Result.WalletTransfers) node.gateway().history(new HistoryQuery.WalletTransfers(
          DemoData.ZHANG_XIAOYU, null, Long.MAX_VALUE, 10)).get(10, TimeUnit.SECONDS)).transfers().size(),
          "the demo's accepted transfer too");
      clock.advance(Duration.ofDays(1));
      submit(node, new Command.Credit("K-9", 19, DemoData.ZHANG_WEI, 100));
      assertEquals(List.of(declined), transfers(node), "let go of by the writer the next day, listed by history");
      Result conflict = submit(node, new Command.AnswerWalletTransfer(declined.transferId(), DemoData.LI_NA, true));
      assertEquals(Outcome.WALLET_TRANSFER_STATE_CONFLICT, conflict.outcome());
      assertTrue(conflict.toString().contains("declined by the beneficiary"), conflict::toString);
    }
  }

  @Test
  void anEndedTransfer_letGoOfASnapshotAndARestartLater_isListed_andARefundOfASaleThatDrewOnItWorksOnce()
      throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    Result.WalletTransferView ended;
    Result.Sale settled;
    long authorizerBefore;
    try (Node node = Node.open(CONFIG, clock, new FileStorage(dir))) {
      DemoData.load(node.gateway());
      // The demo's granddaughter spends from the quota her grandmother assigned, then the binding ends.
      authorizerBefore = balanceOf(node, DemoData.LIU_GUILAN);
      Result.Sale authorized = (Result.Sale) submit(node, new Command.Authorize("A-1", 1, DemoData.PHARMACY, "POS01",
          DemoData.ZHANG_XIAOYU, MedicalType.PHARMACY, Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1,
              1_000))), true, true));
      settled = (Result.Sale) submit(node, new Command.Settle("S-1", 2, DemoData.PHARMACY,
          authorized.txn().txnId(), -1));
      Result.WalletTransferView w = transfersOf(node, DemoData.ZHANG_XIAOYU).get(0);
      assertEquals(1_000, w.spentFen(), w::toString);
      submit(node, new Command.DissolveBinding(w.bindingId(), DemoData.LIU_GUILAN));
      ended = transfersOf(node, DemoData.ZHANG_XIAOYU).get(0);
      assertEquals(WalletTransferState.ENDED, ended.state());
      assertEquals(authorizerBefore - 1_000, balanceOf(node, DemoData.LIU_GUILAN));

      // The next day: the sale goes to history, then the ended transfer it names; snapshots follow.
      clock.advance(Duration.ofDays(1));
      for (int i = 0; i < 8; i++) {
        submit(node, new Command.Credit("K-" + i, 10 + i, DemoData.ZHANG_WEI, 100));
        clock.advance(Duration.ofSeconds(2));
      }
      assertEquals(List.of(ended), transfersOf(node, DemoData.ZHANG_XIAOYU), "listed by history once let go of");
      awaitSnapshotAfterTheSweep(node);
    }
    try (Node node = Node.open(CONFIG, clock, new FileStorage(dir))) {
      java.util.regex.Matcher seq = java.util.regex.Pattern.compile("\\d{20}").matcher(node.snapshotFile());
      assertTrue(seq.find(), node.snapshotFile());
      Ledger snapshot = Snapshots.read(new FileStorage(dir).read(node.snapshotFile()), Long.parseLong(seq.group()),
          CONFIG.idempotencyWindow(), ReferenceListener.NONE).ledger();
      assertEquals(0, snapshot.transfersKeptCount(), "the snapshot holds no transfer");
      assertEquals(List.of(ended), transfersOf(node, DemoData.ZHANG_XIAOYU), "still listed after the restart");
      Command.Refund refund = new Command.Refund("R-1", 3, DemoData.PHARMACY, settled.txn().txnId());
      Result.Sale refunded = (Result.Sale) submit(node, refund);
      assertEquals(TxnState.REFUNDED, refunded.txn().state());
      assertEquals(authorizerBefore, balanceOf(node, DemoData.LIU_GUILAN), "back to the authorizer");
      assertEquals(refunded, submit(node, refund), "the same refund again: the same answer");
      assertEquals(Outcome.TRANSACTION_STATE_CONFLICT, submit(node, new Command.Refund("R-2", 4, DemoData.PHARMACY,
          settled.txn().txnId())).outcome());
      assertEquals(authorizerBefore, balanceOf(node, DemoData.LIU_GUILAN), "once");
      Result.WalletTransferView after = transfersOf(node, DemoData.ZHANG_XIAOYU).get(0);
      assertEquals(0, after.spentFen(), after::toString);
      assertEquals(WalletTransferState.ENDED, after.state());
      assertEquals(List.of(), ((Result.AuditReport) submit(node, new Command.Audit())).violations());
    }
  }

  /** History as an earlier version wrote it: every record but the wallet transfers'. */
  private static List<HistoryRecord> withoutTransfers(List<HistoryRecord> records) {
    return records.stream().filter(r -> !(r instanceof HistoryRecord.WalletTransfer)).toList();
  }

  private static long balanceOf(Node node, String psnNo) throws Exception {
    return ((Result.Account) submit(node, new Command.GetAccount(psnNo))).balanceFen();
  }

  private static List<Result.WalletTransferView> transfersOf(Node node, String psnNo) throws Exception {
    Result r = node.gateway().history(new HistoryQuery.WalletTransfers(psnNo, null, Long.MAX_VALUE, 10))
        .get(10, TimeUnit.SECONDS);
    return ((Result.WalletTransfers) r).transfers();
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
