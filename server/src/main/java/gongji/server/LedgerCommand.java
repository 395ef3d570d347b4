package gongji.server;

import gongji.server.history.RocksHistoryStore;
import gongji.server.ledger.JournalRecovery;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.ReferenceListener;
import gongji.server.ledger.Snapshots;
import gongji.server.ledger.storage.FileStorage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code gongji ledger}: offline tools on a stopped ledger's data directory. */
@Command(name = "ledger", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    description = "Offline tools on a stopped ledger's data directory.",
    subcommands = {LedgerCommand.Verify.class, LedgerCommand.IdentityKeys.class})
final class LedgerCommand implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: verify, identity-keys");
  }

  /** A tool on a stopped gateway's data directory ({@code --data-dir DIR}), writing what it finds to standard output. */
  abstract static class OnDataDir implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "the stopped gateway's data directory")
    Path dataDir;

    @Override
    public Integer call() throws Exception {
      if (!Files.isDirectory(dataDir)) {
        throw new IllegalArgumentException("--data-dir: " + dataDir + " (expected: a directory)");
      }
      PrintWriter out = spec.commandLine().getOut();
      try {
        return run(out);
      } finally {
        out.flush();
      }
    }

    /** Does the tool's work on {@link #dataDir}; returns the exit status. */
    abstract int run(PrintWriter out) throws Exception;
  }

  /**
   * {@code ledger verify --data-dir DIR}: replays the journal read-only (a torn tail is reported,
   * not cut) into a fresh ledger and audits it: sequence continuity, checksums, double-entry totals,
   * no negative balance, holds that match their open legs, quotas kept.
   */
  @Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = {"Checks a stopped ledger offline: replays the journal read-only (a torn tail is reported, not cut)",
          "into a fresh ledger and audits it (sequence, checksums, double entry, no negative balance, holds,",
          "quotas), and compares the history store with the journal. On damage it says exactly what is lost:",
          "the file, the offset and the records (sequence numbers) that cannot be replayed."},
      footer = {"", "Exit status: 0 sound, 1 violations, 2 bad usage, 3 damaged."})
  static final class Verify extends OnDataDir {
    @Override
    int run(PrintWriter out) throws Exception {
      FileStorage storage = new FileStorage(dataDir);
      Duration window = Duration.ofDays(36_500);
      Snapshots.Loaded snapshot = Snapshots.loadNewest(storage, window, ReferenceListener.NONE);
      Ledger ledger = snapshot == null ? new Ledger(window, ReferenceListener.NONE) : snapshot.ledger();
      out.println("verify: starting from " + (snapshot == null ? "an empty ledger" : snapshot.file()));
      long applied = -1;
      Path historyDir = dataDir.resolve("history");
      if (Files.isDirectory(historyDir)) {
        try (RocksHistoryStore history = RocksHistoryStore.open(historyDir)) {
          applied = history.appliedSeq();
        } catch (IOException e) {
          out.println("verify: DAMAGED the history store cannot be opened: " + e.getMessage());
          return 3;
        }
      }
      JournalRecovery.Report report = JournalRecovery.replay(storage, snapshot == null ? 0 : snapshot.seq(), false,
          true, (seq, at, command) -> ledger.apply(command, at));
      out.println("verify: journal " + report);
      for (JournalRecovery.Loss loss : report.acceptedLosses()) {
        out.println("verify: accepted earlier: " + loss);
      }
      if (report.truncated()) {
        out.println("verify: torn tail (a write the crash cut, never acknowledged): " + report.truncatedFile()
            + " from offset " + report.truncatedAtOffset() + ", " + report.truncatedBytes() + " bytes; cut at start");
      }
      JournalRecovery.Damage damage = report.damage();
      if (damage == null && applied > report.lastSeq()) {
        damage = new JournalRecovery.Damage(report.truncated() ? report.truncatedFile()
            : "journal-" + String.format("%020d", report.lastSeq() + 1) + ".log",
            report.truncated() ? report.truncatedAtOffset() : 0, "history has applied record " + applied
            + " but the journal ends at " + report.lastSeq() + ": acknowledged records are missing from the journal",
            report.lastSeq(), report.lastSeq(), !report.truncated());
      }
      if (damage != null) {
        long through = Math.max(damage.lastSeqSeen(), applied);
        out.println("verify: DAMAGED " + damage.file() + " at offset " + damage.offset() + ": " + damage.problem());
        out.println("verify: LOST records " + (damage.lastIntactSeq() + 1) + " to " + through
            + (damage.newestMissing() ? " (and whatever the missing segment held after them)" : "")
            + "; the ledger replays through record " + damage.lastIntactSeq()
            + (through > damage.lastIntactSeq() ? " (history, if any, still holds the records these commands made)" : ""));
        out.println("verify: ways out: restore the data directory from a backup (docs/OPERATIONS.md), or start once"
            + " with: gongji serve --accept-journal-loss (the lost records stay lost; the damaged files are kept as"
            + " *.damaged)");
        return 3;
      }
      List<String> violations = ledger.audit();
      if (applied >= 0) {
        out.println("verify: history applied through record " + applied + " of " + report.lastSeq()
            + (applied == report.lastSeq() ? "" : " (the rest is caught up from the journal at start)"));
      } else {
        out.println("verify: no history store (it is rebuilt from the journal at start, if the journal reaches back)");
      }
      for (String v : violations) {
        out.println("verify: VIOLATION " + v);
      }
      out.println("verify: " + (violations.isEmpty() ? "OK" : violations.size() + " violations")
          + " (requests kept: " + ledger.requestsKept() + ")");
      return violations.isEmpty() ? 0 : 1;
    }
  }

  /**
   * {@code ledger identity-keys --data-dir DIR}: how many keyed numbers each identity key generation
   * holds, from the newest snapshot and the journal after it (read-only), so that an operator knows
   * when an older key can be retired: when no credential is kept under it.
   */
  @Command(name = "identity-keys", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = {"Counts, in a stopped ledger's data directory, the credentials and heirs' identity numbers kept",
          "under each identity key generation (read-only: the newest snapshot and the journal after it). An older",
          "key can be retired (--retire-identity-key) when no credential is kept under it; heirs' numbers are",
          "audit records, never matched, and do not hold a key back."},
      footer = {"", "Exit status: 0 counted, 2 bad usage, 3 damaged (see ledger verify)."})
  static final class IdentityKeys extends OnDataDir {
    @Override
    int run(PrintWriter out) throws Exception {
      FileStorage storage = new FileStorage(dataDir);
      java.util.SortedMap<Integer, String> generations;
      try {
        generations = IdentityCheck.generations(storage);
      } catch (java.nio.file.NoSuchFileException e) {
        generations = new java.util.TreeMap<>();
      }
      Duration window = Duration.ofDays(36_500);
      Snapshots.Loaded snapshot = Snapshots.loadNewest(storage, window, ReferenceListener.NONE);
      Ledger ledger = snapshot == null ? new Ledger(window, ReferenceListener.NONE) : snapshot.ledger();
      JournalRecovery.Report report = JournalRecovery.replay(storage, snapshot == null ? 0 : snapshot.seq(), false,
          true, (seq, at, command) -> ledger.apply(command, at));
      if (report.damage() != null) {
        out.println("identity-keys: DAMAGED " + report.damage().file() + " at offset " + report.damage().offset()
            + ": see `gongji ledger verify --data-dir " + dataDir + "`");
        return 3;
      }
      out.println("identity-keys: as of record " + report.lastSeq() + " (from "
          + (snapshot == null ? "an empty ledger" : snapshot.file()) + " and the journal after it)");
      out.println("identity-keys: " + IdentityCheck.FILE + " holds generation"
          + (generations.size() == 1 ? " " : "s ") + (generations.isEmpty() ? "none"
          : String.join(", ", generations.keySet().stream().map(String::valueOf).toList())));
      Ledger.KeyedNumbers n = ledger.keyedNumbers();
      java.util.TreeSet<Integer> all = new java.util.TreeSet<>(generations.keySet());
      all.addAll(n.credentials().keySet());
      all.addAll(n.heirs().keySet());
      int newest = generations.isEmpty() ? 0 : generations.lastKey();
      for (int g : all.descendingSet()) {
        long creds = n.credentials().getOrDefault(g, 0L);
        long heirs = n.heirs().getOrDefault(g, 0L);
        String counts = creds + " credential" + (creds == 1 ? "" : "s") + ", " + heirs + " heir's identity number"
            + (heirs == 1 ? "" : "s");
        if (g == 0) {
          out.println("identity-keys: not keyed: " + counts + " (written before numbers were keyed?)");
        } else if (g == newest) {
          out.println("identity-keys: generation " + g + " (the newest): " + counts);
        } else if (!generations.containsKey(g)) {
          out.println("identity-keys: generation " + g + " (retired): " + counts + (creds == 0 ? ""
              : "; these credentials match nothing until registered again"));
        } else {
          out.println("identity-keys: generation " + g + ": " + counts + (creds == 0
              ? "; no credential is kept under it: it can be retired (remove its file from"
                  + " identity.previous.key.files, start once with --retire-identity-key " + g + ", destroy the file)"
              : "; keyed again under generation " + newest + " as they are presented, or by registering them again"));
        }
      }
      return 0;
    }
  }
}
