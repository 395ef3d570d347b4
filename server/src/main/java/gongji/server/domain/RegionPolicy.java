package gongji.server.domain;

import static com.google.common.base.Preconditions.checkArgument;
import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * The mutual-aid settings of one pooling region. Every number the national baseline gives is a
 * per-region setting; {@link #defaults} is that baseline.
 */
public record RegionPolicy(
    String admdvs,
    String name,
    long retainedFloorFen,
    boolean extendedRelativesAllowed,
    boolean quotaAllowed,
    boolean crossProvinceEnabled,
    Set<ItemCategory> optionalCategoriesAllowed,
    int holdTtlSeconds,
    int maxMutualAidUsesPerDay,
    long maxMutualAidFenPerDay) {

  public static final int DEFAULT_HOLD_TTL_SECONDS = 1800;

  public RegionPolicy {
    requireNonNull(admdvs, "admdvs");
    requireNonNull(name, "name");
    checkArgument(retainedFloorFen >= 0, "retainedFloorFen: %s (expected: >= 0)", retainedFloorFen);
    checkArgument(holdTtlSeconds >= 60 && holdTtlSeconds <= 86_400,
        "holdTtlSeconds: %s (expected: 60..86400)", holdTtlSeconds);
    checkArgument(maxMutualAidUsesPerDay >= 0, "maxMutualAidUsesPerDay: %s (expected: >= 0; 0 = no limit)",
        maxMutualAidUsesPerDay);
    checkArgument(maxMutualAidFenPerDay >= 0, "maxMutualAidFenPerDay: %s (expected: >= 0; 0 = no limit)",
        maxMutualAidFenPerDay);
    optionalCategoriesAllowed = Set.copyOf(optionalCategoriesAllowed);
    for (ItemCategory c : optionalCategoriesAllowed) {
      checkArgument(c.optional(), "optionalCategoriesAllowed: %s (expected: an optional category)", c);
    }
  }

  /** A policy without velocity limits on mutual aid. */
  public RegionPolicy(String admdvs, String name, long retainedFloorFen, boolean extendedRelativesAllowed,
      boolean quotaAllowed, boolean crossProvinceEnabled, Set<ItemCategory> optionalCategoriesAllowed,
      int holdTtlSeconds) {
    this(admdvs, name, retainedFloorFen, extendedRelativesAllowed, quotaAllowed, crossProvinceEnabled,
        optionalCategoriesAllowed, holdTtlSeconds, 0, 0);
  }

  /** The province of this region: its first two digits. */
  public String province() {
    return admdvs.substring(0, 2);
  }

  /** The national baseline for a region nobody configured: no floor, near relatives (the 2024 scope), no options. */
  public static RegionPolicy defaults(String admdvs) {
    return new RegionPolicy(admdvs, admdvs, 0, true, true, false, Set.of(), DEFAULT_HOLD_TTL_SECONDS);
  }

  /** The categories an account insured in this region may pay. */
  public int payableMask() {
    return CategoryMask.payable(optionalCategoriesAllowed);
  }

  /** Whether a beneficiary of this relationship may be bound by an authorizer of this region. */
  public boolean allows(Relationship relationship) {
    return relationship.core() || extendedRelativesAllowed;
  }
}
