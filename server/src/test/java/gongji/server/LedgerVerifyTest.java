package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.storage.FileStorage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code gongji ledger verify}: the journal, the audit, and where history stands against the journal. */
@SuppressWarnings("try") // Node.close() may throw InterruptedException: the test fails with it
class LedgerVerifyTest {
  @TempDir
  Path dir;

  @Test
  void verify_aStoppedNode_isOkWithHistoryCaughtUp() throws Exception {
    long records = runDemo();

    Verified v = verify();

    assertEquals(0, v.exit, v.out);
    assertTrue(v.out.contains("verify: OK"), v.out);
    assertTrue(v.out.contains("verify: history applied through record " + records + " of " + records), v.out);
  }

  @Test
  void verify_historyAheadOfTheJournal_isDamage() throws Exception {
    runDemo();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.toList()) {
        if (Files.isRegularFile(p)) {
          Files.delete(p); // the journal and snapshots are gone; history remembers what they held
        }
      }
    }

    Verified v = verify();

    assertEquals(3, v.exit, v.out);
    assertTrue(v.out.contains("verify: DAMAGED history has applied record"), v.out);
  }

  @Test
  void restart_afterSnapshotsOfCommandsThatMadeNoHistory_startsFromTheNewestSnapshot() throws Exception {
    GatewayConfig config = GatewayConfig.forTests().withSnapshots(5, java.time.Duration.ofHours(1));
    long records;
    try (Node node = Node.open(config, InstantSource.system(), new FileStorage(dir))) {
      DemoData.load(node.gateway()); // registrations, credits, bindings: no history records
      records = node.sequencer().acknowledgedSeq();
    }

    try (Node again = Node.open(config, InstantSource.system(), new FileStorage(dir))) {
      assertTrue(again.snapshotFile() != null, "started from a snapshot");
      assertEquals(records, again.recovery().lastSeq());
      assertTrue(DemoData.loaded(again.gateway()));
    }
  }

  /** A node on the data directory with the demo data; returns the journal records it wrote. */
  private long runDemo() throws Exception {
    try (Node node = Node.open(GatewayConfig.forTests(), InstantSource.system(), new FileStorage(dir))) {
      DemoData.load(node.gateway());
      return node.sequencer().acknowledgedSeq();
    }
  }

  private record Verified(int exit, String out) {}

  private Verified verify() throws Exception {
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8);
    int exit = Main.run(out, out, "ledger", "verify", "--data-dir", dir.toString());
    return new Verified(exit, captured.toString(StandardCharsets.UTF_8));
  }
}
