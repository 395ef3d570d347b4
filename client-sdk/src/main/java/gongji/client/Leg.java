package gongji.client;

/** One leg of a payment: where the money comes from and how much. */
public final class Leg {
  /** Where a leg's money comes from. */
  public enum Source {
    /** The patient's own personal account. */
    OWN_ACCOUNT,
    /** A relative's account through mutual aid. */
    MUTUAL_AID,
    /** Cash (or other means) at the counter. */
    CASH
  }

  private final Source source;
  private final String ownerMasked;
  private final String bindingId;
  private final long amountFen;

  /** A leg, as the gateway reported it. */
  public Leg(Source source, String ownerMasked, String bindingId, long amountFen) {
    this.source = Checks.notNull(source, "source");
    this.ownerMasked = Checks.notNull(ownerMasked, "ownerMasked");
    this.bindingId = Checks.notNull(bindingId, "bindingId");
    this.amountFen = amountFen;
  }

  /** The source. */
  public Source source() {
    return source;
  }

  /** The account owner, masked; "" for cash. */
  public String ownerMasked() {
    return ownerMasked;
  }

  /** The mutual-aid binding; "" unless the source is MUTUAL_AID. */
  public String bindingId() {
    return bindingId;
  }

  /** The amount in fen. */
  public long amountFen() {
    return amountFen;
  }
}
