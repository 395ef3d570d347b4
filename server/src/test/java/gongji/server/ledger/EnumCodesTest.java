package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gongji.server.domain.Codes;
import gongji.server.domain.CredentialType;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.MedicalType;
import gongji.server.domain.RegionPolicy;
import gongji.server.domain.Relationship;
import gongji.server.domain.UnknownCodeException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the on-disk code of every constant of every enum the journal or a snapshot writes. These
 * numbers are in data directories in the field: a failure here means a change would make them
 * unreadable or, worse, read them as something else. A new constant needs a new, unused code and a
 * line in the table below; an existing code never changes.
 */
class EnumCodesTest {

  /** An enum, its pinned table of name to code, and its code functions. */
  private record Pinned<E extends Enum<E>>(Class<E> type, Map<String, Integer> codes, ToIntFunction<E> code,
      IntFunction<E> ofCode) {
    @Override
    public String toString() {
      return type.getSimpleName();
    }
  }

  private static Map<String, Integer> table(Object... nameThenCode) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < nameThenCode.length; i += 2) {
      m.put((String) nameThenCode[i], (Integer) nameThenCode[i + 1]);
    }
    return m;
  }

  static Stream<Arguments> pinned() {
    return Stream.of(
        new Pinned<>(MedicalType.class, table(
            "PHARMACY", 0, "OUTPATIENT", 1, "INPATIENT", 2, "VACCINATION", 3, "HEALTH_CHECKUP", 4),
            MedicalType::code, MedicalType::ofCode),
        new Pinned<>(InsuranceType.class, table("EMPLOYEE_BASIC", 0, "RESIDENT_BASIC", 1),
            InsuranceType::code, InsuranceType::ofCode),
        new Pinned<>(InsuredStatus.class, table("NORMAL", 0, "SUSPENDED", 1, "TERMINATED", 2, "DECEASED", 3),
            InsuredStatus::code, InsuredStatus::ofCode),
        new Pinned<>(CredentialType.class, table("E_CREDENTIAL", 0, "ID_CARD", 1, "SOCIAL_SECURITY_CARD", 2),
            CredentialType::code, CredentialType::ofCode),
        new Pinned<>(Relationship.class, table(
            "SPOUSE", 0, "PARENT", 1, "CHILD", 2, "SIBLING", 3, "GRANDPARENT", 4, "GRANDCHILD", 5),
            Relationship::code, Relationship::ofCode),
        new Pinned<>(ItemCategory.class, table(
            "DRUG", 0, "MEDICAL_DEVICE", 1, "MEDICAL_CONSUMABLE", 2, "MEDICAL_SERVICE", 3, "NON_PROGRAMME_VACCINE", 4,
            "HEALTH_CHECKUP", 5, "PUBLIC_HEALTH", 6, "FITNESS", 7, "WELLNESS", 8, "COSMETICS", 9, "DAILY_GOODS", 10),
            ItemCategory::code, ItemCategory::ofCode),
        new Pinned<>(RegionPolicy.AidOrder.class, table("BINDING", 0, "CLOSEST_RELATIVE", 1, "LARGEST_AVAILABLE", 2),
            RegionPolicy.AidOrder::code, RegionPolicy.AidOrder::ofCode),
        new Pinned<>(RegionPolicy.Field.class, table(
            "NAME", 0, "RETAINED_FLOOR_FEN", 1, "EXTENDED_RELATIVES_ALLOWED", 2, "QUOTA_ALLOWED", 3,
            "CROSS_PROVINCE_ENABLED", 4, "OPTIONAL_CATEGORIES_ALLOWED", 5, "HOLD_TTL_SECONDS", 6,
            "MAX_MUTUAL_AID_USES_PER_DAY", 7, "MAX_MUTUAL_AID_FEN_PER_DAY", 8, "WALLET_MAX_TRANSFERS_PER_DAY", 9,
            "WALLET_MAX_TRANSFER_FEN", 10, "WALLET_QUIET_FROM_HOUR", 11, "WALLET_QUIET_UNTIL_HOUR", 12,
            "MUTUAL_AID_ORDER", 13),
            RegionPolicy.Field::code, RegionPolicy.Field::ofCode),
        new Pinned<>(RequestKind.class, table(
            "AUTHORIZE", 0, "SETTLE", 1, "CANCEL", 2, "REFUND", 3, "CREDIT", 4, "TOMBSTONE", 5, "PAYOUT", 6,
            "PREMIUM", 7, "WALLET_ASSIGN", 8, "REGISTER_INSTITUTION", 9, "UPSERT_INSURED", 10, "SET_REGION_POLICY", 11,
            "CREATE_BINDING", 12, "REQUEST_BINDING", 13, "REVIEW_BINDING", 14, "DISSOLVE_BINDING", 15,
            "UPDATE_BINDING_QUOTA", 16, "RECORD_DEATH", 17, "OPEN_WALLET", 18, "ACCEPT_WALLET_TRANSFER", 19,
            "DECLINE_WALLET_TRANSFER", 20, "MOVE_CLOCK", 21, "UPDATE_REGION_POLICY", 22),
            RequestKind::code, RequestKind::ofCode),
        new Pinned<>(Outcome.class, table(
            "OK", 0, "INSTITUTION_NOT_FOUND", 1, "TERMINAL_NOT_REGISTERED", 2, "PATIENT_NOT_FOUND", 3,
            "IMPERSONATION", 4, "INSURED_NOT_ACTIVE", 5, "ACCOUNT_FROZEN", 6, "NO_PERSONAL_ACCOUNT", 7,
            "TRANSACTION_NOT_FOUND", 8, "TRANSACTION_STATE_CONFLICT", 9, "AMOUNT_EXCEEDS_AUTHORIZED", 10,
            "REQUEST_ID_REUSED", 11, "REQUEST_ID_REVERSED", 12, "REQUEST_NOT_FOUND", 13, "INSUFFICIENT_FUNDS", 14,
            "BINDING_NOT_FOUND", 15, "BINDING_NOT_ALLOWED", 16, "CREDENTIAL_IN_USE", 17, "LEDGER_UNAVAILABLE", 18,
            "MUTUAL_AID_LIMIT_EXCEEDED", 19, "PAYOUT_MISMATCH", 20, "WALLET_NOT_OPEN", 21,
            "WALLET_TRANSFER_LIMIT_EXCEEDED", 22, "WALLET_TRANSFER_WINDOW_CLOSED", 23, "WALLET_TRANSFER_PENDING", 24,
            "WALLET_TRANSFER_NOT_FOUND", 25, "SANDBOX_ONLY", 26, "SHAREABLE_BALANCE_EXCEEDED", 40, "NOT_A_PARTY", 41,
            "BINDING_STATE_CONFLICT", 42, "BINDING_EXISTS", 43, "BINDING_NOT_ACTIVE", 44, "QUOTA_NOT_ALLOWED", 45,
            "QUOTA_BELOW_DRAWN", 46, "WALLET_TRANSFER_STATE_CONFLICT", 47, "PREMIUM_NOT_PAYABLE", 48,
            "PAYOUT_NOT_ALLOWED", 49),
            Outcome::code, Outcome::ofCode),
        new Pinned<>(TxnState.class, table(
            "AUTHORIZED", 0, "SETTLED", 1, "CANCELLED", 2, "EXPIRED", 3, "REFUNDED", 4),
            TxnState::code, TxnState::ofCode),
        new Pinned<>(BindingStatus.class, table("REQUESTED", 0, "ACTIVE", 1, "REJECTED", 2, "DISSOLVED", 3),
            BindingStatus::code, BindingStatus::ofCode),
        new Pinned<>(WalletTransferState.class, table(
            "PENDING", 0, "ACCEPTED", 1, "DECLINED", 2, "RETURNED", 3, "ENDED", 4),
            WalletTransferState::code, WalletTransferState::ofCode))
        .map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pinned")
  <E extends Enum<E>> void code_everyConstant_isPinned(Pinned<E> p) {
    Map<String, Integer> actual = new LinkedHashMap<>();
    for (E e : p.type().getEnumConstants()) {
      actual.put(e.name(), p.code().applyAsInt(e));
    }
    // Equal maps: no code changed, no constant without a pinned code, no pinned constant removed.
    assertEquals(p.codes(), actual, p.type().getSimpleName() + " codes differ from the pinned ones");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pinned")
  <E extends Enum<E>> void ofCode_everyPinnedCode_givesItsConstant(Pinned<E> p) {
    for (Map.Entry<String, Integer> en : p.codes().entrySet()) {
      assertSame(Enum.valueOf(p.type(), en.getKey()), p.ofCode().apply(en.getValue()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pinned")
  <E extends Enum<E>> void ofCode_unknownCode_throwsUnknownCode(Pinned<E> p) {
    int unused = p.codes().values().stream().mapToInt(Integer::intValue).max().orElseThrow() + 1;
    for (int code : new int[] {-1, unused, Codes.MAX_CODE, 255, Integer.MAX_VALUE}) {
      UnknownCodeException e = assertThrows(UnknownCodeException.class, () -> p.ofCode().apply(code));
      assertEquals(code, e.code());
      assertEquals("unknown " + p.type().getSimpleName() + " code " + code, e.getMessage());
    }
  }
}
