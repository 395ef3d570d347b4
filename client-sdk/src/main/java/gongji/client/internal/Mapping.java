package gongji.client.internal;

import gongji.client.Credential;
import gongji.client.Identity;
import gongji.client.Item;
import gongji.client.Leg;
import gongji.client.Reversal;
import gongji.client.Sale;
import gongji.client.SaleRequest;
import gongji.client.Split;
import gongji.v1.AuthorizeRequest;
import gongji.v1.Breakdown;
import gongji.v1.IdentifyResponse;
import gongji.v1.LineItem;
import gongji.v1.MutualAidSource;
import gongji.v1.PaymentLeg;
import gongji.v1.ReverseResponse;
import gongji.v1.Terminal;
import gongji.v1.TransactionState;
import java.util.ArrayList;
import java.util.List;

/** Translates between the SDK's plain types and the wire (gongji.v1). */
public final class Mapping {
  private Mapping() {}

  /** The wire terminal. */
  public static Terminal terminal(gongji.client.Terminal t) {
    return Terminal.newBuilder()
        .setFixmedinsCode(t.fixmedinsCode())
        .setTerminalId(t.terminalId())
        .setOperatorId(t.operatorId())
        .build();
  }

  /** The wire credential. */
  public static gongji.v1.Credential credential(Credential c) {
    return gongji.v1.Credential.newBuilder()
        .setType(gongji.v1.CredentialType.valueOf("CREDENTIAL_TYPE_" + c.type().name()))
        .setNumber(c.number())
        .build();
  }

  /** The AuthorizeRequest for a sale from this terminal, under this request id. */
  public static AuthorizeRequest authorize(gongji.client.Terminal terminal, SaleRequest r, String requestId) {
    AuthorizeRequest.Builder b = AuthorizeRequest.newBuilder()
        .setRequestId(requestId)
        .setTerminal(terminal(terminal))
        .setCredential(credential(r.credential()))
        .setPsnNo(r.psnNo())
        .setMedicalType(gongji.v1.MedicalType.valueOf("MEDICAL_TYPE_" + r.medicalType().name()))
        .setSkipPersonalAccount(!r.usePersonalAccount())
        .setSkipMutualAid(!r.useMutualAid());
    for (Item i : r.items()) {
      b.addItems(LineItem.newBuilder()
          .setCode(i.code())
          .setName(i.name())
          .setCategory(gongji.v1.ItemCategory.valueOf("ITEM_CATEGORY_" + i.category().name()))
          .setInPolicyScope(i.inPolicyScope())
          .setQuantity(i.quantity())
          .setAmountFen(i.amountFen()));
    }
    return b.build();
  }

  /** The split a breakdown reports. */
  public static Split split(Breakdown b) {
    List<Leg> legs = new ArrayList<Leg>(b.getLegsCount());
    for (PaymentLeg l : b.getLegsList()) {
      legs.add(new Leg(source(l.getSource()), l.getOwnerMasked(), l.getBindingId(), l.getWalletTransferId(),
          l.getAmountFen()));
    }
    return new Split(b.getTotalFen(), b.getInScopeFen(), b.getAccountPayFen(), b.getMutualAidPayFen(),
        b.getCashPayFen(), legs, b.getBalanceAfterFen());
  }

  private static Leg.Source source(gongji.v1.FundSource s) {
    switch (s) {
      case FUND_SOURCE_OWN_ACCOUNT:
        return Leg.Source.OWN_ACCOUNT;
      case FUND_SOURCE_MUTUAL_AID:
        return Leg.Source.MUTUAL_AID;
      case FUND_SOURCE_WALLET:
        return Leg.Source.WALLET;
      case FUND_SOURCE_CASH:
        return Leg.Source.CASH;
      default:
        return Leg.Source.UNKNOWN;
    }
  }

  /** The state of a sale; a state this SDK does not know is an error of the gateway or of the SDK. */
  public static Sale.State state(TransactionState s) {
    switch (s) {
      case TRANSACTION_STATE_AUTHORIZED:
        return Sale.State.AUTHORIZED;
      case TRANSACTION_STATE_SETTLED:
        return Sale.State.SETTLED;
      case TRANSACTION_STATE_CANCELLED:
        return Sale.State.CANCELLED;
      case TRANSACTION_STATE_EXPIRED:
        return Sale.State.EXPIRED;
      case TRANSACTION_STATE_REFUNDED:
        return Sale.State.REFUNDED;
      default:
        throw new IllegalStateException("unknown transaction state from the gateway: " + s);
    }
  }

  /** Epoch milliseconds of a timestamp. */
  public static long millis(com.google.protobuf.Timestamp t) {
    return t.getSeconds() * 1000L + t.getNanos() / 1_000_000;
  }

  /** A timestamp of epoch milliseconds. */
  public static com.google.protobuf.Timestamp timestamp(long millis) {
    return com.google.protobuf.Timestamp.newBuilder().setSeconds(Math.floorDiv(millis, 1000L))
        .setNanos((int) Math.floorMod(millis, 1000L) * 1_000_000).build();
  }

  /**
   * A day "yyyy-MM-dd" as a wire date.
   *
   * @throws IllegalArgumentException if it is not such a day
   */
  public static com.google.type.Date date(String day) {
    java.time.LocalDate d;
    try {
      d = java.time.LocalDate.parse(day);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("date: \"" + day + "\" (expected: yyyy-MM-dd, e.g. 2026-11-25)", e);
    }
    return com.google.type.Date.newBuilder().setYear(d.getYear()).setMonth(d.getMonthValue())
        .setDay(d.getDayOfMonth()).build();
  }

  /** A wire date as "yyyy-MM-dd". */
  public static String text(com.google.type.Date d) {
    return String.format("%04d-%02d-%02d", d.getYear(), d.getMonth(), d.getDay());
  }

  /** The identity an IdentifyResponse reports. */
  public static Identity identity(IdentifyResponse r) {
    List<Identity.AidSource> sources = new ArrayList<Identity.AidSource>();
    for (MutualAidSource s : r.getMutualAidSourcesList()) {
      sources.add(new Identity.AidSource(s.getBindingId(), s.getAuthorizerMasked(),
          s.getRelationship().name().replace("RELATIONSHIP_", ""), s.getAvailableFen(), s.getWalletTransferId()));
    }
    return new Identity(r.getPsnNo(), r.getNameMasked(), r.getInsuranceType().name().replace("INSURANCE_TYPE_", ""),
        r.getInsuredStatus().name().replace("INSURED_STATUS_", ""), r.getInsuplcAdmdvs(), r.getHasPersonalAccount(),
        r.getBalanceFen(), r.getAvailableFen(), sources);
  }

  /** What a ReverseResponse reports. */
  public static Reversal reversal(ReverseResponse r) {
    Reversal.Outcome outcome;
    switch (r.getOutcome()) {
      case REVERSAL_OUTCOME_REVERSED:
        outcome = Reversal.Outcome.REVERSED;
        break;
      case REVERSAL_OUTCOME_NOT_RECEIVED:
        outcome = Reversal.Outcome.NOT_RECEIVED;
        break;
      case REVERSAL_OUTCOME_ORIGINAL_FAILED:
        outcome = Reversal.Outcome.ORIGINAL_FAILED;
        break;
      default:
        throw new IllegalStateException("unknown reversal outcome from the gateway: " + r.getOutcome());
    }
    return new Reversal(r.getOriginalRequestId(), outcome, r.getTransactionId());
  }
}
