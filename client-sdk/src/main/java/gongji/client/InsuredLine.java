package gongji.client;

/**
 * What became of one person of a batch ({@link ReferenceAdmin#upsertInsureds}): applied, or refused on
 * its own (e.g. {@link RejectionReason#CREDENTIAL_IN_USE}) while the other persons of the batch apply.
 */
public final class InsuredLine {
  private final int index;
  private final InsuredPerson person;
  private final RejectionReason rejection;
  private final String rejectionMessage;

  InsuredLine(int index, InsuredPerson person, RejectionReason rejection, String rejectionMessage) {
    this.index = index;
    this.person = person;
    this.rejection = rejection;
    this.rejectionMessage = rejectionMessage;
  }

  /**
   * The line's position in the batch: the gateway applies it under the request id
   * {@code "<batch id>-<index>"}. @return 0 for the first person
   */
  public int index() {
    return index;
  }

  /** The person as sent. @return the person */
  public InsuredPerson person() {
    return person;
  }

  /** Whether the person was created or updated. @return true if applied */
  public boolean applied() {
    return rejection == null;
  }

  /** Why the gateway refused the person. @return the reason, or null if applied */
  public RejectionReason rejection() {
    return rejection;
  }

  /** The refusal in words. @return the message, or "" if applied */
  public String rejectionMessage() {
    return rejectionMessage;
  }

  @Override
  public String toString() {
    return "InsuredLine{" + index + " " + person.psnNo() + (rejection == null ? " applied" : " refused " + rejection
        + (rejectionMessage.isEmpty() ? "" : ": " + rejectionMessage)) + "}";
  }
}
