package gongji.server.grpc;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Opaque page tokens (AIP-158): the offset of the next item and a fingerprint of the query, so that
 * a token is refused when used with another query. Page sizes default to 100 and are capped at 1,000.
 */
final class PageTokens {
  static final int DEFAULT_PAGE_SIZE = 100;
  static final int MAX_PAGE_SIZE = 1000;

  private PageTokens() {}

  static int pageSize(Validator v, int requested) {
    v.range("page_size", requested, 0, MAX_PAGE_SIZE);
    return requested == 0 ? DEFAULT_PAGE_SIZE : Math.min(requested, MAX_PAGE_SIZE);
  }

  /** The offset a token stands for (0 for an empty token); a bad token is a field violation. */
  static long offset(Validator v, String token, String query) {
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
    v.fail("page_token", "\"" + (token.length() > 64 ? token.substring(0, 64) + "…" : token)
        + "\" (expected: a next_page_token returned by the same query)");
    return 0;
  }

  static String next(long offset, String query) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(
        (offset + "|" + Integer.toHexString(query.hashCode())).getBytes(StandardCharsets.UTF_8));
  }
}
