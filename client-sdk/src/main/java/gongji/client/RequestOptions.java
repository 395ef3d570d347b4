package gongji.client;

/**
 * The options of one call, in place of trailing nullable arguments: its request id (the idempotency
 * key; without one the client makes one up) and its deadline (without one, {@link
 * ClientOptions#defaultDeadlineMillis()}). Immutable.
 *
 * <pre>{@code
 * client.settle(sale.transactionId(), RequestOptions.builder().requestId(msgid).deadlineMillis(2_000).build());
 * }</pre>
 */
public final class RequestOptions {
  /** No request id of the caller's, the client's default deadline. */
  public static final RequestOptions DEFAULTS = new Builder().build();

  /** The longest deadline a call may have, as for {@link ClientOptions.Builder#defaultDeadlineMillis}. */
  static final long MAX_DEADLINE_MILLIS = 600_000;

  private final String requestId;
  private final long deadlineMillis;

  private RequestOptions(Builder b) {
    this.requestId = b.requestId;
    this.deadlineMillis = b.deadlineMillis;
  }

  /**
   * Options with this request id and the default deadline.
   *
   * @param requestId the idempotency key
   * @return the options
   */
  public static RequestOptions requestId(String requestId) {
    return builder().requestId(requestId).build();
  }

  /** @return a builder with no request id and the client's default deadline */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the caller's request id, or null to have the client make one up */
  public String requestId() {
    return requestId;
  }

  /** @return this call's deadline in milliseconds, or 0 for the client's default */
  public long deadlineMillis() {
    return deadlineMillis;
  }

  /** Builds {@link RequestOptions}. */
  public static final class Builder {
    private String requestId;
    private long deadlineMillis;

    private Builder() {}

    /**
     * The idempotency key: the same id with the same content returns the original result.
     *
     * @param requestId 1 to 64 characters, e.g. a national 30-character msgid
     * @return this builder
     */
    public Builder requestId(String requestId) {
      Checks.notNull(requestId, "requestId");
      Checks.argument(!requestId.isEmpty() && requestId.length() <= 64,
          "requestId: \"" + requestId + "\" (expected: 1 to 64 characters)");
      this.requestId = requestId;
      return this;
    }

    /**
     * This call's deadline, in place of the client's default.
     *
     * @param millis 1 to 600,000
     * @return this builder
     */
    public Builder deadlineMillis(long millis) {
      Checks.argument(millis > 0 && millis <= MAX_DEADLINE_MILLIS,
          "deadlineMillis: " + millis + " (expected: 1.." + MAX_DEADLINE_MILLIS + ")");
      this.deadlineMillis = millis;
      return this;
    }

    /** @return the options */
    public RequestOptions build() {
      return new RequestOptions(this);
    }
  }
}
