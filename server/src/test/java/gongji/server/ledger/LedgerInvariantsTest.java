package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The ledger's own audit after every command of a seeded random workload, across whole days: the
 * wallet's night windows and 06:00 returns, holds expiring, bindings ending under open sales and
 * wallet quota. Complements {@link LedgerWorkloadTest}, whose independent model does not know the
 * wallet: here the invariants are the ledger's (money conserved, every hold and earmark accounted
 * for by open sales and transfers, quotas kept), and the snapshot of the end state restores equal.
 *
 * <p>A failing seed is printed; replay it alone with {@code -Dgongji.invariants.seed=N}.
 */
class LedgerInvariantsTest {
  private static final int SEEDS = 300;
  private static final int STEPS = 400;

  @Test
  void apply_seededWorkloadOverDays_auditCleanAfterEveryCommand() {
    String only = System.getProperty("gongji.invariants.seed");
    long from = only != null ? Long.parseLong(only) : 1;
    long to = only != null ? from + 1 : SEEDS + 1;
    java.util.Map<String, Integer> reached = new java.util.TreeMap<>();
    for (long seed = from; seed < to; seed++) {
      run(seed, reached);
    }
    if (only == null) {
      // The workload must reach the paths this test is for, or it proves nothing.
      for (String path : List.of("assigned", "accepted", "spent from a wallet", "returned unaccepted", "ended",
          "declined", "refused at night", "refused: pending", "quota changed")) {
        org.junit.jupiter.api.Assertions.assertTrue(reached.getOrDefault(path, 0) >= 10, path + " reached: " + reached);
      }
    }
  }

  private static void tally(Result r, java.util.Map<String, Integer> reached) {
    String path = null;
    if (r instanceof Result.WalletTransferView w) {
      path = switch (w.state()) {
        case PENDING -> "assigned";
        case ACCEPTED -> "accepted";
        case DECLINED -> "declined";
        default -> null;
      };
    } else if (r instanceof Result.Sale s && s.breakdown().legs().stream()
        .anyMatch(l -> l.source() == gongji.server.domain.FundSource.WALLET)) {
      path = "spent from a wallet";
    } else if (r instanceof Result.Rejected x && x.outcome() == Outcome.WALLET_TRANSFER_WINDOW_CLOSED) {
      path = "refused at night";
    } else if (r instanceof Result.Rejected x && x.outcome() == Outcome.WALLET_TRANSFER_PENDING) {
      path = "refused: pending";
    } else if (r instanceof Result.BindingView) {
      path = "quota changed";
    }
    if (path != null) {
      reached.merge(path, 1, Integer::sum);
    }
  }

  private static void run(long seed, java.util.Map<String, Integer> reached) {
    SplittableRandom random = new SplittableRandom(seed);
    LedgerWorkload workload = new LedgerWorkload(random.split());
    Ledger ledger = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    // Any hour of a day in March 2026, Beijing time.
    long now = 1_772_380_800_000L + random.nextLong(86_400_000L);
    Command last = null;
    try {
      for (Command c : workload.world()) {
        last = c;
        workload.observe(ledger.apply(c, now));
      }
      for (int step = 0; step < STEPS; step++) {
        now += random.nextInt(40) == 0 ? random.nextLong(3_600_000L, 12 * 3_600_000L) : workload.nextDelayMillis();
        last = workload.next(ledger);
        Result r = ledger.apply(last, now);
        workload.observe(r);
        if (last instanceof Command.UpdateBindingQuota || !(r instanceof Result.BindingView)) {
          tally(r, reached);
        }
        List<String> violations = ledger.audit();
        if (!violations.isEmpty()) {
          throw new AssertionError("after step " + step + " (" + last + "): " + violations);
        }
      }
      for (String p : workload.people()) {
        Result.WalletTransfers ts = (Result.WalletTransfers) ledger.apply(
            new Command.ListWalletTransfers(p, Command.BindingRole.BENEFICIARY, Long.MAX_VALUE, 1_000), now);
        for (Result.WalletTransferView t : ts.transfers()) {
          if (t.state() == WalletTransferState.RETURNED) {
            reached.merge("returned unaccepted", 1, Integer::sum);
          } else if (t.state() == WalletTransferState.ENDED) {
            reached.merge("ended", 1, Integer::sum);
          }
        }
      }
      byte[] image = LedgerStates.bytes(ledger);
      Ledger restored = Ledger.restore(ByteBuffer.wrap(image), LedgerStates.WINDOW, ReferenceListener.NONE);
      assertArrayEquals(image, LedgerStates.bytes(restored), "snapshot of the restored ledger");
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError("seed " + seed + " (replay with -Dgongji.invariants.seed=" + seed + "), last command "
          + last + ": " + e, e);
    }
  }
}
