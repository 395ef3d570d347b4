package gongji.server.ledger;

import gongji.server.domain.ReconcileGroup;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * What only answers questions later, as the ledger makes it: mutual-aid usage records (共济使用记录)
 * of both parties, the settlement-side events of each institution for day-end reconciliation
 * (3201/3202), and alerts. Nothing a command decides depends on them, so the ledger keeps none of
 * them: each is handed on as a {@link HistoryRecord} (see {@link Ledger#takeHistory}) to the
 * history store, which answers the questions about them. The ledger keeps only the alert counter.
 */
final class Records {
  /** The names of the settlement-side event kinds, indexed by the constants below. */
  static final String[] EVENT_KINDS = {"SETTLED", "REFUNDED", "SETTLEMENT_REVERSED", "REFUND_REVERSED"};
  static final byte SETTLED = 0;
  static final byte REFUNDED = 1;
  static final byte SETTLEMENT_REVERSED = 2;
  static final byte REFUND_REVERSED = 3;

  private final LedgerTime time;
  /** Made since the last {@link #take}: the sequencer takes them after every batch. */
  private List<HistoryRecord> made = new ArrayList<>();
  private long nextAlert = 1;
  /** Alerts raised by kind since this ledger was made or read (replay included), for the meters. */
  private final java.util.TreeMap<String, Long> alertsByKind = new java.util.TreeMap<>();
  private long alertsRaised;

  Records(LedgerTime time) {
    this.time = time;
  }

  /** Adds records made elsewhere (a sweep's images), in order. */
  void addAll(List<HistoryRecord> more) {
    made.addAll(more);
  }

  /** The records made since the last call, oldest first. */
  List<HistoryRecord> take() {
    if (made.isEmpty()) {
      return List.of();
    }
    List<HistoryRecord> out = made;
    made = new ArrayList<>(out.size());
    return out;
  }

  /**
   * A settlement-side event for day-end reconciliation and, for each relative who paid, a usage
   * record for both parties. {@code sign} is +1 when money went to the institution, -1 when back.
   */
  void settlementEvent(Txn t, byte kind, int sign) {
    long now = time.nowMillis();
    made.add(new HistoryRecord.Settlement(t.institution.code(), line(t, kind, now)));
    TxnLeg[] legs = t.posted;
    for (int i = 0; i < legs.length; i++) {
      BindingState b = legs[i].binding();
      if (b == null || firstLegOf(legs, b) < i) {
        continue;
      }
      // One record per relative: wallet quota and direct mutual aid through one binding add up.
      long amount = 0;
      for (int j = i; j < legs.length; j++) {
        amount += legs[j].binding() == b ? legs[j].amountFen() : 0;
      }
      if (amount > 0) {
        made.add(new HistoryRecord.Usage(new Result.Usage(EVENT_KINDS[kind], now, b.authorizer.psnNo(),
            t.patient.psnNo(), t.institution.code(), t.id, b.id(), sign * amount)));
      }
    }
  }

  /**
   * The reconciliation line of an event of a settled sale, in the sale's group (the patient's
   * insurance type and region when it was authorized; see {@link ReconcileGroup}).
   */
  private static Result.ReconcileLine line(Txn t, int kind, long atMillis) {
    long[] split = new long[5];
    t.addSettledSplit(split);
    return new Result.ReconcileLine(t.id, EVENT_KINDS[kind], atMillis, split[1], split[2], split[3], split[4],
        t.group);
  }

  private static int firstLegOf(TxnLeg[] legs, BindingState b) {
    int i = 0;
    while (legs[i].binding() != b) {
      i++;
    }
    return i;
  }

  /** A premium a relative paid through a binding. */
  void premium(PersonState payer, PersonState beneficiary, BindingState binding, long amountFen) {
    made.add(new HistoryRecord.Usage(new Result.Usage("PREMIUM", time.nowMillis(), payer.psnNo(),
        beneficiary.psnNo(), "", "", binding.id(), amountFen)));
  }

  void alert(String kind, String institution, String psnNo, String detail, AlertParties parties) {
    alertsByKind.merge(kind, 1L, Long::sum);
    alertsRaised++;
    made.add(new HistoryRecord.Alert(new Result.Alert(nextAlert++, time.nowMillis(), kind, institution, psnNo,
        detail, parties)));
  }

  /** How many alerts were raised since this ledger was made or read. */
  long alertsRaised() {
    return alertsRaised;
  }

  /** {@link #alertsRaised} by kind. */
  java.util.Map<String, Long> alertsByKind() {
    return java.util.Map.copyOf(alertsByKind);
  }

  // ---- snapshot section ---------------------------------------------------------------------

  void write(CommandCodec.Output out) {
    out.varlong(nextAlert);
  }

  void read(ByteBuffer in) {
    nextAlert = CommandCodec.varlong(in);
  }

  /**
   * Reads the records section of a snapshot of format 3, which kept history in the ledger, and
   * returns it as history records (oldest first within each kind) for the history store.
   */
  List<HistoryRecord> readFormat3(ByteBuffer in, Registry registry, Sales sales) {
    List<HistoryRecord> out = new ArrayList<>();
    nextAlert = CommandCodec.varlong(in);
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      out.add(new HistoryRecord.Alert(new Result.Alert(CommandCodec.varlong(in), in.getLong(), CommandCodec.str(in),
          CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in))));
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      String institution = CommandCodec.str(in);
      if (registry.institution(institution) == null) {
        throw new IllegalArgumentException("snapshot names an unknown institution " + institution);
      }
      for (int k = CommandCodec.varint(in); k > 0; k--) {
        Txn t = sales.txn(CommandCodec.str(in));
        int kind = in.get();
        long at = in.getLong();
        if (t == null || t.posted == null || kind < 0 || kind >= EVENT_KINDS.length) {
          throw new IllegalArgumentException("snapshot has an institution event of no settled sale");
        }
        out.add(new HistoryRecord.Settlement(institution, line(t, kind, at)));
      }
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      out.add(new HistoryRecord.Usage(new Result.Usage(CommandCodec.str(in), in.getLong(), CommandCodec.str(in),
          CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in), in.getLong())));
    }
    return out;
  }
}
