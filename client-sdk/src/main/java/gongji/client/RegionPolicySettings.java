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
  private final Set<String> updateMask;

  private RegionPolicySettings(Builder b) {
    this.updateMask = Collections.unmodifiableSet(new java.util.LinkedHashSet<String>(b.named));
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
   * The settings given to the builder, by their names on the wire ({@code retained_floor_fen}, ...):
   * what {@link ReferenceAdmin#updateRegionPolicy} changes, leaving the others as they are.
   *
   * @return the names; empty for a policy read from the gateway
   */
  public Set<String> updateMask() {
    return updateMask;
  }

  /**
   * A builder of settings for a region's policy: the settings given are those an update changes
   * ({@link #updateMask()}); the others show the national defaults (off, no floor, holds of 1,800 s,
   * no daily limits, 3 wallet transfers a day of at most 2,000 yuan, quiet from 22 to 6, binding order).
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

  /** How long an authorization holds funds. @return seconds, 60 to 86,400 */
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
   * @return 1 to 100
   */
  public int walletMaxTransfersPerDay() {
    return walletMaxTransfersPerDay;
  }

  /**
   * The most one wallet transfer from an authorizer insured here may assign.
   *
   * @return fen, 1 to 100,000,000
   */
  public long walletMaxTransferFen() {
    return walletMaxTransferFen;
  }

  /**
   * No wallet transfers from this hour (the authorizer's local time) until {@link #walletQuietUntilHour()}.
   *
   * @return 0 to 23; equal to {@link #walletQuietUntilHour()}: no quiet window
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
    private int holdTtlSeconds = 1800;
    private int maxMutualAidUsesPerDay;
    private long maxMutualAidFenPerDay;
    private int walletMaxTransfersPerDay = 3;
    private long walletMaxTransferFen = 200000;
    private int walletQuietFromHour = 22;
    private int walletQuietUntilHour = 6;
    private MutualAidOrder mutualAidOrder = MutualAidOrder.BINDING;
    private final Set<String> named = new java.util.LinkedHashSet<String>();

    private Builder(String admdvs) {
      this.admdvs = admdvs;
    }

    /** The region's name, for display. @param name the name @return this builder */
    public Builder name(String name) {
      this.name = Checks.notNull(name, "name");
      named.add("name");
      return this;
    }

    /** The balance an authorizer keeps. @param fen the floor, 0 or more @return this builder */
    public Builder retainedFloorFen(long fen) {
      Checks.argument(fen >= 0, "retainedFloorFen: " + fen + " (expected: >= 0)");
      this.retainedFloorFen = fen;
      named.add("retained_floor_fen");
      return this;
    }

    /** Whether extended relatives may be beneficiaries. @param allowed true to allow @return this builder */
    public Builder extendedRelativesAllowed(boolean allowed) {
      this.extendedRelativesAllowed = allowed;
      named.add("extended_relatives_allowed");
      return this;
    }

    /** Whether a per-beneficiary quota may be set. @param allowed true to allow @return this builder */
    public Builder quotaAllowed(boolean allowed) {
      this.quotaAllowed = allowed;
      named.add("quota_allowed");
      return this;
    }

    /** Whether mutual aid works across provinces. @param enabled true to enable @return this builder */
    public Builder crossProvinceEnabled(boolean enabled) {
      this.crossProvinceEnabled = enabled;
      named.add("cross_province_enabled");
      return this;
    }

    /** Allows an optional category. @param category the category @return this builder */
    public Builder allowOptionalCategory(Item.Category category) {
      optionalCategoriesAllowed.add(Checks.notNull(category, "category"));
      named.add("optional_categories_allowed");
      return this;
    }

    /** How long an authorization holds funds. @param seconds 60 to 86,400 @return this builder */
    public Builder holdTtlSeconds(int seconds) {
      Checks.argument(seconds >= 60 && seconds <= 86400, "holdTtlSeconds: " + seconds + " (expected: 60..86400)");
      this.holdTtlSeconds = seconds;
      named.add("hold_ttl_seconds");
      return this;
    }

    /** The daily limit of mutual-aid sales per beneficiary. @param uses the limit, 0 = none @return this builder */
    public Builder maxMutualAidUsesPerDay(int uses) {
      this.maxMutualAidUsesPerDay = uses;
      named.add("max_mutual_aid_uses_per_day");
      return this;
    }

    /** The daily limit of mutual aid per beneficiary. @param fen the limit, 0 = none @return this builder */
    public Builder maxMutualAidFenPerDay(long fen) {
      this.maxMutualAidFenPerDay = fen;
      named.add("max_mutual_aid_fen_per_day");
      return this;
    }

    /**
     * The daily limit of wallet transfers into one wallet.
     *
     * @param transfers 1 to 100 (national default 3)
     * @return this builder
     */
    public Builder walletMaxTransfersPerDay(int transfers) {
      Checks.argument(transfers >= 1 && transfers <= 100,
          "walletMaxTransfersPerDay: " + transfers + " (expected: 1..100)");
      this.walletMaxTransfersPerDay = transfers;
      named.add("wallet_max_transfers_per_day");
      return this;
    }

    /**
     * The most one wallet transfer may assign.
     *
     * @param fen 1 to 100,000,000 (national default 200,000)
     * @return this builder
     */
    public Builder walletMaxTransferFen(long fen) {
      Checks.argument(fen >= 1 && fen <= 100000000L,
          "walletMaxTransferFen: " + fen + " (expected: 1..100000000)");
      this.walletMaxTransferFen = fen;
      named.add("wallet_max_transfer_fen");
      return this;
    }

    /**
     * The quiet window of wallet transfers, the authorizer's local time: none from {@code fromHour}
     * until {@code untilHour}, and an unaccepted transfer returns at {@code untilHour} the next day.
     * Equal hours mean no quiet window (transfers then still return at {@code untilHour}); the
     * national window is 22 to 6.
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
      named.add("wallet_quiet_from_hour");
      named.add("wallet_quiet_until_hour");
      return this;
    }

    /** The drawing order of beneficiaries insured here. @param order the order @return this builder */
    public Builder mutualAidOrder(MutualAidOrder order) {
      this.mutualAidOrder = Checks.notNull(order, "order");
      named.add("mutual_aid_order");
      return this;
    }

    /** The policy as read from the gateway: no setting named for an update. */
    RegionPolicySettings read() {
      named.clear();
      return build();
    }

    /** The policy. @return the settings */
    public RegionPolicySettings build() {
      return new RegionPolicySettings(this);
    }
  }
}
