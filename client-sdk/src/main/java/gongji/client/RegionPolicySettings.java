package gongji.client;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** The mutual-aid policy of a pooling region. Every number is a per-region setting. */
public final class RegionPolicySettings {
  private final String admdvs;
  private final String name;
  private final long retainedFloorFen;
  private final boolean extendedRelativesAllowed;
  private final boolean quotaAllowed;
  private final boolean crossProvinceEnabled;
  private final Set<Item.Category> optionalCategoriesAllowed;
  private final int holdTtlSeconds;
  private final int maxMutualAidUsesPerDay;
  private final long maxMutualAidFenPerDay;

  private RegionPolicySettings(Builder b) {
    this.admdvs = b.admdvs;
    this.name = b.name;
    this.retainedFloorFen = b.retainedFloorFen;
    this.extendedRelativesAllowed = b.extendedRelativesAllowed;
    this.quotaAllowed = b.quotaAllowed;
    this.crossProvinceEnabled = b.crossProvinceEnabled;
    this.optionalCategoriesAllowed = Collections.unmodifiableSet(EnumSet.copyOf(b.optionalCategoriesAllowed));
    this.holdTtlSeconds = b.holdTtlSeconds;
    this.maxMutualAidUsesPerDay = b.maxMutualAidUsesPerDay;
    this.maxMutualAidFenPerDay = b.maxMutualAidFenPerDay;
  }

  /**
   * A builder for a region's policy; every setting not given is off or 0.
   *
   * @param admdvs the region, 6 digits
   * @return the builder
   */
  public static Builder builder(String admdvs) {
    return new Builder(Checks.notNull(admdvs, "admdvs"));
  }

  /** The region ({@code admdvs}). @return 6 digits */
  public String admdvs() {
    return admdvs;
  }

  /** The region's name, for display. @return the name */
  public String name() {
    return name;
  }

  /** The balance an authorizer keeps that cannot be shared. @return fen */
  public long retainedFloorFen() {
    return retainedFloorFen;
  }

  /** Whether siblings, grandparents and grandchildren may be beneficiaries. @return true if allowed */
  public boolean extendedRelativesAllowed() {
    return extendedRelativesAllowed;
  }

  /** Whether a per-beneficiary quota may be set. @return true if allowed */
  public boolean quotaAllowed() {
    return quotaAllowed;
  }

  /** Whether mutual aid works across provinces from and to this region. @return true if enabled */
  public boolean crossProvinceEnabled() {
    return crossProvinceEnabled;
  }

  /** The optional categories accounts may pay here. @return an unmodifiable set */
  public Set<Item.Category> optionalCategoriesAllowed() {
    return optionalCategoriesAllowed;
  }

  /** How long an authorization holds funds. @return seconds; 0 for the gateway's default */
  public int holdTtlSeconds() {
    return holdTtlSeconds;
  }

  /** At most this many sales a day may use mutual aid for one beneficiary. @return the limit; 0 = none */
  public int maxMutualAidUsesPerDay() {
    return maxMutualAidUsesPerDay;
  }

  /** At most this much mutual aid a day for one beneficiary. @return fen; 0 = no limit */
  public long maxMutualAidFenPerDay() {
    return maxMutualAidFenPerDay;
  }

  @Override
  public String toString() {
    return "RegionPolicySettings{" + admdvs + " " + name + " floor " + retainedFloorFen + "}";
  }

  /** Builds a {@link RegionPolicySettings}. */
  public static final class Builder {
    private final String admdvs;
    private String name = "";
    private long retainedFloorFen;
    private boolean extendedRelativesAllowed;
    private boolean quotaAllowed;
    private boolean crossProvinceEnabled;
    private final Set<Item.Category> optionalCategoriesAllowed = EnumSet.noneOf(Item.Category.class);
    private int holdTtlSeconds;
    private int maxMutualAidUsesPerDay;
    private long maxMutualAidFenPerDay;

    private Builder(String admdvs) {
      this.admdvs = admdvs;
    }

    /** The region's name, for display. @param name the name @return this builder */
    public Builder name(String name) {
      this.name = Checks.notNull(name, "name");
      return this;
    }

    /** The balance an authorizer keeps. @param fen the floor, 0 or more @return this builder */
    public Builder retainedFloorFen(long fen) {
      Checks.argument(fen >= 0, "retainedFloorFen: " + fen + " (expected: >= 0)");
      this.retainedFloorFen = fen;
      return this;
    }

    /** Whether extended relatives may be beneficiaries. @param allowed true to allow @return this builder */
    public Builder extendedRelativesAllowed(boolean allowed) {
      this.extendedRelativesAllowed = allowed;
      return this;
    }

    /** Whether a per-beneficiary quota may be set. @param allowed true to allow @return this builder */
    public Builder quotaAllowed(boolean allowed) {
      this.quotaAllowed = allowed;
      return this;
    }

    /** Whether mutual aid works across provinces. @param enabled true to enable @return this builder */
    public Builder crossProvinceEnabled(boolean enabled) {
      this.crossProvinceEnabled = enabled;
      return this;
    }

    /** Allows an optional category. @param category the category @return this builder */
    public Builder allowOptionalCategory(Item.Category category) {
      optionalCategoriesAllowed.add(Checks.notNull(category, "category"));
      return this;
    }

    /** How long an authorization holds funds. @param seconds 60 to 86,400, or 0 for the default @return this builder */
    public Builder holdTtlSeconds(int seconds) {
      this.holdTtlSeconds = seconds;
      return this;
    }

    /** The daily limit of mutual-aid sales per beneficiary. @param uses the limit, 0 = none @return this builder */
    public Builder maxMutualAidUsesPerDay(int uses) {
      this.maxMutualAidUsesPerDay = uses;
      return this;
    }

    /** The daily limit of mutual aid per beneficiary. @param fen the limit, 0 = none @return this builder */
    public Builder maxMutualAidFenPerDay(long fen) {
      this.maxMutualAidFenPerDay = fen;
      return this;
    }

    /** The policy. @return the settings */
    public RegionPolicySettings build() {
      return new RegionPolicySettings(this);
    }
  }
}
