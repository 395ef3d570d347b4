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
    assertTrue(v.out.contains("verify: DAMAGED") && v.out.contains("history has applied record"), v.out);
    assertTrue(v.out.contains("verify: LOST records 1 to "), v.out);
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

  /**
   * A bit flipped in the last acknowledged record: verify names the file, the offset and the records
   * lost; serve refuses; --accept-journal-loss starts without them, once, and the next start needs
   * no flag.
   */
  @Test
  void verify_aBitFlippedInTheLastRecord_saysWhatIsLost_andAcceptingTheLossStarts() throws Exception {
    long records = runDemo();
    Path segment;
    try (Stream<Path> files = Files.list(dir)) {
      segment = files.filter(p -> p.getFileName().toString().matches("journal-\\d{20}\\.log"))
          .max(java.util.Comparator.naturalOrder()).orElseThrow();
    }
    byte[] b = Files.readAllBytes(segment);
    b[b.length - 24 - 3] ^= 0x10; // inside the last record, before its batch's 24-byte commit frame
    Files.write(segment, b);

    Verified v = verify();

    assertEquals(3, v.exit, v.out);
    assertTrue(v.out.contains("verify: DAMAGED " + segment.getFileName() + " at offset "), v.out);
    assertTrue(v.out.matches("(?s).*verify: LOST records \\d+ to " + records + "\\b.*"), v.out);
    java.io.IOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
        () -> Node.open(GatewayConfig.forTests(), InstantSource.system(), new FileStorage(dir)));
    assertTrue(refused.getMessage().contains("--accept-journal-loss"), refused.getMessage());

    try (Node node = Node.open(GatewayConfig.forTests(), InstantSource.system(), new FileStorage(dir), true)) {
      assertEquals(records, node.recovered().acceptedLoss().throughSeq());
      assertTrue(node.sequencer().acknowledgedSeq() >= records, "no sequence number is used twice");
    }
    try (Node again = Node.open(GatewayConfig.forTests(), InstantSource.system(), new FileStorage(dir))) {
      assertEquals(1, again.recovery().acceptedLosses().size(), again.recovery().toString());
    }
    assertTrue(Files.exists(dir.resolve(segment.getFileName() + ".damaged")));
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
