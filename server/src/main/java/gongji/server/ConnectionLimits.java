package gongji.server;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;
import java.util.Map;

/**
 * The bounds each gRPC connection (terminal port and admin port alike) is held to, so that one
 * caller cannot tie up the server: calls in flight, the size of a request's headers, keepalive
 * enforcement, idle connections, and a maximum connection age after which the client is asked to
 * reconnect (so that connections rebalance and rotated certificates take effect). The largest
 * request message is {@link GatewayConfig#maxInboundMessageBytes}.
 *
 * <p>Over a limit: a call beyond {@code maxConcurrentCallsPerConnection} waits in the client until
 * a call of that connection ends (HTTP/2 MAX_CONCURRENT_STREAMS); headers over
 * {@code maxInboundMetadataBytes} fail the call; a client that pings more often than
 * {@code permitKeepAliveTime} or resets more than {@code maxRstFramesPerMinute} streams a minute
 * (the HTTP/2 rapid-reset attack) has its connection closed (GOAWAY).
 *
 * <p>A call whose headers came but whose request has not all arrived (a client that stalls, breaks
 * or means harm: headers, then part of a message or nothing, never the end of the stream) holds a
 * stream and what came of its request. {@code maxCallsAwaitingBody} bounds such calls on all
 * connections together (a new call over it is refused at its headers, RESOURCE_EXHAUSTED with
 * reason {@code OVERLOADED}), and {@code requestBodyTimeout} how long each may wait (then it is
 * ended unread, UNAVAILABLE with reason {@code REQUEST_BODY_TIMEOUT}): see {@code grpc.InFlightBound}.
 */
public record ConnectionLimits(
    int maxConcurrentCallsPerConnection,
    int maxInboundMetadataBytes,
    Duration keepAliveTime,
    Duration keepAliveTimeout,
    Duration permitKeepAliveTime,
    Duration maxConnectionIdle,
    Duration maxConnectionAge,
    Duration maxConnectionAgeGrace,
    int maxRstFramesPerMinute,
    int maxCallsAwaitingBody,
    Duration requestBodyTimeout) {

  public ConnectionLimits {
    checkArgument(maxConcurrentCallsPerConnection > 0, "max.concurrent.calls.per.connection: %s (expected: > 0)",
        maxConcurrentCallsPerConnection);
    checkArgument(maxInboundMetadataBytes >= 1024, "max.inbound.metadata.bytes: %s (expected: >= 1024)",
        maxInboundMetadataBytes);
    positive(keepAliveTime, "keepalive.time.seconds");
    positive(keepAliveTimeout, "keepalive.timeout.seconds");
    positive(permitKeepAliveTime, "permit.keepalive.time.seconds");
    positive(maxConnectionIdle, "max.connection.idle.seconds");
    positive(maxConnectionAge, "max.connection.age.seconds");
    checkArgument(!maxConnectionAgeGrace.isNegative(), "max.connection.age.grace.seconds: %s (expected: >= 0)",
        maxConnectionAgeGrace.toSeconds());
    checkArgument(maxRstFramesPerMinute > 0, "max.rst.frames.per.minute: %s (expected: > 0)", maxRstFramesPerMinute);
    checkArgument(maxCallsAwaitingBody > 0, "max.calls.awaiting.body: %s (expected: > 0)", maxCallsAwaitingBody);
    checkArgument(requestBodyTimeout.toSeconds() >= 1 && requestBodyTimeout.toSeconds() <= 3600,
        "request.body.timeout.seconds: %s (expected: 1 to 3600)", requestBodyTimeout.toSeconds());
  }

  /**
   * How long a call may take to send its whole request after its headers, by default: all our RPCs
   * are unary and a request follows its headers within milliseconds, but under a flood at twice
   * saturation it was measured up to 8.6 s late (docs/PERFORMANCE.md 2026-12-05 01:05); 30 s is
   * three times that, and six times the SDK's default deadline (5 s), so a client still waiting for
   * its answer never has its call ended by it: it ends what a broken or hostile client left open.
   */
  static final int DEFAULT_REQUEST_BODY_TIMEOUT_SECONDS = 30;

  /**
   * Calls the gateway waits for the rest of at once, by default: normally tens (a request follows
   * its headers within milliseconds); in the measured flood at most the 512 streams the load
   * generator's two connections had open (256 each), all late at once; so twice that. Each such call
   * holds a stream and the part of its request that came, up to {@code max.inbound.message.bytes}:
   * at most 1 GiB with both defaults, which only a client that sends requests of that size and never
   * finishes them reaches (and in secure mode only with a valid credential).
   */
  static final int DEFAULT_MAX_CALLS_AWAITING_BODY = 1024;

  private static void positive(Duration d, String key) {
    checkArgument(!d.isNegative() && !d.isZero(), "%s: %s (expected: > 0)", key, d.toSeconds());
  }

  /** The settings, with their defaults, in the order {@code serve --help} lists them. */
  static void defaults(Map<String, String> d) {
    // A terminal has a few calls in flight; an HIS behind one proxy connection a few hundred.
    d.put("max.concurrent.calls.per.connection", "256");
    d.put("max.inbound.metadata.bytes", "8192");
    d.put("keepalive.time.seconds", "30");
    d.put("keepalive.timeout.seconds", "10");
    d.put("permit.keepalive.time.seconds", "10");
    d.put("max.connection.idle.seconds", "1800");
    d.put("max.connection.age.seconds", "3600");
    d.put("max.connection.age.grace.seconds", "30");
    d.put("max.rst.frames.per.minute", "600");
    d.put("max.calls.awaiting.body", Integer.toString(DEFAULT_MAX_CALLS_AWAITING_BODY));
    d.put("request.body.timeout.seconds", Integer.toString(DEFAULT_REQUEST_BODY_TIMEOUT_SECONDS));
  }

  /** What each setting means, for {@code serve --help}. */
  static final Map<String, String> DESCRIPTIONS = Map.ofEntries(
      Map.entry("max.concurrent.calls.per.connection", "calls in flight on one gRPC connection; more wait in the client"),
      Map.entry("max.inbound.metadata.bytes", "the largest request headers (metadata) accepted; larger fail the call"),
      Map.entry("keepalive.time.seconds", "how long a connection may be silent before the server pings it"),
      Map.entry("keepalive.timeout.seconds", "how long the server waits for a ping's answer before it closes the connection"),
      Map.entry("permit.keepalive.time.seconds", "the shortest ping interval a client may use; faster pingers are disconnected"),
      Map.entry("max.connection.idle.seconds", "a connection without calls this long is closed (GOAWAY)"),
      Map.entry("max.connection.age.seconds", "a connection this old is asked to reconnect (GOAWAY)"),
      Map.entry("max.connection.age.grace.seconds", "how long calls in flight may finish after max.connection.age"),
      Map.entry("max.rst.frames.per.minute", "stream resets a client may send a minute (HTTP/2 rapid reset); more close the"
          + " connection"),
      Map.entry("max.calls.awaiting.body", "gRPC calls, on all connections together, whose headers came but whose request has"
          + " not all arrived; more are refused at their headers as OVERLOADED, nothing applied"),
      Map.entry("request.body.timeout.seconds", "how long a gRPC call may take to send its whole request after its headers;"
          + " then it is ended unread (UNAVAILABLE, REQUEST_BODY_TIMEOUT), nothing applied"));

  /** The limits from the settings, by name. */
  static ConnectionLimits from(Map<String, String> s) {
    return new ConnectionLimits(
        GatewayConfig.integer(s, "max.concurrent.calls.per.connection"),
        GatewayConfig.integer(s, "max.inbound.metadata.bytes"),
        seconds(s, "keepalive.time.seconds"),
        seconds(s, "keepalive.timeout.seconds"),
        seconds(s, "permit.keepalive.time.seconds"),
        seconds(s, "max.connection.idle.seconds"),
        seconds(s, "max.connection.age.seconds"),
        seconds(s, "max.connection.age.grace.seconds"),
        GatewayConfig.integer(s, "max.rst.frames.per.minute"),
        GatewayConfig.integer(s, "max.calls.awaiting.body"),
        seconds(s, "request.body.timeout.seconds"));
  }

  private static Duration seconds(Map<String, String> s, String key) {
    return Duration.ofSeconds(GatewayConfig.integer(s, key));
  }

  /** The defaults. */
  public static ConnectionLimits defaults() {
    Map<String, String> d = new java.util.HashMap<>();
    defaults(d);
    return from(d);
  }

  /** One line per setting, for the effective configuration printed at start. */
  String describe() {
    return "max.concurrent.calls.per.connection=" + maxConcurrentCallsPerConnection
        + "\nmax.inbound.metadata.bytes=" + maxInboundMetadataBytes
        + "\nkeepalive.time.seconds=" + keepAliveTime.toSeconds()
        + "\nkeepalive.timeout.seconds=" + keepAliveTimeout.toSeconds()
        + "\npermit.keepalive.time.seconds=" + permitKeepAliveTime.toSeconds()
        + "\nmax.connection.idle.seconds=" + maxConnectionIdle.toSeconds()
        + "\nmax.connection.age.seconds=" + maxConnectionAge.toSeconds()
        + "\nmax.connection.age.grace.seconds=" + maxConnectionAgeGrace.toSeconds()
        + "\nmax.rst.frames.per.minute=" + maxRstFramesPerMinute
        + "\nmax.calls.awaiting.body=" + maxCallsAwaitingBody
        + "\nrequest.body.timeout.seconds=" + requestBodyTimeout.toSeconds();
  }

  /** These limits with {@code calls} per connection and {@code metadataBytes} of headers (for tests). */
  public ConnectionLimits withCallsAndMetadata(int calls, int metadataBytes) {
    return new ConnectionLimits(calls, metadataBytes, keepAliveTime, keepAliveTimeout, permitKeepAliveTime,
        maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace, maxRstFramesPerMinute, maxCallsAwaitingBody,
        requestBodyTimeout);
  }

  /**
   * These limits with at most {@code calls} awaiting their request at once and {@code timeout} for a
   * request to arrive after its headers (for tests).
   */
  public ConnectionLimits withBodyWait(int calls, Duration timeout) {
    return new ConnectionLimits(maxConcurrentCallsPerConnection, maxInboundMetadataBytes, keepAliveTime,
        keepAliveTimeout, permitKeepAliveTime, maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace,
        maxRstFramesPerMinute, calls, timeout);
  }
}
