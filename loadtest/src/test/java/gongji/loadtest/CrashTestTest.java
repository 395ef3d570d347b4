package gongji.loadtest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the kill -9 test as part of the build: the real gateway in a child process, killed under
 * load fifty times. Replay a run with -Dgongji.crash.seed=N (the seed is printed); change the
 * number of cycles with -Dgongji.crash.cycles=N.
 */
class CrashTestTest {

  @Test
  void killNine_fiftyCyclesUnderLoad_losesDuplicatesAndTearsNothing(@TempDir Path dir) throws Exception {
    long seed = Long.getLong("gongji.crash.seed", System.nanoTime());
    int cycles = Integer.getInteger("gongji.crash.cycles", 50);
    CrashTest test = new CrashTest(cycles, 4, seed, 200, 1200, dir.resolve("data"));
    String summary = test.execute();
    System.out.println(summary);
    assertTrue(test.passed(), summary + " (replay with -Dgongji.crash.seed=" + seed + ")");
  }
}
