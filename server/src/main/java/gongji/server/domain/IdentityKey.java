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
 * <p>A keyed number is {@code "k1:"} and the 32 bytes of {@code HMAC-SHA256(key, type code | number)}
 * in unpadded base64url: 46 printable characters, within the 64 a credential number may have. An
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
  /** What every keyed number starts with: the version of the scheme. */
  public static final String PREFIX = "k1:";
  private static final int KEYED_LENGTH = PREFIX.length() + 43;
  private static final byte[] CHECK_TEXT = "gongji identity key check value v1".getBytes(StandardCharsets.US_ASCII);

  /**
   * The key of {@code --demo} and of nodes built in tests: published in this source, so it protects
   * nothing. A real gateway refuses to start without a key of its own.
   */
  public static final IdentityKey DEMO = new IdentityKey(
      Hashing.sha256().hashString("gongji demo identity key: not a secret", StandardCharsets.US_ASCII).asBytes());

  private final HashFunction mac;
  private final String checkValue;

  private IdentityKey(byte[] key) {
    checkArgument(key.length >= MIN_KEY_BYTES, "identity key: %s bytes (expected: >= %s)", key.length, MIN_KEY_BYTES);
    this.mac = Hashing.hmacSha256(key);
    this.checkValue = HexFormat.of().formatHex(mac.hashBytes(CHECK_TEXT).asBytes(), 0, 16);
  }

  /** A key of these bytes (at least {@value #MIN_KEY_BYTES}). */
  public static IdentityKey of(byte[] key) {
    return new IdentityKey(key.clone());
  }

  /**
   * The key in {@code file}: at least 64 hexadecimal digits (32 bytes) on one line, as
   * {@code openssl rand -hex 32} writes them; blank space around them is ignored.
   *
   * @throws IllegalArgumentException saying what is wrong with the file's content (never the content)
   */
  public static IdentityKey fromFile(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    if (text.length() < 2 * MIN_KEY_BYTES || text.length() % 2 != 0 || !text.matches("[0-9A-Fa-f]+")) {
      throw new IllegalArgumentException(file + ": expected " + 2 * MIN_KEY_BYTES + " or more hexadecimal digits"
          + " on one line (make one with: openssl rand -hex 32), found " + text.length() + " characters");
    }
    return new IdentityKey(HexFormat.of().parseHex(text));
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
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(h);
  }

  /** Whether {@code number} has the shape of a keyed number (what the gateway keeps, never what is presented). */
  public static boolean isKeyed(String number) {
    return number.length() == KEYED_LENGTH && number.startsWith(PREFIX);
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
    return "IdentityKey[check " + checkValue.substring(0, 8) + "]";
  }
}
