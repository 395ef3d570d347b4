package gongji.server.gateway;

import static java.util.Objects.requireNonNull;

/** The terminal a call comes from: institution, terminal id, and the operator at it. */
public record Terminal(String institution, String terminalId, String operatorId) {
  public Terminal {
    requireNonNull(institution, "institution");
    requireNonNull(terminalId, "terminalId");
    requireNonNull(operatorId, "operatorId");
  }
}
