package gongji.client;

/**
 * A reconciliation group: the national 3201 is per {@code insutype} (the patient's insurance),
 * {@code clr_type} (the clearing type, from the kind of care) and {@code setl_optins} (the
 * settlement agency: the patient's insurance region). Three empty codes are the group of events
 * recorded before events carried a group.
 */
public final class ReconcileGroup {
  private final String insutype;
  private final String clrType;
  private final String setlOptins;

  ReconcileGroup(String insutype, String clrType, String setlOptins) {
    this.insutype = insutype;
    this.clrType = clrType;
    this.setlOptins = setlOptins;
  }

  /**
   * A group to ask for, e.g. {@code ReconcileGroup.of("310", "41", "620100")}; as a filter an empty
   * code takes every value of it.
   *
   * @param insutype "310", "390", or "" for any
   * @param clrType "41", "11", "21", "99", or "" for any
   * @param setlOptins a region (6 digits), or "" for any
   * @return the group
   */
  public static ReconcileGroup of(String insutype, String clrType, String setlOptins) {
    return new ReconcileGroup(Checks.notNull(insutype, "insutype"), Checks.notNull(clrType, "clrType"),
        Checks.notNull(setlOptins, "setlOptins"));
  }

  /** The patient's insurance. @return "310" employee basic, "390" resident basic ("" ungrouped) */
  public String insutype() {
    return insutype;
  }

  /** The clearing type, from the kind of care. @return "41" pharmacy, "11" outpatient, "21" inpatient, "99" other */
  public String clrType() {
    return clrType;
  }

  /** The settlement agency. @return the patient's insurance region (admdvs, 6 digits; "" ungrouped) */
  public String setlOptins() {
    return setlOptins;
  }

  /** Whether this is the group of events recorded before events carried one. @return true if so */
  public boolean ungrouped() {
    return insutype.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof ReconcileGroup)) {
      return false;
    }
    ReconcileGroup g = (ReconcileGroup) o;
    return insutype.equals(g.insutype) && clrType.equals(g.clrType) && setlOptins.equals(g.setlOptins);
  }

  @Override
  public int hashCode() {
    return (insutype.hashCode() * 31 + clrType.hashCode()) * 31 + setlOptins.hashCode();
  }

  /** @return "insutype/clr_type/setl_optins", e.g. "310/41/620100" */
  @Override
  public String toString() {
    return insutype + "/" + clrType + "/" + setlOptins;
  }
}
