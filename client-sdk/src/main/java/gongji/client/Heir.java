package gongji.client;

/** One heir's share of a deceased person's account balance. */
public final class Heir {
  private final String name;
  private final String idNumber;
  private final long amountFen;

  /**
   * An heir's share.
   *
   * @param name the heir's name, 1 to 50 characters
   * @param idNumber the heir's identity document number, 1 to 64 printable ASCII characters
   * @param amountFen the share in fen, 0 or more
   */
  public Heir(String name, String idNumber, long amountFen) {
    this.name = Checks.notNull(name, "name");
    this.idNumber = Checks.notNull(idNumber, "idNumber");
    Checks.argument(amountFen >= 0, "amountFen: " + amountFen + " (expected: >= 0)");
    this.amountFen = amountFen;
  }

  /** The heir's name. @return the name */
  public String name() {
    return name;
  }

  /** The heir's identity document number. @return the number */
  public String idNumber() {
    return idNumber;
  }

  /** The share. @return fen */
  public long amountFen() {
    return amountFen;
  }

  @Override
  public String toString() {
    return "Heir{" + name + " " + amountFen + "}";
  }
}
