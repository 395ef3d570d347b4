package gongji.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.Command;
import gongji.server.ledger.LedgerRecovery;
import gongji.server.ledger.Snapshots;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.testing.Await;
import gongji.server.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed of a snapshot follower made again after one was given up ({@link LedgerRecovery#at}), on
 * a real data directory: the ledger as of a record, from the newest good snapshot at or below it and
 * the journal after it, is the same whichever snapshot it starts from, and a damaged newest
 * snapshot is passed over.
 */
@SuppressWarnings("try") // Node.close() may throw InterruptedException: the test fails with it
class FollowerReseedRecoveryTest {
  private static final GatewayConfig CONFIG = GatewayConfig.forTests().withSnapshots(4, Duration.ofHours(1));

  @TempDir
  Path dir;

  @Test
  void at_aRecord_isTheSameLedgerFromTheNewestSnapshot_fromAnOlderOne_andPastADamagedOne() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    long last;
    try (Node node = Node.open(CONFIG, clock, new FileStorage(dir))) {
      DemoData.load(node.gateway());
      for (int i = 0; i < 20; i++) {
        node.sequencer().submit(new Command.Credit("K-" + i, 10 + i, DemoData.ZHANG_WEI, 100))
            .get(10, TimeUnit.SECONDS);
        clock.advance(Duration.ofSeconds(1));
      }
      last = node.sequencer().acknowledgedSeq();
      // A fast run can journal every credit while the first image is still being written; the ones
      // that fell due meanwhile are taken once it is done and the writer is idle (SnapshotSchedule).
      Await.until(() -> snapshotCount() >= 2);
    }
    List<Path> snapshots = snapshots();
    assertTrue(snapshots.size() >= 2, "snapshots on disk: " + snapshots);
    FileStorage storage = new FileStorage(dir);
    long newest = seqOf(snapshots.get(snapshots.size() - 1));
    long at = Math.min(last, newest + 3);

    byte[] fromNewest = Snapshots.image(LedgerRecovery.at(storage, at, CONFIG.idempotencyWindow()), at);

    // The newest snapshot damaged (a flipped byte in its payload): passed over for an older one.
    Path file = snapshots.get(snapshots.size() - 1);
    byte[] good = Files.readAllBytes(file);
    byte[] bad = good.clone();
    bad[bad.length - 1] ^= 0x40;
    Files.write(file, bad);
    assertArrayEquals(fromNewest, Snapshots.image(LedgerRecovery.at(storage, at, CONFIG.idempotencyWindow()), at),
        "from an older snapshot and more of the journal");

    // Gone altogether: the same again.
    Files.delete(file);
    assertArrayEquals(fromNewest, Snapshots.image(LedgerRecovery.at(storage, at, CONFIG.idempotencyWindow()), at),
        "without the newest snapshot");
  }

  private int snapshotCount() {
    try {
      return snapshots().size();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<Path> snapshots() throws java.io.IOException {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("snapshot-")
          && f.getFileName().toString().endsWith(".snap")).sorted().toList();
    }
  }

  private static long seqOf(Path snapshot) {
    String n = snapshot.getFileName().toString();
    return Long.parseLong(n.substring("snapshot-".length(), n.length() - ".snap".length()));
  }
}
