package gongji.client;

import java.util.Collections;
import java.util.List;

/** Who a patient is and what they can pay with. */
public final class Identity {
  /** Mutual-aid funds the patient may draw on. */
  public static final class AidSource {
    private final String bindingId;
    private final String authorizerMasked;
    private final String relationship;
    private final long availableFen;
    private final String walletTransferId;

    /** A direct mutual-aid source, as the gateway reported it. */
    public AidSource(String bindingId, String authorizerMasked, String relationship, long availableFen) {
      this(bindingId, authorizerMasked, relationship, availableFen, "");
    }

    /** A source, as the gateway reported it; {@code walletTransferId} is "" unless it is wallet quota. */
    public AidSource(String bindingId, String authorizerMasked, String relationship, long availableFen,
        String walletTransferId) {
      this.bindingId = bindingId;
      this.authorizerMasked = authorizerMasked;
      this.relationship = relationship;
      this.availableFen = availableFen;
      this.walletTransferId = walletTransferId;
    }

    /** The binding id (for wallet quota: the binding it was assigned through). */
    public String bindingId() {
      return bindingId;
    }

    /** The authorizer, masked. */
    public String authorizerMasked() {
      return authorizerMasked;
    }

    /** The relationship, e.g. SPOUSE. */
    public String relationship() {
      return relationship;
    }

    /** What can be drawn now, in fen. */
    public long availableFen() {
      return availableFen;
    }

    /** The wallet transfer that assigned this quota; "" for direct mutual aid. */
    public String walletTransferId() {
      return walletTransferId;
    }
  }

  private final String psnNo;
  private final String nameMasked;
  private final String insuranceType;
  private final String status;
  private final String admdvs;
  private final boolean hasPersonalAccount;
  private final long balanceFen;
  private final long availableFen;
  private final List<AidSource> aidSources;

  /** An identity, as the gateway reported it. */
  public Identity(String psnNo, String nameMasked, String insuranceType, String status, String admdvs,
      boolean hasPersonalAccount, long balanceFen, long availableFen, List<AidSource> aidSources) {
    this.psnNo = psnNo;
    this.nameMasked = nameMasked;
    this.insuranceType = insuranceType;
    this.status = status;
    this.admdvs = admdvs;
    this.hasPersonalAccount = hasPersonalAccount;
    this.balanceFen = balanceFen;
    this.availableFen = availableFen;
    this.aidSources = Collections.unmodifiableList(aidSources);
  }

  /** The person number. */
  public String psnNo() {
    return psnNo;
  }

  /** The name, masked. */
  public String nameMasked() {
    return nameMasked;
  }

  /** EMPLOYEE_BASIC or RESIDENT_BASIC. */
  public String insuranceType() {
    return insuranceType;
  }

  /** NORMAL, SUSPENDED, TERMINATED or DECEASED. */
  public String status() {
    return status;
  }

  /** The pooling region (6 digits). */
  public String admdvs() {
    return admdvs;
  }

  /** Whether the patient has a personal account. */
  public boolean hasPersonalAccount() {
    return hasPersonalAccount;
  }

  /** The own balance in fen. */
  public long balanceFen() {
    return balanceFen;
  }

  /** The own available balance in fen (balance less holds). */
  public long availableFen() {
    return availableFen;
  }

  /** Mutual-aid sources in drawing order: wallet quota first, then direct mutual aid. */
  public List<AidSource> aidSources() {
    return aidSources;
  }
}
