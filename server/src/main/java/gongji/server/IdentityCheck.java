package gongji.server;

import gongji.server.domain.IdentityKey;
import gongji.server.domain.IdentityKeys;
import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.logging.Logger;

/**
 * The identity keys' check values in the data directory ({@value #FILE}: one line per key
 * generation in use, {@code "GJK"}, the generation, one space, 32 hex digits; a directory written
 * before keys had generations holds the one line {@code "GJK1 ..."}), checked at every start before
 * anything is read, so that a node started with another key than the one its data were written
 * with is refused with a clear message instead of finding no patient.
 *
 * <ul>
 *   <li>A new data directory (no journal, no snapshot) gets the check values of the keys given.
 *   <li>A data directory opens when every key given has its generation's check value and every
 *       generation it holds is given: the current key ({@code identity.key.file}) is the newest, the
 *       older ones are named by {@code identity.previous.key.files}.
 *   <li>A rotation: one start with {@code --add-identity-key} and a current key of a new, newer
 *       generation adds its line (logged once); the older keys stay given until their numbers are
 *       keyed again, and one start with {@code --retire-identity-key G} removes generation G's line
 *       once its key is no longer given (logged once).
 *   <li>Another key's check value: refused, unless the operator starts once with
 *       {@code --new-identity-key} (the old keys are lost): the keys given replace every line,
 *       logged as SEVERE, and every credential stored under the old keys matches nothing until it is
 *       registered again. Keys that are all in the file already are refused with that flag: they
 *       would replace no key, only drop the others (a way back from a rotation it is not).
 *   <li>A journal or snapshot with no check value: written by a version that kept identity and
 *       credential numbers in plain text. Refused (see {@link #UNKEYED}): opening it would leave
 *       those numbers on disk, in journal segments, snapshots and history's files, where no start
 *       can take them back out.
 * </ul>
 */
public final class IdentityCheck {
  private static final Logger log = Logger.getLogger(IdentityCheck.class.getName());
  static final String FILE = "identity.check";
  private static final String MAGIC = "GJK";

  /** Why a data directory of a version before identity numbers were keyed is refused, and what to do. */
  static final String UNKEYED = "it was written by a version that kept identity and credential numbers in plain text"
      + " (it has a journal but no " + FILE + "), and this version does not open it: the numbers would stay on disk"
      + " in its journal segments, snapshots and history. Either keep serving it with the version that wrote it, or"
      + " start this version on a new, empty data directory and register the institutions, insured persons (with"
      + " their credentials), balances and bindings again from the agency's records; then destroy the old"
      + " directory and its backups by your retention rule (docs/OPERATIONS.md, \"The identity key\")";

  /**
   * Why a rotation cannot be undone, and what to do instead: a version before key generations
   * cannot open a directory that has had a second key (it takes {@value #FILE} and the journal's
   * re-keying records as damage, and matches no number kept as {@code "k2:..."}), and this version
   * does not go back to an older key.
   */
  static final String ONE_WAY = "A rotation is not undone, and a version before key generations cannot open a data"
      + " directory after --add-identity-key, even with the older keys retired: to go back, restore the copy of the data"
      + " directory made before that start, with the key it was written with (docs/OPERATIONS.md, \"Going back to an"
      + " earlier version\")";

  /**
   * What one start may change in {@value #FILE}, each the operator's explicit choice for that start
   * only: {@code newKey} (the keys are lost: the keys given replace them), {@code addKey} (the
   * current key is a new generation), {@code retireGeneration} (that generation's key is no longer
   * given; 0: none).
   */
  public record Changes(boolean newKey, boolean addKey, int retireGeneration) {
    /** No change: the keys given must be the ones the directory has. */
    public static final Changes NONE = new Changes(false, false, 0);
  }

  private IdentityCheck() {}

  /**
   * Checks {@code keys} against the data directory's check values, writing them into a new
   * directory, and makes the {@code changes} asked for.
   *
   * @throws IOException with a message that says what is wrong and what to do
   */
  static void verify(Storage storage, IdentityKeys keys, Changes changes) throws IOException {
    List<String> names = storage.list();
    if (!names.contains(FILE)) {
      if (names.stream().anyMatch(n -> n.startsWith("journal-") || n.startsWith("snapshot-"))) {
        throw new IOException(UNKEYED);
      }
      write(storage, lines(keys));
      log.info("identity key: " + FILE + " written for a new data directory (" + keys + ")");
      return;
    }
    TreeMap<Integer, String> stored = read(storage);
    TreeMap<Integer, String> given = lines(keys);
    if (changes.newKey()) {
      if (stored.equals(given)) {
        log.warning("--new-identity-key: the keys given are the ones this data directory already has; nothing changed");
        return;
      }
      if (stored.entrySet().containsAll(given.entrySet())) {
        TreeMap<Integer, String> dropped = new TreeMap<>(stored);
        dropped.keySet().removeAll(given.keySet());
        throw new IOException("--new-identity-key: every key given is one this data directory already has (" + FILE
            + ": " + describe(stored) + "), so no key is replaced: the start would only drop " + describe(dropped)
            + ", whose numbers would then match nothing, and it would not let a version before key generations open"
            + " this directory. If a key is lost, start once with --new-identity-key and a new key of generation "
            + (stored.lastKey() + 1) + " in identity.key.file, with the keys you still have in"
            + " identity.previous.key.files: the numbers kept under those are still found. " + ONE_WAY);
      }
      write(storage, given);
      log.severe("IDENTITY KEY REPLACED (--new-identity-key): " + FILE + " held " + describe(stored) + ", now "
          + describe(given) + "; every credential and heir's identity number stored under the old keys matches"
          + " nothing until it is registered again (UpsertInsured)");
      return;
    }
    for (IdentityKey k : keys.all()) {
      for (Map.Entry<Integer, String> e : stored.entrySet()) {
        if (e.getKey() != k.generation() && e.getValue().equals(k.checkValue())) {
          throw new IOException("the identity key of generation " + k.generation() + " given (check value "
              + k.checkValue().substring(0, 8) + "...) is the key of generation " + e.getKey() + " in " + FILE + " ("
              + describe(stored) + "): its file names the wrong generation. Write the key's file as \"" + e.getKey()
              + " <hex digits>\"; a rotation needs a new key (echo \"" + (stored.lastKey() + 1)
              + " $(openssl rand -hex 32)\")");
        }
      }
      String s = stored.get(k.generation());
      if (s != null && !s.equals(k.checkValue())) {
        boolean current = k == keys.current();
        String which = current ? "the identity key given" : "the previous identity key of generation " + k.generation()
            + " given";
        throw new IOException(which + " (check value " + k.checkValue().substring(0, 8) + "...) is not the one this data"
            + " directory was written with (" + FILE + ": " + (stored.size() > 1 || k.generation() > 1 ? "generation "
            + k.generation() + " " : "") + s.substring(0, 8) + "...): start with that key ("
            + (current ? "identity.key.file" : "identity.previous.key.files") + "). Only if it is lost for good, start"
            + " once with --new-identity-key: every credential stored under the old key then matches nothing until it"
            + " is registered again (docs/OPERATIONS.md, \"The identity key\")");
      }
    }
    int newest = stored.lastKey();
    IdentityKey current = keys.current();
    TreeMap<Integer, String> after = new TreeMap<>(stored);
    String change = null;
    if (current.generation() < newest) {
      throw new IOException("the identity key given (identity.key.file) is of generation " + current.generation()
          + ", but this data directory already has generation " + newest + " (" + FILE + ": " + describe(stored)
          + "): set identity.key.file to the key of generation " + newest + " and name the older ones in"
          + " identity.previous.key.files. " + ONE_WAY);
    }
    if (!stored.containsKey(current.generation())) {
      if (!changes.addKey()) {
        throw new IOException("the identity key given (identity.key.file, check value "
            + current.checkValue().substring(0, 8) + "...) is of generation " + current.generation() + ", which this"
            + " data directory does not have (" + FILE + ": " + describe(stored) + "). To rotate to it, start once"
            + " with --add-identity-key, with the key of generation " + newest + " (and any older one in use) in"
            + " identity.previous.key.files");
      }
      after.put(current.generation(), current.checkValue());
      change = "IDENTITY KEY ADDED (--add-identity-key): generation " + current.generation() + " (check value "
          + current.checkValue().substring(0, 8) + "...) keys every number kept from now on; numbers kept under "
          + describe(stored) + " are still found, and keyed again under generation " + current.generation()
          + " when presented (see `gongji ledger identity-keys`); a version before key generations can no longer open"
          + " this data directory";
    } else if (changes.addKey()) {
      log.warning("--add-identity-key: generation " + current.generation() + " is already in " + FILE
          + "; nothing added");
    }
    for (IdentityKey k : keys.older()) {
      if (!stored.containsKey(k.generation())) {
        throw new IOException("the previous identity key of generation " + k.generation() + " (check value "
            + k.checkValue().substring(0, 8) + "..., identity.previous.key.files) is not one this data directory"
            + " has (" + FILE + ": " + describe(stored) + "): name only the files of the keys it has");
      }
    }
    int retire = changes.retireGeneration();
    if (retire != 0 && keys.generation(retire) == current) {
      throw new IOException("--retire-identity-key " + retire + ": the key of generation " + retire + " is the current"
          + " key (identity.key.file), which cannot be retired: only an older one can, once a newer one was added"
          + (newest > 1 ? ". " + ONE_WAY : ""));
    }
    if (retire != 0 && keys.generation(retire) != null) {
      throw new IOException("--retire-identity-key " + retire + ": the key of generation " + retire + " is still given"
          + " (identity.previous.key.files): remove its file from identity.previous.key.files first");
    }
    for (int g : stored.keySet()) {
      if (keys.generation(g) != null) {
        continue;
      }
      if (g != retire) {
        throw new IOException("this data directory has numbers kept under the identity key of generation " + g + " ("
            + FILE + ": " + describe(stored) + "), but no key of that generation is given: name its file in"
            + " identity.previous.key.files (its numbers are found only with it). To retire it instead, once"
            + " `gongji ledger identity-keys` counts no credential under it, start once with --retire-identity-key "
            + g + " (docs/OPERATIONS.md, \"The identity key\")");
      }
      after.remove(g);
      change = (change == null ? "" : change + "; ") + "IDENTITY KEY RETIRED (--retire-identity-key): generation " + g
          + " (check value " + stored.get(g).substring(0, 8) + "...) is no longer in use: credentials still kept"
          + " under it match nothing until they are registered again; destroy its key file";
    }
    if (retire != 0 && !stored.containsKey(retire)) {
      log.warning("--retire-identity-key " + retire + ": generation " + retire + " is not in " + FILE + " ("
          + describe(stored) + "); nothing retired");
    }
    if (change != null) {
      write(storage, after);
      log.severe(change);
    }
  }

  /** The generations of a data directory's check values and the first digits of each, for a message. */
  private static String describe(TreeMap<Integer, String> lines) {
    StringBuilder b = new StringBuilder();
    for (Map.Entry<Integer, String> e : lines.entrySet()) {
      b.append(b.length() == 0 ? "generation " : ", ").append(e.getKey()).append(' ')
          .append(e.getValue(), 0, 8).append("...");
    }
    return b.toString();
  }

  private static TreeMap<Integer, String> lines(IdentityKeys keys) {
    TreeMap<Integer, String> lines = new TreeMap<>();
    for (IdentityKey k : keys.all()) {
      lines.put(k.generation(), k.checkValue());
    }
    return lines;
  }

  /** The generations a data directory's {@value #FILE} holds, oldest first, with their check values. */
  public static TreeMap<Integer, String> generations(Storage storage) throws IOException {
    return read(storage);
  }

  private static TreeMap<Integer, String> read(Storage storage) throws IOException {
    String text = new String(storage.read(FILE), StandardCharsets.US_ASCII);
    TreeMap<Integer, String> lines = new TreeMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Matcher m = LINE.matcher(line.strip());
      if (!m.matches() || lines.put(Integer.parseInt(m.group(1)), m.group(2)) != null) {
        lines.clear();
        break;
      }
    }
    if (lines.isEmpty()) {
      throw new IOException(FILE + " is damaged (expected: one line per key generation, " + MAGIC + ", the generation,"
          + " a space and 32 hex digits); restore it from a backup of this data directory, or start once with"
          + " --new-identity-key and the keys in use");
    }
    return lines;
  }

  private static final Pattern LINE = Pattern.compile(MAGIC + "([1-9][0-9]?) ([0-9a-f]{32})");

  /**
   * Gives a data directory assembled from parts (a benchmark's snapshot and journal, written
   * without a node) the check value of {@code key}, as a node gives a new one.
   */
  public static void stamp(Storage storage, IdentityKey key) throws IOException {
    write(storage, lines(IdentityKeys.of(key)));
  }

  /** Writes the check values: a temporary file, forced, renamed, the directory forced. */
  private static void write(Storage storage, TreeMap<Integer, String> lines) throws IOException {
    String tmp = FILE + ".tmp";
    storage.delete(tmp);
    StringBuilder text = new StringBuilder();
    lines.forEach((g, check) -> text.append(MAGIC).append(g).append(' ').append(check).append('\n'));
    byte[] bytes = text.toString().getBytes(StandardCharsets.US_ASCII);
    try (Storage.AppendFile f = storage.create(tmp)) {
      f.append(bytes, 0, bytes.length);
      f.force();
    }
    storage.rename(tmp, FILE);
    storage.syncDirectory();
  }
}
