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
    int maxRstFramesPerMinute) {

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
  }

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
  }

  /** What each setting means, for {@code serve --help}. */
  static final Map<String, String> DESCRIPTIONS = Map.of(
      "max.concurrent.calls.per.connection", "calls in flight on one gRPC connection; more wait in the client",
      "max.inbound.metadata.bytes", "the largest request headers (metadata) accepted; larger fail the call",
      "keepalive.time.seconds", "how long a connection may be silent before the server pings it",
      "keepalive.timeout.seconds", "how long the server waits for a ping's answer before it closes the connection",
      "permit.keepalive.time.seconds", "the shortest ping interval a client may use; faster pingers are disconnected",
      "max.connection.idle.seconds", "a connection without calls this long is closed (GOAWAY)",
      "max.connection.age.seconds", "a connection this old is asked to reconnect (GOAWAY)",
      "max.connection.age.grace.seconds", "how long calls in flight may finish after max.connection.age",
      "max.rst.frames.per.minute", "stream resets a client may send a minute (HTTP/2 rapid reset); more close the connection");

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
        GatewayConfig.integer(s, "max.rst.frames.per.minute"));
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
        + "\nmax.rst.frames.per.minute=" + maxRstFramesPerMinute;
  }

  /** These limits with {@code calls} per connection and {@code metadataBytes} of headers (for tests). */
  public ConnectionLimits withCallsAndMetadata(int calls, int metadataBytes) {
    return new ConnectionLimits(calls, metadataBytes, keepAliveTime, keepAliveTimeout, permitKeepAliveTime,
        maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace, maxRstFramesPerMinute);
  }
}
