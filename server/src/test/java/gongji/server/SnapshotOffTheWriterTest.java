package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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

  private static Result submit(Node node, Command c) throws Exception {
    return node.sequencer().submit(c).get(10, TimeUnit.SECONDS);
  }
}
