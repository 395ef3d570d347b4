package gongji.server.national;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import gongji.server.text.SafeText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The request signature of the provincial platforms' API gateways, and who signed: the caller's
 * credential on the national interface. A request carries four headers:
 *
 * <pre>
 *   x-tif-paasid     the caller's id, issued with its paasToken
 *   x-tif-timestamp  seconds (or milliseconds) since 1970-01-01 UTC
 *   x-tif-nonce      1..64 of [A-Za-z0-9_-], used once
 *   x-tif-signature  hex SHA-256 of timestamp + paasToken + nonce + timestamp
 * </pre>
 *
 * <p>The callers file has one caller a line, {@code <paasid> <paasToken> <principal>}, blank lines
 * and {@code #} comments allowed; the principal is {@code P62010200017} (any terminal of the
 * institution, an HIS) or {@code P62010200017/POS01} (one terminal), as in the bearer tokens file.
 * The token must be stored as it is: the signature is made with it.
 *
 * <p>A request is refused, in this order, when a header is missing, the paasid is unknown, the
 * timestamp is more than {@code maxSkew} from the gateway's clock, the nonce is malformed, the
 * signature does not match, or the nonce was already used by this paasid. A nonce is remembered
 * until its timestamp is stale, so a replay is refused either as stale or as a used nonce. At most
 * {@code maxNonces} are remembered (one may stay up to another {@code maxSkew} behind an older one): past that, new requests are refused as busy rather than
 * forgetting a nonce that could then be replayed. The signature does not cover the body: it
 * proves who sends, not what; the body's integrity needs TLS (a proxy in front of this port).
 */
public final class TifSignatures {
  static final String PAASID = "x-tif-paasid";
  static final String TIMESTAMP = "x-tif-timestamp";
  static final String NONCE = "x-tif-nonce";
  static final String SIGNATURE = "x-tif-signature";

  private static final Pattern PAASID_FORM = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern NONCE_FORM = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern SECONDS_FORM = Pattern.compile("[0-9]{1,10}");
  private static final Pattern MILLIS_FORM = Pattern.compile("[0-9]{13}");
  private static final HashFunction NONCE_HASH = Hashing.murmur3_128(0x74696621);

  /** Who signed: the institution it may act for, and its terminal (null: any terminal of it). */
  record Caller(String paasId, String institution, String terminal) {
    Caller {
      requireNonNull(paasId, "paasId");
      requireNonNull(institution, "institution");
    }
  }

  /** The four headers of a request as they came; null for a missing one. */
  record Headers(String paasId, String timestamp, String nonce, String signature) {
    static final Headers NONE = new Headers(null, null, null, null);
  }

  /** The outcome of {@link #verify}: a caller, or a refusal with the reason, the cashier's text and the detail. */
  sealed interface Verdict {
    record Verified(Caller caller) implements Verdict {}

    record Refused(String reason, String errMsg, String detail) implements Verdict {}
  }

  private record Entry(String token, Caller caller) {}

  private final Map<String, Entry> callers;
  private final long maxSkewMillis;
  private final int maxNonces;
  private final InstantSource clock;
  /**
   * A 64-bit hash of paasid + nonce -> when it may be forgotten (its timestamp + maxSkew), in the
   * order first seen: about 80 bytes a nonce. A collision refuses one signed request as a replay
   * (about 1 in 10^13 at a million remembered); the caller sends it again with a new nonce.
   */
  private final LinkedHashMap<Long, Long> nonces = new LinkedHashMap<>();

  private TifSignatures(Map<String, Entry> callers, Duration maxSkew, int maxNonces, InstantSource clock) {
    checkArgument(!maxSkew.isNegative() && !maxSkew.isZero(), "national.signature.max.skew.seconds: %s (expected: > 0)",
        maxSkew.toSeconds());
    checkArgument(maxNonces > 0, "national.signature.max.nonces: %s (expected: > 0)", maxNonces);
    this.callers = Map.copyOf(callers);
    this.maxSkewMillis = maxSkew.toMillis();
    this.maxNonces = maxNonces;
    this.clock = requireNonNull(clock, "clock");
  }

  /**
   * Reads a callers file (see the class comment).
   *
   * @throws IllegalArgumentException naming the file, the line and what was expected
   */
  public static TifSignatures fromFile(Path file, Duration maxSkew, int maxNonces, InstantSource clock) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    Map<String, Entry> callers = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).trim();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String where = file + ":" + (i + 1);
      String[] parts = line.split("\\s+");
      if (parts.length != 3) {
        throw new IllegalArgumentException(where + ": " + parts.length + " fields (expected: <paasid> <paasToken>"
            + " <principal>, e.g. his01 s3cret P62010200017)");
      }
      checkArgument(PAASID_FORM.matcher(parts[0]).matches(), "%s: paasid \"%s\" (expected: 1..64 of [A-Za-z0-9_.-])",
          where, SafeText.escape(parts[0]));
      checkArgument(parts[1].length() >= 16, "%s: the paasToken of %s has %s characters (expected: at least 16)",
          where, parts[0], parts[1].length());
      int slash = parts[2].indexOf('/');
      String institution = slash < 0 ? parts[2] : parts[2].substring(0, slash);
      String terminal = slash < 0 ? null : parts[2].substring(slash + 1);
      checkArgument(Fields.INSTITUTION.matcher(institution).matches()
          && (terminal == null || Fields.TERMINAL_ID.matcher(terminal).matches()),
          "%s: principal \"%s\" (expected: P62010200017 or P62010200017/POS01)", where, SafeText.escape(parts[2]));
      Entry previous = callers.put(parts[0], new Entry(parts[1], new Caller(parts[0], institution, terminal)));
      checkArgument(previous == null, "%s: paasid %s appears twice", where, parts[0]);
    }
    checkArgument(!callers.isEmpty(), "%s: no callers (expected: <paasid> <paasToken> <principal> lines)", file);
    return new TifSignatures(callers, maxSkew, maxNonces, clock);
  }

  /** The signature a caller with {@code paasToken} sends: hex SHA-256 of timestamp + token + nonce + timestamp. */
  static String sign(String timestamp, String paasToken, String nonce) {
    return Hashing.sha256().hashString(timestamp + paasToken + nonce + timestamp, StandardCharsets.UTF_8).toString();
  }

  /** Checks one request's headers; records its nonce when it passes. */
  Verdict verify(Headers h) {
    for (String[] header : new String[][] {{PAASID, h.paasId()}, {TIMESTAMP, h.timestamp()}, {NONCE, h.nonce()},
        {SIGNATURE, h.signature()}}) {
      if (header[1] == null || header[1].isEmpty()) {
        return new Verdict.Refused("UNAUTHENTICATED", "请求头缺少" + header[0] + "，请按接入规范签名",
            header[0] + ": missing (expected: x-tif-paasid, x-tif-timestamp, x-tif-nonce and x-tif-signature)");
      }
    }
    Entry entry = PAASID_FORM.matcher(h.paasId()).matches() ? callers.get(h.paasId()) : null;
    if (entry == null) {
      return new Verdict.Refused("UNAUTHENTICATED", "接入方x-tif-paasid未登记：" + shorten(h.paasId()),
          PAASID + ": \"" + shorten(h.paasId()) + "\" is not a registered caller");
    }
    long now = clock.millis();
    long sentMillis;
    if (SECONDS_FORM.matcher(h.timestamp()).matches()) {
      sentMillis = Long.parseLong(h.timestamp()) * 1000;
    } else if (MILLIS_FORM.matcher(h.timestamp()).matches()) {
      sentMillis = Long.parseLong(h.timestamp());
    } else {
      return new Verdict.Refused("UNAUTHENTICATED", "请求头x-tif-timestamp格式不正确：" + shorten(h.timestamp()),
          TIMESTAMP + ": \"" + shorten(h.timestamp()) + "\" (expected: seconds or milliseconds since 1970)");
    }
    if (Math.abs(now - sentMillis) > maxSkewMillis) {
      return new Verdict.Refused("STALE_TIMESTAMP", "请求时间戳x-tif-timestamp与网关时间相差超过" + maxSkewMillis / 1000
          + "秒，请校准时钟后重发", TIMESTAMP + ": " + h.timestamp() + " is " + (now - sentMillis) / 1000
          + " s from the gateway's clock (expected: within " + maxSkewMillis / 1000 + " s)");
    }
    if (!NONCE_FORM.matcher(h.nonce()).matches()) {
      return new Verdict.Refused("UNAUTHENTICATED", "请求头x-tif-nonce格式不正确：" + shorten(h.nonce()),
          NONCE + ": \"" + shorten(h.nonce()) + "\" (expected: 1..64 of [A-Za-z0-9_-])");
    }
    byte[] expected = sign(h.timestamp(), entry.token(), h.nonce())
        .getBytes(StandardCharsets.US_ASCII);
    byte[] given = h.signature().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, given)) {
      return new Verdict.Refused("UNAUTHENTICATED", "请求签名x-tif-signature校验失败，请核对paasToken和签名算法",
          SIGNATURE + ": does not match (expected: hex SHA-256 of timestamp + paasToken + nonce + timestamp)");
    }
    long key = NONCE_HASH.hashString(h.paasId() + '\0' + h.nonce(), StandardCharsets.UTF_8).asLong();
    synchronized (nonces) {
      for (Iterator<Long> it = nonces.values().iterator(); it.hasNext(); ) {
        if (it.next() > now) {
          break;
        }
        it.remove();
      }
      if (nonces.containsKey(key)) {
        return new Verdict.Refused("NONCE_REUSED", "请求随机数x-tif-nonce已使用过，疑似重放，已拒绝",
            NONCE + ": " + h.nonce() + " was already used by " + h.paasId() + " within " + maxSkewMillis / 1000 + " s");
      }
      if (nonces.size() >= maxNonces) {
        return new Verdict.Refused("LEDGER_UNAVAILABLE", "系统繁忙，请稍后使用相同msgid重试",
            "more than " + maxNonces + " nonces within " + maxSkewMillis / 1000
                + " s (national.signature.max.nonces); nothing was done");
      }
      nonces.put(key, sentMillis + maxSkewMillis);
    }
    return new Verdict.Verified(entry.caller());
  }

  private static String shorten(String value) {
    return SafeText.escape(SafeText.cut(value, 64));
  }
}
