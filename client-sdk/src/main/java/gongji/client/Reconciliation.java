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

  /**
   * The totals of one reconciliation group of the day: the national 3201 is per {@code insutype},
   * {@code clr_type} and {@code setl_optins}. A group of three empty codes holds the events recorded
   * before events carried a group.
   */
  public static final class Group {
    private final String insutype;
    private final String clrType;
    private final String setlOptins;
    private final Totals settlements;
    private final Totals refunds;

    Group(String insutype, String clrType, String setlOptins, Totals settlements, Totals refunds) {
      this.insutype = insutype;
      this.clrType = clrType;
      this.setlOptins = setlOptins;
      this.settlements = settlements;
      this.refunds = refunds;
    }

    /** The patients' insurance. @return "310" employee basic, "390" resident basic ("" ungrouped) */
    public String insutype() {
      return insutype;
    }

    /** The clearing type, from the kind of care. @return "41" pharmacy, "11" outpatient, "21" inpatient, "99" other */
    public String clrType() {
      return clrType;
    }

    /** The settlement agency. @return the patients' insurance region (admdvs, 6 digits; "" ungrouped) */
    public String setlOptins() {
      return setlOptins;
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
      return insutype + "/" + clrType + "/" + setlOptins + " settlements " + settlements + " refunds " + refunds;
    }
  }

  private final String fixmedinsCode;
  private final String date;
  private final Totals settlements;
  private final Totals refunds;
  private final List<Group> groups;

  Reconciliation(String fixmedinsCode, String date, Totals settlements, Totals refunds, List<Group> groups) {
    this.fixmedinsCode = fixmedinsCode;
    this.date = date;
    this.settlements = settlements;
    this.refunds = refunds;
    this.groups = Collections.unmodifiableList(new ArrayList<Group>(groups));
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
  public List<Group> groups() {
    return groups;
  }

  @Override
  public String toString() {
    return "Reconciliation{" + fixmedinsCode + " " + date + " settlements " + settlements + " refunds " + refunds
        + " groups " + groups + "}";
  }
}
