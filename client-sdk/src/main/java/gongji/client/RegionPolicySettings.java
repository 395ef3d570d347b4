package gongji.client;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/** The mutual-aid policy of a pooling region. Every number is a per-region setting. */
public final class RegionPolicySettings {
  /** The order in which a beneficiary insured in the region draws on several relatives (after wallet quota). */
  public enum MutualAidOrder {
    /** The order the bindings were made, oldest first: the national default. */
    BINDING,
    /** Spouse, parents, children, then siblings, grandparents, grandchildren; ties in binding order. */
    CLOSEST_RELATIVE,
    /** The source with the most available first (spreads the cost over the family); ties in binding order. */
    LARGEST_AVAILABLE
  }

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
  private final int walletMaxTransfersPerDay;
  private final long walletMaxTransferFen;
  private final int walletQuietFromHour;
  private final int walletQuietUntilHour;
  private final MutualAidOrder mutualAidOrder;

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
    this.walletMaxTransfersPerDay = b.walletMaxTransfersPerDay;
    this.walletMaxTransferFen = b.walletMaxTransferFen;
    this.walletQuietFromHour = b.walletQuietFromHour;
    this.walletQuietUntilHour = b.walletQuietUntilHour;
    this.mutualAidOrder = b.mutualAidOrder;
  }

  /**
   * A builder for a region's policy; every setting not given is off, 0 (the national default where 0 means
   * one) or, for the drawing order, BINDING.
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

  /**
   * At most this many wallet transfers a day from an authorizer insured here into one wallet.
   *
   * @return 1 to 100; 0 for the national default (3)
   */
  public int walletMaxTransfersPerDay() {
    return walletMaxTransfersPerDay;
  }

  /**
   * The most one wallet transfer from an authorizer insured here may assign.
   *
   * @return fen, 1 to 100,000,000; 0 for the national default (200,000 = 2,000 yuan)
   */
  public long walletMaxTransferFen() {
    return walletMaxTransferFen;
  }

  /**
   * No wallet transfers from this hour (the authorizer's local time) until {@link #walletQuietUntilHour()}.
   *
   * @return 0 to 23; with {@link #walletQuietUntilHour()} also 0, the national window (22 to 6)
   */
  public int walletQuietFromHour() {
    return walletQuietFromHour;
  }

  /**
   * The end of the quiet window, and the hour on the next day at which an unaccepted transfer returns.
   *
   * @return 0 to 23; equal to {@link #walletQuietFromHour()} and not 0: no quiet window
   */
  public int walletQuietUntilHour() {
    return walletQuietUntilHour;
  }

  /** The drawing order of a beneficiary insured here. @return the order */
  public MutualAidOrder mutualAidOrder() {
    return mutualAidOrder;
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
    private int walletMaxTransfersPerDay;
    private long walletMaxTransferFen;
    private int walletQuietFromHour;
    private int walletQuietUntilHour;
    private MutualAidOrder mutualAidOrder = MutualAidOrder.BINDING;

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

    /**
     * The daily limit of wallet transfers into one wallet.
     *
     * @param transfers 1 to 100, or 0 for the national default (3)
     * @return this builder
     */
    public Builder walletMaxTransfersPerDay(int transfers) {
      Checks.argument(transfers >= 0 && transfers <= 100,
          "walletMaxTransfersPerDay: " + transfers + " (expected: 1..100, or 0 for the national default)");
      this.walletMaxTransfersPerDay = transfers;
      return this;
    }

    /**
     * The most one wallet transfer may assign.
     *
     * @param fen 1 to 100,000,000, or 0 for the national default (200,000)
     * @return this builder
     */
    public Builder walletMaxTransferFen(long fen) {
      Checks.argument(fen >= 0 && fen <= 100000000L,
          "walletMaxTransferFen: " + fen + " (expected: 1..100000000, or 0 for the national default)");
      this.walletMaxTransferFen = fen;
      return this;
    }

    /**
     * The quiet window of wallet transfers, the authorizer's local time: none from {@code fromHour}
     * until {@code untilHour}, and an unaccepted transfer returns at {@code untilHour} the next day.
     * Both 0 is the national window (22 to 6); equal hours other than 0 mean no quiet window.
     *
     * @param fromHour 0 to 23
     * @param untilHour 0 to 23
     * @return this builder
     */
    public Builder walletQuietHours(int fromHour, int untilHour) {
      Checks.argument(fromHour >= 0 && fromHour <= 23, "walletQuietFromHour: " + fromHour + " (expected: 0..23)");
      Checks.argument(untilHour >= 0 && untilHour <= 23, "walletQuietUntilHour: " + untilHour + " (expected: 0..23)");
      this.walletQuietFromHour = fromHour;
      this.walletQuietUntilHour = untilHour;
      return this;
    }

    /** The drawing order of beneficiaries insured here. @param order the order @return this builder */
    public Builder mutualAidOrder(MutualAidOrder order) {
      this.mutualAidOrder = Checks.notNull(order, "order");
      return this;
    }

    /** The policy. @return the settings */
    public RegionPolicySettings build() {
      return new RegionPolicySettings(this);
    }
  }
}
