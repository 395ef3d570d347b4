package gongji.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * The top of a JFR recording's Java execution samples ({@code jdk.ExecutionSample}): the share of
 * samples by thread group, by method where the sample was taken (self) and by method anywhere on the
 * stack (inclusive, counted once per sample). Threads are grouped by name with trailing digits and
 * separators taken off, so that {@code grpc-nio-worker-ELG-3-1} and {@code -3-2} count together.
 */
final class JfrTop {
  private JfrTop() {}

  /** What one recording holds, counted. */
  record Profile(int samples, Map<String, Integer> threads, Map<String, Integer> self, Map<String, Integer> inclusive) {}

  static Profile read(Path file, String threadPrefix) throws IOException {
    Map<String, Integer> threads = new HashMap<>();
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> inclusive = new HashMap<>();
    int samples = 0;
    try (RecordingFile recording = new RecordingFile(file)) {
      while (recording.hasMoreEvents()) {
        RecordedEvent e = recording.readEvent();
        if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        RecordedThread thread = e.getThread("sampledThread");
        String name = thread == null || thread.getJavaName() == null ? "?" : thread.getJavaName();
        if (threadPrefix != null && !name.startsWith(threadPrefix)) {
          continue;
        }
        RecordedStackTrace stack = e.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        samples++;
        threads.merge(threadGroup(name), 1, Integer::sum);
        List<RecordedFrame> frames = stack.getFrames();
        self.merge(method(frames.get(0)), 1, Integer::sum);
        Set<String> seen = new HashSet<>();
        for (RecordedFrame f : frames) {
          String m = method(f);
          if (seen.add(m)) {
            inclusive.merge(m, 1, Integer::sum);
          }
        }
      }
    }
    return new Profile(samples, threads, self, inclusive);
  }

  static void print(Profile p, int top, PrintStream out) {
    out.printf("%d execution samples%n", p.samples());
    table("by thread", p.threads(), p.samples(), top, out);
    table("self (top frame)", p.self(), p.samples(), top, out);
    table("inclusive (anywhere on the stack)", p.inclusive(), p.samples(), top, out);
  }

  private static void table(String title, Map<String, Integer> counts, int samples, int top, PrintStream out) {
    out.printf("%n%s%n", title);
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .limit(top)
        .forEach(en -> out.printf("  %5.1f%%  %6d  %s%n", 100.0 * en.getValue() / Math.max(1, samples), en.getValue(),
            en.getKey()));
  }

  static String threadGroup(String name) {
    return name.replaceAll("([-#_ ]?\\d+)+$", "");
  }

  private static String method(RecordedFrame f) {
    RecordedMethod m = f.getMethod();
    if (m == null) {
      return "?";
    }
    String type = m.getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + m.getName();
  }
}
