package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gongji.server.domain.Bill;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.Institution;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.domain.Relationship;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A replayed request answers what the first one answered, although a sale keeps numbers rather
 * than its replies: here after the authorizer's name was corrected, and after a snapshot round trip.
 */
class LedgerReplayTest {
  private static final String PHARMACY = "P62010000017";
  private static final String A = "PSNA";
  private static final String B = "PSNB";

  private Ledger ledger = new Ledger(Duration.ofDays(35), ReferenceListener.NONE);
  private long now = 1_772_413_200_000L; // 2026-03-02 09:00 Beijing

  @Test
  void replay_afterTheAuthorizersNameWasCorrected_sameResultAlsoAfterASnapshot() {
    apply(new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))));
    apply(new Command.UpsertInsured(person(A, "张三", InsuranceType.EMPLOYEE_BASIC)));
    apply(new Command.UpsertInsured(person(B, "李四", InsuranceType.RESIDENT_BASIC)));
    apply(new Command.Credit("K-1", 1, A, 10_000));
    apply(new Command.CreateBinding(A, B, Relationship.PARENT, 0));
    Command.Authorize authorize = new Command.Authorize("A-1", 11, PHARMACY, "T1", B, MedicalType.PHARMACY,
        Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, 3_000))), true, true);
    Result.Sale authorized = (Result.Sale) apply(authorize);
    Command.Settle settle = new Command.Settle("S-1", 12, PHARMACY, authorized.txn().txnId(), -1);
    Result.Sale settled = (Result.Sale) apply(settle);

    apply(new Command.UpsertInsured(person(A, "王五", InsuranceType.EMPLOYEE_BASIC)));

    assertEquals(settled, apply(settle));
    assertEquals(authorized, apply(authorize));
    byte[] image = LedgerStates.bytes(ledger);
    ledger = Ledger.restore(ByteBuffer.wrap(image), Duration.ofDays(35), ReferenceListener.NONE);
    assertArrayEquals(image, LedgerStates.bytes(ledger), "snapshot of the restored ledger");
    assertEquals(settled, apply(settle));
    assertEquals(authorized, apply(authorize));
  }

  private static Insured person(String psnNo, String name, InsuranceType type) {
    return new Insured(psnNo, name, type, InsuredStatus.NORMAL, "620100",
        List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-" + psnNo)));
  }

  private Result apply(Command c) {
    now += 1_000;
    return ledger.apply(c, now);
  }
}
