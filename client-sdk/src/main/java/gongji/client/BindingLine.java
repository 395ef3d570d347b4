package gongji.client;

/**
 * One binding of a batch ({@link FamilyAdmin#createBindings}), and after the call what became of it: the
 * binding created, or the line's own refusal (e.g. {@link RejectionReason#PATIENT_NOT_FOUND}) while the
 * other lines of the batch apply.
 */
public final class BindingLine {
  private final String authorizerPsnNo;
  private final String beneficiaryPsnNo;
  private final String relationship;
  private final long quotaFen;
  private final int index;
  private final Binding binding;
  private final RejectionReason rejection;
  private final String rejectionMessage;

  /**
   * A binding to create, ACTIVE at once (the relationship already verified by the agency).
   *
   * @param authorizerPsnNo the authorizer, whose account pays
   * @param beneficiaryPsnNo the beneficiary
   * @param relationship SPOUSE, PARENT, CHILD, SIBLING, GRANDPARENT or GRANDCHILD
   * @param quotaFen the quota, 0 (none) to 100,000,000 fen
   */
  public BindingLine(String authorizerPsnNo, String beneficiaryPsnNo, String relationship, long quotaFen) {
    this(Checks.notNull(authorizerPsnNo, "authorizerPsnNo"), Checks.notNull(beneficiaryPsnNo, "beneficiaryPsnNo"),
        relationship, quotaFen, -1, null, null, "");
    GongjiAdminClient.relationship(relationship);
    Checks.argument(quotaFen >= 0 && quotaFen <= MAX_QUOTA_FEN,
        "quotaFen: " + quotaFen + " (expected: 0.." + MAX_QUOTA_FEN + ")");
  }

  private static final long MAX_QUOTA_FEN = 100_000_000L;

  private BindingLine(String authorizerPsnNo, String beneficiaryPsnNo, String relationship, long quotaFen, int index,
      Binding binding, RejectionReason rejection, String rejectionMessage) {
    this.authorizerPsnNo = authorizerPsnNo;
    this.beneficiaryPsnNo = beneficiaryPsnNo;
    this.relationship = relationship;
    this.quotaFen = quotaFen;
    this.index = index;
    this.binding = binding;
    this.rejection = rejection;
    this.rejectionMessage = rejectionMessage;
  }

  /** This line as the gateway answered it: the binding it created, or its refusal. */
  BindingLine answered(int index, Binding binding, RejectionReason rejection, String rejectionMessage) {
    return new BindingLine(authorizerPsnNo, beneficiaryPsnNo, relationship, quotaFen, index, binding, rejection,
        rejectionMessage);
  }

  /** The authorizer. @return the person number */
  public String authorizerPsnNo() {
    return authorizerPsnNo;
  }

  /** The beneficiary. @return the person number */
  public String beneficiaryPsnNo() {
    return beneficiaryPsnNo;
  }

  /** What the beneficiary is to the authorizer. @return SPOUSE, PARENT, CHILD, SIBLING, GRANDPARENT or GRANDCHILD */
  public String relationship() {
    return relationship;
  }

  /** The quota. @return fen; 0 for none */
  public long quotaFen() {
    return quotaFen;
  }

  /**
   * The line's position in the batch: the gateway applies it under the request id
   * {@code "<batch id>-<index>"}. @return 0 for the first line, or -1 if not yet sent
   */
  public int index() {
    return index;
  }

  /** Whether the binding was created (a line returned by the gateway). @return true if created */
  public boolean applied() {
    return binding != null;
  }

  /** The binding created. @return the ACTIVE binding with its {@link Binding#id() id}, or null if not (yet) created */
  public Binding binding() {
    return binding;
  }

  /** Why the gateway refused the line. @return the reason, or null if created or not yet sent */
  public RejectionReason rejection() {
    return rejection;
  }

  /** The refusal in words. @return the message, or "" */
  public String rejectionMessage() {
    return rejectionMessage;
  }

  @Override
  public String toString() {
    return "BindingLine{" + (index >= 0 ? index + " " : "") + authorizerPsnNo + " " + relationship + " "
        + beneficiaryPsnNo + " " + quotaFen + (binding != null ? " -> " + binding.id()
        : rejection != null ? " refused " + rejection + (rejectionMessage.isEmpty() ? "" : ": " + rejectionMessage)
        : "") + "}";
  }
}
