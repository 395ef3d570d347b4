package gongji.client;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The channel pool of a client, shared by {@link GongjiClient} and {@link GongjiAdminClient}: the one
 * class that builds gRPC channels from {@link ClientOptions} (TLS or plaintext, keepalive, the retry
 * service config) and starts calls on them with a deadline and the bearer token.
 *
 * <p>A call the gateway shed at admission (RESOURCE_EXHAUSTED with a RetryInfo: reason OVERLOADED,
 * RATE_LIMITED or LEDGER_UNAVAILABLE; nothing of it was applied) is sent again after the RetryInfo
 * delay, within the call's deadline and {@link ClientOptions#maxAttempts()} attempts in all; only the
 * last refusal reaches the caller, as {@link GongjiException#notApplied()}.
 */
final class Channels {
  private final ManagedChannel[] channels;
  private final AtomicInteger nextChannel = new AtomicInteger();
  private final CallCredentials credentials;
  private final long deadlineMillis;
  private final int maxAttempts;
  /** Starts the attempts that follow a shed one, after its RetryInfo delay (a daemon thread). */
  /** The calls waiting for their next attempt, with the refusal they end with if the client closes first. */
  private final Map<CompletableFuture<?>, GongjiException> pending =
      new java.util.concurrent.ConcurrentHashMap<CompletableFuture<?>, GongjiException>();
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "gongji-client-shed-retry");
    t.setDaemon(true);
    return t;
  });

  private Channels(ClientOptions options, ManagedChannel[] channels) {
    this.channels = channels;
    this.maxAttempts = options.maxAttempts();
    this.credentials = options.bearerToken() == null ? null : new BearerToken(options.bearerToken());
    this.deadlineMillis = options.defaultDeadlineMillis();
  }

  /** A builder for {@code options.target()}: TLS when certificates are set, else plaintext if asked; keepalive. */
  static ManagedChannelBuilder<?> builder(ClientOptions options) {
    ManagedChannelBuilder<?> b;
    if (options.trustCertificates() != null || options.clientCertificateChain() != null) {
      b = Tls.channelBuilder(options);
    } else {
      b = ManagedChannelBuilder.forTarget(options.target());
      if (options.plaintext()) {
        b.usePlaintext();
      }
    }
    // The gateway permits keepalive pings every 10 s or more.
    b.keepAliveTime(60, TimeUnit.SECONDS).keepAliveTimeout(10, TimeUnit.SECONDS);
    return b;
  }

  /**
   * Builds {@link ClientOptions#channels()} channels from {@code channelBuilder}, retrying UNAVAILABLE
   * ({@link ClientOptions#maxAttempts()} attempts) for the methods named in {@code retried}.
   *
   * @param retried the methods whose retry cannot apply a request twice: each a service name, or a
   *     service name and a method name
   */
  static Channels build(ClientOptions options, ManagedChannelBuilder<?> channelBuilder, List<String[]> retried) {
    if (options.maxAttempts() > 1) {
      // gRPC refuses a retry policy of one attempt; without a policy, only a request that never
      // left the client is retried (transparently).
      channelBuilder.defaultServiceConfig(serviceConfig(options.maxAttempts(), retried));
    }
    channelBuilder.enableRetry();
    ManagedChannel[] channels = new ManagedChannel[options.channels()];
    for (int i = 0; i < channels.length; i++) {
      channels[i] = channelBuilder.build();
    }
    return new Channels(options, channels);
  }

  /** Retry UNAVAILABLE only, for the named services and methods. */
  private static Map<String, Object> serviceConfig(int maxAttempts, List<String[]> retried) {
    Map<String, Object> retry = new HashMap<String, Object>();
    retry.put("maxAttempts", (double) maxAttempts);
    retry.put("initialBackoff", "0.05s");
    retry.put("maxBackoff", "1s");
    retry.put("backoffMultiplier", 2.0);
    retry.put("retryableStatusCodes", Collections.singletonList("UNAVAILABLE"));
    List<Object> names = new ArrayList<Object>();
    for (String[] r : retried) {
      Map<String, Object> name = new HashMap<String, Object>();
      name.put("service", r[0]);
      if (r.length > 1) {
        name.put("method", r[1]);
      }
      names.add(name);
    }
    Map<String, Object> method = new HashMap<String, Object>();
    method.put("name", names);
    method.put("retryPolicy", retry);
    Map<String, Object> throttling = new HashMap<String, Object>();
    throttling.put("maxTokens", 10.0);
    throttling.put("tokenRatio", 0.1);
    Map<String, Object> config = new HashMap<String, Object>();
    config.put("methodConfig", Collections.singletonList(method));
    config.put("retryThrottling", throttling);
    return config;
  }

  /**
   * Starts one call with the default deadline: no call leaves the client without one. A failure
   * completes the future with the translated exception, carrying {@code requestId} (when given) in
   * its metadata so that the caller can resend or reverse it; one that provably never reached the
   * gateway's ledger (see {@link Attempts}) is {@link GongjiException#notApplied()}.
   */
  <Q, A> CompletableFuture<A> call(MethodDescriptor<Q, A> method, Q request, final String requestId) {
    return call(method, request, requestId, 0);
  }

  /** {@link #call(MethodDescriptor, Object, String)} with this deadline, or the default one for 0. */
  <Q, A> CompletableFuture<A> call(MethodDescriptor<Q, A> method, Q request, final String requestId,
      long deadlineMillis) {
    final CompletableFuture<A> future = new CompletableFuture<A>();
    long deadline = deadlineMillis > 0 ? deadlineMillis : this.deadlineMillis;
    attempt(method, request, requestId, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadline), 1, future);
    return future;
  }

  /** Attempt number {@code attempt} of a call that must end by {@code deadlineNanos} ({@link System#nanoTime()}). */
  private <Q, A> void attempt(final MethodDescriptor<Q, A> method, final Q request, final String requestId,
      final long deadlineNanos, final int attempt, final CompletableFuture<A> future) {
    final Attempts attempts = new Attempts();
    CallOptions opts = CallOptions.DEFAULT.withDeadlineAfter(deadlineNanos - System.nanoTime(), TimeUnit.NANOSECONDS)
        .withStreamTracerFactory(attempts);
    if (credentials != null) {
      opts = opts.withCallCredentials(credentials);
    }
    ManagedChannel channel = channels[Math.floorMod(nextChannel.getAndIncrement(), channels.length)];
    ClientCalls.asyncUnaryCall(channel.newCall(method, opts), request, new StreamObserver<A>() {
      @Override
      public void onNext(A value) {
        future.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        final GongjiException e = ErrorTranslator.translate(t, requestId, attempts.noneReached());
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(e.retryDelayMillis());
        if (shed(e) && attempt < maxAttempts && System.nanoTime() + delayNanos < deadlineNanos) {
          Runnable next = new Runnable() {
            @Override
            public void run() {
              if (pending.remove(future) != null && !future.isDone()) {
                attempt(method, request, requestId, deadlineNanos, attempt + 1, future);
              }
            }
          };
          pending.put(future, e);
          try {
            retries.schedule(next, delayNanos, TimeUnit.NANOSECONDS);
            return;
          } catch (RejectedExecutionException closing) {
            // The client is closing: the caller learns of the refusal now.
            pending.remove(future);
          }
        }
        future.completeExceptionally(e);
      }

      @Override
      public void onCompleted() {}
    });
  }

  /**
   * Whether the gateway shed the call at admission and said when to come back: RESOURCE_EXHAUSTED,
   * nothing applied (see {@link Attempts}), with a RetryInfo.
   */
  private static boolean shed(GongjiException e) {
    return e.notApplied() && Status.Code.RESOURCE_EXHAUSTED.name().equals(e.statusCode()) && e.retryDelayMillis() >= 0;
  }

  /** Waits for a call: its value, or its failure as the SDK's typed exception. */
  static <T> T join(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw ErrorTranslator.translate(e.getCause(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ErrorTranslator.translate(Status.CANCELLED.withDescription("interrupted").asRuntimeException(), null);
    }
  }

  /** Shuts the channels down, waiting up to 5 s for calls in flight, then forcing them. */
  void shutdown() {
    retries.shutdownNow();
    for (CompletableFuture<?> waiting : new ArrayList<CompletableFuture<?>>(pending.keySet())) {
      GongjiException refusal = pending.remove(waiting);
      if (refusal != null) {
        waiting.completeExceptionally(refusal);
      }
    }
    for (ManagedChannel channel : channels) {
      channel.shutdown();
    }
    try {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      for (ManagedChannel channel : channels) {
        if (!channel.awaitTermination(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          channel.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      for (ManagedChannel channel : channels) {
        channel.shutdownNow();
      }
      Thread.currentThread().interrupt();
    }
  }
}
