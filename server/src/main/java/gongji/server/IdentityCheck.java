package gongji.server;

import gongji.server.domain.IdentityKey;
import gongji.server.ledger.storage.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.logging.Logger;

/**
 * The identity key's check value in the data directory ({@value #FILE}: {@code "GJK1 "}, 32 hex
 * digits, a newline), checked at every start before anything is read, so that a node started with
 * another key than the one its data were written with is refused with a clear message instead of
 * finding no patient.
 *
 * <ul>
 *   <li>A new data directory (no journal, no snapshot) gets the key's check value.
 *   <li>A data directory with the check value of the key given opens.
 *   <li>Another key's check value: refused, unless the operator starts once with
 *       {@code --new-identity-key} (the old key is lost): the new key's check value replaces it,
 *       logged as SEVERE, and every credential stored under the old key matches nothing until it is
 *       registered again.
 *   <li>A journal or snapshot with no check value: written by a version that kept identity and
 *       credential numbers in plain text. Refused (see {@link #UNKEYED}): opening it would leave
 *       those numbers on disk, in journal segments, snapshots and history's files, where no start
 *       can take them back out.
 * </ul>
 */
public final class IdentityCheck {
  private static final Logger log = Logger.getLogger(IdentityCheck.class.getName());
  static final String FILE = "identity.check";
  private static final String MAGIC = "GJK1 ";

  /** Why a data directory of a version before identity numbers were keyed is refused, and what to do. */
  static final String UNKEYED = "it was written by a version that kept identity and credential numbers in plain text"
      + " (it has a journal but no " + FILE + "), and this version does not open it: the numbers would stay on disk"
      + " in its journal segments, snapshots and history. Either keep serving it with the version that wrote it, or"
      + " start this version on a new, empty data directory and register the institutions, insured persons (with"
      + " their credentials), balances and bindings again from the agency's records; then destroy the old"
      + " directory and its backups by your retention rule (docs/OPERATIONS.md, \"The identity key\")";

  private IdentityCheck() {}

  /**
   * Checks {@code key} against the data directory's check value, writing it into a new directory
   * (or, with {@code newKey}, over another key's).
   *
   * @throws IOException with a message that says what is wrong and what to do
   */
  static void verify(Storage storage, IdentityKey key, boolean newKey) throws IOException {
    List<String> names = storage.list();
    if (!names.contains(FILE)) {
      if (names.stream().anyMatch(n -> n.startsWith("journal-") || n.startsWith("snapshot-"))) {
        throw new IOException(UNKEYED);
      }
      write(storage, key);
      log.info("identity key: " + FILE + " written for a new data directory (" + key + ")");
      return;
    }
    String stored = read(storage);
    if (stored.equals(key.checkValue())) {
      if (newKey) {
        log.warning("--new-identity-key: the key given is the one this data directory already has; nothing changed");
      }
      return;
    }
    if (!newKey) {
      throw new IOException("the identity key given (check value " + key.checkValue().substring(0, 8) + "...) is not"
          + " the one this data directory was written with (" + FILE + ": " + stored.substring(0, 8) + "...): start"
          + " with that key (identity.key.file). Only if it is lost for good, start once with --new-identity-key:"
          + " every credential stored under the old key then matches nothing until it is registered again"
          + " (docs/OPERATIONS.md, \"The identity key\")");
    }
    write(storage, key);
    log.severe("IDENTITY KEY REPLACED (--new-identity-key): " + FILE + " held check value " + stored.substring(0, 8)
        + "..., now " + key.checkValue().substring(0, 8) + "...; every credential and heir's identity number stored"
        + " under the old key matches nothing until it is registered again (UpsertInsured)");
  }

  private static String read(Storage storage) throws IOException {
    String text = new String(storage.read(FILE), StandardCharsets.US_ASCII);
    if (!text.startsWith(MAGIC) || !text.substring(MAGIC.length()).strip().matches("[0-9a-f]{32}")) {
      throw new IOException(FILE + " is damaged (expected: " + MAGIC.strip() + " and 32 hex digits); restore it"
          + " from a backup of this data directory, or start once with --new-identity-key and the key in use");
    }
    return text.substring(MAGIC.length()).strip();
  }

  /**
   * Gives a data directory assembled from parts (a benchmark's snapshot and journal, written
   * without a node) the check value of {@code key}, as a node gives a new one.
   */
  public static void stamp(Storage storage, IdentityKey key) throws IOException {
    write(storage, key);
  }

  /** Writes the check value: a temporary file, forced, renamed, the directory forced. */
  private static void write(Storage storage, IdentityKey key) throws IOException {
    String tmp = FILE + ".tmp";
    storage.delete(tmp);
    byte[] bytes = (MAGIC + key.checkValue() + "\n").getBytes(StandardCharsets.US_ASCII);
    try (Storage.AppendFile f = storage.create(tmp)) {
      f.append(bytes, 0, bytes.length);
      f.force();
    }
    storage.rename(tmp, FILE);
    storage.syncDirectory();
  }
}
