package gongji.server.domain;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.Comparator;

/**
 * The group a settlement-side event is reconciled in: the national interface's day-end 3201 is per
 * {@code insutype} (the patient's insurance: 310 employee, 390 resident), {@code clr_type} (the
 * clearing type, from the kind of care: 41 pharmacy, 11 outpatient, 21 inpatient, 99 anything else)
 * and {@code setl_optins} (the settlement agency: the patient's pooling region, {@code admdvs}).
 *
 * <p>The codes are the national numbers themselves, so that they mean the same on disk, on gRPC and
 * on the national interface whatever our enums become. {@link #UNGROUPED} (codes 0, region "") is
 * the group of events recorded before events carried one.
 */
public record ReconcileGroup(int insutype, int clrType, String setlOptins) implements Comparable<ReconcileGroup> {
  /** The group of events recorded before events carried a group. */
  public static final ReconcileGroup UNGROUPED = new ReconcileGroup(0, 0, "");
  public static final int CLR_PHARMACY = 41;
  public static final int CLR_OUTPATIENT = 11;
  public static final int CLR_INPATIENT = 21;
  public static final int CLR_OTHER = 99;

  private static final Comparator<ReconcileGroup> ORDER = Comparator.comparing((ReconcileGroup g) -> !g.grouped())
      .thenComparingInt(ReconcileGroup::insutype).thenComparingInt(ReconcileGroup::clrType)
      .thenComparing(ReconcileGroup::setlOptins);

  public ReconcileGroup {
    requireNonNull(setlOptins, "setlOptins");
    checkArgument(insutype >= 0 && insutype <= 999, "insutype: %s (expected: 0..999)", insutype);
    checkArgument(clrType >= 0 && clrType <= 999, "clrType: %s (expected: 0..999)", clrType);
  }

  /**
   * The group of a sale of {@code medicalType} to {@code patient}, as the patient is recorded now: a
   * sale takes it when it is authorized and keeps it for all its events.
   */
  public static ReconcileGroup of(Insured patient, MedicalType medicalType) {
    return new ReconcileGroup(insutype(patient.insuranceType()), clrType(medicalType), patient.admdvs());
  }

  /** {@code insutype} of an insurance type: 310 employee basic, 390 resident basic. */
  public static int insutype(InsuranceType t) {
    return switch (t) {
      case EMPLOYEE_BASIC -> 310;
      case RESIDENT_BASIC -> 390;
    };
  }

  /** {@code clr_type} of a kind of care: 41 pharmacy, 11 outpatient, 21 inpatient, 99 the rest. */
  public static int clrType(MedicalType t) {
    return switch (t) {
      case PHARMACY -> CLR_PHARMACY;
      case OUTPATIENT -> CLR_OUTPATIENT;
      case INPATIENT -> CLR_INPATIENT;
      case VACCINATION, HEALTH_CHECKUP -> CLR_OTHER;
    };
  }

  /** Whether this is a group at all (not {@link #UNGROUPED}). */
  public boolean grouped() {
    return insutype != 0;
  }

  /** {@code insutype} as the interface writes it; "" for the ungrouped. */
  public String insutypeText() {
    return insutype == 0 ? "" : Integer.toString(insutype);
  }

  /** {@code clr_type} as the interface writes it; "" for the ungrouped. */
  public String clrTypeText() {
    return clrType == 0 ? "" : Integer.toString(clrType);
  }

  /**
   * Which groups a question about reconciliation takes: each code as the interface writes it
   * ({@link #insutypeText}, {@link #clrTypeText}, {@link #setlOptins}), or empty for every value of
   * it. Naming none ({@link #ANY}) takes every event, the ungrouped too; naming one leaves them out.
   */
  public record Filter(String insutype, String clrType, String setlOptins) {
    public static final Filter ANY = new Filter("", "", "");

    public Filter {
      requireNonNull(insutype, "insutype");
      requireNonNull(clrType, "clrType");
      requireNonNull(setlOptins, "setlOptins");
    }

    /** Whether it names a group at all (not {@link #ANY}). */
    public boolean namesAGroup() {
      return !insutype.isEmpty() || !clrType.isEmpty() || !setlOptins.isEmpty();
    }

    /** Whether events of group {@code g} are taken. */
    public boolean takes(ReconcileGroup g) {
      return (insutype.isEmpty() || insutype.equals(g.insutypeText()))
          && (clrType.isEmpty() || clrType.equals(g.clrTypeText()))
          && (setlOptins.isEmpty() || setlOptins.equals(g.setlOptins()));
    }
  }

  /** Groups in code order, the ungrouped last. */
  @Override
  public int compareTo(ReconcileGroup o) {
    return ORDER.compare(this, o);
  }
}
