package gongji.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** One institution's day-end totals (the 3201 analogue): settlements and refunds, each split by source. */
public final class Reconciliation {
  /** The totals of one kind of movement. */
  public static final class Totals {
    private final long count;
    private final long totalFen;
    private final long accountPayFen;
    private final long mutualAidPayFen;
    private final long cashPayFen;

    Totals(long count, long totalFen, long accountPayFen, long mutualAidPayFen, long cashPayFen) {
      this.count = count;
      this.totalFen = totalFen;
      this.accountPayFen = accountPayFen;
      this.mutualAidPayFen = mutualAidPayFen;
      this.cashPayFen = cashPayFen;
    }

    /** How many movements. @return the count */
    public long count() {
      return count;
    }

    /** The bills. @return fen */
    public long totalFen() {
      return totalFen;
    }

    /** Paid from (or returned to) the patients' own accounts. @return fen */
    public long accountPayFen() {
      return accountPayFen;
    }

    /** Paid from (or returned to) relatives' accounts through mutual aid. @return fen */
    public long mutualAidPayFen() {
      return mutualAidPayFen;
    }

    /** Paid (or returned) in cash. @return fen */
    public long cashPayFen() {
      return cashPayFen;
    }

    @Override
    public String toString() {
      return count + " x " + totalFen + " = " + accountPayFen + " + " + mutualAidPayFen + " + " + cashPayFen;
    }
  }

  /** The totals of one reconciliation group of the day. */
  public static final class GroupTotals {
    private final ReconcileGroup group;
    private final Totals settlements;
    private final Totals refunds;

    GroupTotals(ReconcileGroup group, Totals settlements, Totals refunds) {
      this.group = group;
      this.settlements = settlements;
      this.refunds = refunds;
    }

    /** The group. @return insutype, clr_type and setl_optins */
    public ReconcileGroup group() {
      return group;
    }

    /** Settlements (and reversed refunds) of the group. @return the totals */
    public Totals settlements() {
      return settlements;
    }

    /** Refunds (and reversed settlements) of the group. @return the totals */
    public Totals refunds() {
      return refunds;
    }

    @Override
    public String toString() {
      return group + " settlements " + settlements + " refunds " + refunds;
    }
  }

  private final String fixmedinsCode;
  private final String date;
  private final Totals settlements;
  private final Totals refunds;
  private final List<GroupTotals> groups;

  Reconciliation(String fixmedinsCode, String date, Totals settlements, Totals refunds, List<GroupTotals> groups) {
    this.fixmedinsCode = fixmedinsCode;
    this.date = date;
    this.settlements = settlements;
    this.refunds = refunds;
    this.groups = Collections.unmodifiableList(new ArrayList<GroupTotals>(groups));
  }

  /** The institution. @return the institution code */
  public String fixmedinsCode() {
    return fixmedinsCode;
  }

  /** The day, China time. @return "yyyy-MM-dd" */
  public String date() {
    return date;
  }

  /** Settlements (and reversed refunds) of the day. @return the totals */
  public Totals settlements() {
    return settlements;
  }

  /** Refunds (and reversed settlements) of the day. @return the totals */
  public Totals refunds() {
    return refunds;
  }

  /**
   * The day's totals per reconciliation group, ordered by insutype, clr_type and setl_optins; they
   * add up to {@link #settlements()} and {@link #refunds()}.
   *
   * @return the groups, unmodifiable
   */
  public List<GroupTotals> groups() {
    return groups;
  }

  @Override
  public String toString() {
    return "Reconciliation{" + fixmedinsCode + " " + date + " settlements " + settlements + " refunds " + refunds
        + " groups " + groups + "}";
  }
}
