package gongji.loadtest;

import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.domain.Relationship;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryRecord;
import gongji.server.ledger.HistoryStore;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Recaller;
import gongji.server.ledger.Snapshots;
import gongji.server.ledger.ReferenceListener;
import gongji.server.ledger.Result;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The ledger's memory, item by item: the live heap (after full collections) the single writer's
 * state takes per insured person, per binding, per open sale, per settled sale and per back-office
 * request entry, built phase by phase on one ledger with {@link Ledger#apply} (no sequencer, no
 * history: what history holds is not on the writer's heap).
 *
 * <p>Each phase applies its commands, then the heap is measured after {@code System.gc()} until it
 * settles; the difference over the phase, divided by its count, is that item's cost. The ledger is
 * kept reachable to the end.
 */
public final class LedgerFootprint {
  private static final long T0 = 1_764_036_000_000L;
  private static final String INSTITUTION = "P62010200017";
  /** What one sweep lets go of at most, as the sequencer's. */
  private static final int SWEEP_ITEMS = 16_384;

  private LedgerFootprint() {}

  static int run(int insured, int bindings, int openSales, int settledSales, int entries, PrintStream out) {
    return run(insured, bindings, openSales, settledSales, entries, new long[0], 15_000, Duration.ofSeconds(30), 0,
        out);
  }

  static int run(int insured, int bindings, int openSales, int settledSales, int entries, long[] swept,
      int salesPerSecond, Duration recentWindow, int closedTransfers, PrintStream out) {
    return run(insured, bindings, openSales, settledSales, entries, swept, salesPerSecond, recentWindow,
        closedTransfers, 0, out);
  }

  static int run(int insured, int bindings, int openSales, int settledSales, int entries, long[] swept,
      int salesPerSecond, Duration recentWindow, int closedTransfers, int endedTransfers, PrintStream out) {
    int status = run(insured, bindings, openSales, settledSales, entries, swept, salesPerSecond, recentWindow, out);
    if (closedTransfers > 0) {
      status = Math.max(status, closedTransfers(closedTransfers, false, out));
    }
    if (endedTransfers > 0) {
      status = Math.max(status, closedTransfers(endedTransfers, true, out));
    }
    return status;
  }

  private static int run(int insured, int bindings, int openSales, int settledSales, int entries, long[] swept,
      int salesPerSecond, Duration recentWindow, PrintStream out) {
    Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
    long now = T0;
    ledger.apply(new Command.RegisterInstitution(new Institution(INSTITUTION, "药店", Set.of("POS01"))), now);
    long base = liveHeap();
    for (int i = 0; i < insured; i++) {
      ledger.apply(new Command.UpsertInsured(new Insured(psnNo(i), "李娜", InsuranceType.EMPLOYEE_BASIC,
          InsuredStatus.NORMAL, "620100", List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC" + i)))),
          now);
    }
    long afterInsured = liveHeap();
    int made = 0;
    for (int k = 1; made < bindings && k < insured; k++) {
      for (int i = 0; i < insured && made < bindings; i++) {
        Result r = ledger.apply(new Command.CreateBinding(psnNo((i + k) % insured), psnNo(i), Relationship.PARENT, 0),
            now);
        made += r instanceof Result.BindingView ? 1 : 0;
      }
    }
    long afterBindings = liveHeap();
    Bill bill = Bill.of(List.of(new LineItem("XA01", ItemCategory.DRUG, true, 1, 100)));
    for (int i = 0; i < insured; i++) {
      ledger.apply(new Command.Credit("C" + i, i, psnNo(i), 1_000_000), now);
    }
    long afterCredits = liveHeap();
    for (int i = 0; i < openSales; i++) {
      ledger.apply(new Command.Authorize("OA" + i, i, INSTITUTION, "POS01", psnNo(i % insured), MedicalType.PHARMACY,
          bill, true, true), now);
    }
    long afterOpen = liveHeap();
    for (int i = 0; i < settledSales; i++) {
      Result.Sale s = (Result.Sale) ledger.apply(new Command.Authorize("SA" + i, i, INSTITUTION, "POS01",
          psnNo(i % insured), MedicalType.PHARMACY, bill, true, true), now);
      ledger.apply(new Command.Settle("SS" + i, i, INSTITUTION, s.txn().txnId(), -1), now);
      ledger.takeHistory();
    }
    long afterSettled = liveHeap();
    for (int i = 0; i < entries; i++) {
      ledger.apply(new Command.Credit("E" + i, i, psnNo(i % insured), 1), now);
    }
    long afterEntries = liveHeap();
    out.printf(Locale.ROOT, "ledger-footprint: live heap %.0f MiB for %d insured, %d bindings, %d open sales,"
        + " %d settled sales, %d request entries (+%d credits at set-up)%n", (afterEntries - base) / 1048576.0,
        insured, made, openSales, settledSales, entries, insured);
    out.printf(Locale.ROOT, "  per insured person      %6d bytes (person, card, account, maps)%n",
        (afterInsured - base) / insured);
    out.printf(Locale.ROOT, "  per binding             %6d bytes%n", (afterBindings - afterInsured) / Math.max(1, made));
    out.printf(Locale.ROOT, "  per credit (request)    %6d bytes%n", (afterCredits - afterBindings) / insured);
    out.printf(Locale.ROOT, "  per open sale           %6d bytes (its holds, its authorize request)%n",
        (afterOpen - afterCredits) / Math.max(1, openSales));
    out.printf(Locale.ROOT, "  per settled sale        %6d bytes (its legs, its authorize and settle requests)%n",
        (afterSettled - afterOpen) / Math.max(1, settledSales));
    out.printf(Locale.ROOT, "  per request entry       %6d bytes (a back-office request)%n",
        (afterEntries - afterSettled) / Math.max(1, entries));
    if (swept.length > 0) {
      sweptSales(ledger, swept, salesPerSecond, recentWindow, insured, now, out);
    }
    List<String> violations = ledger.audit();
    out.println("ledger-footprint: audit " + (violations.isEmpty() ? "ok" : violations.size() + " violations"));
    return violations.isEmpty() ? 0 : 1;
  }

  /**
   * What a closed wallet transfer costs the writer, on a ledger of its own: {@code n} people in a
   * ring of bindings (each the authorizer of the next one's), their wallets open; each assigns a
   * transfer to the next one, who declines it. The heap is measured before, after (each transfer
   * with the request entry of its assignment, as within the recent window), the next day after the
   * entries' sweeps (journal type 24, which lets go of no transfer: what the writer kept of each
   * closed transfer before they went to history) and after a sweep with transfers (what it keeps now).
   * With {@code ended}, each one is accepted instead and then ends with its binding, which the
   * authorizer dissolves; the sweep before the last is then one with transfers but not ended ones
   * (journal type 55: what the writer kept of each ended transfer before they went too).
   */
  private static int closedTransfers(int n, boolean ended, PrintStream out) {
    Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
    SweepCounter history = new SweepCounter();
    Recaller recaller = new Recaller(history);
    long now = T0;
    for (int i = 0; i < n; i++) {
      ledger.apply(new Command.UpsertInsured(new Insured(psnNo(i), "李娜", InsuranceType.EMPLOYEE_BASIC,
          InsuredStatus.NORMAL, "620100", List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC" + i)))),
          now);
    }
    String[] bindingOf = new String[n];
    for (int i = 0; i < n; i++) {
      Result b = ledger.apply(new Command.CreateBinding(psnNo((i + 1) % n), psnNo(i), Relationship.PARENT, 0), now);
      bindingOf[i] = ((Result.BindingView) b).bindingId();
      ledger.apply(new Command.Credit("C" + i, i, psnNo(i), 1_000_000), now);
      ledger.apply(new Command.OpenWallet(psnNo(i)), now);
    }
    // The credits' entries go first, so that only the transfers' own cost is measured.
    long window = 10_000;
    now += 2 * window;
    while (ledger.requestsKept() > 0) {
      ledger.apply(new Command.Sweep(window, SWEEP_ITEMS, false), now);
      history.take(ledger.takeHistory());
    }
    long before = liveHeap();
    try {
      for (int i = 0; i < n; i++) {
        Result r = ledger.apply(recaller.recall(new Command.AssignWalletQuota("WT" + i, i, psnNo((i + 1) % n),
            psnNo(i), 100)), now);
        if (!(r instanceof Result.WalletTransferView w)) {
          throw new IllegalStateException("transfer " + i + ": " + r);
        }
        ledger.apply(recaller.recall(new Command.AnswerWalletTransfer(w.transferId(), psnNo(i), ended)), now);
        if (ended) {
          ledger.apply(new Command.DissolveBinding(bindingOf[i], psnNo((i + 1) % n)), now);
        }
        history.take(ledger.takeHistory());
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    long closed = liveHeap();
    now += 24 * 3_600_000L;
    while (ledger.requestsKept() > 0) {
      ledger.apply(new Command.Sweep(window, SWEEP_ITEMS, false), now);
      history.take(ledger.takeHistory());
    }
    if (ended) {
      ledger.apply(new Command.Sweep(window, SWEEP_ITEMS, true), now);
      history.take(ledger.takeHistory());
      if (ledger.transfersKeptCount() != n) {
        throw new IllegalStateException("a sweep of type 55 let go of " + (n - ledger.transfersKeptCount())
            + " ended transfers");
      }
    }
    long entriesGone = liveHeap();
    int keptBefore = ledger.transfersKeptCount();
    while (ledger.transfersKeptCount() > 0) {
      ledger.apply(new Command.Sweep(window), now);
      history.take(ledger.takeHistory());
    }
    long transfersGone = liveHeap();
    out.printf(Locale.ROOT, "ledger-footprint: %d closed wallet transfers (%s), %d people in a ring of"
        + " bindings%n", n, ended ? "accepted, then ended with their binding" : "declined", n);
    out.printf(Locale.ROOT, "  per closed transfer and its request entry %6d bytes (within the recent window)%n",
        (closed - before) / n);
    out.printf(Locale.ROOT, "  per closed transfer kept                  %6d bytes (%d kept: as before they went"
        + " to history)%n", (entriesGone - before) / n, keptBefore);
    out.printf(Locale.ROOT, "  per closed transfer after the sweep       %6d bytes (%d kept)%n",
        (transfersGone - before) / n, ledger.transfersKeptCount());
    List<String> violations = ledger.audit();
    out.println("ledger-footprint: closed transfers audit " + (violations.isEmpty() ? "ok"
        : violations.size() + " violations"));
    return violations.isEmpty() ? 0 : 1;
  }

  /**
   * Sales settled as a node settles them with sweeps on: ledger time moves at {@code salesPerSecond},
   * a sweep is applied whenever one is due (as the sequencer sends it), every command is looked up
   * first. History here only counts the sweeps and drops the images (on a node they go to disk):
   * what is measured is the writer's heap, which must stay flat however many sales went by.
   */
  private static void sweptSales(Ledger ledger, long[] checkpoints, int salesPerSecond, Duration recentWindow,
      int insured, long start, PrintStream out) {
    SweepCounter history = new SweepCounter();
    Recaller recaller = new Recaller(history);
    long window = recentWindow.toMillis();
    long sale = 0;
    long began = System.nanoTime();
    for (long checkpoint : checkpoints) {
      sale = settleSwept(ledger, history, recaller, sale, checkpoint, salesPerSecond, window, insured, start);
      long heap = liveHeap();
      out.printf(Locale.ROOT, "  after %,d swept sales: live heap %.0f MiB; kept %d sales, %d request entries;"
          + " %d sweeps; %.0f s%n", checkpoint, heap / 1048576.0, ledger.salesKept(), ledger.requestsKept(),
          ledger.sweeps(), (System.nanoTime() - began) / 1e9);
      // What a restart costs before the journal tail: the snapshot image (taken on the writer thread) and its load.
      // Wall time and this thread's CPU time: on a shared machine the second is the one to compare.
      java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
      long c0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      byte[] image = Snapshots.image(ledger, checkpoint);
      long t1 = System.nanoTime();
      long c1 = threads.getCurrentThreadCpuTime();
      try {
        Snapshots.read(image, checkpoint, Duration.ofDays(35), ReferenceListener.NONE);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      long t2 = System.nanoTime();
      long c2 = threads.getCurrentThreadCpuTime();
      out.printf(Locale.ROOT, "    snapshot image %.0f MiB made in %d ms, %d ms of the thread's CPU (the writer's"
          + " pause); read, audited and checked in %d ms, %d ms of the reading thread's CPU%n", image.length / 1048576.0,
          (t1 - t0) / 1_000_000, (c1 - c0) / 1_000_000, (t2 - t1) / 1_000_000, (c2 - c1) / 1_000_000);
      image = null;
    }
  }

  /**
   * Settles sales {@code from} to {@code to} (exclusive) as a node would with sweeps on, ledger time
   * at {@code salesPerSecond} from a minute after {@code start}; returns {@code to}.
   */
  static long settleSwept(Ledger ledger, SweepCounter history, Recaller recaller, long from, long to,
      int salesPerSecond, long windowMillis, int insured, long start) {
    Bill bill = Bill.of(List.of(new LineItem("XA01", ItemCategory.DRUG, true, 1, 1)));
    for (long sale = from; sale < to; sale++) {
      long now = start + 60_000 + sale * 1_000 / salesPerSecond;
      if (ledger.sweepDue(now, windowMillis)) {
        ledger.apply(new Command.Sweep(windowMillis), now);
        history.take(ledger.takeHistory());
      }
      try {
        Result r = ledger.apply(recaller.recall(new Command.Authorize("W" + sale, sale, INSTITUTION, "POS01",
            psnNo((int) (sale % insured)), MedicalType.PHARMACY, bill, true, true)), now);
        Result.Sale s = (Result.Sale) r;
        ledger.apply(recaller.recall(new Command.Settle("X" + sale, sale, INSTITUTION, s.txn().txnId(), -1)), now);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      history.take(ledger.takeHistory());
    }
    return to;
  }

  /** A history that keeps nothing but the count of sweeps: the look-ups of new ids find nothing, as they should. */
  static final class SweepCounter implements HistoryStore {
    private long sweeps;

    void take(List<HistoryRecord> records) {
      for (HistoryRecord r : records) {
        if (r instanceof HistoryRecord.Swept w) {
          sweeps = w.sweeps();
        }
      }
    }

    @Override
    public long appliedSeq() {
      return 0;
    }

    @Override
    public void apply(long throughSeq, List<HistoryRecord> records) {
      take(records);
    }

    @Override
    public Result answer(HistoryQuery query) {
      throw new UnsupportedOperationException("a footprint measure answers no questions");
    }

    @Override
    public long sweeps() {
      return sweeps;
    }

    @Override
    public byte[] requestImage(String key) {
      return null;
    }

    @Override
    public byte[] saleImage(String txnId) {
      return null;
    }

    @Override
    public byte[] transferImage(String transferId) {
      return null;
    }

    @Override
    public void close() {}
  }

  static String psnNo(int i) {
    return String.format("620100%020d", i);
  }

  /** The heap in use after full collections, once two in a row agree within 1%. */
  private static long liveHeap() {
    long last = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (Math.abs(last - used) < used / 100) {
        return used;
      }
      last = used;
    }
    return last;
  }
}
