package gongji.server.national;

import static gongji.server.testing.Sales.authorize;
import static gongji.server.testing.Sales.card;
import static gongji.server.testing.Sales.item;
import static gongji.server.testing.Sales.settle;
import static gongji.server.testing.Sales.terminal;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import gongji.server.GatewayServer;
import gongji.server.Node;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.ledger.Command;
import gongji.server.ledger.Journal;
import gongji.server.ledger.Result;
import gongji.v1.ItemCategory;
import gongji.v1.SettlementServiceGrpc;
import gongji.v1.Terminal;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Throughput of a settlement through each door of one node on this machine: Settle over gRPC
 * (Netty) against 2102 over HTTP/JSON, each settling holds placed beforehand, then whole sales
 * (Authorize + Settle against 2101 + 2102). The ledger runs without a journal (no fsync), so the
 * numbers compare the transports, not the disk. Off in the build; run it with
 * {@code mvn -o -pl server test -Dtest=NationalBenchmark -Dgongji.bench=true}, results on stdout.
 */
@EnabledIfSystemProperty(named = "gongji.bench", matches = "true")
class NationalBenchmark {
  private static final int PEOPLE = 200;
  private static final int IN_FLIGHT = 64;
  private static final int WARMUP = 3_000;
  private static final int MEASURED = 20_000;
  private static final Terminal POS = terminal(DemoData.PHARMACY, "POS01");

  @Test
  void settle_grpcVersusNational_throughput() throws Exception {
    GatewayConfig config = GatewayConfig.forTests();
    Node node = new Node(config, InstantSource.system(), Journal.NONE);
    GatewayServer grpcServer;
    try {
      DemoData.load(node.gateway());
      for (int i = 0; i < PEOPLE; i++) {
        String psnNo = psnNo(i);
        submit(node, new Command.UpsertInsured(new Insured(psnNo, "测试" + i, InsuranceType.EMPLOYEE_BASIC,
            InsuredStatus.NORMAL, "620100", List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "BENCH-" + i)))));
        submit(node, new Command.Credit("bench-credit-" + i, i, psnNo, 1_000_000_000L));
      }
      grpcServer = GatewayServer.startNetty(node, config);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    NationalServer nationalServer = NationalServer.start(node.national(), "127.0.0.1", 0,
        GatewayConfig.DEFAULT_NATIONAL_PATH);
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", grpcServer.port()).usePlaintext().build();
    URI uri = URI.create("http://127.0.0.1:" + nationalServer.port() + GatewayConfig.DEFAULT_NATIONAL_PATH);
    HttpLoad http = new HttpLoad(uri, IN_FLIGHT);
    try {
      SettlementServiceGrpc.SettlementServiceFutureStub grpc = SettlementServiceGrpc.newFutureStub(channel);
      AtomicInteger ids = new AtomicInteger();
      Bench b = new Bench();

      // Settle alone: holds placed first (untimed), then settled through each door.
      List<String> grpcHolds = hold(grpc, WARMUP + MEASURED, ids);
      double grpcSettle = b.run("Settle over gRPC", WARMUP, MEASURED, i -> toCompletable(grpc.settle(
          settle("gs-" + i, POS, grpcHolds.get(i)))).thenApply(r -> true));
      // The national side's holds come from 2101, as an HIS places them (so 2102 knows their patients).
      List<String> nationalHolds = presettle(http, WARMUP + MEASURED);
      double national2102 = b.run("2102 over HTTP/JSON (mdtrt_id of a hold)", WARMUP, MEASURED, i -> post(http,
          envelope("2102", msgid("N", i), i, nationalHolds.get(i))));

      // Whole sales.
      double grpcSale = b.run("Authorize + Settle over gRPC", WARMUP, MEASURED, i -> toCompletable(grpc.authorize(
          authorize("ga-" + i, POS, card("BENCH-" + (i % PEOPLE)), item(ItemCategory.ITEM_CATEGORY_DRUG, 1_000))
              .build())).thenCompose(a -> toCompletable(grpc.settle(settle("gas-" + i, POS, a.getTransactionId()))))
          .thenApply(r -> true));
      double nationalSale = b.run("2101 + 2102 over HTTP/JSON", WARMUP, MEASURED, i -> post(http,
          envelope("2101", msgid("A", i), i, null)).thenCompose(ok -> post(http, envelope("2102", msgid("B", i), i,
              null))));
      double oneStep = b.run("2102 alone over HTTP/JSON (authorize + settle inside)", WARMUP, MEASURED, i -> post(http,
          envelope("2102", msgid("C", i), i + PEOPLE / 2, null)));

      System.out.printf("%nNational interface benchmark (%d cores, %d in flight, %d measured each, no journal)%n",
          Runtime.getRuntime().availableProcessors(), IN_FLIGHT, MEASURED);
      System.out.printf("  settle only:  gRPC Settle %,.0f/s   HTTP 2102 %,.0f/s   ratio %.2f%n", grpcSettle,
          national2102, national2102 / grpcSettle);
      System.out.printf("  whole sale:   gRPC Authorize+Settle %,.0f/s   HTTP 2101+2102 %,.0f/s   ratio %.2f;"
          + "   HTTP 2102 one step %,.0f/s%n", grpcSale, nationalSale, nationalSale / grpcSale, oneStep);
      Result audit = node.gateway().admin(new Command.Audit()).get(60, TimeUnit.SECONDS);
      assertEquals(List.of(), ((Result.AuditReport) audit).violations());
    } finally {
      http.close();
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      nationalServer.close();
      grpcServer.close();
    }
  }

  private static String psnNo(int i) {
    return String.format("6201009%019d", i);
  }

  private static String msgid(String phase, int i) {
    return DemoData.PHARMACY + phase + String.format("%017d", i);
  }

  private static void submit(Node node, Command c) throws Exception {
    Result r = node.gateway().admin(c).get(10, TimeUnit.SECONDS);
    if (r instanceof Result.Rejected x) {
      throw new IllegalStateException(c + ": " + x);
    }
  }

  /** {@code n} holds of 10.00 yuan over the bench people, placed over gRPC. */
  private static List<String> hold(SettlementServiceGrpc.SettlementServiceFutureStub grpc, int n, AtomicInteger ids)
      throws Exception {
    String[] txns = new String[n];
    new Bench().run(null, 0, n, i -> toCompletable(grpc.authorize(authorize("h-" + ids.incrementAndGet(), POS,
        card("BENCH-" + (i % PEOPLE)), item(ItemCategory.ITEM_CATEGORY_DRUG, 1_000)).build()))
        .thenApply(a -> {
          txns[i] = a.getTransactionId();
          return true;
        }));
    return List.of(txns);
  }

  private static List<String> presettle(HttpLoad http, int n) throws Exception {
    String[] txns = new String[n];
    new Bench().run(null, 0, n, i -> {
      try {
        return http.post(envelope("2101", msgid("P", i), i, null).toString().getBytes(StandardCharsets.UTF_8))
            .thenApply(text -> {
              JsonNode body = NationalEndpoint.readJson(text);
              if (body.get("infcode").asInt() != 0) {
                throw new IllegalStateException(text);
              }
              txns[i] = body.get("output").get("setlinfo").get("mdtrt_id").asText();
              return true;
            });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CompletableFuture.failedFuture(e);
      }
    });
    return List.of(txns);
  }

  private static ObjectNode envelope(String infno, String msgid, int i, String mdtrtId) {
    ObjectNode input = NationalEndpoint.JSON.createObjectNode();
    ObjectNode info = input.putObject("druginfo");
    info.put("psn_no", psnNo(i % PEOPLE));
    info.put("mdtrt_cert_type", "03");
    info.put("mdtrt_cert_no", "BENCH-" + (i % PEOPLE));
    info.put("medfee_sumamt", "10.00");
    info.put("insutype", "310");
    info.put("acct_used_flag", "1");
    info.put("med_type", "41");
    if (mdtrtId != null) {
      info.put("mdtrt_id", mdtrtId);
    }
    ObjectNode line = input.putArray("drugdetail").addObject();
    line.put("feedetl_sn", "1");
    line.put("med_list_codg", "XJ01CRA040A001010104459");
    line.put("det_item_fee_sumamt", "10.00");
    line.put("fee_ocur_time", "2026-03-02 09:00:00");
    return NationalEndpoint.envelope(infno, msgid, DemoData.PHARMACY, "POS01", input);
  }

  /**
   * Posts an envelope; fails unless the reply says {@code infcode 0}. The reply is checked by its
   * first field as the gateway writes it, not parsed: parsing 1.5 KB of JSON per reply cost this
   * client more CPU than the gRPC client spends per call, on the cores the server under test runs on.
   */
  private static CompletableFuture<Boolean> post(HttpLoad http, ObjectNode envelope) {
    try {
      return http.post(envelope.toString().getBytes(StandardCharsets.UTF_8)).thenApply(text -> {
        if (!text.startsWith("{\"infcode\":0,")) {
          throw new IllegalStateException(text);
        }
        return true;
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CompletableFuture.failedFuture(e);
    }
  }

  private static <T> CompletableFuture<T> toCompletable(ListenableFuture<T> f) {
    CompletableFuture<T> out = new CompletableFuture<>();
    Futures.addCallback(f, new FutureCallback<T>() {
      @Override
      public void onSuccess(T result) {
        out.complete(result);
      }

      @Override
      public void onFailure(Throwable t) {
        out.completeExceptionally(t);
      }
    }, MoreExecutors.directExecutor());
    return out;
  }

  /** Runs operations {@code 0..warmup+n-1} with {@link #IN_FLIGHT} at a time; the rate of the last {@code n}. */
  private static final class Bench {
    double run(String name, int warmup, int n, IntFunction<CompletableFuture<Boolean>> op) throws Exception {
      drive(0, warmup, op);
      long start = System.nanoTime();
      drive(warmup, warmup + n, op);
      double rate = n / ((System.nanoTime() - start) / 1e9);
      if (name != null) {
        System.out.printf("  %-55s %,10.0f/s%n", name, rate);
      }
      return rate;
    }

    private static void drive(int from, int to, IntFunction<CompletableFuture<Boolean>> op) throws Exception {
      Semaphore slots = new Semaphore(IN_FLIGHT);
      AtomicLong failures = new AtomicLong();
      List<Throwable> first = new ArrayList<>();
      for (int i = from; i < to; i++) {
        slots.acquire();
        op.apply(i).whenComplete((ok, error) -> {
          if (error != null && failures.incrementAndGet() == 1) {
            synchronized (first) {
              first.add(error);
            }
          }
          slots.release();
        });
      }
      if (!slots.tryAcquire(IN_FLIGHT, 120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("operations did not finish within 120 s");
      }
      if (failures.get() > 0) {
        throw new IllegalStateException(failures.get() + " operations failed; first: " + first.get(0), first.get(0));
      }
    }
  }
}
