package gongji.server.grpc;

import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * The bearer tokens the gateway accepts, each naming its {@link Principal}. The file has one token a
 * line, {@code <token>=<principal>}, blank lines and {@code #} comments allowed. A token is best
 * stored as its hash, {@code sha256:<64 hex digits>=<principal>}, so that the file does not hold
 * what a caller would need to present; {@code gongji token PRINCIPAL} makes a new token and its line.
 * Tokens are compared by their SHA-256, never as text.
 */
public final class BearerTokens {
  private static final Logger log = Logger.getLogger(BearerTokens.class.getName());
  static final String HASH_PREFIX = "sha256:";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** SHA-256 of the token (hex) -> who presents it. */
  private final Map<String, Principal> byHash;

  private BearerTokens(Map<String, Principal> byHash) {
    this.byHash = Map.copyOf(byHash);
  }

  /** No tokens: only certificates can identify a caller. */
  public static BearerTokens none() {
    return new BearerTokens(Map.of());
  }

  /** Reads a tokens file (see the class comment). */
  public static BearerTokens fromFile(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Map<String, Principal> byHash = new HashMap<>();
    int plain = 0;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String where = file + ":" + (i + 1);
      if (eq <= 0) {
        throw new IllegalArgumentException(where + ": expected <token>=<principal> or sha256:<hex>=<principal>");
      }
      String key = line.substring(0, eq).trim();
      String hash;
      if (key.startsWith(HASH_PREFIX)) {
        hash = key.substring(HASH_PREFIX.length());
        if (!hash.matches("[0-9a-f]{64}")) {
          throw new IllegalArgumentException(where + ": sha256: needs 64 lower-case hex digits");
        }
      } else {
        hash = hash(key);
        plain++;
      }
      Principal who;
      try {
        who = Principal.parse(line.substring(eq + 1).trim(), "token " + HASH_PREFIX + hash.substring(0, 8));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
      }
      if (byHash.put(hash, who) != null) {
        throw new IllegalArgumentException(where + ": the same token twice");
      }
    }
    if (plain > 0) {
      log.warning(file + ": " + plain + " token(s) stored in plain text; store sha256:<hex> instead"
          + " (gongji token PRINCIPAL prints both)");
    }
    return new BearerTokens(byHash);
  }

  /** Tokens given as {@code token -> principal text} (the demo's, printed at start). */
  public static BearerTokens of(Map<String, String> tokens) {
    Map<String, Principal> byHash = new HashMap<>();
    tokens.forEach((token, who) -> {
      String hash = hash(token);
      byHash.put(hash, Principal.parse(who, "token " + HASH_PREFIX + hash.substring(0, 8)));
    });
    return new BearerTokens(byHash);
  }

  /** Whether there is no token. */
  public boolean isEmpty() {
    return byHash.isEmpty();
  }

  /** Whether some token belongs to the back office. */
  public boolean hasAdmin() {
    return byHash.values().stream().anyMatch(p -> p instanceof Principal.Admin);
  }

  /** Who presents {@code token}, or null. */
  Principal lookup(String token) {
    return byHash.get(hash(token));
  }

  static String hash(String token) {
    return Hashing.sha256().hashString(token, StandardCharsets.UTF_8).toString();
  }

  /**
   * A new random token for {@code principal} (checked), and the two lines for the tokens file:
   * the token for the caller, the hash for the gateway.
   */
  public static String issue(String principal) {
    Principal.parse(principal, "new token");
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String token = "gj_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    return "token (give it to the caller; it is not stored): " + token + "\n"
        + "line for auth.tokens.file:                          " + HASH_PREFIX + hash(token) + "=" + principal;
  }
}
