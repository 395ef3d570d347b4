package gongji.loadtest.run;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An open-loop arrival rate that changes over the measured window ({@code --schedule}), cut into the
 * intervals the report shows one by one.
 *
 * <p>{@code step:FROM:TO:STEP:SECONDS} holds FROM, FROM+STEP, ... up to TO (or down, with a negative
 * STEP) for SECONDS each; one interval per step. {@code ramp:FROM:TO:SECONDS} changes the rate linearly
 * from FROM to TO; it is reported in intervals of about a second (at least 2, at most 60).
 */
record Schedule(String spec, boolean ramp, List<Interval> intervals) {
  /** A part of the schedule: from {@code startSeconds} for {@code seconds}, the rate going from {@code fromRate} to {@code toRate}. */
  record Interval(double startSeconds, double seconds, double fromRate, double toRate) {
    double meanRate() {
      return (fromRate + toRate) / 2;
    }
  }

  /** Bounds the number of steps: each is a row of the report. */
  static final int MAX_INTERVALS = 1_000;

  Schedule {
    intervals = List.copyOf(intervals);
  }

  static Schedule parse(String spec) {
    String[] p = spec.split(":", -1);
    try {
      if (p[0].equals("step") && p.length == 5) {
        return step(spec, number(p[1]), number(p[2]), number(p[3]), number(p[4]));
      }
      if (p[0].equals("ramp") && p.length == 4) {
        return ramp(spec, number(p[1]), number(p[2]), number(p[3]));
      }
    } catch (NumberFormatException e) {
      // Reported below with the expected shape.
    }
    throw new IllegalArgumentException("--schedule: " + spec
        + " (expected: step:FROM:TO:STEP:SECONDS or ramp:FROM:TO:SECONDS, rates per second)");
  }

  private static double number(String s) {
    double v = Double.parseDouble(s);
    if (!Double.isFinite(v)) {
      throw new NumberFormatException(s);
    }
    return v;
  }

  private static Schedule step(String spec, double from, double to, double step, double seconds) {
    check(from > 0 && to > 0, "--schedule %s: rates must be > 0", spec);
    check(seconds > 0, "--schedule %s: SECONDS must be > 0", spec);
    check(step != 0 && (to - from) / step >= 0, "--schedule %s: STEP must lead from FROM to TO", spec);
    long steps = (long) Math.floor((to - from) / step + 1e-9) + 1;
    check(steps <= MAX_INTERVALS, "--schedule %s: %s steps (expected: at most %s)", spec, steps, MAX_INTERVALS);
    List<Interval> list = new ArrayList<>();
    for (int i = 0; i < steps; i++) {
      double rate = from + i * step;
      list.add(new Interval(i * seconds, seconds, rate, rate));
    }
    return new Schedule(spec, false, list);
  }

  private static Schedule ramp(String spec, double from, double to, double seconds) {
    check(from > 0 && to > 0, "--schedule %s: rates must be > 0", spec);
    check(seconds > 0, "--schedule %s: SECONDS must be > 0", spec);
    int n = (int) Math.max(2, Math.min(60, Math.round(seconds)));
    List<Interval> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(new Interval(seconds * i / n, seconds / n, from + (to - from) * i / n, from + (to - from) * (i + 1) / n));
    }
    return new Schedule(spec, true, list);
  }

  double seconds() {
    Interval last = intervals.get(intervals.size() - 1);
    return last.startSeconds() + last.seconds();
  }

  /** The instances per second the whole schedule asks for, on average. */
  double meanRate() {
    double n = 0;
    for (Interval i : intervals) {
      n += i.meanRate() * i.seconds();
    }
    return n / seconds();
  }

  /** The target rate {@code offsetNanos} after the measured window opens (the first rate before it). */
  double rateAt(long offsetNanos) {
    double t = offsetNanos / 1e9;
    Interval in = intervals.get(intervalAt(offsetNanos));
    double into = Math.max(0, Math.min(1, (t - in.startSeconds()) / in.seconds()));
    return in.fromRate() + (in.toRate() - in.fromRate()) * into;
  }

  /** The interval that {@code offsetNanos} after the window opens falls in (the first before, the last after). */
  int intervalAt(long offsetNanos) {
    double t = offsetNanos / 1e9;
    int lo = 0;
    int hi = intervals.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (intervals.get(mid).startSeconds() <= t) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  String label(int index) {
    Interval i = intervals.get(index);
    return ramp ? String.format(Locale.ROOT, "%.0f->%.0f/s", i.fromRate(), i.toRate())
        : String.format(Locale.ROOT, "%.0f/s", i.fromRate());
  }

  private static void check(boolean ok, String template, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(template, args));
    }
  }
}
