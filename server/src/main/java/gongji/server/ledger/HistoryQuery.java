package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.ReconcileGroup;

/**
 * The questions history answers, without passing through the single writer. Fields are validated
 * at the edge; {@code offset}s and {@code limit}s are non-negative and bounded there.
 */
public sealed interface HistoryQuery {

  /** Mutual-aid usage records of a person in [fromMillis, toMillis), oldest first, from {@code offset}. */
  record Usage(String psnNo, Command.BindingRole role, long fromMillis, long toMillis, int offset, int limit)
      implements HistoryQuery {
    public Usage {
      requireNonNull(psnNo, "psnNo");
    }
  }

  /** Day-end totals of one institution for one local day (3201). */
  record Reconcile(String institution, long dayEpoch) implements HistoryQuery {
    public Reconcile {
      requireNonNull(institution, "institution");
    }
  }

  /**
   * The settlements and refunds behind a day's totals, in time order, those of the groups
   * {@code group} takes, from the {@code offset}-th of them (3202).
   */
  record ReconcileDetail(String institution, long dayEpoch, int offset, int limit, ReconcileGroup.Filter group)
      implements HistoryQuery {
    public ReconcileDetail {
      requireNonNull(institution, "institution");
      requireNonNull(group, "group");
    }

    /** Of every group. */
    public ReconcileDetail(String institution, long dayEpoch, int offset, int limit) {
      this(institution, dayEpoch, offset, limit, ReconcileGroup.Filter.ANY);
    }
  }

  /** Alerts with a sequence number above {@code afterSeq}, oldest first, at most {@code limit}. */
  record Alerts(long afterSeq, int limit) implements HistoryQuery {}

  /**
   * A person's wallet transfers, newest first: those numbered below {@code beforeNumber} (the page
   * token: the last one of the page before), as authorizer, beneficiary, or either ({@code role}
   * null), at most {@code limit}.
   */
  record WalletTransfers(String psnNo, Command.BindingRole role, long beforeNumber, int limit)
      implements HistoryQuery {
    public WalletTransfers {
      requireNonNull(psnNo, "psnNo");
    }
  }
}
