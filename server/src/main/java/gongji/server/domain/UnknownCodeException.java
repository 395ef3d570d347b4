package gongji.server.domain;

/**
 * A number read from disk (the journal, a snapshot) is not the code of any constant of the enum it
 * should name: the bytes are damaged, or were written by a newer version that knows more constants.
 * A subclass of {@link IllegalArgumentException}, which is what decoding malformed bytes throws.
 */
public final class UnknownCodeException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String enumName;
  private final int code;

  public UnknownCodeException(String enumName, int code) {
    super("unknown " + enumName + " code " + code);
    this.enumName = enumName;
    this.code = code;
  }

  /** The simple name of the enum. */
  public String enumName() {
    return enumName;
  }

  /** The code that names none of its constants. */
  public int code() {
    return code;
  }
}
