package gongji.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What to authorize: the patient's credential, the kind of care, the bill, and how to pay. */
public final class SaleRequest {
  /** The kind of care. */
  public enum MedicalType {
    /** A pharmacy sale. */
    PHARMACY,
    /** A hospital outpatient visit. */
    OUTPATIENT,
    /** A hospital stay. */
    INPATIENT,
    /** A non-programme vaccination. */
    VACCINATION,
    /** A health check-up. */
    HEALTH_CHECKUP
  }

  private final Credential credential;
  private final String psnNo;
  private final MedicalType medicalType;
  private final List<Item> items;
  private final boolean usePersonalAccount;
  private final boolean useMutualAid;
  private final String requestId;

  private SaleRequest(Builder b) {
    this.credential = Checks.notNull(b.credential, "credential");
    this.medicalType = Checks.notNull(b.medicalType, "medicalType");
    Checks.argument(!b.items.isEmpty(), "items: empty (expected: at least one)");
    this.items = Collections.unmodifiableList(new ArrayList<Item>(b.items));
    this.psnNo = b.psnNo;
    this.usePersonalAccount = b.usePersonalAccount;
    this.useMutualAid = b.useMutualAid;
    this.requestId = b.requestId;
  }

  /** A builder for a sale paid by the patient's credential. */
  public static Builder builder(Credential credential, MedicalType medicalType) {
    return new Builder(credential, medicalType);
  }

  /** The credential. */
  public Credential credential() {
    return credential;
  }

  /** The claimed person number, or "". */
  public String psnNo() {
    return psnNo;
  }

  /** The kind of care. */
  public MedicalType medicalType() {
    return medicalType;
  }

  /** The bill. */
  public List<Item> items() {
    return items;
  }

  /** Whether personal accounts may be used at all. */
  public boolean usePersonalAccount() {
    return usePersonalAccount;
  }

  /** Whether relatives' accounts may be used. */
  public boolean useMutualAid() {
    return useMutualAid;
  }

  /** The request id, or "" to have the client generate one. */
  public String requestId() {
    return requestId;
  }

  /** Builds a {@link SaleRequest}. By default personal accounts and mutual aid are both used. */
  public static final class Builder {
    private final Credential credential;
    private final MedicalType medicalType;
    private final List<Item> items = new ArrayList<Item>();
    private String psnNo = "";
    private boolean usePersonalAccount = true;
    private boolean useMutualAid = true;
    private String requestId = "";

    private Builder(Credential credential, MedicalType medicalType) {
      this.credential = credential;
      this.medicalType = medicalType;
    }

    /** Adds a line. */
    public Builder item(Item item) {
      items.add(Checks.notNull(item, "item"));
      return this;
    }

    /** The person the patient says they are; must own the credential. */
    public Builder psnNo(String psnNo) {
      this.psnNo = Checks.notNull(psnNo, "psnNo");
      return this;
    }

    /** Whether personal accounts may be used at all (`acct_used_flag`). */
    public Builder usePersonalAccount(boolean use) {
      this.usePersonalAccount = use;
      return this;
    }

    /** Whether relatives' accounts may be used through mutual aid. */
    public Builder useMutualAid(boolean use) {
      this.useMutualAid = use;
      return this;
    }

    /** The idempotency key (e.g. the national msgid); generated when not set. */
    public Builder requestId(String requestId) {
      this.requestId = Checks.notNull(requestId, "requestId");
      return this;
    }

    /** The request. */
    public SaleRequest build() {
      return new SaleRequest(this);
    }
  }
}
