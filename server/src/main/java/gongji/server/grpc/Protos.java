package gongji.server.grpc;

import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.FundSource;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.domain.RegionPolicy;
import gongji.server.domain.Relationship;
import gongji.server.gateway.SaleRequest;
import gongji.server.gateway.Terminal;
import gongji.server.ledger.RequestKind;
import gongji.server.ledger.Result;
import gongji.server.ledger.TxnState;
import gongji.server.ledger.WalletTransferState;
import gongji.v1.AuthorizeRequest;
import gongji.v1.AuthorizeResponse;
import gongji.v1.Breakdown;
import gongji.v1.CancelResponse;
import gongji.v1.IdentifyResponse;
import gongji.v1.MutualAidSource;
import gongji.v1.PaymentLeg;
import gongji.v1.RefundResponse;
import gongji.v1.RequestRecord;
import gongji.v1.ReverseResponse;
import gongji.v1.SettleResponse;
import gongji.v1.Transaction;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Translates between the wire (gongji.v1) and the domain, validating on the way in. Every field
 * that can be wrong is checked here, and all violations of a request are reported together.
 */
final class Protos {
  static final int MAX_ITEMS = 200;
  static final long MAX_LINE_FEN = 100_000_000L;
  static final long MAX_CREDIT_FEN = 100_000_000L;

  static final EnumBridge<gongji.v1.CredentialType, CredentialType> CREDENTIAL_TYPE =
      new EnumBridge<>(gongji.v1.CredentialType.class, CredentialType.class, "CREDENTIAL_TYPE_");
  static final EnumBridge<gongji.v1.InsuranceType, InsuranceType> INSURANCE_TYPE =
      new EnumBridge<>(gongji.v1.InsuranceType.class, InsuranceType.class, "INSURANCE_TYPE_");
  static final EnumBridge<gongji.v1.InsuredStatus, InsuredStatus> INSURED_STATUS =
      new EnumBridge<>(gongji.v1.InsuredStatus.class, InsuredStatus.class, "INSURED_STATUS_");
  static final EnumBridge<gongji.v1.MedicalType, MedicalType> MEDICAL_TYPE =
      new EnumBridge<>(gongji.v1.MedicalType.class, MedicalType.class, "MEDICAL_TYPE_");
  static final EnumBridge<gongji.v1.ItemCategory, ItemCategory> ITEM_CATEGORY =
      new EnumBridge<>(gongji.v1.ItemCategory.class, ItemCategory.class, "ITEM_CATEGORY_");
  static final EnumBridge<gongji.v1.Relationship, Relationship> RELATIONSHIP =
      new EnumBridge<>(gongji.v1.Relationship.class, Relationship.class, "RELATIONSHIP_");
  static final EnumBridge<gongji.v1.FundSource, FundSource> FUND_SOURCE =
      new EnumBridge<>(gongji.v1.FundSource.class, FundSource.class, "FUND_SOURCE_");
  static final EnumBridge<gongji.v1.TransactionState, TxnState> TXN_STATE =
      new EnumBridge<>(gongji.v1.TransactionState.class, TxnState.class, "TRANSACTION_STATE_");
  static final EnumBridge<gongji.v1.WalletTransferState, WalletTransferState> WALLET_TRANSFER_STATE =
      new EnumBridge<>(gongji.v1.WalletTransferState.class, WalletTransferState.class, "WALLET_TRANSFER_STATE_");
  static final EnumBridge<gongji.v1.MutualAidOrder, RegionPolicy.AidOrder> AID_ORDER =
      new EnumBridge<>(gongji.v1.MutualAidOrder.class, RegionPolicy.AidOrder.class, "MUTUAL_AID_ORDER_");

  private static final int CONTENT_HASH_SEED = 0x6a6f6e67;

  private Protos() {}

  // ---- in --------------------------------------------------------------------------------------

  /**
   * A hash of the request as sent: two requests with the same id must hash alike to be the same. The
   * contract names it (RequestRecord.content_hash) and the SDK computes it too: change both or neither.
   */
  static long contentHash(Message request) {
    return ContentHash.of(CONTENT_HASH_SEED, request);
  }

  static Terminal terminal(Validator v, String field, boolean has, gongji.v1.Terminal t) {
    if (!v.present(field, has)) {
      return null;
    }
    String code = t.getFixmedinsCode();
    String terminalId = t.getTerminalId();
    String operatorId = t.getOperatorId();
    // The names of the fields are built only when one is wrong.
    if (!Validator.INSTITUTION.matches(code) || !Validator.TERMINAL_ID.matches(terminalId)
        || !Validator.isText(operatorId, 0, 32)) {
      v.matches(field + ".fixmedins_code", code, Validator.INSTITUTION, "H or P, then 11 digits, e.g. P62010200017");
      v.matches(field + ".terminal_id", terminalId, Validator.TERMINAL_ID, "1..32 of [A-Za-z0-9_-]");
      v.text(field + ".operator_id", operatorId, 0, 32);
    }
    if (Validator.INSTITUTION.matches(code) && Validator.TERMINAL_ID.matches(terminalId)) {
      CallerAuth.checkTerminal(code, terminalId);
    }
    return new Terminal(code, terminalId, operatorId);
  }

  static Credential credential(Validator v, String field, boolean has, gongji.v1.Credential c) {
    if (!v.present(field, has)) {
      return null;
    }
    CredentialType type = CREDENTIAL_TYPE.toDomain(c.getTypeValue());
    String number = c.getNumber();
    if (type == null || !Validator.isPrintable(number, 1, 64)) {
      v.required(field + ".type", type, c.getTypeValue());
      v.printable(field + ".number", number, 1, 64);
    }
    return type == null ? null : new Credential(type, number);
  }

  static String requestId(Validator v, String field, String value) {
    return v.matches(field, value, Validator.REQUEST_ID, "1..64 of [A-Za-z0-9_-]; a 30-character msgid fits");
  }

  /** A back-office change under the request's {@code request_id} (see {@link gongji.server.ledger.Command.Idempotent}). */
  static gongji.server.ledger.Command keyed(String requestId, Message request, gongji.server.ledger.Command change) {
    return new gongji.server.ledger.Command.Idempotent(requestId, contentHash(request), change);
  }

  /** Validates a back-office request's {@code request_id} alone (for requests whose other fields are checked apart). */
  static void requireRequestId(String requestId) {
    Validator v = new Validator();
    requestId(v, "request_id", requestId);
    v.check();
  }

  static String txnId(Validator v, String value) {
    return v.matches("transaction_id", value, Validator.TXN_ID, "an id returned by Authorize, e.g. T1A");
  }

  static SaleRequest authorize(AuthorizeRequest r) {
    Validator v = new Validator();
    String requestId = requestId(v, "request_id", r.getRequestId());
    Terminal terminal = terminal(v, "terminal", r.hasTerminal(), r.getTerminal());
    Credential credential = credential(v, "credential", r.hasCredential(), r.getCredential());
    String psnNo = v.optional("psn_no", r.getPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
    MedicalType medicalType = v.required("medical_type", MEDICAL_TYPE.toDomain(r.getMedicalTypeValue()),
        r.getMedicalTypeValue());
    int count = r.getItemsCount();
    if (count == 0 || count > MAX_ITEMS) {
      v.fail("items", count + " items (expected: 1.." + MAX_ITEMS + ")");
    }
    List<LineItem> items = new ArrayList<>(Math.min(count, MAX_ITEMS));
    for (int i = 0; i < count && i < MAX_ITEMS; i++) {
      gongji.v1.LineItem item = r.getItems(i);
      ItemCategory known = ITEM_CATEGORY.toDomain(item.getCategoryValue());
      if (known != null && Validator.isText(item.getCode(), 1, 50) && Validator.isText(item.getName(), 0, 100)
          && item.getQuantity() >= 1 && item.getQuantity() <= 1_000_000
          && item.getAmountFen() >= 0 && item.getAmountFen() <= MAX_LINE_FEN) {
        items.add(new LineItem(item.getCode(), known, item.getInPolicyScope(), item.getQuantity(), item.getAmountFen()));
        continue;
      }
      // Something in this line is wrong: check each field by its name.
      String f = "items[" + i + "]";
      v.text(f + ".code", item.getCode(), 1, 50);
      v.text(f + ".name", item.getName(), 0, 100);
      ItemCategory category = v.required(f + ".category", ITEM_CATEGORY.toDomain(item.getCategoryValue()),
          item.getCategoryValue());
      v.range(f + ".quantity", item.getQuantity(), 1, 1_000_000);
      v.range(f + ".amount_fen", item.getAmountFen(), 0, MAX_LINE_FEN);
      if (category != null && item.getQuantity() > 0 && item.getAmountFen() >= 0 && item.getAmountFen() <= MAX_LINE_FEN) {
        items.add(new LineItem(item.getCode(), category, item.getInPolicyScope(), item.getQuantity(), item.getAmountFen()));
      }
    }
    v.check();
    return new SaleRequest(requestId, contentHash(r), terminal, credential, psnNo, medicalType, items,
        !r.getSkipPersonalAccount(), !r.getSkipMutualAid());
  }

  static Insured insured(gongji.v1.Insured p) {
    return insured("insured", p);
  }

  /** The person of an UpsertInsured, checked; a bad field is named {@code field.<name>} (insureds[3].name). */
  static Insured insured(String field, gongji.v1.Insured p) {
    Validator v = new Validator();
    v.matches(field + ".psn_no", p.getPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
    v.text(field + ".name", p.getName(), 1, 50);
    InsuranceType type = v.required(field + ".insurance_type", INSURANCE_TYPE.toDomain(p.getInsuranceTypeValue()),
        p.getInsuranceTypeValue());
    InsuredStatus status = v.required(field + ".status", INSURED_STATUS.toDomain(p.getStatusValue()), p.getStatusValue());
    v.matches(field + ".insuplc_admdvs", p.getInsuplcAdmdvs(), Validator.ADMDVS, "6 digits, e.g. 620100");
    int n = p.getCredentialsCount();
    if (n == 0 || n > 10) {
      v.fail(field + ".credentials", n + " credentials (expected: 1..10)");
    }
    List<Credential> creds = new ArrayList<>();
    Set<Credential> seen = new HashSet<>();
    for (int i = 0; i < n && i < 10; i++) {
      Credential c = credential(v, field + ".credentials[" + i + "]", true, p.getCredentials(i));
      if (c != null && seen.add(c)) {
        creds.add(c);
      }
    }
    v.check();
    return new Insured(p.getPsnNo(), p.getName(), type, status, p.getInsuplcAdmdvs(), creds);
  }

  static Institution institution(gongji.v1.Institution p) {
    Validator v = new Validator();
    v.matches("institution.fixmedins_code", p.getFixmedinsCode(), Validator.INSTITUTION,
        "H or P, then 11 digits, e.g. P62010200017");
    v.text("institution.name", p.getName(), 1, 100);
    int n = p.getTerminalIdsCount();
    if (n == 0 || n > 1000) {
      v.fail("institution.terminal_ids", n + " terminals (expected: 1..1000)");
    }
    for (int i = 0; i < n && i < 1000; i++) {
      v.matches("institution.terminal_ids[" + i + "]", p.getTerminalIds(i), Validator.TERMINAL_ID,
          "1..32 of [A-Za-z0-9_-]");
    }
    v.check();
    return new Institution(p.getFixmedinsCode(), p.getName(), Set.copyOf(p.getTerminalIdsList()));
  }

  /**
   * The settings an update names ({@code update_mask}: field names of RegionPolicy, or "*" alone
   * for all) and their values, validated as given: no value stands for a default. The settings not
   * named keep the national defaults here; the ledger takes only the named ones.
   */
  static gongji.server.ledger.Command.UpdateRegionPolicy policyUpdate(gongji.v1.RegionPolicy p,
      com.google.protobuf.FieldMask mask) {
    Validator v = new Validator();
    v.matches("policy.admdvs", p.getAdmdvs(), Validator.ADMDVS, "6 digits, e.g. 620100");
    Set<RegionPolicy.Field> fields = EnumSet.noneOf(RegionPolicy.Field.class);
    if (mask.getPathsCount() == 0) {
      v.fail("update_mask", "no paths (expected: the settings to change, or \"*\" for all)");
    }
    for (String path : mask.getPathsList()) {
      RegionPolicy.Field f = RegionPolicy.Field.ofPath(path);
      if (path.equals("*") && mask.getPathsCount() == 1) {
        fields.addAll(EnumSet.allOf(RegionPolicy.Field.class));
      } else if (f == null) {
        v.fail("update_mask", "\"" + path + "\" is not a setting of RegionPolicy (expected: e.g. retained_floor_fen,"
            + " wallet_quiet_from_hour; \"*\" alone for all; admdvs cannot change)");
      } else {
        fields.add(f);
      }
    }
    RegionPolicy.WalletRules national = RegionPolicy.WalletRules.NATIONAL;
    String name = p.getName();
    if (fields.contains(RegionPolicy.Field.NAME)) {
      v.text("policy.name", name, 1, 50);
    }
    if (fields.contains(RegionPolicy.Field.RETAINED_FLOOR_FEN)) {
      v.range("policy.retained_floor_fen", p.getRetainedFloorFen(), 0, 100_000_000);
    }
    int ttl = named(fields, RegionPolicy.Field.HOLD_TTL_SECONDS, p.getHoldTtlSeconds(),
        RegionPolicy.DEFAULT_HOLD_TTL_SECONDS);
    v.range("policy.hold_ttl_seconds", ttl, 60, 86_400);
    if (fields.contains(RegionPolicy.Field.MAX_MUTUAL_AID_USES_PER_DAY)) {
      v.range("policy.max_mutual_aid_uses_per_day", p.getMaxMutualAidUsesPerDay(), 0, 1_000);
    }
    if (fields.contains(RegionPolicy.Field.MAX_MUTUAL_AID_FEN_PER_DAY)) {
      v.range("policy.max_mutual_aid_fen_per_day", p.getMaxMutualAidFenPerDay(), 0, 100_000_000);
    }
    Set<ItemCategory> optional = EnumSet.noneOf(ItemCategory.class);
    for (int i = 0; i < p.getOptionalCategoriesAllowedCount(); i++) {
      int number = p.getOptionalCategoriesAllowedValue(i);
      ItemCategory c = v.required("policy.optional_categories_allowed[" + i + "]", ITEM_CATEGORY.toDomain(number), number);
      if (c != null && !c.optional()) {
        v.fail("policy.optional_categories_allowed[" + i + "]", c + " is not an optional category"
            + " (expected: NON_PROGRAMME_VACCINE or HEALTH_CHECKUP)");
      } else if (c != null) {
        optional.add(c);
      }
    }
    int perDay = named(fields, RegionPolicy.Field.WALLET_MAX_TRANSFERS_PER_DAY, p.getWalletMaxTransfersPerDay(),
        national.maxTransfersPerDay());
    v.range("policy.wallet_max_transfers_per_day", perDay, 1, 100);
    long perTransfer = fields.contains(RegionPolicy.Field.WALLET_MAX_TRANSFER_FEN) ? p.getWalletMaxTransferFen()
        : national.maxTransferFen();
    v.range("policy.wallet_max_transfer_fen", perTransfer, 1, 100_000_000);
    int from = named(fields, RegionPolicy.Field.WALLET_QUIET_FROM_HOUR, p.getWalletQuietFromHour(),
        national.quietFromHour());
    int until = named(fields, RegionPolicy.Field.WALLET_QUIET_UNTIL_HOUR, p.getWalletQuietUntilHour(),
        national.quietUntilHour());
    v.range("policy.wallet_quiet_from_hour", from, 0, 23);
    v.range("policy.wallet_quiet_until_hour", until, 0, 23);
    RegionPolicy.AidOrder order = !fields.contains(RegionPolicy.Field.MUTUAL_AID_ORDER) ? RegionPolicy.AidOrder.BINDING
        : v.required("policy.mutual_aid_order", AID_ORDER.toDomain(p.getMutualAidOrderValue()),
            p.getMutualAidOrderValue());
    v.check();
    RegionPolicy values = new RegionPolicy(p.getAdmdvs(), name.isEmpty() ? p.getAdmdvs() : name,
        p.getRetainedFloorFen(), p.getExtendedRelativesAllowed(), p.getQuotaAllowed(), p.getCrossProvinceEnabled(),
        optional, ttl, p.getMaxMutualAidUsesPerDay(), p.getMaxMutualAidFenPerDay(),
        new RegionPolicy.WalletRules(perDay, perTransfer, from, until), order);
    return new gongji.server.ledger.Command.UpdateRegionPolicy(values, fields);
  }

  /** A named setting's value, or the default where the update does not name it. */
  private static int named(Set<RegionPolicy.Field> fields, RegionPolicy.Field f, int value, int otherwise) {
    return fields.contains(f) ? value : otherwise;
  }

  /** A policy as the gateway applies it: national defaults written out, never 0. */
  static gongji.v1.RegionPolicy policy(RegionPolicy p) {
    gongji.v1.RegionPolicy.Builder b = gongji.v1.RegionPolicy.newBuilder()
        .setAdmdvs(p.admdvs())
        .setName(p.name())
        .setRetainedFloorFen(p.retainedFloorFen())
        .setExtendedRelativesAllowed(p.extendedRelativesAllowed())
        .setQuotaAllowed(p.quotaAllowed())
        .setCrossProvinceEnabled(p.crossProvinceEnabled())
        .setHoldTtlSeconds(p.holdTtlSeconds())
        .setMaxMutualAidUsesPerDay(p.maxMutualAidUsesPerDay())
        .setMaxMutualAidFenPerDay(p.maxMutualAidFenPerDay())
        .setWalletMaxTransfersPerDay(p.wallet().maxTransfersPerDay())
        .setWalletMaxTransferFen(p.wallet().maxTransferFen())
        .setWalletQuietFromHour(p.wallet().quietFromHour())
        .setWalletQuietUntilHour(p.wallet().quietUntilHour())
        .setMutualAidOrder(AID_ORDER.toProto(p.aidOrder()));
    for (ItemCategory c : ItemCategory.values()) {
      if (p.optionalCategoriesAllowed().contains(c)) {
        b.addOptionalCategoriesAllowed(ITEM_CATEGORY.toProto(c));
      }
    }
    return b.build();
  }

  static gongji.v1.Insured insured(Insured i) {
    gongji.v1.Insured.Builder b = gongji.v1.Insured.newBuilder()
        .setPsnNo(i.psnNo())
        .setName(i.name())
        .setInsuranceType(INSURANCE_TYPE.toProto(i.insuranceType()))
        .setStatus(INSURED_STATUS.toProto(i.status()))
        .setInsuplcAdmdvs(i.admdvs());
    // The ledger keeps a credential's number as its keyed hash only (IdentityKey): a reply made from
    // what it keeps names each credential's type, never a number.
    for (Credential c : i.credentials()) {
      b.addCredentials(gongji.v1.Credential.newBuilder().setType(CREDENTIAL_TYPE.toProto(c.type())));
    }
    return b.build();
  }

  static Timestamp timestamp(long millis) {
    return Timestamp.newBuilder().setSeconds(Math.floorDiv(millis, 1000))
        .setNanos(Math.floorMod(millis, 1000) * 1_000_000).build();
  }

  /**
   * A time of a request in epoch milliseconds, or {@code unset} where the field is not set; one
   * outside 0001-01-01 to 9999-12-31 or with nanos out of range is refused naming the field.
   */
  static long millis(Validator v, String field, boolean has, Timestamp t, long unset) {
    if (!has) {
      return unset;
    }
    if (t.getSeconds() < -62_135_596_800L || t.getSeconds() > 253_402_300_799L || t.getNanos() < 0
        || t.getNanos() > 999_999_999) {
      v.fail(field, t.getSeconds() + " s " + t.getNanos() + " ns (expected: 0001-01-01 to 9999-12-31, nanos 0..999999999)");
      return unset;
    }
    return t.getSeconds() * 1000 + t.getNanos() / 1_000_000;
  }

  /** A day of a request (China time) as an epoch day; year, month and day must all be set and valid. */
  static long day(Validator v, String field, boolean has, com.google.type.Date d) {
    try {
      if (has) {
        return java.time.LocalDate.of(d.getYear(), d.getMonth(), d.getDay()).toEpochDay();
      }
    } catch (java.time.DateTimeException e) {
      // refused below
    }
    v.fail(field, has ? d.getYear() + "-" + d.getMonth() + "-" + d.getDay() + " (expected: a whole date, e.g."
        + " {year: 2026, month: 11, day: 25})" : "unset (expected: a whole date, e.g. {year: 2026, month: 11, day: 25})");
    return 0;
  }

  /** An epoch day as a date. */
  static com.google.type.Date date(long epochDay) {
    java.time.LocalDate d = java.time.LocalDate.ofEpochDay(epochDay);
    return com.google.type.Date.newBuilder().setYear(d.getYear()).setMonth(d.getMonthValue())
        .setDay(d.getDayOfMonth()).build();
  }

  static Breakdown breakdown(Result.Breakdown b) {
    Breakdown.Builder out = Breakdown.newBuilder()
        .setTotalFen(b.totalFen())
        .setInScopeFen(b.inScopeFen())
        .setAccountPayFen(b.accountPayFen())
        .setMutualAidPayFen(b.mutualAidPayFen())
        .setCashPayFen(b.cashPayFen())
        .setBalanceAfterFen(b.balanceAfterFen());
    for (Result.Leg leg : b.legs()) {
      out.addLegs(PaymentLeg.newBuilder()
          .setSource(FUND_SOURCE.toProto(leg.source()))
          .setOwnerMasked(leg.ownerMasked())
          .setBindingId(leg.bindingId())
          .setWalletTransferId(leg.walletTransferId())
          .setAmountFen(leg.amountFen()));
    }
    return out.build();
  }

  static Transaction transaction(Result.TxnView t) {
    Transaction.Builder out = Transaction.newBuilder()
        .setTransactionId(t.txnId())
        .setFixmedinsCode(t.institution())
        .setPsnNoMasked(t.psnNoMasked())
        .setMedicalType(MEDICAL_TYPE.toProto(t.medicalType()))
        .setState(TXN_STATE.toProto(t.state()))
        .setAuthorized(breakdown(t.authorized()))
        .setCreateTime(timestamp(t.createdAtMillis()))
        .setExpireTime(timestamp(t.expiresAtMillis()));
    if (t.settled() != null) {
      out.setSettled(breakdown(t.settled()));
    }
    return out.build();
  }

  static AuthorizeResponse authorizeResponse(Result r) {
    Result.Sale s = (Result.Sale) r;
    return AuthorizeResponse.newBuilder()
        .setTransactionId(s.txn().txnId())
        .setRequestId(s.requestId())
        .setState(TXN_STATE.toProto(s.txn().state()))
        .setBreakdown(breakdown(s.breakdown()))
        .setExpireTime(timestamp(s.txn().expiresAtMillis()))
        .build();
  }

  static SettleResponse settleResponse(Result r) {
    Result.Sale s = (Result.Sale) r;
    return SettleResponse.newBuilder()
        .setTransactionId(s.txn().txnId())
        .setRequestId(s.requestId())
        .setState(TXN_STATE.toProto(s.txn().state()))
        .setBreakdown(breakdown(s.breakdown()))
        .build();
  }

  static CancelResponse cancelResponse(Result r) {
    Result.Sale s = (Result.Sale) r;
    return CancelResponse.newBuilder()
        .setTransactionId(s.txn().txnId())
        .setRequestId(s.requestId())
        .setState(TXN_STATE.toProto(s.txn().state()))
        .setBalanceAfterFen(s.breakdown().balanceAfterFen())
        .build();
  }

  static RefundResponse refundResponse(Result r) {
    Result.Sale s = (Result.Sale) r;
    return RefundResponse.newBuilder()
        .setTransactionId(s.txn().txnId())
        .setRequestId(s.requestId())
        .setState(TXN_STATE.toProto(s.txn().state()))
        .setBreakdown(breakdown(s.breakdown()))
        .build();
  }

  static ReverseResponse reverseResponse(Result r) {
    Result.Reversal s = (Result.Reversal) r;
    gongji.v1.ReversalOutcome outcome = switch (s.reversal()) {
      case REVERSED -> gongji.v1.ReversalOutcome.REVERSAL_OUTCOME_REVERSED;
      case NOT_RECEIVED -> gongji.v1.ReversalOutcome.REVERSAL_OUTCOME_NOT_RECEIVED;
      case ORIGINAL_FAILED -> gongji.v1.ReversalOutcome.REVERSAL_OUTCOME_ORIGINAL_FAILED;
    };
    return ReverseResponse.newBuilder()
        .setOriginalRequestId(s.originalRequestId())
        .setOutcome(outcome)
        .setTransactionId(s.txnId())
        .build();
  }

  static gongji.v1.GetTransactionResponse lookupResponse(Result r) {
    Result.Lookup l = (Result.Lookup) r;
    gongji.v1.GetTransactionResponse.Builder out = gongji.v1.GetTransactionResponse.newBuilder();
    if (l.txn() != null) {
      out.setTransaction(transaction(l.txn()));
    }
    if (l.request() != null) {
      Result.RequestView q = l.request();
      out.setRequest(RequestRecord.newBuilder()
          .setRequestId(q.requestId())
          .setKind(requestKind(q.kind()))
          .setApplied(q.applied())
          .setReversed(q.reversed())
          .setReason(q.reason())
          .setContentHash(q.contentHash()));
    }
    return out.build();
  }

  private static gongji.v1.RequestKind requestKind(RequestKind k) {
    return switch (k) {
      case AUTHORIZE -> gongji.v1.RequestKind.REQUEST_KIND_AUTHORIZE;
      case SETTLE -> gongji.v1.RequestKind.REQUEST_KIND_SETTLE;
      case CANCEL -> gongji.v1.RequestKind.REQUEST_KIND_CANCEL;
      case REFUND -> gongji.v1.RequestKind.REQUEST_KIND_REFUND;
      case TOMBSTONE -> gongji.v1.RequestKind.REQUEST_KIND_REVERSAL_TOMBSTONE;
      // The back office's kinds: its ids are in a scope of their own, never looked up by a terminal.
      default -> gongji.v1.RequestKind.REQUEST_KIND_UNSPECIFIED;
    };
  }

  static IdentifyResponse identifyResponse(Result r) {
    Result.Identity i = (Result.Identity) r;
    IdentifyResponse.Builder out = IdentifyResponse.newBuilder()
        .setPsnNo(i.psnNo())
        .setNameMasked(i.nameMasked())
        .setInsuranceType(INSURANCE_TYPE.toProto(i.insuranceType()))
        .setInsuredStatus(INSURED_STATUS.toProto(i.status()))
        .setInsuplcAdmdvs(i.admdvs())
        .setHasPersonalAccount(i.hasAccount())
        .setBalanceFen(i.balanceFen())
        .setAvailableFen(i.availableFen());
    for (Result.AidSource s : i.aidSources()) {
      out.addMutualAidSources(MutualAidSource.newBuilder()
          .setBindingId(s.bindingId())
          .setAuthorizerMasked(s.authorizerMasked())
          .setRelationship(RELATIONSHIP.toProto(s.relationship()))
          .setAvailableFen(s.availableFen())
          .setWalletTransferId(s.walletTransferId()));
    }
    return out.build();
  }

  static gongji.v1.Account account(Result r) {
    Result.Account a = (Result.Account) r;
    return gongji.v1.Account.newBuilder()
        .setPsnNo(a.psnNo())
        .setBalanceFen(a.balanceFen())
        .setHeldFen(a.heldFen())
        .setAvailableFen(a.balanceFen() - a.heldFen())
        .build();
  }

  static gongji.v1.Binding binding(Result r) {
    Result.BindingView b = (Result.BindingView) r;
    gongji.v1.BindingState state = switch (b.status()) {
      case REQUESTED -> gongji.v1.BindingState.BINDING_STATE_REQUESTED;
      case ACTIVE -> gongji.v1.BindingState.BINDING_STATE_ACTIVE;
      case REJECTED -> gongji.v1.BindingState.BINDING_STATE_REJECTED;
      case DISSOLVED -> gongji.v1.BindingState.BINDING_STATE_DISSOLVED;
    };
    return gongji.v1.Binding.newBuilder()
        .setEvidenceRef(b.evidenceRef())
        .setEndReason(b.endReason())
        .setBindingId(b.bindingId())
        .setAuthorizerPsnNo(b.authorizerPsnNo())
        .setBeneficiaryPsnNo(b.beneficiaryPsnNo())
        .setRelationship(RELATIONSHIP.toProto(b.relationship()))
        .setQuotaFen(b.quotaFen())
        .setUsedFen(b.usedFen())
        .setWalletFen(b.walletFen())
        .setState(state)
        .build();
  }

  static gongji.v1.Wallet wallet(Result r) {
    Result.WalletView w = (Result.WalletView) r;
    gongji.v1.Wallet.Builder b = gongji.v1.Wallet.newBuilder()
        .setPsnNo(w.psnNo())
        .setOpen(w.open())
                .setAvailableFen(w.availableFen())
        .setPendingFen(w.pendingFen())
        .setTransfersToday(w.transfersToday());
    if (w.open()) {
      b.setOpenTime(timestamp(w.openedAtMillis()));
    }
    for (Result.WalletTransferView t : w.transfers()) {
      b.addTransfers(walletTransfer(t));
    }
    return b.build();
  }

  static gongji.v1.WalletTransfer walletTransfer(Result r) {
    Result.WalletTransferView t = (Result.WalletTransferView) r;
    return gongji.v1.WalletTransfer.newBuilder()
        .setTransferId(t.transferId())
        .setAuthorizerPsnNo(t.authorizerPsnNo())
        .setBeneficiaryPsnNo(t.beneficiaryPsnNo())
        .setBindingId(t.bindingId())
        .setAmountFen(t.amountFen())
        .setRemainingFen(t.remainingFen())
        .setSpentFen(t.spentFen())
        .setState(WALLET_TRANSFER_STATE.toProto(t.state()))
        .setCreateTime(timestamp(t.createdAtMillis()))
        .setAcceptDeadline(timestamp(t.acceptByMillis()))
        .setEndReason(t.endReason())
        .build();
  }
}
