package gongji.server.domain;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.function.ToIntFunction;

/**
 * The look-up from the explicit on-disk code of an enum constant back to the constant.
 *
 * <p>Every enum that the journal or a snapshot writes gives each constant a code of its own, written
 * as one byte: codes are 0..{@value #MAX_CODE}, never reused, and never the ordinal (which changes
 * when a constant is added in the middle or reordered). {@code 255} stays free: formats use it for
 * "none".
 */
public final class Codes {
  /** The largest code: codes are written as one unsigned byte and 255 means "none". */
  public static final int MAX_CODE = 254;

  private Codes() {}

  /** A table of {@code values} indexed by their codes; fails on a duplicate or out-of-range code. */
  public static <E extends Enum<E>> E[] byCode(E[] values, ToIntFunction<E> code) {
    int max = -1;
    for (E e : values) {
      int c = code.applyAsInt(e);
      checkArgument(c >= 0 && c <= MAX_CODE, "code of %s: %s (expected: 0..%s)", e, c, MAX_CODE);
      max = Math.max(max, c);
    }
    E[] table = Arrays.copyOf(values, max + 1);
    Arrays.fill(table, null);
    for (E e : values) {
      int c = code.applyAsInt(e);
      checkArgument(table[c] == null, "code %s of both %s and %s", c, table[c], e);
      table[c] = e;
    }
    return table;
  }

  /** The constant with {@code code} in a table made by {@link #byCode}. */
  public static <E extends Enum<E>> E of(E[] table, int code, Class<E> type) throws UnknownCodeException {
    E e = code >= 0 && code < table.length ? table[code] : null;
    if (e == null) {
      throw new UnknownCodeException(type.getSimpleName(), code);
    }
    return e;
  }
}
