package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gongji.server.ledger.JournalRecovery.CorruptJournalException;
import gongji.server.ledger.JournalRecoveryTest.Rec;
import gongji.server.ledger.LedgerStates.Recovered;
import gongji.server.ledger.storage.PowerCutStorage;
import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.ledger.storage.SimulatedStorage.Fault;
import gongji.server.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Power cuts at random moments under the real single writer: thousands of small seeded runs of the
 * real {@link Sequencer}, {@link Ledger}, {@link FileJournal} and {@link Snapshots} on a
 * {@link SimulatedStorage}, each crashed once and recovered as a node recovers.
 *
 * <p>A run: a random workload of a few dozen commands goes through the sequencer in batches the
 * test chooses (the disk holds each journal write at a gate until the next batch is queued, so runs
 * are deterministic); ledger time comes from a clock the test moves; now and then the sequencer
 * writes a snapshot (on its own thread, so that the power may fail in the middle of one). At a
 * random disk operation, before or after it, the power fails, and the disk keeps what was forced
 * and, of the rest, what the fault leaves (nothing, a prefix, a torn sector, a flipped bit). Then:
 * newest good snapshot, journal after it with the torn tail cut, into a fresh ledger.
 *
 * <p>What must hold: every acknowledged command is recovered (zero acknowledged-but-lost), in
 * order, and each recovered record is exactly a command that was sent (unacknowledged ones are
 * wholly there or wholly gone); the recovered ledger is byte for byte the ledger that applying
 * exactly the recovered records builds, and its audit is clean; each acknowledged reply is the reply
 * that history gives, and replaying an acknowledged request id gives it again. After recovery the
 * node writes more and crashes again, and the second recovery keeps everything the first did.
 *
 * <p>A recovery may refuse to start only when the fault flipped a bit inside a batch that was never
 * forced and whole records of that batch follow the flip: recovery cannot tell that from damage to
 * committed records, and refuses (see JournalRecovery). Such runs are counted and printed.
 *
 * <p>A failure prints the run and its seed. Replay one seed with {@code -Dgongji.crash.seed=N};
 * change the number of runs with {@code -Dgongji.crash.runs=N}.
 */
class CrashSimulationTest {
  private static final int RUNS = Integer.getInteger("gongji.crash.runs", 10_000);
  private static final long FIRST_SEED = 1;
  private static final long START_MILLIS = 1_772_413_200_000L;
  private static final long SEGMENT_BYTES = 4096;
  private static final long HANG_SECONDS = 30;
  private static final Pattern DAMAGE_AT = Pattern.compile("in (journal-\\d+\\.log) at offset (\\d+)");
  private static final List<Logger> QUIET = List.of(Logger.getLogger(Sequencer.class.getName()),
      Logger.getLogger(SnapshotSchedule.class.getName()), Logger.getLogger(Snapshots.class.getName()));
  private static final Map<Logger, Level> savedLevels = new java.util.HashMap<>();

  @BeforeAll
  static void quiet() {
    // Thousands of poisoned sequencers and failed snapshots are the point here, not news.
    for (Logger l : QUIET) {
      savedLevels.put(l, l.getLevel());
      l.setLevel(Level.OFF);
    }
  }

  @AfterAll
  static void loud() {
    savedLevels.forEach(Logger::setLevel);
  }

  /** What one run saw, for the summary. */
  private record Outcome(Fault fault, int commands, int acknowledged, long recovered, boolean refused,
      boolean snapshotUsed, boolean tornTailCut, boolean atRest) {}

  @Test
  void recover_afterAPowerCutAtARandomMoment_losesNoAcknowledgedCommand() throws Exception {
    Long only = Long.getLong("gongji.crash.seed");
    long from = only != null ? only : FIRST_SEED;
    int runs = only != null ? 1 : RUNS;
    List<Outcome> outcomes = new ArrayList<>(runs);
    for (int i = 0; i < runs; i++) {
      long seed = from + i;
      Run run = new Run(seed);
      try {
        outcomes.add(run.execute());
      } catch (AssertionError | Exception e) {
        throw new AssertionError("crash run #" + i + ", seed " + seed + ": " + e.getMessage()
            + "\nreplay: mvn -B -o -q -pl server test -Dtest=CrashSimulationTest -Dgongji.crash.seed=" + seed
            + "\n" + run.trace(), e);
      }
    }
    summarize(outcomes);
  }

  private static void summarize(List<Outcome> outcomes) {
    Map<Fault, int[]> byFault = new EnumMap<>(Fault.class);
    long acked = 0;
    long lostUnacked = 0;
    int refused = 0;
    int fromSnapshot = 0;
    int torn = 0;
    int atRest = 0;
    for (Outcome o : outcomes) {
      atRest += o.atRest() ? 1 : 0;
      byFault.computeIfAbsent(o.fault(), f -> new int[1])[0]++;
      acked += o.acknowledged();
      if (o.refused()) {
        refused++;
        continue;
      }
      lostUnacked += o.commands() - o.recovered();
      fromSnapshot += o.snapshotUsed() ? 1 : 0;
      torn += o.tornTailCut() ? 1 : 0;
    }
    System.out.println("crash simulation: " + outcomes.size() + " runs " + byFault.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()[0]).toList() + " (" + atRest + " with the power failing at rest), "
        + acked + " acknowledged commands, 0 lost; "
        + lostUnacked + " unacknowledged commands not recovered; " + fromSnapshot + " recoveries from a snapshot; "
        + torn + " torn tails cut; " + refused + " refused to start (a flipped bit inside an unforced batch)");
    // A test that could not fail would be worthless: the runs must reach the interesting cases.
    if (outcomes.size() >= 1_000) {
      int tornTails = torn;
      int snapshotRecoveries = fromSnapshot;
      assertTrue(tornTails > outcomes.size() / 20, () -> "too few torn tails: " + tornTails);
      assertTrue(snapshotRecoveries > outcomes.size() / 20, () -> "too few snapshot recoveries: " + snapshotRecoveries);
      assertTrue(lostUnacked > 0, "no run lost an unacknowledged command: the power never failed mid-batch");
    }
  }

  /** A journal that remembers every record the sequencer appended, in order, with its time. */
  private static final class RecordingJournal implements Journal {
    final FileJournal delegate;
    final List<Rec> records = new ArrayList<>();

    RecordingJournal(FileJournal delegate) {
      this.delegate = delegate;
    }

    @Override
    public long lastSeq() {
      return delegate.lastSeq();
    }

    @Override
    public void append(Command command, long atMillis) throws IOException {
      delegate.append(command, atMillis);
      records.add(new Rec(delegate.lastSeq(), atMillis, command));
    }

    @Override
    public void force() throws IOException {
      delegate.force();
    }

    @Override
    public boolean forcesOffTheWriter() {
      return delegate.forcesOffTheWriter();
    }

    @Override
    public void write() throws IOException {
      delegate.write();
    }

    @Override
    public void forceWritten() throws IOException {
      delegate.forceWritten();
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }

  /** One seeded run: workload, power cut, recovery, checks; then a second life and crash. */
  private static final class Run {
    final long seed;
    final SplittableRandom random;
    final Fault fault;
    final SimulatedStorage sim = new SimulatedStorage();
    final PowerCutStorage disk;
    final MutableClock clock = new MutableClock(java.time.Instant.ofEpochMilli(START_MILLIS));
    final LedgerWorkload workload;
    /** Applies every command as the sequencer will, one step ahead: the workload reads it. */
    final Ledger shadow = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    final List<Command> sent = new ArrayList<>();
    final List<Result> shadowResults = new ArrayList<>();
    final List<CompletableFuture<Result>> futures = new ArrayList<>();
    final List<Integer> batches = new ArrayList<>();
    final StringBuilder log = new StringBuilder();
    final int total;
    final long cutAtOp;
    final boolean afterOp;
    final int snapshotEvery;

    Run(long seed) {
      this.seed = seed;
      this.random = new SplittableRandom(seed);
      this.fault = Fault.values()[random.nextInt(Fault.values().length)];
      this.workload = new LedgerWorkload(random.split());
      this.total = 12 + random.nextInt(36);
      this.snapshotEvery = random.nextInt(3) == 0 ? 0 : 2 + random.nextInt(15);
      // About the operations a run makes (a write and a force per batch of 4.5 commands on average,
      // some 8 per snapshot), so that the power fails anywhere in it; one run in ten ends at rest.
      long operations = 2L * (1 + total / 4) + (snapshotEvery == 0 ? 0 : 8L * total / snapshotEvery);
      this.cutAtOp = random.nextInt(10) == 0 ? Long.MAX_VALUE : 1 + random.nextLong(operations);
      this.afterOp = random.nextBoolean();
      this.disk = new PowerCutStorage(sim, cutAtOp, afterOp, random.split(), fault);
    }

    boolean atRest() {
      return disk.cutAt().startsWith("at rest");
    }

    String trace() {
      return "  fault " + fault + ", power cut at operation " + cutAtOp + (afterOp ? " (after it)" : " (before it)")
          + ", " + total + " commands, snapshot every " + (snapshotEvery == 0 ? "never" : snapshotEvery + " records")
          + "\n  batches " + batches + "\n  power failed " + disk.cutAt() + log;
    }

    Outcome execute() throws Exception {
      List<Command> world = new ArrayList<>(workload.world());
      FileJournal fileJournal = new FileJournal(disk, 1, SEGMENT_BYTES);
      RecordingJournal journal = new RecordingJournal(fileJournal);
      Ledger ledger = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
      Sequencer sequencer = new Sequencer(ledger, journal, clock, Runnable::run,
          new Sequencer.Config(1_024, 4_096, Duration.ofHours(1).toMillis()), Sequencer.BatchObserver.NONE);
      if (snapshotEvery > 0) {
        sequencer.snapshotting(new Sequencer.Snapshotting(snapshotEvery, Duration.ofDays(1).toMillis(),
            (seq, image) -> Snapshots.write(disk, seq, image), Runnable::run));
      }
      disk.gate(true);
      disk.arm();
      sequencer.start();
      try {
        // The first batch is one command (the writer is idle; anything more could split); later
        // batches are what is queued while the writer waits at the gate.
        submit(sequencer, world, 1);
        while (true) {
          if (!disk.awaitJournalWrite(HANG_SECONDS)) {
            fail("the sequencer never came to its journal write");
          }
          if (disk.isCut()) {
            break;
          }
          boolean more = sent.size() < total;
          if (more) {
            clock.advance(Duration.ofMillis(workload.nextDelayMillis()));
            submit(sequencer, world, 1 + random.nextInt(8));
          }
          disk.releaseJournalWrite();
          if (!more) {
            break;
          }
        }
        for (CompletableFuture<Result> f : futures) {
          try {
            f.get(HANG_SECONDS, TimeUnit.SECONDS);
          } catch (ExecutionException refused) {
            // checked below
          } catch (TimeoutException e) {
            fail("a command was never answered");
          }
        }
        disk.cutNow();
      } finally {
        disk.gate(false);
        disk.releaseJournalWrite();
        sequencer.close();
      }
      return check(sequencer, journal.records);
    }

    /** Sends the next {@code n} commands (the world's first) at the clock's time, as one batch. */
    private void submit(Sequencer sequencer, List<Command> world, int n) {
      StringBuilder line = new StringBuilder();
      int count = 0;
      for (int i = 0; i < n && sent.size() < total; i++) {
        Command c = !world.isEmpty() ? world.remove(0) : workload.next(shadow);
        Result r = shadow.apply(c, clock.millis());
        workload.observe(r);
        sent.add(c);
        shadowResults.add(r);
        futures.add(sequencer.submit(c));
        count++;
        line.append("\n    ").append(sent.size()).append(": ").append(c.getClass().getSimpleName()).append(" -> ")
            .append(r.outcome());
      }
      batches.add(count);
      log.append("\n  batch at ").append(clock.millis() - START_MILLIS).append(" ms:").append(line);
    }

    private Outcome check(Sequencer sequencer, List<Rec> appended) throws IOException {
      // Acknowledged: the futures that completed with a result. They must be a prefix of what was sent.
      int acked = 0;
      List<Result> ackResults = new ArrayList<>();
      for (CompletableFuture<Result> f : futures) {
        assertTrue(f.isDone(), "every command is answered");
        if (!f.isCompletedExceptionally()) {
          assertEquals(acked, ackResults.size(), "acknowledgements are a prefix of what was sent");
          ackResults.add(f.join());
          acked++;
        } else {
          Throwable why = f.handle((r, e) -> e).join();
          Throwable cause = why instanceof java.util.concurrent.CompletionException ? why.getCause() : why;
          assertInstanceOf(LedgerUnavailableException.class, cause, "a refusal");
        }
      }
      for (int i = acked; i < futures.size(); i++) {
        assertTrue(futures.get(i).isCompletedExceptionally(), () -> "acknowledged out of order");
      }
      log.append("\n  acknowledged ").append(acked).append(" of ").append(sent.size())
          .append("; journal appended ").append(appended.size()).append("; poisoned: ").append(sequencer.poisonedReason());
      for (int i = 0; i < appended.size(); i++) {
        assertEquals(sent.get(i), appended.get(i).command(), "the journal holds what was sent, in order");
        assertEquals(i + 1, appended.get(i).seq());
      }
      for (int i = 0; i < acked; i++) {
        int k = i;
        assertEquals(LedgerStates.text(shadowResults.get(i)), LedgerStates.text(ackResults.get(i)),
            () -> "reply to command " + (k + 1) + " (the test's model of batch times is off?)");
      }

      Recovered first = recoverOrRefuse(disk.forcedAtCut(), "first recovery");
      if (first == null) {
        return new Outcome(fault, sent.size(), acked, -1, true, false, false, atRest());
      }
      long recovered = first.report().lastSeq();
      log.append("\n  recovered ").append(first.report()).append(" from snapshot ").append(first.snapshotSeq());
      if (recovered < acked) {
        fail("acknowledged but lost: " + acked + " commands were acknowledged, " + recovered + " recovered");
      }
      assertTrue(recovered <= appended.size(), () -> "recovered " + recovered + " records, only "
          + appended.size() + " were ever appended");
      assertTrue(first.snapshotSeq() <= recovered, "a snapshot beyond the journal");
      Ledger reference = checkRecovered(first, appended, ackResults);

      // A second life: the node writes more records after recovery, then the power fails again.
      List<Rec> history = new ArrayList<>(appended.subList(0, (int) recovered));
      secondLife(history, reference);
      return new Outcome(fault, sent.size(), acked, recovered, false, first.snapshotSeq() > 0,
          first.report().truncated(), atRest());
    }

    /**
     * The recovered ledger against the ledger that exactly the recovered records build; the
     * acknowledged replies against that history. Returns that ledger.
     */
    private Ledger checkRecovered(Recovered r, List<Rec> appended, List<Result> ackResults) {
      long n = r.report().lastSeq();
      for (Rec got : r.replayed()) {
        assertTrue(got.seq() > r.snapshotSeq() && got.seq() <= n, () -> "replayed record " + got.seq());
        assertEquals(appended.get((int) got.seq() - 1), got, "a recovered record is exactly what was appended");
      }
      Ledger reference = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
      List<Result> replies = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        replies.add(reference.apply(appended.get(i).command(), appended.get(i).atMillis()));
      }
      assertEquals(List.of(), r.ledger().audit(), "audit of the recovered ledger");
      if (!Arrays.equals(LedgerStates.bytes(reference), LedgerStates.bytes(r.ledger()))) {
        fail("the recovered ledger differs from the one its records build");
      }
      for (int i = 0; i < ackResults.size(); i++) {
        int k = i;
        assertEquals(LedgerStates.text(ackResults.get(i)), LedgerStates.text(replies.get(i)),
            () -> "acknowledged reply to command " + (k + 1) + " vs the recovered history");
      }
      // Replaying an acknowledged request id answers as the first time (or, if it was reversed since, so).
      Ledger copy = LedgerStates.copy(r.ledger());
      for (int i = 0; i < ackResults.size(); i++) {
        if (!(appended.get(i).command() instanceof Command.Keyed k)) {
          continue;
        }
        Result again = copy.apply(k, copy.nowMillis());
        boolean reversedSince = appended.subList(0, (int) n).stream().anyMatch(
            x -> x.command() instanceof Command.Reverse rv && rv.originalRequestId().equals(k.requestId()));
        if (reversedSince && again.outcome() == gongji.server.ledger.Outcome.REQUEST_ID_REVERSED) {
          continue;
        }
        int at = i;
        assertEquals(LedgerStates.text(ackResults.get(i)), LedgerStates.text(again),
            () -> "replay of acknowledged request " + k.requestId() + " (command " + (at + 1) + ")");
      }
      return reference;
    }

    /** Recovers, or returns null when recovery refused for the one allowed reason (checked here). */
    private Recovered recoverOrRefuse(Map<String, Integer> forcedAtCut, String what) throws IOException {
      try {
        return LedgerStates.recover(sim);
      } catch (CorruptJournalException e) {
        Matcher m = DAMAGE_AT.matcher(e.getMessage());
        boolean inUnforcedBytes = m.find() && Integer.parseInt(m.group(2)) >= forcedAtCut.getOrDefault(m.group(1), 0);
        log.append("\n  ").append(what).append(" refused: ").append(e.getMessage());
        if (fault != Fault.FLIP_BIT || !inUnforcedBytes) {
          throw new AssertionError(what + " refused to start on damage a crash can leave: " + e.getMessage(), e);
        }
        return null;
      }
    }

    /** After recovery: a new journal segment, a few records, a force or not, and another crash. */
    private void secondLife(List<Rec> history, Ledger reference) throws IOException {
      long next = history.size() + 1;
      long now = Math.max(clock.millis(), reference.nowMillis()) + 1_000;
      int more = 1 + random.nextInt(3);
      boolean force = random.nextBoolean();
      Fault again = Fault.values()[random.nextInt(Fault.values().length)];
      try (FileJournal journal = new FileJournal(sim, next, SEGMENT_BYTES)) {
        for (int i = 0; i < more; i++) {
          Command c = workload.next(reference);
          workload.observe(reference.apply(c, now));
          journal.append(c, now);
          history.add(new Rec(journal.lastSeq(), now, c));
        }
        if (force) {
          journal.force();
        }
      }
      Map<String, Integer> forced = sim.forcedSizes();
      sim.crash(random, again);
      log.append("\n  second life: ").append(more).append(" records").append(force ? ", forced" : ", not forced")
          .append(", crash ").append(again);
      Recovered second = recoverOrRefuse(forced, "second recovery");
      if (second == null) {
        return;
      }
      long n = second.report().lastSeq();
      long mustHave = force ? history.size() : next - 1;
      assertTrue(n >= mustHave, () -> "second recovery lost records: " + n + " < " + mustHave);
      assertTrue(n <= history.size(), "second recovery made up records");
      for (Rec got : second.replayed()) {
        assertEquals(history.get((int) got.seq() - 1), got, "second recovery: a record as appended");
      }
      Ledger rebuilt = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
      for (int i = 0; i < n; i++) {
        rebuilt.apply(history.get(i).command(), history.get(i).atMillis());
      }
      assertEquals(List.of(), second.ledger().audit());
      if (!Arrays.equals(LedgerStates.bytes(rebuilt), LedgerStates.bytes(second.ledger()))) {
        fail("second recovery: the ledger differs from the one its records build");
      }
    }
  }

  // ---- a failed fsync under the real sequencer -----------------------------------------------

  /** A sequencer on a simulated disk whose forces start failing after {@code okForces}. */
  private static final class Poisonable implements AutoCloseable {
    final SimulatedStorage sim = new SimulatedStorage();
    final PowerCutStorage disk = new PowerCutStorage(sim, Long.MAX_VALUE, false, new SplittableRandom(1), Fault.DROP);
    final MutableClock clock = MutableClock.atMondayMorning();
    final Ledger ledger = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    final List<Thread> sequencerThread = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();
    final Sequencer sequencer;
    /** The forces of opening the journal (its manifest). */
    final long forcesAtStart;

    Poisonable(long idleTickMillis) throws IOException {
      FileJournal journal = new FileJournal(disk, 1, SEGMENT_BYTES);
      forcesAtStart = sim.forces();
      sequencer = new Sequencer(ledger, journal, clock, Runnable::run,
          new Sequencer.Config(1_024, 4_096, idleTickMillis), (commands, mutating, forceNanos) -> {
            if (sequencerThread.isEmpty()) {
              sequencerThread.add(Thread.currentThread());
            }
            batches.incrementAndGet();
          });
      disk.gate(true);
      disk.arm();
      sequencer.start();
    }

    void awaitGate() throws InterruptedException {
      assertTrue(disk.awaitJournalWrite(HANG_SECONDS), "the sequencer never came to its journal write");
    }

    @Override
    public void close() throws IOException {
      disk.gate(false);
      disk.releaseJournalWrite();
      try {
        sequencer.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while closing the sequencer", e);
      }
    }
  }

  private static Throwable refusal(CompletableFuture<Result> f) throws Exception {
    try {
      Result r = f.get(HANG_SECONDS, TimeUnit.SECONDS);
      throw new AssertionError("acknowledged after the journal failed: " + r);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void submit_journalForceFails_batchAndEverythingAfterAreRefusedAndNothingIsAcknowledged() throws Exception {
    LedgerWorkload workload = new LedgerWorkload(new SplittableRandom(42));
    List<Command> world = workload.world();
    SimulatedStorage sim;
    try (Poisonable p = new Poisonable(Duration.ofHours(1).toMillis())) {
      sim = p.sim;
      // Batch 1: the first command, forced fine.
      CompletableFuture<Result> first = p.sequencer.submit(world.get(0));
      p.awaitGate();
      // Batch 2, queued while batch 1 is at the gate: its force will fail.
      List<CompletableFuture<Result>> failing = new ArrayList<>();
      for (Command c : world.subList(1, 5)) {
        failing.add(p.sequencer.submit(c));
      }
      p.sim.failForcesAfter(1);
      p.disk.releaseJournalWrite();
      assertNotNull(first.get(HANG_SECONDS, TimeUnit.SECONDS), "batch 1 is acknowledged");
      p.awaitGate();
      // Batch 3, queued while batch 2 is at the gate: it comes after the failure.
      List<CompletableFuture<Result>> after = new ArrayList<>();
      for (Command c : world.subList(5, 8)) {
        after.add(p.sequencer.submit(c));
      }
      p.disk.releaseJournalWrite();

      for (CompletableFuture<Result> f : failing) {
        Throwable why = refusal(f);
        assertInstanceOf(LedgerUnavailableException.class, why);
        assertTrue(why.getMessage().contains("journal force failed"), why::getMessage);
      }
      for (CompletableFuture<Result> f : after) {
        assertInstanceOf(LedgerUnavailableException.class, refusal(f));
      }
      assertNotNull(p.sequencer.poisonedReason());
      assertTrue(p.sequencer.poisonedReason().contains("simulated fsync failure"), p.sequencer::poisonedReason);
      // Every later submit is refused at once, reads included, even with the disk healthy again.
      p.sim.failForcesAfter(Long.MAX_VALUE);
      for (Command c : List.of(world.get(8), new Command.Tick(), new Command.Audit(), new Command.GetAccount("PSN0"))) {
        CompletableFuture<Result> f = p.sequencer.submit(c);
        assertTrue(f.isCompletedExceptionally(), () -> "accepted after poisoning: " + c);
        assertInstanceOf(LedgerUnavailableException.class, refusal(f));
      }
      assertEquals(p.forcesAtStart + 1, p.sim.forces(), "one force succeeded; nothing was forced after the failure");
    }
    // On disk: only the acknowledged command survives a crash that drops what was not forced.
    sim.crash(new SplittableRandom(2), Fault.DROP);
    Recovered r = LedgerStates.recover(sim);
    assertEquals(1, r.report().lastSeq());
    assertEquals(List.of(world.get(0)), r.replayed().stream().map(Rec::command).toList());
  }

  @Test
  void recover_afterAFailedForce_hasExactlyTheAcknowledgedCommands() throws Exception {
    LedgerWorkload workload = new LedgerWorkload(new SplittableRandom(43));
    List<Command> world = workload.world();
    SimulatedStorage sim;
    List<Result> acked = new ArrayList<>();
    try (Poisonable p = new Poisonable(Duration.ofHours(1).toMillis())) {
      sim = p.sim;
      p.sim.failForcesAfter(3);
      CompletableFuture<Result> f = p.sequencer.submit(world.get(0));
      int next = 1;
      List<CompletableFuture<Result>> all = new ArrayList<>(List.of(f));
      // Batches [1], [2, 3], [4, 5] are forced; [6, 7] fails its force; [8, 9] comes after.
      for (int batch = 0; batch < 4; batch++) {
        p.awaitGate();
        for (int i = 0; i < 2; i++) {
          all.add(p.sequencer.submit(world.get(next++)));
        }
        p.disk.releaseJournalWrite();
      }
      for (CompletableFuture<Result> x : all) {
        try {
          acked.add(x.get(HANG_SECONDS, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
          assertInstanceOf(LedgerUnavailableException.class, e.getCause());
        }
      }
    }
    assertEquals(5, acked.size(), "batches of 1, 2 and 2 commands were forced before the failure");
    sim.crash(new SplittableRandom(3), Fault.DROP);
    Recovered r = LedgerStates.recover(sim);
    assertEquals(5, r.report().lastSeq());
    assertEquals(world.subList(0, 5), r.replayed().stream().map(Rec::command).toList());
    Ledger reference = new Ledger(LedgerStates.WINDOW, ReferenceListener.NONE);
    for (int i = 0; i < 5; i++) {
      assertEquals(acked.get(i), reference.apply(r.replayed().get(i).command(), r.replayed().get(i).atMillis()));
    }
  }

  /**
   * A poisoned sequencer with a hold that came due must idle, not spin: it may not apply a tick,
   * so the hold stays due, and each turn of its loop would make another refused batch at once.
   * (Found by this test: the thread spun at full speed until it was closed.)
   */
  @Test
  void run_poisonedWithAHoldDue_idlesInsteadOfSpinning() throws Exception {
    LedgerWorkload workload = new LedgerWorkload(new SplittableRandom(44));
    try (Poisonable p = new Poisonable(50)) {
      List<CompletableFuture<Result>> setup = new ArrayList<>();
      setup.add(p.sequencer.submit(new Command.Tick()));
      p.awaitGate();
      for (Command c : workload.world()) {
        setup.add(p.sequencer.submit(c));
      }
      p.disk.releaseJournalWrite();
      p.awaitGate();
      // A sale that holds money: it expires after the region's hold time.
      for (int i = 0; i < 40; i++) {
        setup.add(p.sequencer.submit(new Command.Authorize("A-" + i, i, LedgerWorkload.INSTITUTIONS[0],
            LedgerWorkload.TERMINAL, workload.people().get(i % workload.people().size()),
            gongji.server.domain.MedicalType.PHARMACY, gongji.server.domain.Bill.of(100, new long[
                gongji.server.domain.ItemCategory.count()]), true, true)));
      }
      p.disk.releaseJournalWrite();
      p.awaitGate();
      // The next batch's force fails; meanwhile every hold comes due.
      p.sim.failForcesAfter(0);
      p.clock.advance(Duration.ofDays(2));
      p.disk.releaseJournalWrite();
      for (CompletableFuture<Result> f : setup) {
        f.handle((r, e) -> null).get(HANG_SECONDS, TimeUnit.SECONDS);
      }
      assertNotNull(p.sequencer.poisonedReason());
      assertTrue(p.ledger.nextExpiryMillis() <= p.clock.millis(), "a hold is due and will never be expired");
      int batchesAtPoison = p.batches.get();
      Thread thread = p.sequencerThread.get(0);
      // Idle means parked. A spinning thread never parks and makes a batch on every turn.
      while (thread.getState() != Thread.State.TIMED_WAITING) {
        assertTrue(thread.isAlive(), "the sequencer thread died");
        if (p.batches.get() > batchesAtPoison + 1_000) {
          fail("the poisoned sequencer spins: " + (p.batches.get() - batchesAtPoison) + " batches since it stopped");
        }
        Thread.onSpinWait();
      }
      assertEquals(batchesAtPoison, p.batches.get(), "batches after poisoning");
    }
  }
}
