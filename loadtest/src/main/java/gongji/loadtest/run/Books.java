package gongji.loadtest.run;

import gongji.v1.Breakdown;
import gongji.v1.Terminal;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Every money-moving request the run sent and every reply it got, kept for the auditor: one
 * {@link Sale} per Authorize, with its Settle, Cancel and Refund. A request sent more than once
 * (the duplicate scenario) keeps every reply.
 */
final class Books {
  /** What the runner knows of one request from its replies. */
  enum Known {
    /** Not sent. */
    NONE,
    /** At least one reply acknowledged it. */
    ACKNOWLEDGED,
    /** Every reply was a definite refusal: the server says it did nothing. */
    REFUSED,
    /** No reply says (a deadline, a dropped connection, UNAVAILABLE, INTERNAL): the auditor looks it up. */
    UNKNOWN
  }

  /** Codes whose meaning is that the request was not applied (grpc-java's status semantics). */
  private static final Set<Status.Code> REFUSALS = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
      Status.Code.ALREADY_EXISTS, Status.Code.PERMISSION_DENIED, Status.Code.FAILED_PRECONDITION,
      Status.Code.OUT_OF_RANGE, Status.Code.UNAUTHENTICATED, Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNIMPLEMENTED);

  /** Whether a failed call's status says the request was not applied. */
  static boolean refusal(Throwable error) {
    return REFUSALS.contains(Target.status(error).getCode());
  }

  /** One request of a sale: its id and what its replies said. */
  static final class Request {
    final String requestId;
    private final List<String> transactionIds = new ArrayList<>();
    private final List<Breakdown> breakdowns = new ArrayList<>();
    private final List<String> refusals = new ArrayList<>();
    private int acknowledged;
    private int unknown;

    Request(String requestId) {
      this.requestId = requestId;
    }

    synchronized void acknowledged(String transactionId, Breakdown breakdown) {
      acknowledged++;
      transactionIds.add(transactionId);
      if (breakdown != null) {
        breakdowns.add(breakdown);
      }
    }

    synchronized void failed(Throwable error) {
      Status status = Target.status(error);
      if (refusal(error)) {
        refusals.add(status.getCode() + "/" + Target.reason(error));
      } else {
        unknown++;
      }
    }

    synchronized Known known() {
      if (acknowledged > 0) {
        return Known.ACKNOWLEDGED;
      }
      if (unknown > 0) {
        return Known.UNKNOWN;
      }
      return refusals.isEmpty() ? Known.NONE : Known.REFUSED;
    }

    synchronized List<String> transactionIds() {
      return List.copyOf(transactionIds);
    }

    synchronized List<Breakdown> breakdowns() {
      return List.copyOf(breakdowns);
    }

    synchronized List<String> refusals() {
      return List.copyOf(refusals);
    }
  }

  /** One sale: who pays, where, and its requests (null until sent). */
  static final class Sale {
    final String patientPsnNo;
    final Terminal terminal;
    final Request authorize;
    volatile Request settle;
    volatile Request cancel;
    volatile Request refund;

    Sale(String patientPsnNo, Terminal terminal, String authorizeRequestId) {
      this.patientPsnNo = patientPsnNo;
      this.terminal = terminal;
      this.authorize = new Request(authorizeRequestId);
    }

    /** The transaction the acknowledged Authorize opened, or null. */
    String transactionId() {
      List<String> ids = authorize.transactionIds();
      return ids.isEmpty() ? null : ids.get(0);
    }
  }

  /** A credit to a personal account (CreditAccount, idempotent by its request id). */
  static final class Credit {
    final String psnNo;
    final long amountFen;
    final Request request;

    Credit(String psnNo, long amountFen, String requestId) {
      this.psnNo = psnNo;
      this.amountFen = amountFen;
      this.request = new Request(requestId);
    }
  }

  private final ConcurrentLinkedQueue<Sale> sales = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Credit> credits = new ConcurrentLinkedQueue<>();
  private final boolean keep;

  /**
   * Books that keep every sale for the audit ({@code keep}: a few hundred bytes a sale, so a long run
   * at a high rate is bounded by {@code --max-requests}), or that keep nothing (no audit).
   */
  Books(boolean keep) {
    this.keep = keep;
  }

  Credit newCredit(String psnNo, long amountFen, String requestId) {
    Credit c = new Credit(psnNo, amountFen, requestId);
    if (keep) {
      credits.add(c);
    }
    return c;
  }

  List<Credit> credits() {
    return List.copyOf(credits);
  }

  Sale newSale(String patientPsnNo, Terminal terminal, String authorizeRequestId) {
    Sale s = new Sale(patientPsnNo, terminal, authorizeRequestId);
    if (keep) {
      sales.add(s);
    }
    return s;
  }

  List<Sale> sales() {
    return List.copyOf(sales);
  }
}
