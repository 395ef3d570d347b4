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
    CASH,
    /** Quota a relative assigned to the patient's wallet (医保钱包), drawn from that relative's account. */
    WALLET,
    /**
     * A source this SDK version does not know (a newer gateway). Never read it as cash: what to
     * collect at the counter is always the split's cash amount.
     */
    UNKNOWN
  }

  private final Source source;
  private final String ownerMasked;
  private final String bindingId;
  private final String walletTransferId;
  private final long amountFen;

  /** A leg that spends no wallet quota, as the gateway reported it. */
  public Leg(Source source, String ownerMasked, String bindingId, long amountFen) {
    this(source, ownerMasked, bindingId, "", amountFen);
  }

  /** A leg, as the gateway reported it; {@code walletTransferId} is "" unless the source is WALLET. */
  public Leg(Source source, String ownerMasked, String bindingId, String walletTransferId, long amountFen) {
    this.source = Checks.notNull(source, "source");
    this.ownerMasked = Checks.notNull(ownerMasked, "ownerMasked");
    this.bindingId = Checks.notNull(bindingId, "bindingId");
    this.walletTransferId = Checks.notNull(walletTransferId, "walletTransferId");
    this.amountFen = amountFen;
  }

  /**
   * Where the money comes from, in words for a screen or a receipt, naming the binding or wallet
   * transfer: "own account", "mutual aid B1", "wallet W1 (binding B4)", "cash", or "unknown source"
   * for a source this SDK does not know (never cash). Whose account it is: {@link #ownerMasked()}.
   *
   * @return the label
   */
  public String sourceLabel() {
    switch (source) {
      case OWN_ACCOUNT:
        return "own account";
      case MUTUAL_AID:
        return "mutual aid " + bindingId;
      case WALLET:
        return "wallet " + walletTransferId + (bindingId.isEmpty() ? "" : " (binding " + bindingId + ")");
      case CASH:
        return "cash";
      default:
        return "unknown source";
    }
  }

  /** The source. */
  public Source source() {
    return source;
  }

  /** The account owner, masked; "" for cash. */
  public String ownerMasked() {
    return ownerMasked;
  }

  /** The mutual-aid binding (for WALLET: the binding the quota was assigned through); "" for the own account and cash. */
  public String bindingId() {
    return bindingId;
  }

  /** The wallet transfer whose quota this leg spends; "" unless the source is WALLET. */
  public String walletTransferId() {
    return walletTransferId;
  }

  /** The amount in fen. */
  public long amountFen() {
    return amountFen;
  }
}
