package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

/**
 * Who an alert concerns besides its institution, for the reviewer: the person the patient claimed to
 * be and the owner of the credential presented (both masked, since reviewers of other institutions
 * read alerts), the terminal and the operator at it. "" where not known (an alert recorded before
 * alerts named them, a limit hit where nobody claimed anything).
 */
public record AlertParties(String claimedMasked, String ownerMasked, String terminalId, String operatorId) {
  /** Nobody named. */
  public static final AlertParties NONE = new AlertParties("", "", "", "");

  public AlertParties {
    requireNonNull(claimedMasked, "claimedMasked");
    requireNonNull(ownerMasked, "ownerMasked");
    requireNonNull(terminalId, "terminalId");
    requireNonNull(operatorId, "operatorId");
  }
}
