package gongji.client;

/** A credential the patient presents: always the patient's own. */
public final class Credential {
  /** The kinds of credential (`mdtrt_cert_type`). */
  public enum Type {
    /** 01: the electronic credential (token or QR code). */
    E_CREDENTIAL,
    /** 02: the identity card number. */
    ID_CARD,
    /** 03: the social security card number. */
    SOCIAL_SECURITY_CARD
  }

  private final Type type;
  private final String number;

  /** A credential of the given type and number (or token). */
  public Credential(Type type, String number) {
    this.type = Checks.notNull(type, "type");
    this.number = Checks.notNull(number, "number");
  }

  /** A social security card. */
  public static Credential card(String number) {
    return new Credential(Type.SOCIAL_SECURITY_CARD, number);
  }

  /** The type. */
  public Type type() {
    return type;
  }

  /** The number or token. */
  public String number() {
    return number;
  }
}
