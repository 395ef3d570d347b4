package gongji.server.grpc;

import com.google.common.hash.HashCode;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Opaque, authenticated page tokens (AIP-158). A token names a position in one query's list and
 * carries an HMAC-SHA256 of that position and the query, under a key made when the gateway starts:
 * a token cannot be forged or altered, and one used with another query is refused, as is one from
 * before a restart (the caller starts again from the first page). A bad token is a field violation of
 * {@code page_token}, never a crash. Page sizes default to 100 and are capped at 1,000.
 *
 * <p>What the position is depends on the list, so that a list stays consistent while items arrive
 * between pages: a cursor naming the last item returned (an alert's sequence number, a wallet
 * transfer's or a binding's number) where new items can land before it (newest-first lists, lists in
 * an order of their own), and an offset only where items are only ever appended after the end
 * (oldest-first history: usage records, a day's reconciliation lines).
 *
 * <p>Token layout, base64url without padding: version (1 byte), position (8 bytes), the first 15
 * bytes of HMAC-SHA256(key, version | position | query): 24 bytes, 32 characters, none with spare bits.
 */
final class PageTokens {
  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1000;
  /**
   * The largest offset a token may carry: far more items than one query pages through (a province
   * settles about 2 million sales a day), and far enough below {@link Integer#MAX_VALUE} that the
   * ledger may add it to an index and the page size without overflowing an int.
   */
  static final int MAX_OFFSET = 100_000_000;

  private static final byte VERSION = 1;
  private static final int MAC_BYTES = 15;
  private static final int TOKEN_BYTES = 1 + Long.BYTES + MAC_BYTES;
  /** The key of this run of the gateway: tokens live as long as the process. */
  private static final HashFunction MAC = Hashing.hmacSha256(newKey());

  private PageTokens() {}

  private static byte[] newKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  /** The page size to use: the default for 0, at most {@link #MAX_PAGE_SIZE} (capped, not refused, AIP-158). */
  static int pageSize(Validator v, int requested) {
    v.range("page_size", requested, 0, Integer.MAX_VALUE);
    return requested == 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
  }

  /**
   * The offset a token stands for (0 for an empty token), at most {@link #MAX_OFFSET}; a bad token
   * is a field violation.
   */
  static int offset(Validator v, String token, String query) {
    long offset = position(v, token, query);
    if (offset > MAX_OFFSET) {
      v.fail("page_token", shown(token) + " stands for offset " + offset + " (expected: a next_page_token returned by"
          + " the same query, at most " + MAX_OFFSET + ")");
      return 0;
    }
    return (int) offset;
  }

  /**
   * The position a token stands for: 0 for an empty token, else what {@link #next} was given for the
   * same query in this run of the gateway; anything else is a field violation (and 0).
   */
  static long position(Validator v, String token, String query) {
    if (token.isEmpty()) {
      return 0;
    }
    byte[] bytes = null;
    try {
      bytes = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      // Not base64: refused below.
    }
    if (bytes != null && bytes.length == TOKEN_BYTES && bytes[0] == VERSION) {
      long position = ByteBuffer.wrap(bytes, 1, Long.BYTES).getLong();
      byte[] mac = new byte[MAC_BYTES];
      System.arraycopy(bytes, 1 + Long.BYTES, mac, 0, MAC_BYTES);
      if (position >= 0 && MessageDigest.isEqual(mac, mac(position, query))) {
        return position;
      }
    }
    v.fail("page_token", shown(token) + " (expected: a next_page_token returned by the same query since the gateway"
        + " started; start again from the first page with an empty page_token)");
    return 0;
  }

  /** The token of {@code position} (at least 0) in {@code query}'s list. */
  static String next(long position, String query) {
    ByteBuffer token = ByteBuffer.allocate(TOKEN_BYTES).put(VERSION).putLong(position).put(mac(position, query));
    return Base64.getUrlEncoder().withoutPadding().encodeToString(token.array());
  }

  private static byte[] mac(long position, String query) {
    HashCode h = MAC.newHasher().putByte(VERSION).putLong(position).putString(query, StandardCharsets.UTF_8).hash();
    byte[] mac = new byte[MAC_BYTES];
    System.arraycopy(h.asBytes(), 0, mac, 0, MAC_BYTES);
    return mac;
  }

  private static String shown(String token) {
    return Validator.show(token);
  }
}
