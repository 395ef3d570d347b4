package gongji.server.domain;

/**
 * What a line item is, and so whether a personal account may pay for it.
 *
 * <p>Three kinds: the base medical categories, which any account pays when the item is in policy
 * scope; the optional categories, which a region may allow; and the forbidden ones, which no account
 * ever pays (public health, fitness, wellness, cosmetics, daily goods).
 */
public enum ItemCategory {
  DRUG(Kind.BASE),
  MEDICAL_DEVICE(Kind.BASE),
  MEDICAL_CONSUMABLE(Kind.BASE),
  MEDICAL_SERVICE(Kind.BASE),
  NON_PROGRAMME_VACCINE(Kind.OPTIONAL),
  HEALTH_CHECKUP(Kind.OPTIONAL),
  PUBLIC_HEALTH(Kind.FORBIDDEN),
  FITNESS(Kind.FORBIDDEN),
  WELLNESS(Kind.FORBIDDEN),
  COSMETICS(Kind.FORBIDDEN),
  DAILY_GOODS(Kind.FORBIDDEN);

  private enum Kind { BASE, OPTIONAL, FORBIDDEN }

  private static final ItemCategory[] VALUES = values();
  private final Kind kind;

  ItemCategory(Kind kind) {
    this.kind = kind;
  }

  /** The categories, by ordinal. */
  public static ItemCategory ofOrdinal(int ordinal) {
    return VALUES[ordinal];
  }

  /** How many categories there are. */
  public static int count() {
    return VALUES.length;
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
    return 1 << ordinal();
  }
}
