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
    long maxMutualAidFenPerDay,
    WalletRules wallet,
    AidOrder aidOrder) {

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
    requireNonNull(wallet, "wallet");
    requireNonNull(aidOrder, "aidOrder");
    optionalCategoriesAllowed = Set.copyOf(optionalCategoriesAllowed);
    for (ItemCategory c : optionalCategoriesAllowed) {
      checkArgument(c.optional(), "optionalCategoriesAllowed: %s (expected: an optional category)", c);
    }
  }

  /** A policy with the national wallet rules and bindings drawn in the order they were made. */
  public RegionPolicy(String admdvs, String name, long retainedFloorFen, boolean extendedRelativesAllowed,
      boolean quotaAllowed, boolean crossProvinceEnabled, Set<ItemCategory> optionalCategoriesAllowed,
      int holdTtlSeconds, int maxMutualAidUsesPerDay, long maxMutualAidFenPerDay) {
    this(admdvs, name, retainedFloorFen, extendedRelativesAllowed, quotaAllowed, crossProvinceEnabled,
        optionalCategoriesAllowed, holdTtlSeconds, maxMutualAidUsesPerDay, maxMutualAidFenPerDay, WalletRules.NATIONAL,
        AidOrder.BINDING);
  }

  /** A policy without velocity limits on mutual aid. */
  public RegionPolicy(String admdvs, String name, long retainedFloorFen, boolean extendedRelativesAllowed,
      boolean quotaAllowed, boolean crossProvinceEnabled, Set<ItemCategory> optionalCategoriesAllowed,
      int holdTtlSeconds) {
    this(admdvs, name, retainedFloorFen, extendedRelativesAllowed, quotaAllowed, crossProvinceEnabled,
        optionalCategoriesAllowed, holdTtlSeconds, 0, 0);
  }

  /** The same policy with other wallet rules. */
  public RegionPolicy withWallet(WalletRules rules) {
    return new RegionPolicy(admdvs, name, retainedFloorFen, extendedRelativesAllowed, quotaAllowed, crossProvinceEnabled,
        optionalCategoriesAllowed, holdTtlSeconds, maxMutualAidUsesPerDay, maxMutualAidFenPerDay, rules, aidOrder);
  }

  /** The same policy with another drawing order. */
  public RegionPolicy withAidOrder(AidOrder order) {
    return new RegionPolicy(admdvs, name, retainedFloorFen, extendedRelativesAllowed, quotaAllowed, crossProvinceEnabled,
        optionalCategoriesAllowed, holdTtlSeconds, maxMutualAidUsesPerDay, maxMutualAidFenPerDay, wallet, order);
  }

  /** The province of this region: its first two digits. */
  /**
   * The settings of a policy that an update may name, with explicit codes for the journal (a mask
   * of {@code 1 << code}); {@link #path} is the field's name on the wire.
   */
  public enum Field {
    NAME(0, "name"),
    RETAINED_FLOOR_FEN(1, "retained_floor_fen"),
    EXTENDED_RELATIVES_ALLOWED(2, "extended_relatives_allowed"),
    QUOTA_ALLOWED(3, "quota_allowed"),
    CROSS_PROVINCE_ENABLED(4, "cross_province_enabled"),
    OPTIONAL_CATEGORIES_ALLOWED(5, "optional_categories_allowed"),
    HOLD_TTL_SECONDS(6, "hold_ttl_seconds"),
    MAX_MUTUAL_AID_USES_PER_DAY(7, "max_mutual_aid_uses_per_day"),
    MAX_MUTUAL_AID_FEN_PER_DAY(8, "max_mutual_aid_fen_per_day"),
    WALLET_MAX_TRANSFERS_PER_DAY(9, "wallet_max_transfers_per_day"),
    WALLET_MAX_TRANSFER_FEN(10, "wallet_max_transfer_fen"),
    WALLET_QUIET_FROM_HOUR(11, "wallet_quiet_from_hour"),
    WALLET_QUIET_UNTIL_HOUR(12, "wallet_quiet_until_hour"),
    MUTUAL_AID_ORDER(13, "mutual_aid_order");

    private static final Field[] BY_CODE = Codes.byCode(values(), Field::code);

    private final int code;
    private final String path;

    Field(int code, String path) {
      this.code = code;
      this.path = path;
    }

    public int code() {
      return code;
    }

    public String path() {
      return path;
    }

    public static Field ofCode(int code) throws UnknownCodeException {
      return Codes.of(BY_CODE, code, Field.class);
    }

    /** The field of a wire path, or null. */
    public static Field ofPath(String path) {
      for (Field f : values()) {
        if (f.path.equals(path)) {
          return f;
        }
      }
      return null;
    }

    /** A set of fields as a mask of {@code 1 << code}. */
    public static long mask(Set<Field> fields) {
      long m = 0;
      for (Field f : fields) {
        m |= 1L << f.code;
      }
      return m;
    }

    /** The fields of a mask; an unknown bit is refused. */
    public static Set<Field> ofMask(long mask) {
      java.util.EnumSet<Field> fields = java.util.EnumSet.noneOf(Field.class);
      for (int code = 0; code < 64; code++) {
        if ((mask & (1L << code)) != 0) {
          fields.add(ofCode(code));
        }
      }
      return fields;
    }
  }

  /** This policy with the {@code fields} of {@code from} (AIP-134: only the named settings change). */
  public RegionPolicy with(RegionPolicy from, Set<Field> fields) {
    WalletRules w = new WalletRules(
        fields.contains(Field.WALLET_MAX_TRANSFERS_PER_DAY) ? from.wallet.maxTransfersPerDay : wallet.maxTransfersPerDay,
        fields.contains(Field.WALLET_MAX_TRANSFER_FEN) ? from.wallet.maxTransferFen : wallet.maxTransferFen,
        fields.contains(Field.WALLET_QUIET_FROM_HOUR) ? from.wallet.quietFromHour : wallet.quietFromHour,
        fields.contains(Field.WALLET_QUIET_UNTIL_HOUR) ? from.wallet.quietUntilHour : wallet.quietUntilHour);
    return new RegionPolicy(admdvs,
        fields.contains(Field.NAME) ? from.name : name,
        fields.contains(Field.RETAINED_FLOOR_FEN) ? from.retainedFloorFen : retainedFloorFen,
        fields.contains(Field.EXTENDED_RELATIVES_ALLOWED) ? from.extendedRelativesAllowed : extendedRelativesAllowed,
        fields.contains(Field.QUOTA_ALLOWED) ? from.quotaAllowed : quotaAllowed,
        fields.contains(Field.CROSS_PROVINCE_ENABLED) ? from.crossProvinceEnabled : crossProvinceEnabled,
        fields.contains(Field.OPTIONAL_CATEGORIES_ALLOWED) ? from.optionalCategoriesAllowed : optionalCategoriesAllowed,
        fields.contains(Field.HOLD_TTL_SECONDS) ? from.holdTtlSeconds : holdTtlSeconds,
        fields.contains(Field.MAX_MUTUAL_AID_USES_PER_DAY) ? from.maxMutualAidUsesPerDay : maxMutualAidUsesPerDay,
        fields.contains(Field.MAX_MUTUAL_AID_FEN_PER_DAY) ? from.maxMutualAidFenPerDay : maxMutualAidFenPerDay,
        w,
        fields.contains(Field.MUTUAL_AID_ORDER) ? from.aidOrder : aidOrder);
  }

  public String province() {
    return province(admdvs);
  }

  /**
   * The province of an area code: its first two digits, as one shared instance for each province.
   * Every person and every view entry that names a province keeps it: a million persons touched
   * since a start would otherwise keep a million copies of a few dozen strings, each a young object
   * for the collector to copy until it is old (docs/PERFORMANCE.md, 2026-12-05 09:02).
   */
  public static String province(String admdvs) {
    if (admdvs.length() >= 2) {
      int tens = admdvs.charAt(0) - '0';
      int units = admdvs.charAt(1) - '0';
      if (tens >= 0 && tens <= 9 && units >= 0 && units <= 9) {
        return PROVINCES[10 * tens + units];
      }
    }
    return admdvs.substring(0, Math.min(2, admdvs.length()));
  }

  private static final String[] PROVINCES = new String[100];

  static {
    for (int i = 0; i < PROVINCES.length; i++) {
      PROVINCES[i] = String.valueOf((char) ('0' + i / 10)) + (char) ('0' + i % 10);
    }
  }

  /** The national baseline for a region nobody configured: no floor, near relatives (the 2024 scope), no options. */
  public static RegionPolicy defaults(String admdvs) {
    return new RegionPolicy(admdvs, admdvs, 0, true, true, false, Set.of(), DEFAULT_HOLD_TTL_SECONDS);
  }

  /** The categories an account insured in this region may pay. */
  public int payableMask() {
    return CategoryMask.payable(optionalCategoriesAllowed);
  }

  /**
   * The limits on wallet transfers from authorizers insured in a region. Hours are the authorizer's
   * local time (China's one zone, UTC+8): no transfers from {@code quietFromHour} until
   * {@code quietUntilHour} (equal hours: no quiet window), and a transfer not accepted by
   * {@code quietUntilHour} the next day returns.
   */
  public record WalletRules(int maxTransfersPerDay, long maxTransferFen, int quietFromHour, int quietUntilHour) {
    /** The national defaults: 3 transfers a day into one wallet, 2,000 yuan each, none from 22:00 to 06:00. */
    public static final WalletRules NATIONAL = new WalletRules(3, 200_000, 22, 6);

    public WalletRules {
      checkArgument(maxTransfersPerDay >= 1 && maxTransfersPerDay <= 100,
          "maxTransfersPerDay: %s (expected: 1..100)", maxTransfersPerDay);
      checkArgument(maxTransferFen >= 1 && maxTransferFen <= 100_000_000,
          "maxTransferFen: %s (expected: 1..100000000)", maxTransferFen);
      checkArgument(quietFromHour >= 0 && quietFromHour <= 23, "quietFromHour: %s (expected: 0..23)", quietFromHour);
      checkArgument(quietUntilHour >= 0 && quietUntilHour <= 23, "quietUntilHour: %s (expected: 0..23)", quietUntilHour);
    }

    /** Whether an hour of the day (0..23) lies in the quiet window. */
    public boolean quiet(int hour) {
      if (quietFromHour == quietUntilHour) {
        return false;
      }
      return quietFromHour < quietUntilHour
          ? hour >= quietFromHour && hour < quietUntilHour
          : hour >= quietFromHour || hour < quietUntilHour;
    }
  }

  /** The order in which a beneficiary's mutual-aid sources pay (after wallet quota, which pays first). */
  public enum AidOrder {
    /** The order the bindings were made: the national default. */
    BINDING(0),
    /** Spouse, parents, children, then siblings, grandparents, grandchildren; ties in binding order. */
    CLOSEST_RELATIVE(1),
    /** The source with the most available first; ties in binding order. */
    LARGEST_AVAILABLE(2);

    private static final AidOrder[] BY_CODE = Codes.byCode(values(), AidOrder::code);

    private final int code;

    AidOrder(int code) {
      this.code = code;
    }

    /** The code of this order in the journal and snapshots: fixed for ever, unlike the ordinal. */
    public int code() {
      return code;
    }

    /** The order with {@code code}; throws {@link UnknownCodeException} when there is none. */
    public static AidOrder ofCode(int code) throws UnknownCodeException {
      return Codes.of(BY_CODE, code, AidOrder.class);
    }
  }

  /** Whether a beneficiary of this relationship may be bound by an authorizer of this region. */
  public boolean allows(Relationship relationship) {
    return relationship.core() || extendedRelativesAllowed;
  }
}
