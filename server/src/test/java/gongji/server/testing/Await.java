package gongji.server.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.Node;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waiting, bounded, for what a node's own threads do after a step of a test; and reading its meters. */
public final class Await {
  private static final long BOUND_SECONDS = 30;

  private Await() {}

  /** Returns once {@code condition} holds; fails the test if it does not within 30 s. */
  public static void until(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_SECONDS);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "not reached within " + BOUND_SECONDS + " s");
      Thread.sleep(5);
    }
  }

  /** The value of the sample {@code series} (a name and its labels, as scraped) in the node's metrics, or -1. */
  public static double meter(Node node, String series) {
    String prefix = series + " ";
    return node.metrics().scrape().lines().filter(l -> l.startsWith(prefix))
        .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()).strip())).findFirst().orElse(-1);
  }
}
