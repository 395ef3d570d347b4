package gongji.server.metrics;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.sun.net.httpserver.HttpServer;
import gongji.server.gateway.FraudObserver;
import gongji.server.ledger.LedgerFigures;
import gongji.server.ledger.Sequencer;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * The one class that names meters. Owns the Prometheus registry and the HTTP endpoint it is
 * scraped from ({@code /metrics} on its own port), binds Micrometer's own binders (gRPC server
 * calls, Caffeine caches, JVM memory, GC, threads and class loading, process CPU, uptime and file
 * descriptors), and hands out the hooks the other rooms call: a batch observer and the published
 * figures of the sequencer, a timed snapshot sink, a fraud observer for the gateway.
 */
public final class Metrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final DistributionSummary batchSize;
  private final Timer forceTimer;
  private final MetricCollectingServerInterceptor grpc;
  private final Timer snapshotTimer;
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private final Set<String> alertKinds = ConcurrentHashMap.newKeySet();
  private volatile long recoveryNanos;
  private volatile Sequencer sequencer;
  private volatile LedgerFigures alertsAtStart;
  private HttpServer http;

  public Metrics() {
    grpc = new MetricCollectingServerInterceptor(registry, UnaryOperator.identity(),
        timer -> timer.publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30)),
        Status.Code.OK);
    snapshotTimer = Timer.builder("gongji.ledger.snapshot.write")
        .description("time to write a snapshot durably (waiting for history included, and making the image as"
            + " it is written when the snapshot follower makes it)").register(registry);
    TimeGauge.builder("gongji.ledger.recovery", this, TimeUnit.NANOSECONDS, m -> m.recoveryNanos)
        .description("time the start took to read the snapshot and replay the journal").register(registry);
    new JvmMemoryMetrics().bindTo(registry);
    gc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    batchSize = DistributionSummary.builder("gongji.ledger.batch.commands")
        .description("commands per sequencer batch").publishPercentiles(0.5, 0.99).register(registry);
    forceTimer = Timer.builder("gongji.ledger.journal.force")
        .description("time to force the journal once per batch").publishPercentiles(0.5, 0.99).register(registry);
  }

  /**
   * Micrometer's gRPC server interceptor: per method, messages received and sent, and a timer by
   * status code with a percentile histogram ({@code grpc_server_processing_duration_seconds_bucket}).
   * One instance for every service, so that each method's meters are looked up in one map. Given a
   * service already wrapped in the gateway's interceptors, it goes outside them all, so that a call
   * they refuse is counted with its status.
   */
  public ServerServiceDefinition instrument(ServerServiceDefinition definition) {
    grpc.preregisterService(definition);
    return ServerInterceptors.intercept(definition, grpc);
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
    Gauge.builder("gongji.ledger.transfers.kept", sequencer, Sequencer::keptTransfers)
        .description("wallet transfers in the writer's memory: open, and closed ones of the day or named by"
            + " kept sales")
        .register(registry);
    Gauge.builder("gongji.ledger.snapshot.follower.lag", sequencer, Sequencer::snapshotFollowerLag)
        .baseUnit("commands").description("commands handed to the snapshot follower and not yet applied")
        .register(registry);
    FunctionCounter.builder("gongji.ledger.snapshot.follower.reseeds", sequencer,
            Sequencer::snapshotFollowerReseeds)
        .description("snapshot followers seeded again after one was given up").register(registry);
    Gauge.builder("gongji.ledger.snapshot.off.writer", sequencer, s -> s.snapshotsOffTheWriter() ? 1 : 0)
        .description("1 while snapshot images are made off the writer; 0 once the follower is given up (images"
            + " then pause the writer)").register(registry);
    bindLedgerFigures(sequencer);
  }

  /**
   * The ledger's figures as the sequencer published them after its last batch: holds outstanding,
   * open sales, and alerts by kind counted from now (what replay raised at start is not counted).
   */
  private void bindLedgerFigures(Sequencer sequencer) {
    Gauge.builder("gongji.ledger.holds.outstanding", sequencer, s -> s.figures().holdsOutstandingFen())
        .baseUnit("fen").description("what open authorizations hold (wallet quota in a sale included)")
        .register(registry);
    Gauge.builder("gongji.ledger.sales.open", sequencer, s -> s.figures().openSales())
        .description("authorizations neither settled, cancelled nor expired").register(registry);
    this.sequencer = sequencer;
    alertsAtStart = sequencer.figures();
    LedgerFigures.ALERT_KINDS.forEach(this::bindAlertKind);
  }

  private void bindAlertKind(String kind) {
    if (alertKinds.add(kind)) {
      LedgerFigures start = alertsAtStart;
      FunctionCounter.builder("gongji.ledger.alerts", sequencer, s -> s.figures().alerts(kind) - start.alerts(kind))
          .tag("kind", kind).description("alerts the ledger raised (impersonation, mutual-aid limits), by kind")
          .register(registry);
    }
  }

  /** Micrometer's Caffeine binder on each reference cache: size, hits, misses, loads, evictions. */
  public void bindCaches(Map<String, AsyncCache<?, ?>> caches) {
    caches.forEach((name, cache) -> CaffeineCacheMetrics.monitor(registry, cache, name));
  }

  /** {@code sink}, timed: {@code gongji_ledger_snapshot_write_seconds}. */
  public Sequencer.SnapshotSink timed(Sequencer.SnapshotSink sink) {
    return (seq, payload) -> {
      long start = System.nanoTime();
      long bytes = sink.write(seq, payload);
      snapshotTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
      return bytes;
    };
  }

  /** How long the start took to read the snapshot, replay the journal and catch history up. */
  public void recovered(long nanos) {
    recoveryNanos = nanos;
  }

  /** Counts fraud alerts by kind and institution. */
  public FraudObserver fraudObserver() {
    return new FraudObserver() {
      @Override
      public void alert(String kind, String institution, String detail) {
        Counter.builder("gongji.fraud.alerts").tag("kind", kind).register(registry).increment();
      }

      @Override
      public void suppressed(String kind, String institution) {
        Counter.builder("gongji.alerts.suppressed").tag("kind", kind)
            .description("fraud attempts refused but not recorded as alerts one by one (over their terminal's alert"
                + " rate); ALERTS_SUPPRESSED alerts count them").register(registry).increment();
      }
    };
  }

  /** Counts the calls shed at admission, by the bucket that refused them: {@code gongji_admission_shed_total}. */
  public gongji.server.grpc.Admission.Observer admissionObserver() {
    Counter terminal = shedCounter("terminal");
    Counter institution = shedCounter("institution");
    return scope -> (scope.equals("terminal") ? terminal : institution).increment();
  }

  private Counter shedCounter(String scope) {
    return Counter.builder("gongji.admission.shed").tag("scope", scope)
        .description("settlement calls refused over their terminal's or institution's rate (RATE_LIMITED)")
        .register(registry);
  }

  /**
   * Counts the calls shed over the gateway's bound on calls in flight, by the transport that refused
   * them: {@code gongji_admission_overloaded_total{via="grpc"|"national"}}.
   */
  public gongji.server.gateway.CallsInFlight.Observer overloadObserver() {
    Counter grpc = overloadedCounter("grpc");
    Counter national = overloadedCounter("national");
    Timer grpcHeld = heldTimer("grpc");
    Timer nationalHeld = heldTimer("national");
    return new gongji.server.gateway.CallsInFlight.Observer() {
      @Override
      public void shed(String via) {
        (via.equals("national") ? national : grpc).increment();
      }

      @Override
      public void held(String via, long heldNanos) {
        (via.equals("national") ? nationalHeld : grpcHeld).record(heldNanos, TimeUnit.NANOSECONDS);
      }
    };
  }

  /**
   * How long admitted calls held their place, by transport: {@code gongji_admission_held_seconds}, a
   * Prometheus histogram (buckets from 1 ms to 30 s, a third apart at most) so that the time at the
   * server of the calls admitted over any window is the difference of two scrapes. It is what the
   * bound on calls in flight keeps short under overload, measured where no client's own lag adds to it.
   */
  private Timer heldTimer(String via) {
    return Timer.builder("gongji.admission.held").tag("via", via)
        .description("admitted calls, from taking their place in flight (their request all arrived) to their reply (for a call gone away,"
            + " to when the writer let go of its command)")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }

  private Counter overloadedCounter(String via) {
    return Counter.builder("gongji.admission.overloaded").tag("via", via)
        .description("calls refused because the gateway served as many as the bound in force already (OVERLOADED)")
        .register(registry);
  }

  /**
   * The calls in flight now and their bound: {@code gongji_admission_calls_in_flight},
   * {@code gongji_admission_calls_in_flight_limit} (the bound in force, lower than the setting while
   * admitted calls wait longer than admission.target.held.ms) and
   * {@code gongji_admission_calls_in_flight_max} (the setting).
   */
  public void bindCallsInFlight(gongji.server.gateway.CallsInFlight calls) {
    Gauge.builder("gongji.admission.calls.in.flight", calls, gongji.server.gateway.CallsInFlight::inFlight)
        .description("calls the gateway serves now (gRPC services and the national interface; health not counted)")
        .register(registry);
    Gauge.builder("gongji.admission.calls.in.flight.limit", calls, gongji.server.gateway.CallsInFlight::limit)
        .description("the bound on calls in flight in force: admission.max.in.flight.calls, or fewer while admitted"
            + " calls wait longer than admission.target.held.ms").register(registry);
    Gauge.builder("gongji.admission.calls.in.flight.max", calls, gongji.server.gateway.CallsInFlight::max)
        .description("admission.max.in.flight.calls: above it calls are shed as OVERLOADED").register(registry);
  }

  /**
   * Counts the gRPC calls refused at their headers because as many as allowed already await their
   * request ({@code gongji_admission_awaiting_body_refused_total}) and those ended because their
   * request did not arrive whole in time ({@code gongji_admission_body_timeouts_total}).
   */
  public gongji.server.grpc.InFlightBound.BodyObserver bodyObserver() {
    Counter refused = Counter.builder("gongji.admission.awaiting.body.refused")
        .description("gRPC calls refused at their headers (OVERLOADED): max.calls.awaiting.body calls already awaited"
            + " the rest of their request").register(registry);
    Counter timedOut = Counter.builder("gongji.admission.body.timeouts")
        .description("gRPC calls ended unread (REQUEST_BODY_TIMEOUT): their request did not arrive whole within"
            + " request.body.timeout.seconds of their headers").register(registry);
    return new gongji.server.grpc.InFlightBound.BodyObserver() {
      @Override
      public void refusedAwaitingBody() {
        refused.increment();
      }

      @Override
      public void bodyTimedOut() {
        timedOut.increment();
      }
    };
  }

  /**
   * The gRPC calls whose headers came and whose request has not all arrived, now
   * ({@code gongji_admission_calls_awaiting_body}), and their bound
   * ({@code gongji_admission_calls_awaiting_body_max}, the setting).
   */
  public void bindCallsAwaitingBody(gongji.server.grpc.InFlightBound bound) {
    Gauge.builder("gongji.admission.calls.awaiting.body", bound, gongji.server.grpc.InFlightBound::awaitingBody)
        .description("gRPC calls whose headers came and whose request has not all arrived").register(registry);
    Gauge.builder("gongji.admission.calls.awaiting.body.max", bound, gongji.server.grpc.InFlightBound::maxAwaitingBody)
        .description("max.calls.awaiting.body: above it calls are refused at their headers as OVERLOADED")
        .register(registry);
  }

  /** Audit records dropped (queue full, a write that failed): {@code gongji_audit_dropped_total}. */
  public void bindAudit(java.util.function.LongSupplier dropped) {
    FunctionCounter.builder("gongji.audit.dropped", dropped, LongSupplier::getAsLong)
        .description("audit records dropped: the audit queue was full or a write failed").register(registry);
  }

  /** The current metrics in Prometheus text format. */
  public String scrape() {
    LedgerFigures figures = sequencer == null ? null : sequencer.figures();
    if (figures != null && figures.alertsByKind().size() > alertKinds.size()) {
      figures.alertsByKind().keySet().forEach(this::bindAlertKind); // a kind not known in advance
    }
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
    gc.close();
    registry.close();
  }
}
