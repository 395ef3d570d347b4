package gongji.server.domain;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The identity keys a node uses ({@link IdentityKey}): the current key, which keys every number the
 * gateway keeps from now on, and the older keys still in use, newest first, under which numbers
 * kept before a rotation are still found (and then keyed again with the current key).
 *
 * <p>The generations are distinct and the current key's is the newest: a node never keys a new
 * number with an older key than one it holds.
 */
public final class IdentityKeys {
  /** The demo's published key alone (see {@link IdentityKey#DEMO}). */
  public static final IdentityKeys DEMO = new IdentityKeys(IdentityKey.DEMO, List.of());

  private final IdentityKey current;
  private final List<IdentityKey> older;
  private final List<IdentityKey> all;

  /**
   * The current key and the older ones in any order (they are kept newest first).
   *
   * @throws IllegalArgumentException if two keys have one generation, or an older key's
   *     generation is not below the current key's
   */
  public IdentityKeys(IdentityKey current, List<IdentityKey> older) {
    this.current = requireNonNull(current, "current");
    List<IdentityKey> sorted = new ArrayList<>(older);
    sorted.sort((a, b) -> Integer.compare(b.generation(), a.generation()));
    int above = current.generation();
    for (IdentityKey k : sorted) {
      if (k.generation() == above) {
        throw new IllegalArgumentException("two identity keys of generation " + above
            + " (each key file names its own generation)");
      }
      if (k.generation() > current.generation()) {
        throw new IllegalArgumentException("a previous identity key of generation " + k.generation()
            + " is newer than the current key (generation " + current.generation() + "): the current key"
            + " (identity.key.file) must be the newest. A rotation is not undone: to go back to an older key, restore"
            + " the copy of the data directory made before the start with --add-identity-key (docs/OPERATIONS.md,"
            + " \"Going back to an earlier version\")");
      }
      above = k.generation();
    }
    this.older = List.copyOf(sorted);
    List<IdentityKey> a = new ArrayList<>(sorted.size() + 1);
    a.add(current);
    a.addAll(sorted);
    this.all = List.copyOf(a);
  }

  /** One key alone (no older keys in use). */
  public static IdentityKeys of(IdentityKey current) {
    return new IdentityKeys(current, List.of());
  }

  /** The key every new number is kept under. */
  public IdentityKey current() {
    return current;
  }

  /** The older keys still in use, newest first (empty when there is no rotation under way). */
  public List<IdentityKey> older() {
    return older;
  }

  /** The current key, then the older ones, newest first: the order look-ups try them in. */
  public List<IdentityKey> all() {
    return all;
  }

  /** The key of a generation, or null when it is not in use. */
  public IdentityKey generation(int generation) {
    for (IdentityKey k : all) {
      if (k.generation() == generation) {
        return k;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "IdentityKeys" + all;
  }
}
