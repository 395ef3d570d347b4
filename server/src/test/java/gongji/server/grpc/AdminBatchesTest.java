package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.testing.InProcessGateway;
import gongji.server.testing.Refusal;
import gongji.v1.BindingLine;
import gongji.v1.BindingLineResult;
import gongji.v1.CreateBindingsRequest;
import gongji.v1.CreateBindingsResponse;
import gongji.v1.GetAccountRequest;
import gongji.v1.InsuranceType;
import gongji.v1.Insured;
import gongji.v1.InsuredLineResult;
import gongji.v1.Relationship;
import gongji.v1.UpsertInsuredsRequest;
import gongji.v1.UpsertInsuredsResponse;
import io.grpc.Status.Code;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The back office's batches for loading a region's register: UpsertInsureds and CreateBindings. Each
 * line is its own idempotent command (a batch sent again applies nothing twice), a line's refusal is
 * in its own result, and a malformed line refuses the whole batch naming the line and the field.
 */
class AdminBatchesTest {
  private static final String REGION = "620100";
  private InProcessGateway gw;

  @BeforeEach
  void startGateway() throws Exception {
    gw = InProcessGateway.start();
  }

  @AfterEach
  void auditThenClose() throws Exception {
    try {
      assertEquals(List.of(), gw.audit());
    } finally {
      gw.close();
    }
  }

  private static Insured person(int i, String card) {
    return InProcessGateway.insured("P1000000" + i, "批量" + i, InsuranceType.INSURANCE_TYPE_EMPLOYEE_BASIC, REGION, card);
  }

  private UpsertInsuredsResponse upsert(String requestId, List<Insured> people) {
    return gw.admin().upsertInsureds(UpsertInsuredsRequest.newBuilder().setRequestId(requestId)
        .addAllInsureds(people).build());
  }

  private static BindingLine line(String authorizer, String beneficiary, Relationship rel) {
    return BindingLine.newBuilder().setAuthorizerPsnNo(authorizer).setBeneficiaryPsnNo(beneficiary)
        .setRelationship(rel).build();
  }

  private CreateBindingsResponse bind(String requestId, List<BindingLine> lines) {
    return gw.admin().createBindings(CreateBindingsRequest.newBuilder().setRequestId(requestId).addAllLines(lines).build());
  }

  @Test
  void upsertInsureds_createsEachPerson_aLineRefusedAlone_andTheSameBatchAgainAppliesNothingTwice() {
    List<Insured> people = List.of(person(1, "C0000001"), person(2, "C0000002"), person(3, "C0000001"));

    UpsertInsuredsResponse first = upsert("reg-1", people);
    UpsertInsuredsResponse again = upsert("reg-1", people);

    assertEquals(List.of("", "", "CREDENTIAL_IN_USE"), reasons(first.getResultsList()));
    assertEquals(first, again, "each line's first result");
    assertEquals(0, gw.admin().getAccount(GetAccountRequest.newBuilder().setPsnNo("P10000002").build()).getBalanceFen());
    Refusal.expect(Code.NOT_FOUND, "PATIENT_NOT_FOUND",
        () -> gw.admin().getAccount(GetAccountRequest.newBuilder().setPsnNo("P10000003").build()));
  }

  @Test
  void upsertInsureds_aLineChangedUnderTheSameBatchId_isRefusedAsReused() {
    upsert("reg-2", List.of(person(1, "C0000011")));

    UpsertInsuredsResponse changed = upsert("reg-2", List.of(person(1, "C0000012")));

    assertEquals(List.of("REQUEST_ID_REUSED"), reasons(changed.getResultsList()));
  }

  @Test
  void upsertInsureds_malformed_refusesTheWholeBatchNamingTheLineAndField() {
    Insured bad = person(2, "C0000021").toBuilder().setPsnNo("not a number!").build();

    Refusal.of(() -> upsert("reg-3", List.of(person(1, "C0000020"), bad))).assertFieldInvalid("insureds[1].psn_no");
    Refusal.of(() -> upsert("reg-3", List.of())).assertFieldInvalid("insureds");
    List<Insured> tooMany = new ArrayList<>();
    for (int i = 0; i <= AdminGrpcService.MAX_INSUREDS_PER_BATCH; i++) {
      tooMany.add(person(i, "C1" + i));
    }
    Refusal.of(() -> upsert("reg-3", tooMany)).assertFieldInvalid("insureds");
    Refusal.of(() -> upsert("bad id!", List.of(person(1, "C0000020")))).assertFieldInvalid("request_id");
    Refusal.expect(Code.NOT_FOUND, "PATIENT_NOT_FOUND",
        () -> gw.admin().getAccount(GetAccountRequest.newBuilder().setPsnNo("P10000001").build()));
  }

  @Test
  void createBindings_createsEachBinding_aLineRefusedAlone_andTheSameBatchAgainGivesTheSameBindings() {
    upsert("reg-4", List.of(person(1, "C0000031"), person(2, "C0000032"), person(3, "C0000033")));
    List<BindingLine> lines = List.of(line("P10000001", "P10000002", Relationship.RELATIONSHIP_SPOUSE),
        line("P10000001", "P10000009", Relationship.RELATIONSHIP_CHILD),
        line("P10000001", "P10000003", Relationship.RELATIONSHIP_CHILD));

    CreateBindingsResponse first = bind("fam-1", lines);
    CreateBindingsResponse again = bind("fam-1", lines);

    assertEquals(List.of("", "PATIENT_NOT_FOUND", ""), first.getResultsList().stream()
        .map(BindingLineResult::getErrorReason).toList());
    assertTrue(first.getResults(0).getBinding().getBindingId().startsWith("B"), first.toString());
    assertEquals(first, again, "each line's first result: the same bindings, none made twice");
  }

  @Test
  void createBindings_malformed_refusesTheWholeBatchNamingTheLineAndField() {
    upsert("reg-5", List.of(person(1, "C0000041"), person(2, "C0000042")));
    List<BindingLine> lines = List.of(line("P10000001", "P10000002", Relationship.RELATIONSHIP_SPOUSE),
        line("P10000001", "P10000002", Relationship.RELATIONSHIP_UNSPECIFIED));

    Refusal.of(() -> bind("fam-2", lines)).assertFieldInvalid("lines[1].relationship");
    Refusal.of(() -> bind("fam-2", List.of())).assertFieldInvalid("lines");
    // Nothing of the refused batch was applied: its first line creates the binding now.
    assertEquals("", bind("fam-3", lines.subList(0, 1)).getResults(0).getErrorReason());
  }

  private static List<String> reasons(List<InsuredLineResult> results) {
    return results.stream().map(InsuredLineResult::getErrorReason).toList();
  }
}
