package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gongji.server.history.MemoryHistoryStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Alerts are history, not a ring in the ledger: a flood of fakes cannot push a real one out. */
class AlertHistoryTest {
  private static final long T0 = 1_764_036_000_000L;

  @Test
  void alerts_aRealOneFollowedByTenThousandFakes_theRealOneIsStillListed() throws IOException {
    Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
    MemoryHistoryStore history = new MemoryHistoryStore();
    ledger.apply(new Command.RecordAlert("MUTUAL_AID_LIMIT_EXCEEDED", "P62010200017", "62010019820304002200000002",
        "the real one"), T0);
    for (int i = 0; i < 10_001; i++) {
      ledger.apply(new Command.Reject("FAKE-" + i, i, RequestKind.AUTHORIZE, "P62010200017", Outcome.IMPERSONATION,
          "card of another person"), T0 + i);
    }
    history.apply(1, ledger.takeHistory());

    List<Result.Alert> first = ((Result.Alerts) history.answer(new HistoryQuery.Alerts(0, 1))).alerts();
    List<Result.Alert> all = ((Result.Alerts) history.answer(new HistoryQuery.Alerts(0, 20_000))).alerts();

    assertEquals("the real one", first.get(0).detail());
    assertEquals(10_002, all.size());
  }
}
