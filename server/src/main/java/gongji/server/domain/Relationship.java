package gongji.server.domain;

/** What a beneficiary is to the authorizer of a mutual-aid binding. */
public enum Relationship {
  SPOUSE(true),
  PARENT(true),
  CHILD(true),
  SIBLING(false),
  GRANDPARENT(false),
  GRANDCHILD(false);

  private final boolean core;

  Relationship(boolean core) {
    this.core = core;
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
