package gongji.server.domain;

import static java.util.Objects.requireNonNull;

/** A credential: its type and number. A credential belongs to exactly one person. */
public record Credential(CredentialType type, String number) {
  public Credential {
    requireNonNull(type, "type");
    requireNonNull(number, "number");
  }
}
