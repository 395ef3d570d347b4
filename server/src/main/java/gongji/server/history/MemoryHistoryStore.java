package gongji.server.history;

import gongji.server.ledger.HistoryCodec;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryRecord;
import gongji.server.ledger.HistoryStore;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Result;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * History on the heap: for tests and for nodes without a data directory (benchmarks, the
 * in-process gateway), where history grows with what was applied and is gone at exit. A copy
 * ({@link #copy}) stands for what survived a simulated crash: every applied batch.
 */
public final class MemoryHistoryStore implements HistoryStore {
  private long appliedSeq;
  /** Each person's usage records, oldest first: both parties list a record. */
  private final Map<String, List<Result.Usage>> usage = new HashMap<>();
  /** Each institution's settlement-side events by local day, in time order. */
  private final Map<String, Map<Long, List<HistoryRecord.Settlement>>> settlements = new HashMap<>();
  private final List<Result.Alert> alerts = new ArrayList<>();
  /** The latest image of each request entry and sale the writer let go of. */
  private final Map<String, byte[]> requestImages = new HashMap<>();
  private final Map<String, byte[]> saleImages = new HashMap<>();
  /** The latest record of each wallet transfer, and each person's transfers by number. */
  private final Map<String, byte[]> transfers = new HashMap<>();
  private final Map<String, java.util.TreeMap<Long, String>> transfersOf = new HashMap<>();
  private long sweeps;

  @Override
  public synchronized long appliedSeq() {
    return appliedSeq;
  }

  @Override
  public synchronized void apply(long throughSeq, List<HistoryRecord> records) {
    if (throughSeq <= appliedSeq) {
      return;
    }
    for (HistoryRecord r : records) {
      if (r instanceof HistoryRecord.Usage u) {
        usage.computeIfAbsent(u.usage().authorizerPsnNo(), k -> new ArrayList<>()).add(u.usage());
        if (!u.usage().beneficiaryPsnNo().equals(u.usage().authorizerPsnNo())) {
          usage.computeIfAbsent(u.usage().beneficiaryPsnNo(), k -> new ArrayList<>()).add(u.usage());
        }
      } else if (r instanceof HistoryRecord.Settlement s) {
        settlements.computeIfAbsent(s.institution(), k -> new HashMap<>())
            .computeIfAbsent(Ledger.localDay(s.line().atMillis()), k -> new ArrayList<>()).add(s);
      } else if (r instanceof HistoryRecord.Alert a) {
        alerts.add(a.alert());
      } else if (r instanceof HistoryRecord.RequestImage i) {
        requestImages.put(i.key(), i.image());
      } else if (r instanceof HistoryRecord.SaleImage i) {
        saleImages.put(i.txnId(), i.image());
      } else if (r instanceof HistoryRecord.Swept w) {
        sweeps = Math.max(sweeps, w.sweeps());
      } else if (r instanceof HistoryRecord.WalletTransfer w) {
        Result.WalletTransferView t = w.transfer();
        transfers.put(t.transferId(), HistoryCodec.encode(w));
        long number = Ledger.number(t.transferId());
        transfersOf.computeIfAbsent(t.authorizerPsnNo(), k -> new java.util.TreeMap<>()).put(number, t.transferId());
        transfersOf.computeIfAbsent(t.beneficiaryPsnNo(), k -> new java.util.TreeMap<>()).put(number, t.transferId());
      }
    }
    appliedSeq = throughSeq;
  }

  @Override
  public synchronized Result answer(HistoryQuery query) {
    if (query instanceof HistoryQuery.Usage q) {
      HistoryAnswers.UsagePage page = new HistoryAnswers.UsagePage(q);
      for (Result.Usage u : usage.getOrDefault(q.psnNo(), List.of())) {
        if (!page.offer(u)) {
          break;
        }
      }
      return page.result();
    }
    if (query instanceof HistoryQuery.Reconcile q) {
      return HistoryAnswers.reconcile(q, day(q.institution(), q.dayEpoch()));
    }
    if (query instanceof HistoryQuery.ReconcileDetail q) {
      return HistoryAnswers.detail(q, day(q.institution(), q.dayEpoch()));
    }
    if (query instanceof HistoryQuery.WalletTransfers q) {
      HistoryAnswers.TransferPage page = new HistoryAnswers.TransferPage(q);
      java.util.TreeMap<Long, String> of = transfersOf.getOrDefault(q.psnNo(), new java.util.TreeMap<>());
      for (String id : of.headMap(q.beforeNumber(), false).descendingMap().values()) {
        if (!page.offer(((HistoryRecord.WalletTransfer) HistoryCodec.decode(transfers.get(id))).transfer())) {
          break;
        }
      }
      return page.result();
    }
    HistoryQuery.Alerts q = (HistoryQuery.Alerts) query;
    List<Result.Alert> out = new ArrayList<>();
    for (Result.Alert a : alerts) {
      if (a.seq() > q.afterSeq() && out.size() < q.limit()) {
        out.add(a);
      }
    }
    return new Result.Alerts(List.copyOf(out));
  }

  private List<HistoryRecord.Settlement> day(String institution, long dayEpoch) {
    return settlements.getOrDefault(institution, Map.of()).getOrDefault(dayEpoch, List.of());
  }

  @Override
  public synchronized long sweeps() {
    return sweeps;
  }

  @Override
  public synchronized byte[] requestImage(String key) {
    return requestImages.get(key);
  }

  @Override
  public synchronized byte[] saleImage(String txnId) {
    return saleImages.get(txnId);
  }

  @Override
  public synchronized byte[] transferImage(String transferId) {
    return transfers.get(transferId);
  }

  /** An independent store with the same content: what a crash leaves of this one. */
  public synchronized MemoryHistoryStore copy() {
    MemoryHistoryStore c = new MemoryHistoryStore();
    c.appliedSeq = appliedSeq;
    usage.forEach((k, v) -> c.usage.put(k, new ArrayList<>(v)));
    settlements.forEach((k, v) -> {
      Map<Long, List<HistoryRecord.Settlement>> days = new HashMap<>();
      v.forEach((d, l) -> days.put(d, new ArrayList<>(l)));
      c.settlements.put(k, days);
    });
    c.alerts.addAll(alerts);
    c.requestImages.putAll(requestImages);
    c.saleImages.putAll(saleImages);
    c.transfers.putAll(transfers);
    transfersOf.forEach((k, v) -> c.transfersOf.put(k, new java.util.TreeMap<>(v)));
    c.sweeps = sweeps;
    return c;
  }

  @Override
  public void close() {}

}
