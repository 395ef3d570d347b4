package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

/**
 * What the ledger hands to history as it applies commands: facts that only answer questions later
 * and that no command decides on. Derived from the journal, so history can always be rebuilt from it.
 */
public sealed interface HistoryRecord {

  /** A mutual-aid use (共济使用记录), listed for both parties. */
  record Usage(Result.Usage usage) implements HistoryRecord {
    public Usage {
      requireNonNull(usage, "usage");
    }
  }

  /** A settlement-side event of an institution, for day-end reconciliation (3201/3202). */
  record Settlement(String institution, Result.ReconcileLine line) implements HistoryRecord {
    public Settlement {
      requireNonNull(institution, "institution");
      requireNonNull(line, "line");
    }

    /** Whether it adds to the day's settlements (a settlement, a reversed refund) or to its refunds. */
    public boolean settles() {
      return line.kind().equals(Records.EVENT_KINDS[Records.SETTLED])
          || line.kind().equals(Records.EVENT_KINDS[Records.REFUND_REVERSED]);
    }
  }

  /** A fraud alert or a limit that was hit. */
  record Alert(Result.Alert alert) implements HistoryRecord {
    public Alert {
      requireNonNull(alert, "alert");
    }
  }

  /**
   * A request entry the writer no longer keeps ({@link RequestLog}): its image, under its key
   * ({@code scope "|" id}), and when the request was made: past the idempotency window the writer
   * ignores it, and a store may delete it. A later image of the same key replaces it.
   */
  record RequestImage(String key, long atMillis, byte[] image) implements HistoryRecord {
    public RequestImage {
      requireNonNull(key, "key");
      requireNonNull(image, "image");
    }
  }

  /** A closed sale the writer no longer keeps: its image, under its id; a later one replaces it. */
  record SaleImage(String txnId, byte[] image) implements HistoryRecord {
    public SaleImage {
      requireNonNull(txnId, "txnId");
      requireNonNull(image, "image");
    }
  }

  /**
   * A wallet transfer as it is now: made whenever one is assigned or changes (answered, drawn on by
   * a sale, returned, ended), and when the writer lets go of a closed one; a later one of the same
   * transfer replaces it. History answers {@code ListWalletTransfers} from these, and its latest
   * one of a transfer the writer let go of is what a command naming that transfer brings back.
   */
  record WalletTransfer(Result.WalletTransferView transfer) implements HistoryRecord {
    public WalletTransfer {
      requireNonNull(transfer, "transfer");
    }
  }

  /**
   * The end of the writer's {@code sweeps}-th sweep, made at ledger time {@code atMillis}: a store
   * that has applied it holds every image of that sweep and the ones before (see {@link Recall}).
   */
  record Swept(long sweeps, long atMillis) implements HistoryRecord {}
}
