package gongji.client;

/** One line of a bill. Amounts are exact fen. */
public final class Item {
  /** What an item is; categories from PUBLIC_HEALTH on are never paid from personal accounts. */
  public enum Category {
    /** A drug. */
    DRUG,
    /** A medical device. */
    MEDICAL_DEVICE,
    /** A medical consumable. */
    MEDICAL_CONSUMABLE,
    /** A diagnosis, examination or treatment service. */
    MEDICAL_SERVICE,
    /** A non-programme vaccine (where the region allows it). */
    NON_PROGRAMME_VACCINE,
    /** A health check-up (where the region allows it). */
    HEALTH_CHECKUP,
    /** Public-health costs: never from accounts. */
    PUBLIC_HEALTH,
    /** Fitness: never from accounts. */
    FITNESS,
    /** Wellness: never from accounts. */
    WELLNESS,
    /** Cosmetics: never from accounts. */
    COSMETICS,
    /** Daily goods: never from accounts. */
    DAILY_GOODS
  }

  private final String code;
  private final String name;
  private final Category category;
  private final boolean inPolicyScope;
  private final int quantity;
  private final long amountFen;

  /**
   * A line of a bill.
   *
   * @param code the item code
   * @param name the name for receipts ("" if none)
   * @param category what it is
   * @param inPolicyScope whether it is within the insurance policy scope
   * @param quantity how many units (> 0)
   * @param amountFen the line total in fen (>= 0)
   */
  public Item(String code, String name, Category category, boolean inPolicyScope, int quantity, long amountFen) {
    this.code = Checks.notNull(code, "code");
    this.name = Checks.notNull(name, "name");
    this.category = Checks.notNull(category, "category");
    Checks.argument(quantity > 0, "quantity: " + quantity + " (expected: > 0)");
    Checks.argument(amountFen >= 0, "amountFen: " + amountFen + " (expected: >= 0)");
    this.inPolicyScope = inPolicyScope;
    this.quantity = quantity;
    this.amountFen = amountFen;
  }

  /** The code. */
  public String code() {
    return code;
  }

  /** The name. */
  public String name() {
    return name;
  }

  /** The category. */
  public Category category() {
    return category;
  }

  /** Whether in policy scope. */
  public boolean inPolicyScope() {
    return inPolicyScope;
  }

  /** The quantity. */
  public int quantity() {
    return quantity;
  }

  /** The line total in fen. */
  public long amountFen() {
    return amountFen;
  }
}
