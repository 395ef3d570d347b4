package gongji.server.domain;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The key that turns identity numbers and credential numbers into what the gateway keeps of them:
 * a keyed hash (HMAC-SHA256), so that the ledger, the journal, the snapshots and history hold no
 * number a reader of the data directory could use, and a presented credential still finds its owner
 * (the same number under the same key gives the same hash).
 *
 * <p>Keys have generations (1, 2, ... up to {@value #MAX_GENERATION}), so that a key can be rotated without
 * the numbers: a keyed number is {@code "k"}, its key's generation, {@code ":"} and the 32 bytes of
 * {@code HMAC-SHA256(key, type code | number)} in unpadded base64url (46 printable characters for
 * generation 1, every number kept before keys had generations; at most 47), within the 64 a
 * credential number may have. An
 * identity card number is taken in upper case first (its only letter, the check digit X, is
 * written either way); other numbers as given. An heir's identity number is keyed as an identity
 * card, so that it matches the person who holds that card.
 *
 * <p>The key stays outside the data directory ({@code identity.key.file}); the data directory keeps
 * only its check value ({@link #checkValue()}: an HMAC of a fixed text, which says nothing of the
 * key), so that a start with another key is refused instead of finding nobody. Without the key the
 * hashes cannot be matched or reversed; with it, an identity number (about 10^11 possible values) can
 * be found from its hash by trying them all, so the key is as secret as the numbers.
 */
public final class IdentityKey {
  /** The shortest key accepted, in bytes. */
  public static final int MIN_KEY_BYTES = 32;
  /** The newest generation a key may have (so that a keyed number's prefix is at most {@code "k99:"}). */
  public static final int MAX_GENERATION = 99;
  /** The length of a keyed number's hash part (32 bytes in unpadded base64url). */
  private static final int HASH_CHARS = 43;
  private static final byte[] CHECK_TEXT = "gongji identity key check value v1".getBytes(StandardCharsets.US_ASCII);

  /**
   * The key of {@code --demo} and of nodes built in tests: published in this source, so it protects
   * nothing. A real gateway refuses to start without a key of its own.
   */
  public static final IdentityKey DEMO = new IdentityKey(1,
      Hashing.sha256().hashString("gongji demo identity key: not a secret", StandardCharsets.US_ASCII).asBytes());

  private final int generation;
  private final String prefix;
  private final HashFunction mac;
  private final String checkValue;

  private IdentityKey(int generation, byte[] key) {
    checkArgument(key.length >= MIN_KEY_BYTES, "identity key: %s bytes (expected: >= %s)", key.length, MIN_KEY_BYTES);
    checkArgument(generation >= 1 && generation <= MAX_GENERATION, "identity key generation: %s (expected: 1 to %s)",
        generation, MAX_GENERATION);
    this.generation = generation;
    this.prefix = "k" + generation + ":";
    this.mac = Hashing.hmacSha256(key);
    this.checkValue = HexFormat.of().formatHex(mac.hashBytes(CHECK_TEXT).asBytes(), 0, 16);
  }

  /** A first-generation key of these bytes (at least {@value #MIN_KEY_BYTES}). */
  public static IdentityKey of(byte[] key) {
    return new IdentityKey(1, key.clone());
  }

  /** A key of these bytes and this generation. */
  public static IdentityKey of(int generation, byte[] key) {
    return new IdentityKey(generation, key.clone());
  }

  /**
   * The key in {@code file}: on one line, its generation, one space, then at least 64 hexadecimal
   * digits (32 bytes), as {@code echo "2 $(openssl rand -hex 32)"} writes them; a line of digits
   * alone is a first-generation key (every key file written before keys had generations). Blank
   * space around them is ignored.
   *
   * @throws IllegalArgumentException saying what is wrong with the file's content (never the content)
   */
  public static IdentityKey fromFile(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    int generation = 1;
    int space = text.indexOf(' ');
    if (space > 0) {
      String g = text.substring(0, space);
      if (!g.matches("[0-9]{1,2}") || Integer.parseInt(g) < 1) {
        throw new IllegalArgumentException(file + ": expected a generation from 1 to " + MAX_GENERATION
            + " before the key's digits (as in: 2 <64 hexadecimal digits>), found " + g.length() + " characters");
      }
      generation = Integer.parseInt(g);
      text = text.substring(space + 1).strip();
    }
    if (text.length() < 2 * MIN_KEY_BYTES || text.length() % 2 != 0 || !text.matches("[0-9A-Fa-f]+")) {
      throw new IllegalArgumentException(file + ": expected " + 2 * MIN_KEY_BYTES + " or more hexadecimal digits"
          + " on one line, after the key's generation (make one with: echo \"1 $(openssl rand -hex 32)\","
          + " for a rotation the next generation's number instead of 1), found " + text.length() + " characters");
    }
    return new IdentityKey(generation, HexFormat.of().parseHex(text));
  }

  /** The key's generation: 1 for the first key of a data directory, one more at each rotation. */
  public int generation() {
    return generation;
  }

  /** The credential as the gateway keeps it: its type, and its number keyed. */
  public Credential credential(Credential presented) {
    return new Credential(presented.type(), keyed(presented.type(), presented.number()));
  }

  /** An identity card number (an heir's, say) as the gateway keeps it: as an identity card credential's. */
  public String idNumber(String idNumber) {
    return keyed(CredentialType.ID_CARD, idNumber);
  }

  /**
   * Any text keyed as it is, for a content hash that covers a number without depending on it
   * alone (the national interface's {@code mdtrt_cert_no}).
   */
  public String text(String text) {
    return keyed(null, text);
  }

  private String keyed(CredentialType type, String number) {
    requireNonNull(number, "number");
    String normal = type == CredentialType.ID_CARD ? number.toUpperCase(Locale.ROOT) : number;
    byte[] h = mac.newHasher().putByte(type == null ? (byte) 0xff : (byte) type.code())
        .putString(normal, StandardCharsets.UTF_8).hash().asBytes();
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(h);
  }

  /** Whether {@code number} has the shape of a keyed number (what the gateway keeps, never what is presented). */
  public static boolean isKeyed(String number) {
    return generationOf(number) > 0;
  }

  /**
   * The generation of the key that made a keyed number ({@code "k2:..."}: 2), or 0 when
   * {@code number} does not have the shape of one.
   */
  public static int generationOf(String number) {
    int colon = number.indexOf(':');
    if (colon < 2 || colon > 3 || number.charAt(0) != 'k' || number.length() != colon + 1 + HASH_CHARS) {
      return 0;
    }
    int g = 0;
    for (int i = 1; i < colon; i++) {
      char ch = number.charAt(i);
      if (ch < '0' || ch > '9') {
        return 0;
      }
      g = g * 10 + (ch - '0');
    }
    return g >= 1 && (colon == 2 || number.charAt(1) != '0') ? g : 0;
  }

  /**
   * The key's check value: 32 hex digits of the HMAC of a fixed text under the key, kept in the data
   * directory to tell the right key from another. It reveals nothing of the key or of any number.
   */
  public String checkValue() {
    return checkValue;
  }

  /** Never the key: its check value's first 8 digits, to tell keys apart in a message. */
  @Override
  public String toString() {
    return "IdentityKey[generation " + generation + ", check " + checkValue.substring(0, 8) + "]";
  }
}
