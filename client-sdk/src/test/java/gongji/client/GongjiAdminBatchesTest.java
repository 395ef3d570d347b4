package gongji.client;

import static gongji.client.Fixtures.POS;
import static gongji.client.Fixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.client.GongjiAdminClient.Role;
import gongji.client.testing.TestGateway;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The batch calls that load a region's register ({@link ReferenceAdmin#upsertInsureds}, {@link
 * FamilyAdmin#createBindings}) against the real service on an in-process server: a batch applied, a
 * line refused alone, the same batch again answered with the first results, a malformed line refusing
 * the batch by name, and the caller's mistakes caught before anything is sent. Every test ends with a
 * ledger audit.
 */
class GongjiAdminBatchesTest {
  private TestGateway gateway;
  private GongjiAdminClient admin;

  @BeforeEach
  void start() throws Exception {
    gateway = TestGateway.inProcess();
    admin = GongjiAdminClient.create(options(POS).build(), gateway.channelBuilder());
  }

  @AfterEach
  void auditAndClose() throws Exception {
    try {
      admin.close();
      assertEquals(List.of(), gateway.audit(), "ledger audit after the test");
    } finally {
      gateway.close();
    }
  }

  private static InsuredPerson person(int i, String card) {
    return new InsuredPerson("P2000000" + i, "批量" + i, "EMPLOYEE_BASIC", "NORMAL", "620100",
        List.of(Credential.card(card)));
  }

  private static List<String> outcomes(List<InsuredLine> lines) {
    List<String> out = new ArrayList<>();
    for (InsuredLine l : lines) {
      out.add(l.index() + " " + l.person().psnNo() + " " + (l.applied() ? "applied" : l.rejection()));
    }
    return out;
  }

  // ---- UpsertInsureds -------------------------------------------------------------------------

  @Test
  void upsertInsureds_appliesEachPerson_refusesALineAlone_andTheSameBatchAgainGivesTheFirstResults() {
    List<InsuredPerson> persons = List.of(person(1, "SSC-B1"), person(2, "SSC-LINA"), person(3, "SSC-B3"));

    List<InsuredLine> first = admin.reference().upsertInsureds("reg-620100-1", persons);
    List<InsuredLine> again = admin.reference().upsertInsureds("reg-620100-1", persons);

    assertEquals(List.of("0 P20000001 applied", "1 P20000002 CREDENTIAL_IN_USE", "2 P20000003 applied"), outcomes(first));
    assertFalse(first.get(1).rejectionMessage().isEmpty(), first.toString());
    assertNull(first.get(0).rejection());
    assertEquals("", first.get(0).rejectionMessage());
    assertEquals(outcomes(first), outcomes(again));
    assertEquals(first.toString(), again.toString());
    assertEquals(0, admin.accounts().getAccount("P20000003").balanceFen());
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class, () -> admin.accounts().getAccount("P20000002"));
    assertEquals(RejectionReason.PATIENT_NOT_FOUND, e.reason());
  }

  @Test
  void upsertInsureds_aPersonChangedUnderTheSameBatchId_isRefusedAsReused() {
    admin.reference().upsertInsureds("reg-620100-2", List.of(person(1, "SSC-B11")));

    List<InsuredLine> changed = admin.reference().upsertInsureds("reg-620100-2", List.of(person(1, "SSC-B12")));

    assertEquals(RejectionReason.REQUEST_ID_REUSED, changed.get(0).rejection());
  }

  @Test
  void upsertInsureds_aMalformedPerson_refusesTheWholeBatchNamingIt() {
    InsuredPerson bad = new InsuredPerson("not a number!", "坏", "EMPLOYEE_BASIC", "NORMAL", "620100",
        List.of(Credential.card("SSC-B22")));

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> admin.reference().upsertInsureds("reg-620100-3", List.of(person(1, "SSC-B21"), bad)));

    assertEquals(RejectionReason.FIELD_INVALID, e.reason());
    assertTrue(e.fieldViolations().containsKey("insureds[1].psn_no"), e.fieldViolations().toString());
    assertEquals(RejectionReason.PATIENT_NOT_FOUND,
        assertThrows(GongjiRejectedException.class, () -> admin.accounts().getAccount("P20000001")).reason(),
        "nothing of the refused batch was applied");
  }

  @Test
  void upsertInsureds_async_withOptions_andAnIdTheClientMakesUp() throws Exception {
    List<InsuredLine> lines = admin.reference().upsertInsuredsAsync(List.of(person(4, "SSC-B41")),
        RequestOptions.builder().deadlineMillis(30_000).build()).get(30, TimeUnit.SECONDS);

    assertEquals(List.of("0 P20000004 applied"), outcomes(lines));
  }

  @Test
  void upsertInsureds_theCallersMistakes_failBeforeAnythingIsSent() {
    ReferenceAdmin ref = admin.reference();
    List<InsuredPerson> tooMany = new ArrayList<>();
    for (int i = 0; i <= ReferenceAdmin.MAX_PERSONS_PER_BATCH; i++) {
      tooMany.add(person(i, "SSC-M" + i));
    }
    List<InsuredPerson> withNull = new ArrayList<>(List.of(person(1, "SSC-N1")));
    withNull.add(null);

    assertMessage("persons", assertThrows(NullPointerException.class, () -> ref.upsertInsuredsAsync("reg-x", null)));
    assertMessage("persons: 0 lines (expected: 1 to 1000 a call)",
        assertThrows(IllegalArgumentException.class, () -> ref.upsertInsuredsAsync("reg-x", List.of())));
    assertMessage("persons: 1001 lines (expected: 1 to 1000 a call)",
        assertThrows(IllegalArgumentException.class, () -> ref.upsertInsuredsAsync("reg-x", tooMany)));
    assertMessage("persons[1]", assertThrows(NullPointerException.class, () -> ref.upsertInsuredsAsync("reg-x", withNull)));
    assertMessage("requestId", assertThrows(NullPointerException.class,
        () -> ref.upsertInsuredsAsync((String) null, List.of(person(1, "SSC-N1")))));
    assertMessage("requestId: \"bad id!\" (expected: 1 to 50 characters of [A-Za-z0-9_-] for a batch)",
        assertThrows(IllegalArgumentException.class, () -> ref.upsertInsuredsAsync("bad id!", List.of(person(1, "SSC-N1")))));
    assertMessage("options", assertThrows(NullPointerException.class,
        () -> ref.upsertInsuredsAsync(List.of(person(1, "SSC-N1")), null)));
    assertEquals(RejectionReason.PATIENT_NOT_FOUND,
        assertThrows(GongjiRejectedException.class, () -> admin.accounts().getAccount("P20000001")).reason(),
        "nothing was sent");
  }

  // ---- CreateBindings -------------------------------------------------------------------------

  @Test
  void createBindings_createsEachBinding_refusesALineAlone_andTheSameBatchAgainGivesTheSameBindings() {
    admin.reference().upsertInsureds("reg-620100-5", List.of(person(1, "SSC-B51"), person(2, "SSC-B52"), person(3, "SSC-B53")));
    List<BindingLine> lines = List.of(new BindingLine("P20000001", "P20000002", "SPOUSE", 0),
        new BindingLine("P20000001", "P20000009", "CHILD", 0),   // nobody: refused on its own
        new BindingLine("P20000001", "P20000003", "CHILD", 30_000));

    List<BindingLine> first = admin.family().createBindings("fam-620100-1", lines);
    List<BindingLine> again = admin.family().createBindings("fam-620100-1", lines);

    assertEquals(3, first.size());
    assertTrue(first.get(0).applied(), first.toString());
    assertEquals("ACTIVE", first.get(0).binding().state());
    assertEquals("P20000002", first.get(0).binding().beneficiaryPsnNo());
    assertFalse(first.get(1).applied(), first.toString());
    assertNull(first.get(1).binding());
    assertEquals(RejectionReason.PATIENT_NOT_FOUND, first.get(1).rejection());
    assertEquals(1, first.get(1).index());
    assertEquals(30_000, first.get(2).binding().quotaFen());
    assertEquals(List.of(first.get(0).binding().id(), first.get(2).binding().id()),
        List.of(again.get(0).binding().id(), again.get(2).binding().id()), "the same bindings, none made twice");
    assertEquals(RejectionReason.PATIENT_NOT_FOUND, again.get(1).rejection());
    assertEquals(2, admin.family().listBindings("P20000001", Role.AUTHORIZER, 0, "").items().size());
    assertTrue(lines.get(0).binding() == null && lines.get(0).index() == -1, "the lines sent are left as they were");
  }

  @Test
  void createBindings_aMalformedLine_refusesTheWholeBatchNamingIt() {
    admin.reference().upsertInsureds("reg-620100-6", List.of(person(1, "SSC-B61"), person(2, "SSC-B62")));
    List<BindingLine> lines = List.of(new BindingLine("P20000001", "P20000002", "SPOUSE", 0),
        new BindingLine("P20000001", "not a number!", "CHILD", 0));

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> admin.family().createBindings("fam-620100-2", lines));

    assertEquals(RejectionReason.FIELD_INVALID, e.reason());
    assertTrue(e.fieldViolations().containsKey("lines[1].beneficiary_psn_no"), e.fieldViolations().toString());
    assertEquals(0, admin.family().listBindings("P20000001", Role.BOTH, 0, "").items().size(),
        "nothing of the refused batch was applied");
  }

  @Test
  void createBindings_async_withOptions() throws Exception {
    admin.reference().upsertInsureds("reg-620100-7", List.of(person(1, "SSC-B71"), person(2, "SSC-B72")));

    List<BindingLine> lines = admin.family().createBindingsAsync(List.of(new BindingLine("P20000002", "P20000001", "SPOUSE", 0)),
        RequestOptions.builder().requestId("fam-620100-3").deadlineMillis(30_000).build()).get(30, TimeUnit.SECONDS);

    assertTrue(lines.get(0).applied(), lines.toString());
    assertTrue(lines.get(0).binding().id().startsWith("B"), lines.toString());
  }

  @Test
  void createBindings_theCallersMistakes_failBeforeAnythingIsSent() {
    FamilyAdmin family = admin.family();
    BindingLine ok = new BindingLine("P20000001", "P20000002", "SPOUSE", 0);
    List<BindingLine> tooMany = Collections.nCopies(FamilyAdmin.MAX_BINDINGS_PER_BATCH + 1, ok);
    List<BindingLine> withNull = new ArrayList<>(List.of(ok));
    withNull.add(null);

    assertMessage("lines", assertThrows(NullPointerException.class, () -> family.createBindingsAsync("fam-x", null)));
    assertMessage("lines: 0 lines (expected: 1 to 10000 a call)",
        assertThrows(IllegalArgumentException.class, () -> family.createBindingsAsync("fam-x", List.of())));
    assertMessage("lines: 10001 lines (expected: 1 to 10000 a call)",
        assertThrows(IllegalArgumentException.class, () -> family.createBindingsAsync("fam-x", tooMany)));
    assertMessage("lines[1]", assertThrows(NullPointerException.class, () -> family.createBindingsAsync("fam-x", withNull)));
    assertMessage("requestId: \"" + "x".repeat(51) + "\" (expected: 1 to 50 characters of [A-Za-z0-9_-] for a batch)",
        assertThrows(IllegalArgumentException.class, () -> family.createBindingsAsync("x".repeat(51), List.of(ok))));
    assertMessage("relationship: COUSIN (expected: one of [SPOUSE, PARENT, CHILD, SIBLING, GRANDPARENT, GRANDCHILD])",
        assertThrows(IllegalArgumentException.class, () -> new BindingLine("P20000001", "P20000002", "COUSIN", 0)));
    assertMessage("quotaFen: -1 (expected: 0..100000000)",
        assertThrows(IllegalArgumentException.class, () -> new BindingLine("P20000001", "P20000002", "SPOUSE", -1)));
    assertMessage("authorizerPsnNo", assertThrows(NullPointerException.class, () -> new BindingLine(null, "P20000002", "SPOUSE", 0)));
  }

  // ---- CreditAccounts: the same checks ---------------------------------------------------------

  @Test
  void creditAccounts_theCallersMistakes_failBeforeAnythingIsSent() {
    AccountAdmin accounts = admin.accounts();
    CreditLine ok = new CreditLine("P20000001", 100);
    List<CreditLine> withNull = new ArrayList<>(List.of(ok));
    withNull.add(null);

    assertMessage("lines", assertThrows(NullPointerException.class, () -> accounts.creditAccountsAsync("run-x", null)));
    assertMessage("lines: 0 lines (expected: 1 to 10000 a call)",
        assertThrows(IllegalArgumentException.class, () -> accounts.creditAccountsAsync("run-x", List.of())));
    assertMessage("lines: 10001 lines (expected: 1 to 10000 a call)", assertThrows(IllegalArgumentException.class,
        () -> accounts.creditAccountsAsync("run-x", Collections.nCopies(AccountAdmin.MAX_CREDITS_PER_BATCH + 1, ok))));
    assertMessage("lines[1]", assertThrows(NullPointerException.class, () -> accounts.creditAccountsAsync("run-x", withNull)));
    assertMessage("requestId", assertThrows(NullPointerException.class, () -> accounts.creditAccountsAsync(null, List.of(ok))));
    assertMessage("requestId: \"run 1\" (expected: 1 to 50 characters of [A-Za-z0-9_-] for a batch)",
        assertThrows(IllegalArgumentException.class, () -> accounts.creditAccountsAsync("run 1", List.of(ok))));
  }

  private static void assertMessage(String expected, Throwable e) {
    assertEquals(expected, e.getMessage());
  }
}
