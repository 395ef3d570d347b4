package gongji.client;

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
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The Gongji settlement client: one per terminal application, thread-safe, shared by all threads.
 * Each call comes in a blocking form and an async form returning a {@link CompletableFuture}.
 *
 * <p>Every call has a deadline (the default from {@link ClientOptions} unless given). A call that
 * finds the gateway UNAVAILABLE is retried with the same request id, so a retry never charges
 * twice. Refusals arrive as {@link GongjiRejectedException} with a {@link RejectionReason}; passing
 * failures as {@link GongjiRetryableException}.
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
  private final ManagedChannel channel;
  private final gongji.v1.Terminal terminal;
  private final RequestIds requestIds;
  private final ScheduledExecutorService timer;
  private final OutcomeResolver resolver;

  private GongjiClient(ClientOptions options, ManagedChannel channel) {
    this.options = options;
    this.channel = channel;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "gongji-client-timer");
      t.setDaemon(true);
      return t;
    });
    this.resolver = new OutcomeResolver(this, timer, options.resolveTimeoutMillis());
    this.terminal = Mapping.terminal(options.terminal());
    this.requestIds = new RequestIds(options.terminal().fixmedinsCode(), ThreadLocalRandom.current().nextInt(10_000));
  }

  /** A client connected to {@code options.target()}. Close it when the application stops. */
  public static GongjiClient create(ClientOptions options) {
    ManagedChannelBuilder<?> b = ManagedChannelBuilder.forTarget(options.target())
        .defaultServiceConfig(serviceConfig(options.maxAttempts()))
        .enableRetry()
        .keepAliveTime(60, TimeUnit.SECONDS)
        .keepAliveTimeout(10, TimeUnit.SECONDS);
    if (options.plaintext()) {
      b.usePlaintext();
    }
    return new GongjiClient(options, b.build());
  }

  /** A client on a channel the caller owns (tests, in-process); closing the client shuts it down. */
  public static GongjiClient create(ClientOptions options, ManagedChannel channel) {
    return new GongjiClient(options, channel);
  }

  /** Retry UNAVAILABLE only: the same request, with the same request id, cannot charge twice. */
  private static Map<String, Object> serviceConfig(int maxAttempts) {
    Map<String, Object> retry = new HashMap<String, Object>();
    retry.put("maxAttempts", (double) maxAttempts);
    retry.put("initialBackoff", "0.05s");
    retry.put("maxBackoff", "1s");
    retry.put("backoffMultiplier", 2.0);
    retry.put("retryableStatusCodes", Collections.singletonList("UNAVAILABLE"));
    Map<String, Object> name = new HashMap<String, Object>();
    name.put("service", "gongji.v1.SettlementService");
    Map<String, Object> method = new HashMap<String, Object>();
    method.put("name", Collections.singletonList(name));
    method.put("retryPolicy", retry);
    Map<String, Object> throttling = new HashMap<String, Object>();
    throttling.put("maxTokens", 10.0);
    throttling.put("tokenRatio", 0.1);
    Map<String, Object> config = new HashMap<String, Object>();
    config.put("methodConfig", Collections.singletonList(method));
    config.put("retryThrottling", throttling);
    return config;
  }

  /** A fresh request id in the national msgid form (30 characters). */
  public String newRequestId() {
    return requestIds.next();
  }

  // ---- Identify -------------------------------------------------------------------------------

  /** Looks up the patient behind a credential: balance and mutual-aid funds. */
  public CompletableFuture<Identity> identifyAsync(Credential credential) {
    IdentifyRequest req = IdentifyRequest.newBuilder().setTerminal(terminal)
        .setCredential(Mapping.credential(credential)).build();
    return call(SettlementServiceGrpc.getIdentifyMethod(), req).thenApply(Mapping::identity);
  }

  /** Blocking {@link #identifyAsync}. */
  public Identity identify(Credential credential) {
    return join(identifyAsync(credential));
  }

  // ---- Authorize ------------------------------------------------------------------------------

  /**
   * Pre-settles a sale and holds its account legs. If the outcome is unknown (deadline, lost
   * connection) it is resolved: the result if it was applied, {@link RejectionReason#NOT_APPLIED}
   * if not (see {@link ClientOptions.Builder#resolveUnknownOutcomes}).
   */
  public CompletableFuture<Sale> authorizeAsync(SaleRequest request) {
    final String requestId = request.requestId().isEmpty() ? newRequestId() : request.requestId();
    CompletableFuture<Sale> once = call(SettlementServiceGrpc.getAuthorizeMethod(),
        Mapping.authorize(options.terminal(), request, requestId))
        .thenApply(r -> new Sale(r.getTransactionId(), r.getRequestId(), Mapping.state(r.getState()),
            Mapping.split(r.getBreakdown()), Mapping.millis(r.getExpireTime())));
    return resolving(once, requestId, r -> {
      gongji.v1.Transaction t = r.getTransaction();
      return new Sale(t.getTransactionId(), requestId, Mapping.state(t.getState()), Mapping.split(t.getAuthorized()),
          Mapping.millis(t.getExpireTime()));
    });
  }

  /** Blocking {@link #authorizeAsync}. */
  public Sale authorize(SaleRequest request) {
    return join(authorizeAsync(request));
  }

  // ---- Settle ---------------------------------------------------------------------------------

  /**
   * Settles an authorized sale.
   *
   * @param finalTotalFen the final bill (at most the authorized total), or null for the authorized total
   * @param requestId the idempotency key, or null to generate one
   */
  public CompletableFuture<Sale> settleAsync(String transactionId, Long finalTotalFen, String requestId) {
    SettleRequest.Builder b = SettleRequest.newBuilder()
        .setRequestId(requestId == null ? newRequestId() : requestId)
        .setTerminal(terminal)
        .setTransactionId(Checks.notNull(transactionId, "transactionId"));
    if (finalTotalFen != null) {
      b.setFinalTotalFen(finalTotalFen);
    }
    final String id = b.getRequestId();
    CompletableFuture<Sale> once = call(SettlementServiceGrpc.getSettleMethod(), b.build())
        .thenApply(r -> new Sale(r.getTransactionId(), r.getRequestId(), Mapping.state(r.getState()),
            Mapping.split(r.getBreakdown()), 0));
    return resolving(once, id, r -> new Sale(r.getTransaction().getTransactionId(), id,
        Mapping.state(r.getTransaction().getState()), Mapping.split(r.getTransaction().getSettled()), 0));
  }

  /** Blocking settle of the authorized total. */
  public Sale settle(String transactionId) {
    return join(settleAsync(transactionId, null, null));
  }

  /** Blocking settle for a final total. */
  public Sale settle(String transactionId, long finalTotalFen) {
    return join(settleAsync(transactionId, finalTotalFen, null));
  }

  // ---- Cancel, Refund, Reverse ----------------------------------------------------------------

  /** Releases the holds of an unsettled sale. */
  public CompletableFuture<Sale> cancelAsync(String transactionId, String requestId) {
    CancelRequest req = CancelRequest.newBuilder()
        .setRequestId(requestId == null ? newRequestId() : requestId)
        .setTerminal(terminal)
        .setTransactionId(Checks.notNull(transactionId, "transactionId"))
        .build();
    return call(SettlementServiceGrpc.getCancelMethod(), req)
        .thenApply(r -> new Sale(r.getTransactionId(), r.getRequestId(), Mapping.state(r.getState()),
            new Split(0, 0, 0, 0, 0, Collections.<Leg>emptyList(), r.getBalanceAfterFen()), 0));
  }

  /** Blocking {@link #cancelAsync}. */
  public Sale cancel(String transactionId) {
    return join(cancelAsync(transactionId, null));
  }

  /** Refunds a settled sale in full, each fen to the account it came from. */
  public CompletableFuture<Sale> refundAsync(String transactionId, String requestId) {
    RefundRequest req = RefundRequest.newBuilder()
        .setRequestId(requestId == null ? newRequestId() : requestId)
        .setTerminal(terminal)
        .setTransactionId(Checks.notNull(transactionId, "transactionId"))
        .build();
    final String id = req.getRequestId();
    CompletableFuture<Sale> once = call(SettlementServiceGrpc.getRefundMethod(), req)
        .thenApply(r -> new Sale(r.getTransactionId(), r.getRequestId(), Mapping.state(r.getState()),
            Mapping.split(r.getBreakdown()), 0));
    return resolving(once, id, r -> new Sale(r.getTransaction().getTransactionId(), id,
        Mapping.state(r.getTransaction().getState()), Mapping.split(r.getTransaction().getSettled()), 0));
  }

  /** Blocking {@link #refundAsync}. */
  public Sale refund(String transactionId) {
    return join(refundAsync(transactionId, null));
  }

  /** Undoes the request with this id if it happened; if it did not arrive yet, it will be refused. */
  public CompletableFuture<Reversal> reverseAsync(String originalRequestId) {
    ReverseRequest req = ReverseRequest.newBuilder().setTerminal(terminal)
        .setOriginalRequestId(Checks.notNull(originalRequestId, "originalRequestId")).build();
    return call(SettlementServiceGrpc.getReverseMethod(), req).thenApply(Mapping::reversal);
  }

  /** Blocking {@link #reverseAsync}. */
  public Reversal reverse(String originalRequestId) {
    return join(reverseAsync(originalRequestId));
  }

  /** The sale with this transaction id, as it is now. */
  public CompletableFuture<Sale> getTransactionAsync(String transactionId) {
    GetTransactionRequest req = GetTransactionRequest.newBuilder().setTerminal(terminal)
        .setTransactionId(Checks.notNull(transactionId, "transactionId")).build();
    return call(SettlementServiceGrpc.getGetTransactionMethod(), req).thenApply(r -> {
      gongji.v1.Transaction t = r.getTransaction();
      return new Sale(t.getTransactionId(), "", Mapping.state(t.getState()),
          Mapping.split(t.hasSettled() ? t.getSettled() : t.getAuthorized()), Mapping.millis(t.getExpireTime()));
    });
  }

  /** Blocking {@link #getTransactionAsync}. */
  public Sale getTransaction(String transactionId) {
    return join(getTransactionAsync(transactionId));
  }

  /** The raw record of a request: whether it was applied, refused or reversed (the low-level look-up). */
  CompletableFuture<GetTransactionResponse> lookupRequestAsync(String requestId) {
    GetTransactionRequest req = GetTransactionRequest.newBuilder().setTerminal(terminal).setRequestId(requestId).build();
    return call(SettlementServiceGrpc.getGetTransactionMethod(), req);
  }

  // ---- plumbing -------------------------------------------------------------------------------

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
      resolver.resolve(requestId, reader).whenComplete((v, err) -> {
        if (err == null) {
          out.complete(v);
        } else {
          out.completeExceptionally(OutcomeResolver.unwrap(err));
        }
      });
    });
    return out;
  }

  private <Q, A> CompletableFuture<A> call(MethodDescriptor<Q, A> method, Q request) {
    final CompletableFuture<A> future = new CompletableFuture<A>();
    Channel ch = channel;
    CallOptions opts = CallOptions.DEFAULT.withDeadlineAfter(options.defaultDeadlineMillis(), TimeUnit.MILLISECONDS);
    ClientCalls.asyncUnaryCall(ch.newCall(method, opts), request, new StreamObserver<A>() {
      @Override
      public void onNext(A value) {
        future.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        future.completeExceptionally(ErrorTranslator.translate(t));
      }

      @Override
      public void onCompleted() {}
    });
    return future;
  }

  private static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw ErrorTranslator.translate(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ErrorTranslator.translate(io.grpc.Status.CANCELLED.withDescription("interrupted").asRuntimeException());
    }
  }

  /** Shuts the connection down, waiting up to 5 s for calls in flight. */
  @Override
  public void close() {
    timer.shutdownNow();
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
