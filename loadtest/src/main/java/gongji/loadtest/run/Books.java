package gongji.loadtest.run;

import com.google.protobuf.InvalidProtocolBufferException;
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

  /**
   * One request of a sale: its id and what its replies said. Kept small, as the books hold every
   * sale of a run until its audit: the first reply's transaction id and split (the split as its
   * protobuf bytes, a tenth of the parsed message), the rest only if a request id was answered
   * again. In a ten-minute run at 800 sales/s the books held about 1.35 KB a sale with every reply
   * kept as parsed messages in lists, and the load generator's collector paused for up to 140 ms
   * to move them (docs/PERFORMANCE.md, 2026-12-05 04:00).
   */
  static final class Request {
    final String requestId;
    private String transactionId;
    private byte[] split;
    /** The transaction ids and splits of later acknowledged replies (a request sent again), or null. */
    private List<String> moreTransactionIds;
    private List<byte[]> moreSplits;
    private List<String> refusals;
    private int acknowledged;
    private int unknown;

    Request(String requestId) {
      this.requestId = requestId;
    }

    synchronized void acknowledged(String transactionId, Breakdown breakdown) {
      if (acknowledged++ == 0) {
        this.transactionId = transactionId;
      } else {
        moreTransactionIds = add(moreTransactionIds, transactionId);
      }
      if (breakdown != null) {
        if (split == null) {
          split = breakdown.toByteArray();
        } else {
          moreSplits = add(moreSplits, breakdown.toByteArray());
        }
      }
    }

    synchronized void failed(Throwable error) {
      Status status = Target.status(error);
      if (refusal(error)) {
        refusals = add(refusals, status.getCode() + "/" + Target.reason(error));
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
      return refusals == null ? Known.NONE : Known.REFUSED;
    }

    /** The transaction id of every acknowledged reply, in the order they came. */
    synchronized List<String> transactionIds() {
      List<String> all = new ArrayList<>();
      if (acknowledged > 0) {
        all.add(transactionId);
      }
      if (moreTransactionIds != null) {
        all.addAll(moreTransactionIds);
      }
      return all;
    }

    /** The split of every acknowledged reply that had one, in the order they came. */
    synchronized List<Breakdown> breakdowns() {
      List<Breakdown> all = new ArrayList<>();
      if (split != null) {
        all.add(parse(split));
      }
      if (moreSplits != null) {
        moreSplits.forEach(b -> all.add(parse(b)));
      }
      return all;
    }

    synchronized List<String> refusals() {
      return refusals == null ? List.of() : List.copyOf(refusals);
    }

    private static <T> List<T> add(List<T> list, T item) {
      List<T> to = list == null ? new ArrayList<>(2) : list;
      to.add(item);
      return to;
    }

    private static Breakdown parse(byte[] bytes) {
      try {
        return Breakdown.parseFrom(bytes);
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("a split this process wrote does not read back", e);
      }
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
