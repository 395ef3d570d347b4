package gongji.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.history.MemoryHistoryStore;
import gongji.server.ledger.Command;
import gongji.server.ledger.LedgerRecovery;
import gongji.server.ledger.Snapshots;
import gongji.server.ledger.storage.FileStorage;
import gongji.server.ledger.storage.Storage;
import gongji.server.testing.Await;
import gongji.server.testing.ForwardingStorage;
import gongji.server.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose snapshot follower is given up seeds a new one, on a real data directory: the first
 * follower's seed cannot read the snapshot (a read that fails once, on the follower's thread), so the
 * writer makes the images; once the backoff has passed on the node's clock, the next batch seeds a
 * new follower from the newest good snapshot and the journal, images are made off the writer again,
 * and the image it makes is the ledger's, record for record.
 */
@SuppressWarnings("try") // Node.close() may throw InterruptedException: the test fails with it
class FollowerReseedNodeTest {
  private static final GatewayConfig CONFIG = GatewayConfig.forTests().withSnapshots(4, Duration.ofHours(1));
  /** Past the first backoff of a reseed (Node: 60 s). */
  private static final Duration PAST_BACKOFF = Duration.ofSeconds(61);

  @TempDir
  Path dir;

  @Test
  void aFollowerGivenUp_isSeededAgainAfterTheBackoff_andItsImageIsTheLedgers() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    // History kept across the restart (as a store on disk would be), so that the start uses the snapshot.
    MemoryHistoryStore history = new MemoryHistoryStore();
    try (Node node = Node.open(CONFIG, clock, new FileStorage(dir), history)) {
      DemoData.load(node.gateway());
      credit(node, clock, 0, 8);
    }
    assertFalse(snapshots().isEmpty(), "a snapshot to start from");

    long followerImage;
    AtomicBoolean failed = new AtomicBoolean();
    try (Node node = Node.open(CONFIG, clock, new FailsFollowersFirstRead(new FileStorage(dir), failed), history)) {
      Await.until(() -> failed.get() && !node.sequencer().snapshotsOffTheWriter());
      assertEquals(0, node.sequencer().snapshotFollowerReseeds());

      credit(node, clock, 100, 2); // within the backoff: no new follower yet
      assertEquals(0, node.sequencer().snapshotFollowerReseeds());

      clock.advance(PAST_BACKOFF);
      long beforeReseed = node.sequencer().acknowledgedSeq();
      credit(node, clock, 200, 1); // the batch that seeds the next one
      Await.until(() -> node.sequencer().snapshotFollowerReseeds() == 1 && node.sequencer().snapshotsOffTheWriter());
      assertEquals(1.0, Await.meter(node, "gongji_ledger_snapshot_follower_reseeds_total"));

      credit(node, clock, 300, 8); // snapshots due every 4 records: made by the new follower
      // A snapshot file appears whole (renamed into place). Any image after the reseed point is the new
      // follower's (or, while it seeds, the writer's).
      Await.until(() -> newestSnapshotSeq() > beforeReseed);
      assertTrue(node.sequencer().snapshotsOffTheWriter(), "still following");
      followerImage = newestSnapshotSeq();
    }

    // The follower's image against the ledger rebuilt without it: an older snapshot and the journal
    // (the node may have written a newer one as it closed: the one seen while it ran is compared).
    FileStorage storage = new FileStorage(dir);
    Path file = snapshots().stream().filter(f -> seqOf(f) == followerImage).findFirst().orElseThrow();
    byte[] written = Files.readAllBytes(file);
    Files.move(file, dir.resolve("set-aside"));
    byte[] rebuilt = Snapshots.image(LedgerRecovery.at(storage, followerImage, CONFIG.idempotencyWindow()),
        followerImage);
    assertArrayEquals(rebuilt, written,
        "the reseeded follower's image at record " + followerImage);
  }

  private static void credit(Node node, MutableClock clock, int from, int count) throws Exception {
    for (int i = from; i < from + count; i++) {
      node.sequencer().submit(new Command.Credit("R-" + i, 10 + i, DemoData.ZHANG_WEI, 100))
          .get(10, TimeUnit.SECONDS);
      clock.advance(Duration.ofSeconds(1));
    }
  }

  private List<Path> snapshots() throws IOException {
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("snapshot-")
          && f.getFileName().toString().endsWith(".snap")).sorted().toList();
    }
  }

  private long newestSnapshotSeq() {
    try {
      List<Path> all = snapshots();
      return all.isEmpty() ? -1 : seqOf(all.get(all.size() - 1));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static long seqOf(Path snapshot) {
    String n = snapshot.getFileName().toString();
    return Long.parseLong(n.substring("snapshot-".length(), n.length() - ".snap".length()));
  }

  /** The data directory, but the first read of a snapshot on a follower's thread fails (a disk read error). */
  private static final class FailsFollowersFirstRead extends ForwardingStorage {
    private final AtomicBoolean failed;

    FailsFollowersFirstRead(Storage disk, AtomicBoolean failed) {
      super(disk);
      this.failed = failed;
    }

    @Override
    public byte[] read(String name) throws IOException {
      if (name.startsWith("snapshot-") && Thread.currentThread().getName().startsWith("gongji-snapshot-follower")
          && failed.compareAndSet(false, true)) {
        throw new IOException("simulated read error: " + name);
      }
      return super.read(name);
    }
  }
}
