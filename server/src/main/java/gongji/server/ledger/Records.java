package gongji.server.ledger;

import static com.google.common.base.Verify.verify;

import gongji.server.ledger.InstitutionState.InstEvent;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What only answers questions later: mutual-aid usage records (共济使用记录) of both parties, the
 * settlement-side events of each institution for day-end reconciliation (3201/3202), and fraud
 * alerts. Nothing a command decides depends on them.
 */
final class Records {
  /** The names of the settlement-side event kinds, indexed by {@link InstEvent#kind}. */
  static final String[] EVENT_KINDS = {"SETTLED", "REFUNDED", "SETTLEMENT_REVERSED", "REFUND_REVERSED"};
  static final byte SETTLED = 0;
  static final byte REFUNDED = 1;
  static final byte SETTLEMENT_REVERSED = 2;
  static final byte REFUND_REVERSED = 3;
  /** Alerts kept for the agency to list; older ones are dropped (they are also in the log). */
  private static final int MAX_ALERTS = 10_000;
  private static final Comparator<Result.Usage> USAGE_BY_TIME = Comparator.comparingLong(Result.Usage::atMillis);

  private final Registry registry;
  private final LedgerTime time;
  private final ArrayDeque<Result.Alert> alerts = new ArrayDeque<>();
  private long nextAlert = 1;

  Records(Registry registry, LedgerTime time) {
    this.registry = registry;
    this.time = time;
  }

  /**
   * Records a settlement-side event for day-end reconciliation and, for each relative who paid, a
   * usage record for both parties. {@code sign} is +1 when money went to the institution, -1 when back.
   */
  void settlementEvent(Txn t, byte kind, int sign) {
    t.institution.events.add(new InstEvent(t, kind, time.nowMillis()));
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
        usage(new Result.Usage(EVENT_KINDS[kind], time.nowMillis(), b.authorizer.psnNo(), t.patient.psnNo(),
            t.institution.code(), t.id, b.id, sign * amount), b.authorizer, t.patient);
      }
    }
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
    usage(new Result.Usage("PREMIUM", time.nowMillis(), payer.psnNo(), beneficiary.psnNo(), "", "", binding.id,
        amountFen), payer, beneficiary);
  }

  private static void usage(Result.Usage u, PersonState authorizer, PersonState beneficiary) {
    authorizer.usage.add(u);
    beneficiary.usage.add(u);
  }

  void alert(String kind, String institution, String psnNo, String detail) {
    if (alerts.size() == MAX_ALERTS) {
      alerts.removeFirst();
    }
    alerts.addLast(new Result.Alert(nextAlert++, time.nowMillis(), kind, institution, psnNo, detail));
  }

  // ---- queries ------------------------------------------------------------------------------

  Result listAlerts(Command.ListAlerts c) {
    List<Result.Alert> out = new ArrayList<>();
    for (Result.Alert a : alerts) {
      if (a.seq() > c.afterSeq() && out.size() < c.limit()) {
        out.add(a);
      }
    }
    return new Result.Alerts(List.copyOf(out));
  }

  Result reconcile(Command.Reconcile c) {
    InstitutionState inst = registry.institution(c.institution());
    if (inst == null) {
      return Registry.institutionNotFound(c.institution());
    }
    long[] settlements = new long[5];
    long[] refunds = new long[5];
    for (int i = firstEventOfDay(inst, c.dayEpoch()); i < inst.events.size(); i++) {
      InstEvent ev = inst.events.get(i);
      if (LedgerTime.localDay(ev.atMillis()) != c.dayEpoch()) {
        break;
      }
      long[] into = ev.kind() == SETTLED || ev.kind() == REFUND_REVERSED ? settlements : refunds;
      into[0]++;
      ev.txn().addSettledSplit(into);
    }
    return new Result.Reconciliation(c.institution(), c.dayEpoch(), settlements, refunds);
  }

  Result reconcileDetail(Command.ReconcileDetail c) {
    InstitutionState inst = registry.institution(c.institution());
    if (inst == null) {
      return Registry.institutionNotFound(c.institution());
    }
    List<Result.ReconcileLine> lines = new ArrayList<>();
    // In long arithmetic: an offset from a page token may be anything up to Integer.MAX_VALUE.
    long from = firstEventOfDay(inst, c.dayEpoch()) + (long) Math.max(0, c.offset());
    int i = (int) Math.min(from, inst.events.size());
    for (; i < inst.events.size() && lines.size() < c.limit(); i++) {
      InstEvent ev = inst.events.get(i);
      if (LedgerTime.localDay(ev.atMillis()) != c.dayEpoch()) {
        break;
      }
      long[] split = new long[5];
      ev.txn().addSettledSplit(split);
      lines.add(new Result.ReconcileLine(ev.txn().id, EVENT_KINDS[ev.kind()], ev.atMillis(), split[1], split[2],
          split[3], split[4]));
    }
    boolean more = i < inst.events.size() && LedgerTime.localDay(inst.events.get(i).atMillis()) == c.dayEpoch();
    return new Result.ReconcileLines(List.copyOf(lines), more);
  }

  /** The index of the first event on or after the start of a local day (events are in time order). */
  private static int firstEventOfDay(InstitutionState inst, long dayEpoch) {
    long start = LedgerTime.startOfDay(dayEpoch);
    int lo = 0;
    int hi = inst.events.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (inst.events.get(mid).atMillis() < start) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  Result listUsage(Command.ListUsage c) {
    PersonState p = registry.person(c.psnNo());
    if (p == null) {
      return Registry.patientNotFound(c.psnNo());
    }
    List<Result.Usage> out = new ArrayList<>();
    int skipped = 0;
    boolean more = false;
    for (Result.Usage u : p.usage) {
      if (u.atMillis() < c.fromMillis() || u.atMillis() >= c.toMillis()) {
        continue;
      }
      if (c.role() == Command.BindingRole.AUTHORIZER && !u.authorizerPsnNo().equals(c.psnNo())) {
        continue;
      }
      if (c.role() == Command.BindingRole.BENEFICIARY && !u.beneficiaryPsnNo().equals(c.psnNo())) {
        continue;
      }
      if (skipped++ < c.offset()) {
        continue;
      }
      if (out.size() == c.limit()) {
        more = true;
        break;
      }
      out.add(u);
    }
    return new Result.Usages(List.copyOf(out), more);
  }

  // ---- snapshot sections --------------------------------------------------------------------

  void write(CommandCodec.Output out) {
    out.varlong(nextAlert).varint(alerts.size());
    for (Result.Alert a : alerts) {
      out.varlong(a.seq()).i64(a.atMillis()).str(a.kind()).str(a.institution()).str(a.psnNo()).str(a.detail());
    }
    out.varint(registry.institutions().size());
    for (InstitutionState i : registry.institutions()) {
      out.str(i.code()).varint(i.events.size());
      for (InstEvent ev : i.events) {
        out.str(ev.txn().id).u8(ev.kind()).i64(ev.atMillis());
      }
    }
    List<Result.Usage> usages = usagesInOrder();
    out.varint(usages.size());
    for (Result.Usage u : usages) {
      out.str(u.kind()).i64(u.atMillis()).str(u.authorizerPsnNo()).str(u.beneficiaryPsnNo()).str(u.institution())
          .str(u.txnId()).str(u.bindingId()).i64(u.amountFen());
    }
  }

  void read(ByteBuffer in, Sales sales) {
    nextAlert = CommandCodec.varlong(in);
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      alerts.addLast(new Result.Alert(CommandCodec.varlong(in), in.getLong(), CommandCodec.str(in), CommandCodec.str(in),
          CommandCodec.str(in), CommandCodec.str(in)));
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      InstitutionState inst = registry.institution(CommandCodec.str(in));
      for (int k = CommandCodec.varint(in); k > 0; k--) {
        inst.events.add(new InstEvent(sales.txn(CommandCodec.str(in)), in.get(), in.getLong()));
      }
    }
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      Result.Usage u = new Result.Usage(CommandCodec.str(in), in.getLong(), CommandCodec.str(in), CommandCodec.str(in),
          CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in), in.getLong());
      registry.person(u.authorizerPsnNo()).usage.add(u);
      if (!u.beneficiaryPsnNo().equals(u.authorizerPsnNo())) {
        registry.person(u.beneficiaryPsnNo()).usage.add(u);
      }
    }
    // The records come grouped by authorizer; each person lists theirs oldest first (a stable sort).
    for (PersonState p : registry.persons()) {
      p.usage.sort(USAGE_BY_TIME);
    }
  }

  /**
   * Every usage record once, in an order that keeps the order of every person's list. A record is in
   * its authorizer's and its beneficiary's lists, and {@link #read} appends it to both: written
   * authorizer by authorizer, a beneficiary's records from two authorizers would come back out of
   * the order they happened in. A record is written once both lists have come to it.
   */
  private List<Result.Usage> usagesInOrder() {
    int expected = 0;
    for (PersonState p : registry.persons()) {
      for (Result.Usage u : p.usage) {
        expected += u.authorizerPsnNo().equals(p.psnNo()) ? 1 : 0;
      }
    }
    List<Result.Usage> out = new ArrayList<>(expected);
    Map<Result.Usage, PersonState> firstToReach = new IdentityHashMap<>();
    Map<PersonState, Integer> next = new IdentityHashMap<>();
    ArrayDeque<PersonState> ready = new ArrayDeque<>(registry.persons());
    while (!ready.isEmpty()) {
      PersonState p = ready.poll();
      int i = next.getOrDefault(p, 0);
      while (i < p.usage.size()) {
        Result.Usage u = p.usage.get(i);
        String psnNo = p.psnNo();
        PersonState other = registry.person(u.authorizerPsnNo().equals(psnNo) ? u.beneficiaryPsnNo() : u.authorizerPsnNo());
        boolean twoLists = other != null && other != p;
        PersonState first = firstToReach.putIfAbsent(u, p);
        if (twoLists && (first == null || first == p)) {
          break; // the other list has not come to u yet; it takes u (and moves p on) when it does
        }
        out.add(u);
        i++;
        if (twoLists) {
          next.merge(other, 1, Integer::sum);
          ready.add(other);
        }
      }
      next.put(p, i);
    }
    verify(out.size() == expected, "usage lists out of order: %s of %s records ordered", out.size(), expected);
    return out;
  }
}
