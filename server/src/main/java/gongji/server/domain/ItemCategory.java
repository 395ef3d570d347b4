package gongji.server.domain;

import static com.google.common.base.Verify.verify;

import java.util.Arrays;

/**
 * What a line item is, and so whether a personal account may pay for it.
 *
 * <p>Three kinds: the base medical categories, which any account pays when the item is in policy
 * scope; the optional categories, which a region may allow; and the forbidden ones, which no account
 * ever pays (public health, fitness, wellness, cosmetics, daily goods).
 *
 * <p>Codes run 0..{@code count() - 1} without gaps: a code indexes a bill's per-category amounts
 * (written in code order in the journal) and is the bit of the category in a {@link CategoryMask}
 * (written in region policies). So a new category takes the next code; none is ever renumbered.
 */
public enum ItemCategory {
  DRUG(0, Kind.BASE),
  MEDICAL_DEVICE(1, Kind.BASE),
  MEDICAL_CONSUMABLE(2, Kind.BASE),
  MEDICAL_SERVICE(3, Kind.BASE),
  NON_PROGRAMME_VACCINE(4, Kind.OPTIONAL),
  HEALTH_CHECKUP(5, Kind.OPTIONAL),
  PUBLIC_HEALTH(6, Kind.FORBIDDEN),
  FITNESS(7, Kind.FORBIDDEN),
  WELLNESS(8, Kind.FORBIDDEN),
  COSMETICS(9, Kind.FORBIDDEN),
  DAILY_GOODS(10, Kind.FORBIDDEN);

  private enum Kind { BASE, OPTIONAL, FORBIDDEN }

  private static final ItemCategory[] BY_CODE = Codes.byCode(values(), ItemCategory::code);

  static {
    verify(BY_CODE.length == values().length, "item category codes have gaps: %s", Arrays.toString(BY_CODE));
  }

  private final int code;
  private final Kind kind;

  ItemCategory(int code, Kind kind) {
    this.code = code;
    this.kind = kind;
  }

  /** The code of this category in the journal and snapshots; also its index in a bill and its mask bit. */
  public int code() {
    return code;
  }

  /** The category with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static ItemCategory ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, ItemCategory.class);
  }

  /** How many categories there are (codes run 0..count() - 1). */
  public static int count() {
    return BY_CODE.length;
  }

  /** Whether no personal account may ever pay for this, whatever the region says. */
  public boolean forbidden() {
    return kind == Kind.FORBIDDEN;
  }

  /** Whether a region may allow accounts to pay for this (vaccines, check-ups). */
  public boolean optional() {
    return kind == Kind.OPTIONAL;
  }

  /** The bit of this category in a {@link CategoryMask}. */
  public int bit() {
    return 1 << code;
  }
}
