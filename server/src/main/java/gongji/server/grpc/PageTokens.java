package gongji.server.grpc;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque page tokens (AIP-158): the offset of the next item and a fingerprint of the query, so that
 * a token is refused when used with another query. Page sizes default to 100 and are capped at 1,000.
 *
 * <p>A token comes back from the client and may be forged: its offset is checked here, at the edge,
 * and one past {@link #MAX_OFFSET} is a field violation that never reaches the ledger.
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

  private PageTokens() {}

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
   * The position a token stands for (0 for an empty token) where it is not an offset into a list but
   * a sequence number to continue after (alerts); a bad token is a field violation.
   */
  static long position(Validator v, String token, String query) {
    if (token.isEmpty()) {
      return 0;
    }
    try {
      String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      int bar = decoded.indexOf('|');
      if (bar > 0 && decoded.substring(bar + 1).equals(Integer.toHexString(query.hashCode()))) {
        long offset = Long.parseLong(decoded.substring(0, bar));
        if (offset >= 0) {
          return offset;
        }
      }
    } catch (IllegalArgumentException e) {
      // Falls through to the violation below.
    }
    v.fail("page_token", shown(token) + " (expected: a next_page_token returned by the same query)");
    return 0;
  }

  private static String shown(String token) {
    return Validator.show(token);
  }

  static String next(long offset, String query) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        (offset + "|" + Integer.toHexString(query.hashCode())).getBytes(StandardCharsets.UTF_8));
  }
}
