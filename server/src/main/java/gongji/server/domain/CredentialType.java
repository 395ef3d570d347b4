package gongji.server.domain;

/** The kind of credential a patient presents (`mdtrt_cert_type` 01, 02, 03). */
public enum CredentialType {
  E_CREDENTIAL,
  ID_CARD,
  SOCIAL_SECURITY_CARD
}
