package gongji.loadtest.run;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's own measure of the gRPC calls it admitted ({@code gongji_admission_held_seconds}, a
 * Prometheus histogram: from a call taking its place in flight to its reply), between two scrapes of
 * its {@code /metrics} ({@code --server-metrics}): what the calls admitted over the measured window
 * spent at the server, free of the load generator's own lag on a shared machine.
 *
 * <p>The histogram's buckets are at most a third apart: p50 and p99 are interpolated within their
 * bucket (as Prometheus' {@code histogram_quantile}), and the maximum is given as the upper bound of
 * the highest bucket that grew.
 */
final class ServerHeld {
  static final String METER = "gongji_admission_held_seconds";
  private static final Pattern BUCKET = Pattern.compile("^" + METER + "_bucket\\{([^}]*)\\} (\\S+)$");
  private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** The calls admitted between two scrapes: how many, and p50, p99 and the maximum (at most), in ms. */
  record Figures(long count, double p50Millis, double p99Millis, double maxMillisAtMost) {}

  /** One scrape: the cumulative count of each bucket by its upper bound in seconds (+Inf last). */
  record Sample(TreeMap<Double, Long> buckets) {}

  private final URI uri;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  /** Why the last scrape gave nothing, or null. */
  private volatile String problem;

  ServerHeld(URI uri) {
    this.uri = uri;
  }

  /** A scrape now, or null when the server did not answer one ({@link #problem()} says why). */
  Sample sample() {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() != 200) {
        problem = uri + " answered HTTP " + r.statusCode();
        return null;
      }
      return parse(r.body());
    } catch (IOException e) {
      problem = uri + ": " + e;
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problem = uri + ": interrupted";
      return null;
    }
  }

  /** Why a scrape gave nothing, or null when none failed. */
  String problem() {
    return problem;
  }

  /** The gRPC calls' buckets ({@code via="grpc"}) of a Prometheus text page. */
  static Sample parse(String page) {
    TreeMap<Double, Long> buckets = new TreeMap<>();
    for (String line : page.split("\n")) {
      Matcher m = BUCKET.matcher(line.strip());
      if (!m.matches() || !m.group(1).contains("via=\"grpc\"")) {
        continue;
      }
      Matcher le = LE.matcher(m.group(1));
      if (le.find()) {
        double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
        buckets.merge(bound, (long) Double.parseDouble(m.group(2)), Long::sum);
      }
    }
    return new Sample(buckets);
  }

  /** The calls that gave their place back between {@code from} and {@code to}; null if either is missing or none did. */
  static Figures between(Sample from, Sample to) {
    if (from == null || to == null || to.buckets().isEmpty()) {
      return null;
    }
    TreeMap<Double, Long> delta = new TreeMap<>();
    for (Map.Entry<Double, Long> e : to.buckets().entrySet()) {
      delta.put(e.getKey(), e.getValue() - from.buckets().getOrDefault(e.getKey(), 0L));
    }
    long total = delta.lastEntry().getValue();
    if (total <= 0) {
      return null;
    }
    return new Figures(total, quantile(delta, total, 0.5) * 1e3, quantile(delta, total, 0.99) * 1e3,
        atMost(delta, total) * 1e3);
  }

  /** The {@code q} quantile, interpolated linearly within its bucket (the last finite bound if it is past it). */
  private static double quantile(TreeMap<Double, Long> cumulative, long total, double q) {
    double rank = q * total;
    double lower = 0;
    long below = 0;
    for (Map.Entry<Double, Long> e : cumulative.entrySet()) {
      long count = e.getValue();
      if (count >= rank && count > below) {
        if (e.getKey().isInfinite()) {
          return lower;
        }
        return lower + (e.getKey() - lower) * (rank - below) / (count - below);
      }
      lower = e.getKey().isInfinite() ? lower : e.getKey();
      below = count;
    }
    return lower;
  }

  /** The upper bound of the highest bucket that grew: every call took at most this long (the last finite bound if past it). */
  private static double atMost(TreeMap<Double, Long> cumulative, long total) {
    double lastFinite = 0;
    for (Map.Entry<Double, Long> e : cumulative.entrySet()) {
      if (e.getKey().isInfinite()) {
        return lastFinite;
      }
      if (e.getValue() >= total) {
        return e.getKey();
      }
      lastFinite = e.getKey();
    }
    return lastFinite;
  }
}
