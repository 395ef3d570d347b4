package gongji.loadtest.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gongji.v1.Breakdown;
import gongji.v1.FundSource;
import gongji.v1.PaymentLeg;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A request's replies, kept small (the first one's transaction and split as bytes), read back as
 * they came: every acknowledged reply's transaction and split, in order, so that the auditor still
 * sees a request id answered twice with two transactions or two splits.
 */
class BooksTest {
  private static final Breakdown SPLIT = Breakdown.newBuilder().setTotalFen(12_345).setAccountPayFen(10_000)
      .setCashPayFen(2_345).addLegs(PaymentLeg.newBuilder().setSource(FundSource.FUND_SOURCE_OWN_ACCOUNT)
          .setAmountFen(10_000)).build();
  private static final Breakdown OTHER = SPLIT.toBuilder().setCashPayFen(2_346).build();

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
}
