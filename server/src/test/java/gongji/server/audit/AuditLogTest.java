package gongji.server.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log's files: every record once, in order, rotated by size and by China's day. */
class AuditLogTest {
  @TempDir
  Path dir;

  @Test
  void write_pastTheFileSizeAndIntoTheNextDay_rotatesAndKeepsEveryRecordOnceInOrder() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    try (AuditLog audit = new AuditLog(dir, 4096, 1_000, clock)) {
      for (int i = 0; i < 100; i++) {
        audit.write(audit.record().put("n", i).put("what", "x".repeat(40)));
      }
    }
    try (AuditLog audit = new AuditLog(dir, 4096, 1_000, clock)) {
      clock.advance(Duration.ofDays(1));
      audit.write(audit.record().put("n", 100));
    }

    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files = s.sorted().toList();
    }
    List<Integer> seen = new ArrayList<>();
    for (Path f : files) {
      assertTrue(Files.size(f) <= 4096, f + ": " + Files.size(f) + " bytes");
      assertTrue(f.getFileName().toString().matches("audit(-\\d{8}-\\d+)?\\.log"), f.toString());
    }
    // Rotated files by name (day, then number), then the current one.
    List<Path> ordered = new ArrayList<>(files.stream().filter(f -> !f.endsWith("audit.log")).toList());
    ordered.add(dir.resolve("audit.log"));
    for (Path f : ordered) {
      for (String line : Files.readAllLines(f)) {
        seen.add(Integer.parseInt(line.replaceAll(".*\"n\":(\\d+).*", "$1")));
      }
    }
    assertEquals(java.util.stream.IntStream.rangeClosed(0, 100).boxed().toList(), seen);
    assertTrue(files.size() >= 3, "rotated by size: " + files);
    assertEquals(List.of("{\"n\":100}"), Files.readAllLines(dir.resolve("audit.log")), "a new day, a new file");
  }
}
