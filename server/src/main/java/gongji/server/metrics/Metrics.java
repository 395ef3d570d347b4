package gongji.server.metrics;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import com.sun.net.httpserver.HttpServer;
import gongji.server.gateway.FraudObserver;
import gongji.server.ledger.Sequencer;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * The one class that names meters. Owns the Prometheus registry and the HTTP endpoint it is
 * scraped from ({@code /metrics} on its own port), and hands out the hooks the other rooms call:
 * a gRPC interceptor, a batch observer for the sequencer, a fraud observer for the gateway.
 */
public final class Metrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DistributionSummary batchSize;
  private final Timer forceTimer;
  /** Micrometer holds the objects behind function meters weakly; these must live as long as we do. */
  private final java.util.List<Object> bound = new java.util.concurrent.CopyOnWriteArrayList<>();
  private HttpServer http;

  public Metrics() {
    batchSize = DistributionSummary.builder("gongji.ledger.batch.commands")
        .description("commands per sequencer batch").publishPercentiles(0.5, 0.99).register(registry);
    forceTimer = Timer.builder("gongji.ledger.journal.force")
        .description("time to force the journal once per batch").publishPercentiles(0.5, 0.99).register(registry);
  }

  /**
   * Counts and times every call, by method and status code. The timers of a method are registered
   * once, on its first call with each code, and then looked up by the code's index: no tags per call.
   */
  public ServerInterceptor grpcInterceptor() {
    return new ServerInterceptor() {
      private final ConcurrentHashMap<String, AtomicReferenceArray<Timer>> byMethod = new ConcurrentHashMap<>();

      @Override
      public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
          ServerCallHandler<Q, A> next) {
        long start = System.nanoTime();
        String method = call.getMethodDescriptor().getFullMethodName();
        AtomicReferenceArray<Timer> timers =
            byMethod.computeIfAbsent(method, m -> new AtomicReferenceArray<>(Status.Code.values().length));
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            Status.Code code = status.getCode();
            Timer timer = timers.get(code.ordinal());
            if (timer == null) {
              // Racing first calls register the same meter: Micrometer returns the one instance.
              timer = Timer.builder("gongji.grpc.server.calls")
                  .tag("method", method)
                  .tag("code", code.name())
                  .register(registry);
              timers.set(code.ordinal(), timer);
            }
            timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            super.close(status, trailers);
          }
        }, headers);
      }
    };
  }

  /** The sequencer's batch sizes and journal force latency. */
  public Sequencer.BatchObserver batchObserver() {
    return (commands, mutating, forceNanos) -> {
      batchSize.record(commands);
      if (mutating > 0) {
        forceTimer.record(forceNanos, TimeUnit.NANOSECONDS);
      }
    };
  }

  /** Queue depth and applied commands of the sequencer. */
  public void bindSequencer(Sequencer sequencer) {
    Gauge.builder("gongji.ledger.queue.depth", sequencer, Sequencer::queueDepth)
        .description("commands waiting for the sequencer").register(registry);
    FunctionCounter.builder("gongji.ledger.commands", sequencer, Sequencer::appliedCount)
        .description("commands applied").register(registry);
    Gauge.builder("gongji.ledger.poisoned", sequencer, s -> s.poisonedReason() == null ? 0 : 1)
        .description("1 when the ledger refuses everything after a failure").register(registry);
    FunctionCounter.builder("gongji.ledger.shed", sequencer, Sequencer::overloadedCount)
        .description("calls refused because the ledger's queue was full (RESOURCE_EXHAUSTED)").register(registry);
    FunctionCounter.builder("gongji.ledger.deadlines.passed", sequencer, Sequencer::deadlinesPassedCount)
        .description("commands not applied because their caller's deadline had passed").register(registry);
    FunctionCounter.builder("gongji.ledger.recalled.again", sequencer, Sequencer::recalledAgain)
        .description("commands looked up in history again because a sweep let go of what they name").register(registry);
    FunctionCounter.builder("gongji.ledger.sweeps", sequencer, Sequencer::sweeps)
        .description("sweeps that handed closed sales and old request ids to history").register(registry);
    Gauge.builder("gongji.ledger.sales.kept", sequencer, Sequencer::keptSales)
        .description("sales in the writer's memory: open, and closed within the recent window").register(registry);
    Gauge.builder("gongji.ledger.requests.kept", sequencer, Sequencer::keptRequests)
        .description("request ids in the writer's memory (the recent window)").register(registry);
  }

  /** Hit and miss counts of the reference caches. */
  public void bindCaches(Supplier<Map<String, CacheStats>> stats) {
    bound.add(stats);
    for (String name : stats.get().keySet()) {
      FunctionCounter.builder("gongji.cache.hits", stats, s -> s.get().get(name).hitCount())
          .tag("cache", name).register(registry);
      FunctionCounter.builder("gongji.cache.misses", stats, s -> s.get().get(name).missCount())
          .tag("cache", name).register(registry);
    }
  }

  /** Counts fraud alerts by kind and institution. */
  public FraudObserver fraudObserver() {
    return (kind, institution, detail) ->
        Counter.builder("gongji.fraud.alerts").tag("kind", kind).register(registry).increment();
  }

  /** The current metrics in Prometheus text format. */
  public String scrape() {
    return registry.scrape();
  }

  /** Serves {@code /metrics} on the given address; port 0 picks a free one. Returns the bound port. */
  public int serve(String host, int port) throws IOException {
    http = HttpServer.create(new InetSocketAddress(host, port), 16);
    http.createContext("/metrics", exchange -> {
      byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream os = exchange.getResponseBody()) {
        os.write(body);
      }
    });
    http.start();
    return http.getAddress().getPort();
  }

  @Override
  public void close() {
    if (http != null) {
      http.stop(0);
    }
    registry.close();
  }
}
