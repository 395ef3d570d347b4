package gongji.loadtest;

/**
 * Argument checks for the load-test tools, shaped like Guava's {@code checkArgument} (which the
 * server uses) so that this module needs no direct Guava dependency of its own.
 */
final class Checks {
  private Checks() {}

  /** Throws {@link IllegalArgumentException} with {@code String.format(template, args)} if not {@code ok}. */
  static void checkArgument(boolean ok, String template, Object... args) {
    if (!ok) {
      throw new IllegalArgumentException(String.format(template, args));
    }
  }
}
