package gongji.server.domain;

/** What a beneficiary is to the authorizer of a mutual-aid binding. */
public enum Relationship {
  SPOUSE(0, true),
  PARENT(1, true),
  CHILD(2, true),
  SIBLING(3, false),
  GRANDPARENT(4, false),
  GRANDCHILD(5, false);

  private static final Relationship[] BY_CODE = Codes.byCode(values(), Relationship::code);

  private final int code;
  private final boolean core;

  Relationship(int code, boolean core) {
    this.code = code;
    this.core = core;
  }

  /** The code of this constant in the journal and snapshots: fixed for ever, unlike the ordinal. */
  public int code() {
    return code;
  }

  /** The constant with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static Relationship ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, Relationship.class);
  }

  /** The same relationship seen from the other side: a child's parent, a grandparent's grandchild. */
  public Relationship inverse() {
    return switch (this) {
      case PARENT -> CHILD;
      case CHILD -> PARENT;
      case GRANDPARENT -> GRANDCHILD;
      case GRANDCHILD -> GRANDPARENT;
      case SPOUSE, SIBLING -> this;
    };
  }

  /** Core scope (spouse, parents, children, since 2021); the rest is the extended scope (2024). */
  public boolean core() {
    return core;
  }
}
