package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The server's admitted-call histogram between two scrapes: only the window's calls, only gRPC's. */
class ServerHeldTest {
  private static String page(long upTo10ms, long upTo20ms, long upTo40ms, long all, long national) {
    return String.join("\n",
        "# HELP gongji_admission_held_seconds admitted calls",
        "# TYPE gongji_admission_held_seconds histogram",
        "gongji_admission_held_seconds_bucket{via=\"grpc\",le=\"0.01\"} " + upTo10ms + ".0",
        "gongji_admission_held_seconds_bucket{via=\"grpc\",le=\"0.02\"} " + upTo20ms + ".0",
        "gongji_admission_held_seconds_bucket{via=\"grpc\",le=\"0.04\"} " + upTo40ms + ".0",
        "gongji_admission_held_seconds_bucket{via=\"grpc\",le=\"+Inf\"} " + all + ".0",
        "gongji_admission_held_seconds_count{via=\"grpc\"} " + all + ".0",
        "gongji_admission_held_seconds_bucket{via=\"national\",le=\"0.01\"} " + national + ".0",
        "gongji_admission_held_seconds_bucket{via=\"national\",le=\"+Inf\"} " + national + ".0",
        "grpc_server_processing_duration_seconds_bucket{le=\"0.01\"} 999.0",
        "");
  }

  @Test
  void between_twoScrapes_figuresOfTheCallsInBetween_interpolatedInTheirBucket() {
    ServerHeld.Sample from = ServerHeld.parse(page(1000, 1000, 1000, 1000, 50));
    ServerHeld.Sample to = ServerHeld.parse(page(1100, 1198, 1200, 1200, 500));

    ServerHeld.Figures f = ServerHeld.between(from, to);

    assertEquals(200, f.count(), "only the window's gRPC calls");
    assertEquals(10.0, f.p50Millis(), 1e-9, "rank 100 is the last of the first bucket's 100");
    assertEquals(20.0, f.p99Millis(), 1e-9, "rank 198 ends the second bucket");
    assertEquals(40.0, f.maxMillisAtMost(), 1e-9);
  }

  @Test
  void between_callsPastTheLastBound_reportTheLastFiniteBound_andNoCallsNoFigures() {
    ServerHeld.Sample from = ServerHeld.parse(page(0, 0, 0, 0, 0));

    ServerHeld.Figures f = ServerHeld.between(from, ServerHeld.parse(page(0, 0, 0, 10, 0)));

    assertEquals(40.0, f.p99Millis(), 1e-9);
    assertEquals(40.0, f.maxMillisAtMost(), 1e-9);
    assertNull(ServerHeld.between(from, from));
    assertNull(ServerHeld.between(null, from));
    assertNull(ServerHeld.between(from, ServerHeld.parse("")));
  }
}
