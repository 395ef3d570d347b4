package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The archived counts of the sales section ({@link Sales#write}) are written in an order that
 * depends on the state alone: a ledger whose maps of bindings and wallet transfers grew (and, for
 * the transfers, shrank again as ended ones went to history) writes the same bytes as the ledger
 * restored from its snapshot, whose maps were made at the size of what it holds.
 */
class SalesSnapshotOrderTest {
  private static final long START_MILLIS = 1_764_036_000_000L; // 2025-11-25 10:00 Beijing
  private static final long WINDOW_MILLIS = 10_000;
  private static final String PHARMACY = "P62010000017";
  /** Pairs of an authorizer and a beneficiary, each bound, each beneficiary with a wallet transfer. */
  private static final int PAIRS = 60;
  /** Every KEEP-th pair keeps its binding (and transfer); the others are dissolved and their transfers end. */
  private static final int KEEP = 6;

  @Test
  void write_mapsThatGrewAndShrank_sameBytesAsTheLedgerRestoredFromThem() {
    LedgerSweepTest.Swept s = new LedgerSweepTest.Swept(WINDOW_MILLIS);
    long t = at(0);
    s.apply(new Command.RegisterInstitution(new Institution(PHARMACY, "pharmacy", Set.of("T1"))), t);
    List<String> bindings = new ArrayList<>();
    for (int i = 0; i < PAIRS; i++) {
      s.apply(new Command.UpsertInsured(person(authorizer(i), InsuranceType.EMPLOYEE_BASIC)), t);
      s.apply(new Command.UpsertInsured(person(beneficiary(i), InsuranceType.RESIDENT_BASIC)), t);
      s.apply(new Command.Credit("K-" + i, i, authorizer(i), 100_000), t);
      Result.BindingView b = assertInstanceOf(Result.BindingView.class,
          s.apply(new Command.CreateBinding(authorizer(i), beneficiary(i), Relationship.PARENT, 0), t));
      bindings.add(b.bindingId());
    }
    // Each beneficiary spends through a wallet transfer and then, past it, through the binding itself.
    for (int i = 0; i < PAIRS; i++) {
      s.apply(new Command.OpenWallet(beneficiary(i)), at(1));
      Result.WalletTransferView w = assertInstanceOf(Result.WalletTransferView.class,
          s.apply(new Command.AssignWalletQuota("WQ-" + i, i, authorizer(i), beneficiary(i), 1_000), at(1)));
      s.apply(new Command.AnswerWalletTransfer(w.transferId(), beneficiary(i), true), at(2));
      Result.Sale sale = assertInstanceOf(Result.Sale.class, s.apply(new Command.Authorize("A-" + i, i, PHARMACY,
          "T1", beneficiary(i), MedicalType.PHARMACY,
          Bill.of(List.of(new LineItem("X", ItemCategory.DRUG, true, 1, 1_500))), true, true), at(3)));
      assertInstanceOf(Result.Sale.class,
          s.apply(new Command.Settle("S-" + i, i, PHARMACY, sale.txn().txnId(), -1), at(4)));
    }
    letGo(s, 100); // the settled sales go to history: their bindings and transfers count them, archived
    for (int i = 0; i < PAIRS; i++) {
      if (i % KEEP != 0) {
        s.apply(new Command.DissolveBinding(bindings.get(i), authorizer(i)), at(200));
      }
    }
    letGo(s, 24 * 3600); // the next day: the ended transfers go to history too
    assertEquals(List.of(), s.ledger.audit());
    assertEquals(PAIRS / KEEP, s.ledger.transfersKeptCount(), "the transfers of the bindings kept");

    byte[] grown = LedgerStates.bytes(s.ledger);
    Ledger restored = Ledger.restore(ByteBuffer.wrap(grown), LedgerStates.WINDOW, ReferenceListener.NONE);
    assertArrayEquals(grown, LedgerStates.bytes(restored), "the restored ledger's image");
    assertTrue(grown.length > 0);
  }

  private static void letGo(LedgerSweepTest.Swept s, long atSeconds) {
    s.apply(new Command.Tick(), at(atSeconds));
    s.apply(new Command.Tick(), at(atSeconds) + 2 * WINDOW_MILLIS);
    assertEquals(0, s.ledger.requestsKept(), "every entry went to history");
  }

  private static String authorizer(int i) {
    return "PSNA" + i;
  }

  private static String beneficiary(int i) {
    return "PSNB" + i;
  }

  private static long at(long seconds) {
    return START_MILLIS + seconds * 1_000;
  }

  private static Insured person(String psnNo, InsuranceType type) {
    return new Insured(psnNo, "参保人" + psnNo, type, InsuredStatus.NORMAL, "620100",
        List.of(new Credential(CredentialType.SOCIAL_SECURITY_CARD, "SSC-" + psnNo)));
  }
}
