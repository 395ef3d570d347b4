package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.v1.Breakdown;
import gongji.v1.FundSource;
import gongji.v1.PaymentLeg;
import gongji.v1.Terminal;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The books: a request's replies read back as they came (every acknowledged reply's transaction and
 * split, in order, so that the auditor still sees a request id answered twice with two transactions
 * or two splits), and a filed sale or credit read back with every field it had when filed, from
 * whichever threads filed it, across chunks.
 */
@Timeout(60)
class BooksTest {
  private static final Breakdown SPLIT = Breakdown.newBuilder().setTotalFen(12_345).setAccountPayFen(10_000)
      .setCashPayFen(2_345).addLegs(PaymentLeg.newBuilder().setSource(FundSource.FUND_SOURCE_OWN_ACCOUNT)
          .setAmountFen(10_000)).build();
  private static final Breakdown OTHER = SPLIT.toBuilder().setCashPayFen(2_346).build();
  private static final Workload WORKLOAD = Workload.generated("books", 40, 20);

  @Test
  void everyAcknowledgedReply_readsBackInOrder() {
    Books.Request r = new Books.Request("R1");
    assertEquals(Books.Known.NONE, r.known());
    r.acknowledged("T1", SPLIT);
    assertEquals(Books.Known.ACKNOWLEDGED, r.known());
    assertEquals(List.of("T1"), r.transactionIds());
    assertEquals(List.of(SPLIT), r.breakdowns());

    r.acknowledged("T2", OTHER); // the same id answered again, otherwise: applied twice
    r.acknowledged("T1", null);
    assertEquals(List.of("T1", "T2", "T1"), r.transactionIds());
    assertEquals(List.of(SPLIT, OTHER), r.breakdowns());
  }

  @Test
  void refusalsAndUnknownOutcomes_areKeptApart() {
    Books.Request refused = new Books.Request("R2");
    refused.failed(Status.FAILED_PRECONDITION.asRuntimeException());
    assertEquals(Books.Known.REFUSED, refused.known());
    assertEquals(1, refused.refusals().size());
    assertEquals(List.of(), refused.transactionIds());

    Books.Request unknown = new Books.Request("R3");
    unknown.failed(Status.DEADLINE_EXCEEDED.asRuntimeException());
    assertEquals(Books.Known.UNKNOWN, unknown.known());
    assertEquals(List.of(), unknown.refusals());
  }

  @Test
  void file_saleWithEveryKindOfRequestAndReply_readsBackEveryField() {
    Books books = new Books(true, WORKLOAD.people());
    Workload.Person patient = WORKLOAD.people().get(5);
    Terminal terminal = WORKLOAD.hospitalTerminal(1);
    Books.Sale sale = books.newSale(patient, terminal, "lt-run1-17-a");
    sale.authorize.acknowledged("TXN-17", SPLIT);
    sale.authorize.acknowledged("TXN-17", SPLIT); // a duplicate answered alike
    sale.settle = new Books.Request("lt-run1-17-s");
    sale.settle.failed(Status.DEADLINE_EXCEEDED.asRuntimeException());
    sale.settle.acknowledged("TXN-17", OTHER);
    sale.settle.acknowledged("TXN-18", null); // the same id answered with another transaction: applied twice
    sale.cancel = new Books.Request("lt-run1-17-c");
    sale.cancel.failed(Status.FAILED_PRECONDITION.asRuntimeException());
    sale.cancel.failed(Status.NOT_FOUND.withDescription("no such transaction").asRuntimeException());
    sale.refund = new Books.Request("lt-run1-17-r");
    sale.refund.failed(Status.UNAVAILABLE.asRuntimeException());
    sale.refund.failed(Status.DEADLINE_EXCEEDED.asRuntimeException());
    String expected = describe(sale);

    books.file(sale);

    assertEquals(0, books.inFlight());
    List<Books.Sale> read = books.sales();
    assertEquals(1, read.size());
    Books.Sale back = read.get(0);
    assertEquals(expected, describe(back));
    assertEquals(patient.psnNo(), back.patientPsnNo);
    assertEquals(5, back.patientIndex);
    assertSame(terminal, back.terminal, "a terminal of the table is the one filed");
    assertEquals(List.of(SPLIT, SPLIT), back.authorize.breakdowns());
    assertEquals(List.of("TXN-17", "TXN-18"), back.settle.transactionIds());
    assertEquals(List.of(OTHER), back.settle.breakdowns());
    assertEquals(Books.Known.REFUSED, back.cancel.known());
    assertEquals(2, back.cancel.refusals().size());
    assertEquals(Books.Known.UNKNOWN, back.refund.known());
    assertEquals(2, back.refund.unknownReplies());
    assertEquals("TXN-17", back.transactionId());
  }

  @Test
  void file_saleNotSentOnOrUnanswered_readsBackWithoutItsMissingRequests() {
    Books books = new Books(true, WORKLOAD.people());
    Books.Sale refused = books.newSale(WORKLOAD.people().get(0), WORKLOAD.terminal(0), "lt-run1-0-a");
    refused.authorize.failed(Status.RESOURCE_EXHAUSTED.asRuntimeException());
    Books.Sale unanswered = books.newSale(WORKLOAD.people().get(1), WORKLOAD.terminal(1), "lt-run1-1-a");
    unanswered.settle = new Books.Request("lt-run1-1-s");

    books.file(refused);
    books.file(unanswered);

    List<Books.Sale> read = books.sales();
    assertEquals(List.of(describe(refused), describe(unanswered)), read.stream().map(BooksTest::describe).toList());
    assertEquals(Books.Known.REFUSED, read.get(0).authorize.known());
    assertNull(read.get(0).settle);
    assertNull(read.get(0).transactionId());
    assertEquals(Books.Known.NONE, read.get(1).authorize.known());
    assertEquals(Books.Known.NONE, read.get(1).settle.known());
    assertNull(read.get(1).cancel);
  }

  @Test
  void file_namesOutsideTheTables_keptWhole() {
    Books books = new Books(true, WORKLOAD.people());
    List<String> ids = List.of("R1", "lt-x-007-a", "lt-x--a", "a-b", "-5-", "5-", "lt-x-99999999999999999999-a",
        "住院-3-结算", "lt-x-12-", "");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      // A person not of the workload, and one whose place does not name them: both kept by number.
      Books.Sale sale = i % 2 == 0 ? books.newSale("X" + i, WORKLOAD.terminal(i), ids.get(i))
          : books.newSale(new Workload.Person("Y" + i, "C", true, 0, i), WORKLOAD.terminal(i), ids.get(i));
      sale.authorize.acknowledged("交易-" + i, null);
      sale.settle = new Books.Request(ids.get((i + 1) % ids.size()));
      sale.settle.acknowledged("", SPLIT);
      expected.add(describe(sale).replace(" #" + i + " ", " #-1 "));
      books.file(sale);
    }
    // More terminals than the table holds: the last are kept as messages.
    for (int i = 0; i < Books.MAX_TERMINALS + 3; i++) {
      Terminal terminal = Terminal.newBuilder().setFixmedinsCode("P" + i).setTerminalId("T").build();
      Books.Sale sale = books.newSale(WORKLOAD.people().get(i % 40), terminal, "lt-y-" + i + "-a");
      expected.add(describe(sale));
      books.file(sale);
    }
    // More request id parts than the table holds: the last are kept whole.
    for (int i = 0; i < Books.MAX_PARTS + 3; i++) {
      Books.Sale sale = books.newSale(WORKLOAD.people().get(0), WORKLOAD.terminal(0), "lt-y-" + i + "-step" + i);
      expected.add(describe(sale));
      books.file(sale);
    }

    assertEquals(expected, books.sales().stream().map(BooksTest::describe).toList());
  }

  @Test
  void credits_filedAndInFlight_readBackEveryField() {
    Books books = new Books(true, WORKLOAD.people());
    Books.Credit acknowledged = books.newCredit(WORKLOAD.people().get(2), 1_234, "lt-run1-3-k");
    acknowledged.request.acknowledged("", null);
    Books.Credit unknown = books.newCredit("Z9", 5_678, "credit-z9");
    unknown.request.failed(Status.DEADLINE_EXCEEDED.asRuntimeException());
    books.file(acknowledged);

    List<Books.Credit> read = books.credits();

    assertEquals(2, read.size());
    assertEquals(List.of(describe(acknowledged), describe(unknown)), read.stream().map(BooksTest::describe).toList());
    assertEquals(List.of(), books.sales(), "a credit is not a sale");
  }

  @Test
  void sale_stillInFlightWhenRead_isFiledAsItStandsAndOnlyOnce() {
    Books books = new Books(true, WORKLOAD.people());
    Books.Sale sale = books.newSale(WORKLOAD.people().get(3), WORKLOAD.terminal(0), "lt-run1-8-a");
    sale.authorize.acknowledged("TXN-8", SPLIT);
    assertEquals(1, books.inFlight());

    List<Books.Sale> read = books.sales();
    sale.settle = new Books.Request("lt-run1-8-s"); // too late: the sale was filed when the books were read
    books.file(sale);

    assertEquals(1, read.size());
    assertNull(read.get(0).settle);
    assertEquals(1, books.sales().size());
    assertEquals(0, books.inFlight());
  }

  @Test
  void sale_thatCannotBeFiled_failsTheReadingOfTheBooks() {
    Books books = new Books(true, WORKLOAD.people());
    books.file(books.newSale((String) null, WORKLOAD.terminal(0), "lt-run1-0-a")); // no patient: a bug of the caller

    IllegalStateException e = assertThrows(IllegalStateException.class, books::sales);
    assertTrue(e.getMessage().contains("could not be filed"), e.getMessage());
  }

  @Test
  void books_thatKeepNothing_fileNothing() {
    Books books = new Books(false, WORKLOAD.people());
    Books.Sale sale = books.newSale(WORKLOAD.people().get(0), WORKLOAD.terminal(0), "lt-run1-0-a");
    books.file(sale);
    books.file(books.newCredit(WORKLOAD.people().get(0), 1, "k"));

    assertEquals(List.of(), books.sales());
    assertEquals(List.of(), books.credits());
    assertEquals(0, books.filedBytes());
  }

  @Test
  void chunkBytes_aWholeNumberOfRegionsOfAtLeastFourMebibytes_lessTheArraysHeader() {
    assertEquals((4 << 20) - 64, Books.chunkBytes(0));
    assertEquals((4 << 20) - 64, Books.chunkBytes(1 << 20));
    assertEquals((4 << 20) - 64, Books.chunkBytes(4 << 20));
    assertEquals((32 << 20) - 64, Books.chunkBytes(32 << 20));
    assertEquals((64 << 20) - 64, Books.chunkBytes(512 << 20));
  }

  @Test
  void counter_onlyNumbersThatReadBackTheSame() {
    assertEquals(0, Books.counter("a-0-b", 2, 3));
    assertEquals(123, Books.counter("a-123-b", 2, 5));
    assertEquals(-1, Books.counter("a-0123-b", 2, 6));
    assertEquals(-1, Books.counter("a--b", 2, 2));
    assertEquals(-1, Books.counter("a-1x-b", 2, 4));
    assertEquals(-1, Books.counter("a-1234567890123456789-b", 2, 21));
  }

  /**
   * Seeded sales of every shape, filed by several threads at once into small chunks (so that records
   * cross chunks often, and some outgrow one), read back as a whole: each exactly once, as it was.
   */
  @Test
  void seededSales_filedFromSeveralThreads_readBackEveryOneAsItWas() throws Exception {
    long seed = new SplittableRandom().nextLong();
    int threads = 4;
    int perThread = 1_500;
    Books books = new Books(true, WORKLOAD.people(), 512);
    List<String> expected = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SplittableRandom random = new SplittableRandom(seed + t);
        int thread = t;
        done.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < perThread; i++) {
            if (random.nextInt(10) == 0) {
              Books.Credit c = books.newCredit(WORKLOAD.people().get(random.nextInt(40)), random.nextLong(1L << 40),
                  "lt-r" + thread + "-" + i + "-k");
              replies(random, c.request, "");
              expected.add(describe(c));
              books.file(c);
            } else {
              Books.Sale s = randomSale(random, books, "lt-r" + thread + "-" + i + "-");
              expected.add(describe(s));
              books.file(s);
            }
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }

    List<String> read = new ArrayList<>();
    books.eachSale().forEach(s -> read.add(describe(s)));
    books.eachCredit().forEach(c -> read.add(describe(c)));
    List<String> want = new ArrayList<>(expected);
    Collections.sort(want);
    Collections.sort(read);
    assertEquals(threads * perThread, read.size(), "seed " + seed);
    for (int i = 0; i < want.size(); i++) {
      assertEquals(want.get(i), read.get(i), "seed " + seed);
    }
    assertTrue(books.chunks() > 100, "seed " + seed + ": " + books.chunks() + " chunks");
    assertEquals(0, books.inFlight());
  }

  private static Books.Sale randomSale(SplittableRandom random, Books books, String idPrefix) {
    Terminal terminal = random.nextInt(20) == 0
        ? Terminal.newBuilder().setFixmedinsCode("F" + random.nextInt(5)).setTerminalId("T").build()
        : WORKLOAD.terminal(random.nextInt(8));
    Books.Sale sale = random.nextInt(20) == 0 ? books.newSale("Q" + random.nextInt(100), terminal, idPrefix + "a")
        : books.newSale(WORKLOAD.people().get(random.nextInt(40)), terminal, idPrefix + "a");
    String txn = "T" + random.nextLong(1L << 50);
    replies(random, sale.authorize, txn);
    String[] steps = {"s", "c", "r"};
    for (String step : steps) {
      if (random.nextInt(3) == 0) {
        continue;
      }
      String id = random.nextInt(30) == 0 ? "other id " + random.nextInt(1000) : idPrefix + step;
      Books.Request r = new Books.Request(id);
      replies(random, r, random.nextInt(10) == 0 ? "T" + random.nextLong() : txn);
      switch (step) {
        case "s" -> sale.settle = r;
        case "c" -> sale.cancel = r;
        default -> sale.refund = r;
      }
    }
    return sale;
  }

  /** Up to 4 replies to {@code r}, most of them acknowledging {@code txn}, some a duplicate's other answer. */
  private static void replies(SplittableRandom random, Books.Request r, String txn) {
    int replies = random.nextInt(5);
    for (int i = 0; i < replies; i++) {
      int kind = random.nextInt(10);
      if (kind < 6) {
        r.acknowledged(random.nextInt(8) == 0 ? "T" + random.nextInt(100) : txn,
            random.nextInt(4) == 0 ? null : randomSplit(random));
      } else if (kind < 8) {
        r.failed(Status.FAILED_PRECONDITION.withDescription("d" + random.nextInt(9)).asRuntimeException());
      } else {
        r.failed(Status.DEADLINE_EXCEEDED.asRuntimeException());
      }
    }
  }

  /** A split of up to 40 legs (a hospital's bill on several relatives: records larger than a small chunk). */
  private static Breakdown randomSplit(SplittableRandom random) {
    Breakdown.Builder b = Breakdown.newBuilder().setTotalFen(random.nextLong(1L << 31))
        .setAccountPayFen(random.nextLong(1L << 20)).setMutualAidPayFen(random.nextLong(1L << 20))
        .setCashPayFen(random.nextLong(1L << 20));
    int legs = random.nextInt(10) == 0 ? random.nextInt(40) : random.nextInt(4);
    FundSource[] sources = {FundSource.FUND_SOURCE_OWN_ACCOUNT, FundSource.FUND_SOURCE_MUTUAL_AID,
        FundSource.FUND_SOURCE_WALLET, FundSource.FUND_SOURCE_CASH};
    for (int i = 0; i < legs; i++) {
      b.addLegs(PaymentLeg.newBuilder().setSource(sources[random.nextInt(sources.length)])
          .setAmountFen(random.nextLong(1L << 20)).setBindingId("B" + random.nextInt(1_000)));
    }
    return b.build();
  }

  /** Every field of a sale, in words: equal for a sale and its filed copy. */
  private static String describe(Books.Sale s) {
    return "sale " + s.patientPsnNo + " #" + s.patientIndex + " " + s.terminal.toString().replace('\n', ' ')
        + " authorize " + describe(s.authorize) + " settle " + describe(s.settle) + " cancel " + describe(s.cancel)
        + " refund " + describe(s.refund);
  }

  private static String describe(Books.Credit c) {
    return "credit " + c.psnNo + " #" + c.patientIndex + " " + c.amountFen + " " + describe(c.request);
  }

  private static String describe(Books.Request r) {
    return r == null ? "(not sent)" : "[" + r.requestId + " " + r.known() + " transactions " + r.transactionIds()
        + " splits " + r.breakdowns().stream().map(b -> b.toString().replace('\n', ' ')).toList() + " refusals "
        + r.refusals() + " unknown " + r.unknownReplies() + "]";
  }
}
