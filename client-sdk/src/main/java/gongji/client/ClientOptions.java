package gongji.client;

/**
 * How a {@link GongjiClient} connects and behaves. Every call has a deadline, {@link
 * #defaultDeadlineMillis()}: there is no way to send one without.
 */
public final class ClientOptions {
  private final String target;
  private final Terminal terminal;
  private final long defaultDeadlineMillis;
  private final int maxAttempts;
  private final boolean plaintext;
  private final boolean resolveUnknownOutcomes;
  private final long resolveTimeoutMillis;
  private final int channels;
  private final String bearerToken;
  private final java.io.File trustCertificates;
  private final java.io.File clientCertificateChain;
  private final java.io.File clientPrivateKey;

  private ClientOptions(Builder b) {
    this.target = Checks.notNull(b.target, "target");
    this.terminal = b.terminal;
    this.defaultDeadlineMillis = b.defaultDeadlineMillis;
    this.maxAttempts = b.maxAttempts;
    this.plaintext = b.plaintext;
    this.resolveUnknownOutcomes = b.resolveUnknownOutcomes;
    this.resolveTimeoutMillis = b.resolveTimeoutMillis;
    this.channels = b.channels;
    this.bearerToken = b.bearerToken;
    this.trustCertificates = b.trustCertificates;
    this.clientCertificateChain = b.clientCertificateChain;
    this.clientPrivateKey = b.clientPrivateKey;
    Checks.argument(!plaintext || (trustCertificates == null && clientCertificateChain == null),
        "TLS material was given together with usePlaintext()");
  }

  /** How many connections the client spreads its calls over. */
  public int channels() {
    return channels;
  }

  /** The bearer token sent with every call, or null for none. */
  public String bearerToken() {
    return bearerToken;
  }

  /** The PEM file of the certificates to trust for the gateway, or null for the system's. */
  public java.io.File trustCertificates() {
    return trustCertificates;
  }

  /** The PEM certificate chain the client presents (mTLS), or null. */
  public java.io.File clientCertificateChain() {
    return clientCertificateChain;
  }

  /** The PEM (PKCS#8) private key of the client certificate (mTLS), or null. */
  public java.io.File clientPrivateKey() {
    return clientPrivateKey;
  }

  /** Options for a gateway at {@code target} ("host:port"), calling as {@code terminal}. */
  public static Builder builder(String target, Terminal terminal) {
    return new Builder(target, Checks.notNull(terminal, "terminal"));
  }

  /**
   * Options for the back office ({@link GongjiAdminClient}) at {@code target}: no terminal. A
   * {@link GongjiClient} refuses these options.
   */
  public static Builder builder(String target) {
    return new Builder(target, null);
  }

  /** The gateway address, "host:port". */
  public String target() {
    return target;
  }

  /** The terminal this client calls as; null in options built for the back office. */
  public Terminal terminal() {
    return terminal;
  }

  /** The deadline of every call, in milliseconds (retries of UNAVAILABLE and of shed calls included). */
  public long defaultDeadlineMillis() {
    return defaultDeadlineMillis;
  }

  /**
   * How many times a call is tried in all when the gateway is UNAVAILABLE, or shed it at admission
   * (RESOURCE_EXHAUSTED with a RetryInfo, nothing applied: sent again after that delay), with the same
   * request id, within the call's deadline.
   */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Whether the connection is unencrypted (local testing only). */
  public boolean plaintext() {
    return plaintext;
  }

  /** Whether Authorize, Settle and Refund turn an unknown outcome into a definite one (default true). */
  public boolean resolveUnknownOutcomes() {
    return resolveUnknownOutcomes;
  }

  /** How long resolving an unknown outcome may keep trying to reach the gateway, in milliseconds. */
  public long resolveTimeoutMillis() {
    return resolveTimeoutMillis;
  }

  /** Builds {@link ClientOptions}. */
  public static final class Builder {
    private final String target;
    private final Terminal terminal;
    private long defaultDeadlineMillis = 5_000;
    private int maxAttempts = 3;
    private boolean plaintext;
    private boolean resolveUnknownOutcomes = true;
    private long resolveTimeoutMillis = 30_000;
    private int channels = 2;
    private String bearerToken;
    private java.io.File trustCertificates;
    private java.io.File clientCertificateChain;
    private java.io.File clientPrivateKey;

    private Builder(String target, Terminal terminal) {
      this.target = target;
      this.terminal = terminal;
    }

    /** The default deadline, 1 ms to 10 minutes (default 5 s). */
    public Builder defaultDeadlineMillis(long millis) {
      Checks.argument(millis > 0 && millis <= RequestOptions.MAX_DEADLINE_MILLIS,
          "defaultDeadlineMillis: " + millis + " (expected: 1.." + RequestOptions.MAX_DEADLINE_MILLIS + ")");
      this.defaultDeadlineMillis = millis;
      return this;
    }

    /**
     * Attempts in all for UNAVAILABLE (jittered backoff) and for a call the gateway shed at admission
     * (after its RetryInfo delay), 1 to 5 (default 3).
     */
    public Builder maxAttempts(int attempts) {
      Checks.argument(attempts >= 1 && attempts <= 5, "maxAttempts: " + attempts + " (expected: 1..5)");
      this.maxAttempts = attempts;
      return this;
    }

    /** Connect without TLS: for a gateway on this machine only. */
    public Builder usePlaintext() {
      this.plaintext = true;
      return this;
    }

    /**
     * Whether a call whose outcome is unknown (deadline passed, connection lost) is resolved: looked
     * up by its request id and, if it did not take effect, reversed, so that the caller always learns
     * "applied" or "not applied". Default true; false returns {@link RejectionReason#OUTCOME_UNKNOWN}.
     */
    public Builder resolveUnknownOutcomes(boolean resolve) {
      this.resolveUnknownOutcomes = resolve;
      return this;
    }

    /** How long resolving may keep trying, 1 s to 10 minutes (default 30 s). */
    public Builder resolveTimeoutMillis(long millis) {
      Checks.argument(millis >= 1_000 && millis <= 600_000, "resolveTimeoutMillis: " + millis + " (expected: 1000..600000)");
      this.resolveTimeoutMillis = millis;
      return this;
    }

    /**
     * How many connections to spread calls over, 1 to 8 (default 2): one connection is one HTTP/2
     * stream pipe; a busy HIS gains from a second.
     *
     * @param channels the number of connections
     * @return this builder
     */
    public Builder channels(int channels) {
      Checks.argument(channels >= 1 && channels <= 8, "channels: " + channels + " (expected: 1..8)");
      this.channels = channels;
      return this;
    }

    /**
     * A bearer token sent with every call ({@code authorization: Bearer <token>}), as the gateway's
     * {@code auth.tokens.file} issues them per institution.
     *
     * @param token the token
     * @return this builder
     */
    public Builder bearerToken(String token) {
      Checks.argument(token != null && !token.isEmpty(), "bearerToken: empty");
      this.bearerToken = token;
      return this;
    }

    /**
     * Trusts the gateway certificates in this PEM file instead of the system's (a private CA).
     *
     * @param pem the certificates
     * @return this builder
     */
    public Builder trustCertificates(java.io.File pem) {
      this.trustCertificates = Checks.notNull(pem, "pem");
      return this;
    }

    /**
     * Presents this client certificate (mTLS) where the gateway requires one.
     *
     * @param certificateChain the PEM certificate chain
     * @param privateKey the PEM (PKCS#8) private key
     * @return this builder
     */
    public Builder clientCertificate(java.io.File certificateChain, java.io.File privateKey) {
      this.clientCertificateChain = Checks.notNull(certificateChain, "certificateChain");
      this.clientPrivateKey = Checks.notNull(privateKey, "privateKey");
      return this;
    }

    /** The options. */
    public ClientOptions build() {
      return new ClientOptions(this);
    }
  }
}
