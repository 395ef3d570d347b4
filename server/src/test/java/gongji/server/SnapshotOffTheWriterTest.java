package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.Command;
import gongji.server.ledger.Result;
import gongji.server.ledger.storage.FileStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node makes its snapshots off the writer, with a follower seeded from the snapshot and journal
 * the node recovered from; each restart starts from the follower's newest image and finds the
 * state the last life left.
 */
@SuppressWarnings("try") // Node.close() may throw InterruptedException: the test fails with it
class SnapshotOffTheWriterTest {
  private static final GatewayConfig CONFIG = GatewayConfig.forTests().withSnapshots(5, Duration.ofHours(1));

  @TempDir
  Path dir;

  @Test
  void threeLives_eachStartsFromTheSnapshotTheFollowerMadeInTheLastOne() throws Exception {
    String first;
    try (Node node = Node.open(CONFIG, InstantSource.system(), new FileStorage(dir))) {
      assertTrue(node.sequencer().snapshotsOffTheWriter());
      DemoData.load(node.gateway());
    }
    long balance;
    String second;
    try (Node node = Node.open(CONFIG, InstantSource.system(), new FileStorage(dir))) {
      first = node.snapshotFile();
      assertTrue(first != null, "started from a snapshot");
      // Seeded from that snapshot and the journal after it, the follower takes the next images.
      for (int i = 0; i < 12; i++) {
        submit(node, new Command.Credit("K-" + i, i, DemoData.ZHANG_WEI, 100 + i));
      }
      balance = ((Result.Account) submit(node, new Command.GetAccount(DemoData.ZHANG_WEI))).balanceFen();
      assertTrue(node.sequencer().snapshotsOffTheWriter(), "the follower was given up");
    }
    try (Node node = Node.open(CONFIG, InstantSource.system(), new FileStorage(dir))) {
      second = node.snapshotFile();
      assertNotEquals(first, second, "a newer snapshot, made by the follower of the second life");
      assertEquals(node.recovery().lastSeq(), node.sequencer().acknowledgedSeq());
      assertEquals(balance, ((Result.Account) submit(node, new Command.GetAccount(DemoData.ZHANG_WEI))).balanceFen());
      assertTrue(DemoData.loaded(node.gateway()));
      assertEquals(java.util.List.of(), ((Result.AuditReport) submit(node, new Command.Audit())).violations());
    }
  }

  @Test
  void aSnapshotThatFailsItsChecksAfterTheStart_stopsTheLedger_isSetAside_andTheNextStartUsesAnOlderOne()
      throws Exception {
    long balance;
    try (Node node = Node.open(CONFIG, InstantSource.system(), new FileStorage(dir))) {
      DemoData.load(node.gateway());
      balance = ((Result.Account) submit(node, new Command.GetAccount(DemoData.ZHANG_WEI))).balanceFen();
    }
    String forged = newestSnapshot();
    forgeOneFen(dir.resolve(forged));
    try (Node node = Node.open(CONFIG, InstantSource.system(), new FileStorage(dir))) {
      // The start checks the frame only (the CRC is right): it serves, until the follower's seed,
      // decoding the same file again, finds the fen that came from nowhere.
      assertEquals(forged, node.snapshotFile());
      java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
      node.sequencer().onPoisoned(stopped::countDown);
      if (node.sequencer().poisonedReason() == null) { // else stopped before the listener was there
        assertTrue(stopped.await(30, TimeUnit.SECONDS), "the ledger stopped");
      }
      String reason = node.sequencer().poisonedReason();
      assertTrue(reason != null && reason.contains(forged + ", failed its checks after the start")
          && reason.contains("balances sum to 1"), "stopped with the reason: " + reason);
      assertTrue(java.nio.file.Files.exists(dir.resolve(forged + ".damaged")), "set aside");
      assertFalse(java.nio.file.Files.exists(dir.resolve(forged)));
      assertThrows(java.util.concurrent.ExecutionException.class,
          () -> submit(node, new Command.Credit("K-after", 1, DemoData.ZHANG_WEI, 100)));
    }
    try (Node node = Node.open(CONFIG, InstantSource.system(), new FileStorage(dir))) {
      assertNotEquals(forged, node.snapshotFile(), "an older snapshot, and the journal after it");
      assertEquals(balance, ((Result.Account) submit(node, new Command.GetAccount(DemoData.ZHANG_WEI))).balanceFen());
      assertEquals(java.util.List.of(), ((Result.AuditReport) submit(node, new Command.Audit())).violations());
    }
  }

  private String newestSnapshot() throws java.io.IOException {
    try (var files = java.nio.file.Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("snapshot-") && n.endsWith(".snap"))
          .max(String::compareTo).orElseThrow();
    }
  }

  /**
   * Adds one fen to the first account's balance in a snapshot file and makes its checksum right
   * again: damage no frame check can see, only the audit.
   */
  private static void forgeOneFen(Path file) throws java.io.IOException {
    byte[] b = java.nio.file.Files.readAllBytes(file);
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b);
    in.position(gongji.server.ledger.SnapshotFrames.payloadStart(b) + 8); // the frame's header, then the ledger's time
    for (int i = 0; i < 4; i++) { // three counters, then the number of accounts
      while ((in.get() & 0x80) != 0) {
        // a varint's continuation bytes
      }
    }
    int at = in.position();
    in.putLong(at, in.getLong(at) + 1);
    java.nio.file.Files.write(file, gongji.server.ledger.SnapshotFrames.resealed(b));
  }

  private static Result submit(Node node, Command c) throws Exception {
    return node.sequencer().submit(c).get(10, TimeUnit.SECONDS);
  }
}
