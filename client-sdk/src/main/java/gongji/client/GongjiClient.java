package gongji.client;

import gongji.client.internal.ContentHash;
import gongji.client.internal.Mapping;
import gongji.client.internal.RequestIds;
import gongji.v1.CancelRequest;
import gongji.v1.GetTransactionRequest;
import gongji.v1.GetTransactionResponse;
import gongji.v1.IdentifyRequest;
import gongji.v1.RefundRequest;
import gongji.v1.ReverseRequest;
import gongji.v1.SettleRequest;
import gongji.v1.SettlementServiceGrpc;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import java.util.Collections;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The Gongji settlement client: one per terminal application, thread-safe, shared by all threads.
 * Each call comes in a blocking form and an async form returning a {@link CompletableFuture}.
 *
 * <p>Every call has a deadline, {@link ClientOptions#defaultDeadlineMillis()}: no call leaves the
 * client without one. A call that finds the gateway UNAVAILABLE is retried with the same request
 * id, so a retry never charges twice. Refusals arrive as {@link GongjiRejectedException} with a
 * {@link RejectionReason}; passing failures as {@link GongjiRetryableException}. When the outcome
 * of an Authorize, Settle or Refund is unknown (the deadline passed, the connection was lost), the
 * client looks the request up by its id and answers "applied" (the result) or "not applied"
 * ({@link RejectionReason#NOT_APPLIED}, after making sure it never will be).
 *
 * <pre>{@code
 * try (GongjiClient client = GongjiClient.create(ClientOptions.builder("127.0.0.1:9090",
 *     new Terminal("P62010200017", "POS01", "cashier-7")).usePlaintext().build())) {
 *   Sale sale = client.authorize(SaleRequest.builder(Credential.card("SSC-LINA"), SaleRequest.MedicalType.PHARMACY)
 *       .item(new Item("XY001", "阿莫西林胶囊", Item.Category.DRUG, true, 2, 35_000)).build());
 *   client.settle(sale.transactionId());
 * }
 * }</pre>
 */
public final class GongjiClient implements AutoCloseable {
  private final ClientOptions options;
  private final Channels channels;
  private final gongji.v1.Terminal terminal;
  private final RequestIds requestIds;
  private final ScheduledExecutorService timer;
  private final OutcomeResolver resolver;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** How many made-up request ids a call tries when they turn out taken by another terminal. */
  static final int FRESH_ID_ATTEMPTS = 3;

  private GongjiClient(ClientOptions options, Channels channels) {
    this(options, channels, new RequestIds(options.terminal().fixmedinsCode(), ThreadLocalRandom.current().nextInt(10_000)));
  }

  private GongjiClient(ClientOptions options, Channels channels, RequestIds requestIds) {
    this.options = options;
    this.channels = channels;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gongji-client-timer");
      t.setDaemon(true);
      return t;
    });
    this.resolver = new OutcomeResolver(this, timer, options.resolveTimeoutMillis());
    this.terminal = Mapping.terminal(options.terminal());
    this.requestIds = requestIds;
  }

  /**
   * A client connected to {@code options.target()}. Close it when the application stops.
   *
   * @param options where to connect and how to behave
   * @return a client; share it between threads
   */
  public static GongjiClient create(ClientOptions options) {
    Checks.notNull(options, "options");
    return create(options, Channels.builder(options));
  }

  /**
   * A client on a channel built from the caller's builder (an in-process channel in tests, a custom
   * transport or TLS set-up): the client adds its retry policy (UNAVAILABLE, {@link
   * ClientOptions#maxAttempts()} attempts, the same request id) and builds the channel, which it owns
   * and shuts down on {@link #close()}. {@link ClientOptions#target()} and {@link
   * ClientOptions#plaintext()} are not applied: the builder already says where and how to connect.
   *
   * @param options how to behave
   * @param channelBuilder the channel to build; the client sets its default service config (the retry
   *     policy) and enables retries
   * @return a client; share it between threads
   */
  public static GongjiClient create(ClientOptions options, ManagedChannelBuilder<?> channelBuilder) {
    Checks.notNull(options, "options");
    Checks.notNull(channelBuilder, "channelBuilder");
    Checks.notNull(options.terminal(), "options.terminal (a terminal client needs ClientOptions.builder(target, terminal))");
    return new GongjiClient(options, channels(options, channelBuilder));
  }

  /** A client whose made-up request ids come from {@code requestIds} (tests of id collisions). */
  static GongjiClient create(ClientOptions options, ManagedChannelBuilder<?> channelBuilder, RequestIds requestIds) {
    Checks.notNull(options.terminal(), "options.terminal");
    return new GongjiClient(options, channels(options, channelBuilder), Checks.notNull(requestIds, "requestIds"));
  }

  private static Channels channels(ClientOptions options, ManagedChannelBuilder<?> channelBuilder) {
    return Channels.build(options, channelBuilder,
        Collections.singletonList(new String[] {"gongji.v1.SettlementService"}));
  }

  // Retry UNAVAILABLE only (Channels): the same request, with the same request id, cannot charge twice.

  /**
   * A fresh request id in the national {@code msgid} form: the institution code, {@code
   * yyyyMMddHHmmss} (Beijing time) and a 4-digit sequence, 30 characters for a 12-character code.
   * Ids from one client never repeat. Pass one to a call to be able to resend or reverse it by id.
   *
   * @return the id
   */
  public String newRequestId() {
    return requestIds.next();
  }

  // ---- Identify -------------------------------------------------------------------------------

  /**
   * Looks up the patient behind a credential: balance and mutual-aid funds.
   *
   * @param credential the credential the patient presents
   * @return the identity; fails with {@link GongjiRejectedException} (e.g. {@link
   *     RejectionReason#PATIENT_NOT_FOUND}) or {@link GongjiRetryableException}
   */
  public CompletableFuture<Identity> identifyAsync(Credential credential) {
    return identifyAsync(credential, "");
  }

  /**
   * Looks up the patient behind a credential, who says they are {@code psnNo}: if the credential is
   * someone else's, the gateway refuses with {@link RejectionReason#IMPERSONATION} and records it.
   *
   * @param credential the credential the patient presents
   * @param psnNo the person number the patient claims, or "" for none
   * @return the identity
   */
  public CompletableFuture<Identity> identifyAsync(Credential credential, String psnNo) {
    return identifyAsync(credential, psnNo, RequestOptions.DEFAULTS);
  }

  /**
   * {@link #identifyAsync(Credential, String)} with per-call options (its deadline; a look-up has no
   * request id).
   *
   * @param credential the credential the patient presents
   * @param psnNo the person number the patient claims, or "" for none
   * @param options this call's deadline
   * @return the identity
   */
  public CompletableFuture<Identity> identifyAsync(Credential credential, String psnNo, RequestOptions options) {
    checkOpen();
    Checks.notNull(options, "options");
    IdentifyRequest req = IdentifyRequest.newBuilder().setTerminal(terminal)
        .setCredential(Mapping.credential(Checks.notNull(credential, "credential")))
        .setPsnNo(Checks.notNull(psnNo, "psnNo")).build();
    return call(SettlementServiceGrpc.getIdentifyMethod(), req, null, options).thenApply(Mapping::identity);
  }

  /**
   * Blocking {@link #identifyAsync(Credential, String)}.
   *
   * @param credential the credential the patient presents
   * @param psnNo the person number the patient claims, or "" for none
   * @return the identity
   */
  public Identity identify(Credential credential, String psnNo) {
    return join(identifyAsync(credential, psnNo));
  }

  /**
   * Blocking {@link #identifyAsync}.
   *
   * @param credential the credential the patient presents
   * @return the identity
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Identity identify(Credential credential) {
    return join(identifyAsync(credential));
  }

  // ---- Authorize ------------------------------------------------------------------------------

  /**
   * Pre-settles a sale and holds its account legs. If the outcome is unknown (deadline, lost
   * connection) it is resolved: the result if it was applied, {@link RejectionReason#NOT_APPLIED}
   * if not (see {@link ClientOptions.Builder#resolveUnknownOutcomes}).
   *
   * @param request the sale; its request id, or a generated one, is the idempotency key
   * @return the authorized sale with its held split
   */
  public CompletableFuture<Sale> authorizeAsync(SaleRequest request) {
    return authorizeAsync(request, RequestOptions.DEFAULTS);
  }

  /**
   * {@link #authorizeAsync(SaleRequest)} with per-call options: the deadline, and the request id when
   * the sale request has none (giving two different ones is refused).
   *
   * @param request the sale
   * @param options this call's request id and deadline
   * @return the authorized sale with its held split
   */
  public CompletableFuture<Sale> authorizeAsync(SaleRequest request, final RequestOptions callOptions) {
    checkOpen();
    Checks.notNull(request, "request");
    Checks.notNull(callOptions, "callOptions");
    String given = request.requestId().isEmpty() ? callOptions.requestId() : request.requestId();
    Checks.argument(callOptions.requestId() == null || callOptions.requestId().equals(given),
        "options.requestId: \"" + callOptions.requestId() + "\" differs from request.requestId: \"" + given + "\"");
    return freshIdOnCollision(given, requestId -> {
      gongji.v1.AuthorizeRequest sent = Mapping.authorize(options.terminal(), request, requestId);
      long totalFen = 0;
      for (gongji.v1.LineItem item : sent.getItemsList()) {
        totalFen += item.getAmountFen();
      }
      final long sentTotalFen = totalFen;
      final long sentHash = ContentHash.of(sent);
      CompletableFuture<Sale> once = call(SettlementServiceGrpc.getAuthorizeMethod(), sent, requestId, callOptions)
          .thenApply(r -> new Sale(r.getTransactionId(), r.getRequestId(), Mapping.state(r.getState()),
              Mapping.split(r.getBreakdown()), Mapping.millis(r.getExpireTime())));
      return resolving(once, requestId, readerOf(r -> {
        gongji.v1.Transaction t = r.getTransaction();
        return new Sale(t.getTransactionId(), requestId, Mapping.state(t.getState()), Mapping.split(t.getAuthorized()),
            Mapping.millis(t.getExpireTime()));
      }, r -> r.getRequest().getKind() == gongji.v1.RequestKind.REQUEST_KIND_AUTHORIZE
          && r.getTransaction().getAuthorized().getTotalFen() == sentTotalFen
          && ContentHash.matches(r.getRequest().getContentHash(), sentHash)));
    });
  }

  /**
   * Blocking {@link #authorizeAsync}.
   *
   * @param request the sale
   * @return the authorized sale with its held split
   * @throws GongjiRejectedException if the gateway refused, or {@link RejectionReason#NOT_APPLIED}
   * @throws GongjiRetryableException if the outcome could not be learned
   */
  public Sale authorize(SaleRequest request) {
    return join(authorizeAsync(request));
  }

  /**
   * Blocking {@link #authorizeAsync(SaleRequest, RequestOptions)}.
   *
   * @param request the sale
   * @param options this call's request id and deadline
   * @return the authorized sale with its held split
   */
  public Sale authorize(SaleRequest request, RequestOptions options) {
    return join(authorizeAsync(request, options));
  }

  // ---- Settle ---------------------------------------------------------------------------------

  /**
   * Settles an authorized sale for its authorized total. An unknown outcome is resolved as for
   * {@link #authorizeAsync}.
   *
   * @param transactionId the transaction returned by Authorize
   * @param options this call's request id and deadline
   * @return the settled sale with its paid split
   */
  public CompletableFuture<Sale> settleAsync(String transactionId, RequestOptions options) {
    return settleAsync(transactionId, -1, options);
  }

  /**
   * Settles an authorized sale for a final total, at most the authorized one (the rest is released).
   *
   * @param transactionId the transaction returned by Authorize
   * @param finalTotalFen the final bill, 0 to the authorized total
   * @param options this call's request id and deadline
   * @return the settled sale with its paid split
   */
  public CompletableFuture<Sale> settleAsync(String transactionId, long finalTotalFen, RequestOptions options) {
    Checks.argument(finalTotalFen >= -1, "finalTotalFen: " + finalTotalFen + " (expected: >= 0)");
    return settleOnce(transactionId, finalTotalFen, options);
  }

  private CompletableFuture<Sale> settleOnce(final String transactionId, final long finalTotalFen,
      final RequestOptions options) {
    checkOpen();
    Checks.notNull(transactionId, "transactionId");
    Checks.notNull(options, "options");
    return freshIdOnCollision(options.requestId(), id -> {
      SettleRequest.Builder b = SettleRequest.newBuilder().setRequestId(id).setTerminal(terminal)
          .setTransactionId(transactionId);
      if (finalTotalFen >= 0) {
        b.setFinalTotalFen(finalTotalFen);
      }
      SettleRequest req = b.build();
      final long sentHash = ContentHash.of(req);
      CompletableFuture<Sale> once = call(SettlementServiceGrpc.getSettleMethod(), req, id, options)
          .thenApply(r -> new Sale(r.getTransactionId(), r.getRequestId(), Mapping.state(r.getState()),
              Mapping.split(r.getBreakdown()), 0));
      return resolving(once, id, readerOf(r -> new Sale(r.getTransaction().getTransactionId(), id,
          Mapping.state(r.getTransaction().getState()), Mapping.split(r.getTransaction().getSettled()), 0),
          r -> r.getRequest().getKind() == gongji.v1.RequestKind.REQUEST_KIND_SETTLE
              && r.getTransaction().getTransactionId().equals(transactionId)
              && ContentHash.matches(r.getRequest().getContentHash(), sentHash)));
    });
  }

  /**
   * Blocking settle of the authorized total.
   *
   * @param transactionId the transaction returned by Authorize
   * @return the settled sale with its paid split
   * @throws GongjiRejectedException if the gateway refused, or {@link RejectionReason#NOT_APPLIED}
   * @throws GongjiRetryableException if the outcome could not be learned
   */
  public Sale settle(String transactionId) {
    return join(settleAsync(transactionId, RequestOptions.DEFAULTS));
  }

  /**
   * Blocking {@link #settleAsync(String, RequestOptions)}.
   *
   * @param transactionId the transaction returned by Authorize
   * @param options this call's request id and deadline
   * @return the settled sale with its paid split
   */
  public Sale settle(String transactionId, RequestOptions options) {
    return join(settleAsync(transactionId, options));
  }

  /**
   * Blocking settle for a final total.
   *
   * @param transactionId the transaction returned by Authorize
   * @param finalTotalFen the final bill, at most the authorized total
   * @return the settled sale with its paid split
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link
   *     RejectionReason#AMOUNT_EXCEEDS_AUTHORIZED}), or {@link RejectionReason#NOT_APPLIED}
   * @throws GongjiRetryableException if the outcome could not be learned
   */
  public Sale settle(String transactionId, long finalTotalFen) {
    return join(settleAsync(transactionId, finalTotalFen, RequestOptions.DEFAULTS));
  }

  /**
   * Blocking {@link #settleAsync(String, long, RequestOptions)}.
   *
   * @param transactionId the transaction returned by Authorize
   * @param finalTotalFen the final bill, at most the authorized total
   * @param options this call's request id and deadline
   * @return the settled sale with its paid split
   */
  public Sale settle(String transactionId, long finalTotalFen, RequestOptions options) {
    return join(settleAsync(transactionId, finalTotalFen, options));
  }

  // ---- Cancel, Refund, Reverse ----------------------------------------------------------------

  /**
   * Releases the holds of an unsettled sale. An unknown outcome is not resolved: retrying with the
   * same request id is safe (the id is in the exception's {@code request_id} metadata).
   *
   * @param transactionId the transaction returned by Authorize
   * @param options this call's request id and deadline
   * @return the cancelled sale; only {@link Split#balanceAfterFen()} of its split is meaningful
   */
  public CompletableFuture<Sale> cancelAsync(String transactionId, final RequestOptions options) {
    checkOpen();
    Checks.notNull(transactionId, "transactionId");
    Checks.notNull(options, "options");
    return freshIdOnCollision(options.requestId(), id -> {
      CancelRequest req = CancelRequest.newBuilder().setRequestId(id).setTerminal(terminal)
          .setTransactionId(transactionId).build();
      return call(SettlementServiceGrpc.getCancelMethod(), req, id, options)
          .thenApply(r -> new Sale(r.getTransactionId(), r.getRequestId(), Mapping.state(r.getState()),
              new Split(0, 0, 0, 0, 0, Collections.<Leg>emptyList(), r.getBalanceAfterFen()), 0));
    });
  }

  /**
   * Blocking {@link #cancelAsync} with a generated request id.
   *
   * @param transactionId the transaction returned by Authorize
   * @return the cancelled sale
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#TRANSACTION_STATE_CONFLICT})
   * @throws GongjiRetryableException if the outcome is unknown
   */
  public Sale cancel(String transactionId) {
    return join(cancelAsync(transactionId, RequestOptions.DEFAULTS));
  }

  /**
   * Blocking {@link #cancelAsync}.
   *
   * @param transactionId the transaction returned by Authorize
   * @param options this call's request id and deadline
   * @return the cancelled sale
   */
  public Sale cancel(String transactionId, RequestOptions options) {
    return join(cancelAsync(transactionId, options));
  }

  /**
   * Refunds a settled sale in full, each fen to the account it came from. An unknown outcome is
   * resolved as for {@link #authorizeAsync}; a refund resolved that way reports the split as
   * settled, whose {@link Split#balanceAfterFen()} is the balance after the settlement.
   *
   * @param transactionId the settled transaction
   * @param options this call's request id and deadline
   * @return the refunded sale: what went back where
   */
  public CompletableFuture<Sale> refundAsync(String transactionId, final RequestOptions options) {
    checkOpen();
    Checks.notNull(transactionId, "transactionId");
    Checks.notNull(options, "options");
    return freshIdOnCollision(options.requestId(), id -> {
      RefundRequest req = RefundRequest.newBuilder().setRequestId(id).setTerminal(terminal)
          .setTransactionId(transactionId).build();
      final long sentHash = ContentHash.of(req);
      CompletableFuture<Sale> once = call(SettlementServiceGrpc.getRefundMethod(), req, id, options)
          .thenApply(r -> new Sale(r.getTransactionId(), r.getRequestId(), Mapping.state(r.getState()),
              Mapping.split(r.getBreakdown()), 0));
      return resolving(once, id, readerOf(r -> new Sale(r.getTransaction().getTransactionId(), id,
          Mapping.state(r.getTransaction().getState()), Mapping.split(r.getTransaction().getSettled()), 0),
          r -> r.getRequest().getKind() == gongji.v1.RequestKind.REQUEST_KIND_REFUND
              && r.getTransaction().getTransactionId().equals(transactionId)
              && ContentHash.matches(r.getRequest().getContentHash(), sentHash)));
    });
  }

  /**
   * Blocking {@link #refundAsync} with a generated request id.
   *
   * @param transactionId the settled transaction
   * @return the refunded sale
   * @throws GongjiRejectedException if the gateway refused, or {@link RejectionReason#NOT_APPLIED}
   * @throws GongjiRetryableException if the outcome could not be learned
   */
  public Sale refund(String transactionId) {
    return join(refundAsync(transactionId, RequestOptions.DEFAULTS));
  }

  /**
   * Blocking {@link #refundAsync}.
   *
   * @param transactionId the settled transaction
   * @param options this call's request id and deadline
   * @return the refunded sale
   */
  public Sale refund(String transactionId, RequestOptions options) {
    return join(refundAsync(transactionId, options));
  }

  /**
   * Undoes the request with this id if it happened; if it did not arrive yet, it will be refused
   * when it does. Reversing the same id again gives the same result.
   *
   * @param originalRequestId the id of the Authorize, Settle or Refund to undo
   * @return what the reversal did
   */
  public CompletableFuture<Reversal> reverseAsync(String originalRequestId) {
    checkOpen();
    return reverseOnce(originalRequestId);
  }

  /**
   * Blocking {@link #reverseAsync}.
   *
   * @param originalRequestId the id of the Authorize, Settle or Refund to undo
   * @return what the reversal did
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#REQUEST_NOT_FOUND})
   * @throws GongjiRetryableException if the outcome is unknown: reversing again is safe
   */
  public Reversal reverse(String originalRequestId) {
    return join(reverseAsync(originalRequestId));
  }

  /**
   * The sale with this transaction id, as it is now.
   *
   * @param transactionId the transaction returned by Authorize
   * @return the sale, with the settled split once settled and the authorized one before
   */
  public CompletableFuture<Sale> getTransactionAsync(String transactionId) {
    checkOpen();
    GetTransactionRequest req = GetTransactionRequest.newBuilder().setTerminal(terminal)
        .setTransactionId(Checks.notNull(transactionId, "transactionId")).build();
    return call(SettlementServiceGrpc.getGetTransactionMethod(), req, null).thenApply(r -> {
      gongji.v1.Transaction t = r.getTransaction();
      return new Sale(t.getTransactionId(), "", Mapping.state(t.getState()),
          Mapping.split(t.hasSettled() ? t.getSettled() : t.getAuthorized()), Mapping.millis(t.getExpireTime()));
    });
  }

  /**
   * Blocking {@link #getTransactionAsync}.
   *
   * @param transactionId the transaction returned by Authorize
   * @return the sale as it is now
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#TRANSACTION_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Sale getTransaction(String transactionId) {
    return join(getTransactionAsync(transactionId));
  }

  /** The raw record of a request: whether it was applied, refused or reversed (the low-level look-up). */
  CompletableFuture<GetTransactionResponse> lookupRequestAsync(String requestId) {
    GetTransactionRequest req = GetTransactionRequest.newBuilder().setTerminal(terminal).setRequestId(requestId).build();
    return call(SettlementServiceGrpc.getGetTransactionMethod(), req, requestId);
  }

  /** Reverse without the open check: the resolver still finishes its work while the client closes. */
  CompletableFuture<Reversal> reverseOnce(String originalRequestId) {
    ReverseRequest req = ReverseRequest.newBuilder().setTerminal(terminal)
        .setOriginalRequestId(Checks.notNull(originalRequestId, "originalRequestId")).build();
    return call(SettlementServiceGrpc.getReverseMethod(), req, null).thenApply(Mapping::reversal);
  }

  // ---- plumbing -------------------------------------------------------------------------------

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the client is closed");
    }
  }

  /**
   * Runs a call with the caller's request id, or with one this client makes up. A made-up id that the
   * gateway answers with {@code REQUEST_ID_REUSED} was made up first by another terminal of the same
   * institution (the msgid form has only four digits to tell them apart); that answer means nothing
   * was applied, so the call goes again with a fresh id, at most {@value #FRESH_ID_ATTEMPTS} times in
   * all. A caller's own id is never replaced.
   */
  private <T> CompletableFuture<T> freshIdOnCollision(String callerRequestId,
      final java.util.function.Function<String, CompletableFuture<T>> attempt) {
    if (callerRequestId != null) {
      return attempt.apply(callerRequestId);
    }
    return withFreshId(attempt, FRESH_ID_ATTEMPTS);
  }

  private <T> CompletableFuture<T> withFreshId(final java.util.function.Function<String, CompletableFuture<T>> attempt,
      final int attemptsLeft) {
    final CompletableFuture<T> out = new CompletableFuture<T>();
    attempt.apply(newRequestId()).whenComplete((value, error) -> {
      if (error == null) {
        out.complete(value);
        return;
      }
      Throwable e = OutcomeResolver.unwrap(error);
      boolean collided = e instanceof GongjiRejectedException
          && ((GongjiRejectedException) e).reason() == RejectionReason.REQUEST_ID_REUSED;
      if (!collided || attemptsLeft <= 1 || closed.get()) {
        out.completeExceptionally(e);
        return;
      }
      forward(withFreshId(attempt, attemptsLeft - 1), out);
    });
    return out;
  }

  /**
   * A reader of a looked-up request that takes it as this client's only when {@code ours} says so: the
   * kind, what can be compared (the transaction, the total) and the content hash the gateway kept it
   * under must be what was sent.
   */
  private static <T> OutcomeResolver.Reader<T> readerOf(
      final java.util.function.Function<gongji.v1.GetTransactionResponse, T> read,
      final java.util.function.Predicate<gongji.v1.GetTransactionResponse> ours) {
    return new OutcomeResolver.Reader<T>() {
      @Override
      public T read(gongji.v1.GetTransactionResponse response) {
        return read.apply(response);
      }

      @Override
      public boolean ours(gongji.v1.GetTransactionResponse response) {
        return ours.test(response);
      }
    };
  }

  private <T> CompletableFuture<T> resolving(CompletableFuture<T> once, final String requestId,
      final OutcomeResolver.Reader<T> reader) {
    if (!options.resolveUnknownOutcomes()) {
      return once;
    }
    final CompletableFuture<T> out = new CompletableFuture<T>();
    once.whenComplete((value, error) -> {
      if (error == null) {
        out.complete(value);
        return;
      }
      Throwable e = OutcomeResolver.unwrap(error);
      if (!OutcomeResolver.unknown(e)) {
        out.completeExceptionally(e);
        return;
      }
      forward(resolver.resolve(requestId, reader), out);
    });
    return out;
  }

  /** Completes {@code out} as {@code from} completes, with the cause unwrapped. */
  private static <T> void forward(CompletableFuture<T> from, final CompletableFuture<T> out) {
    from.whenComplete((v, err) -> {
      if (err == null) {
        out.complete(v);
      } else {
        out.completeExceptionally(OutcomeResolver.unwrap(err));
      }
    });
  }

  private <Q, A> CompletableFuture<A> call(MethodDescriptor<Q, A> method, Q request, String requestId) {
    return channels.call(method, request, requestId);
  }

  private <Q, A> CompletableFuture<A> call(MethodDescriptor<Q, A> method, Q request, String requestId,
      RequestOptions options) {
    return channels.call(method, request, requestId, options.deadlineMillis());
  }

  private static <T> T join(CompletableFuture<T> future) {
    return Channels.join(future);
  }

  /**
   * Shuts the connection down, waiting up to 5 s for calls in flight. Later calls throw {@link
   * IllegalStateException}; an unknown outcome still being resolved then ends as {@link
   * RejectionReason#OUTCOME_UNKNOWN}, with its request id in the metadata. Closing twice is harmless.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    timer.shutdownNow();
    try {
      channels.shutdown();
    } finally {
      resolver.abandonPending();
    }
  }
}
