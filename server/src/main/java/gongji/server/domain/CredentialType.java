package gongji.server.domain;

/** The kind of credential a patient presents (`mdtrt_cert_type` 01, 02, 03). */
public enum CredentialType {
  E_CREDENTIAL(0),
  ID_CARD(1),
  SOCIAL_SECURITY_CARD(2);

  private static final CredentialType[] BY_CODE = Codes.byCode(values(), CredentialType::code);

  private final int code;

  CredentialType(int code) {
    this.code = code;
  }

  /** The code of this constant in the journal and snapshots: fixed for ever, unlike the ordinal. */
  public int code() {
    return code;
  }

  /** The constant with {@code code}; throws {@link UnknownCodeException} when there is none. */
  public static CredentialType ofCode(int code) throws UnknownCodeException {
    return Codes.of(BY_CODE, code, CredentialType.class);
  }
}
