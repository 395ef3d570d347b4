package gongji.server.domain;

import java.util.Collection;

/** Sets of {@link ItemCategory} as int bit masks: the categories one source of funds may pay. */
public final class CategoryMask {
  /** The base medical categories: payable by any account when in policy scope. */
  public static final int BASE;

  static {
    int base = 0;
    for (ItemCategory c : ItemCategory.values()) {
      if (!c.forbidden() && !c.optional()) {
        base |= c.bit();
      }
    }
    BASE = base;
  }

  private CategoryMask() {}

  /** The base categories plus the optional ones a region allows; forbidden ones never get in. */
  public static int payable(Collection<ItemCategory> optionalAllowed) {
    int mask = BASE;
    for (ItemCategory c : optionalAllowed) {
      if (c.optional()) {
        mask |= c.bit();
      }
    }
    return mask;
  }

  public static boolean contains(int mask, ItemCategory category) {
    return (mask & category.bit()) != 0;
  }
}
