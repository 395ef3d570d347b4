package gongji.server.grpc;

import static gongji.v1.BindingState.BINDING_STATE_ACTIVE;
import static gongji.v1.BindingState.BINDING_STATE_DISSOLVED;
import static gongji.v1.BindingState.BINDING_STATE_REQUESTED;
import static gongji.v1.Relationship.RELATIONSHIP_PARENT;
import static gongji.v1.Relationship.RELATIONSHIP_SPOUSE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gongji.server.testing.Refusal;
import gongji.v1.AcceptWalletTransferRequest;
import gongji.v1.AssignWalletQuotaRequest;
import gongji.v1.Binding;
import gongji.v1.BindingRole;
import gongji.v1.CreateBindingRequest;
import gongji.v1.DissolveBindingRequest;
import gongji.v1.OpenWalletRequest;
import gongji.v1.RecordDeathRequest;
import gongji.v1.RequestBindingRequest;
import gongji.v1.ReviewBindingRequest;
import gongji.v1.UpdateBindingQuotaRequest;
import gongji.v1.WalletTransfer;
import io.grpc.Status.Code;
import org.junit.jupiter.api.Test;

/**
 * Every change of FamilyService and AdminService carries a request id with the rules of a sale's
 * (AIP-155): a retry with the same id and content gets the original result instead of a refusal
 * of the state the first attempt made, the same id with other content is REQUEST_ID_REUSED, a
 * refusal stays a refusal, and a missing id is bad input.
 */
class FamilyRequestIdTest extends FamilyScenarioSupport {

  private static RequestBindingRequest.Builder request(String id, String authorizer, String beneficiary) {
    return RequestBindingRequest.newBuilder().setRequestId(id).setAuthorizerPsnNo(authorizer)
        .setBeneficiaryPsnNo(beneficiary).setRelationship(RELATIONSHIP_PARENT).setEvidenceRef("hukou-1");
  }

  @Test
  void requestBinding_retriedWithTheSameId_getsTheSameBinding_notAlreadyRequested() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);

    Binding first = gw.family().requestBinding(request("BIND-1", "A1", "P1").build());
    Binding retry = gw.family().requestBinding(request("BIND-1", "A1", "P1").build());

    assertEquals(first, retry);
    assertEquals(BINDING_STATE_REQUESTED, retry.getState());
    assertEquals(1, gw.bindings("A1", BindingRole.BINDING_ROLE_AUTHORIZER, 100).size(), "one binding made");
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
        () -> gw.family().requestBinding(request("BIND-2", "A1", "P1").build())); // a new request is refused
  }

  @Test
  void requestBinding_sameIdOtherContent_refusedRequestIdReused() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    resident("P2", LANZHOU);
    gw.family().requestBinding(request("BIND-1", "A1", "P1").build());

    Refusal.expect(Code.ALREADY_EXISTS, "REQUEST_ID_REUSED",
        () -> gw.family().requestBinding(request("BIND-1", "A1", "P2").build()));
    Refusal.expect(Code.ALREADY_EXISTS, "REQUEST_ID_REUSED", () -> gw.family().dissolveBinding(
        DissolveBindingRequest.newBuilder().setRequestId("BIND-1").setBindingId("B1").setByPsnNo("A1").build()));
  }

  @Test
  void reviewAndDissolve_retried_getTheBindingAsItIs_notARefusalOfTheNewState() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    String id = gw.requestBinding("A1", "P1", RELATIONSHIP_PARENT, 0).getBindingId();
    ReviewBindingRequest review = ReviewBindingRequest.newBuilder().setRequestId("REVIEW-1").setBindingId(id)
        .setApprove(true).build();
    DissolveBindingRequest dissolve = DissolveBindingRequest.newBuilder().setRequestId("DISSOLVE-1")
        .setBindingId(id).setByPsnNo("P1").build();

    assertEquals(BINDING_STATE_ACTIVE, gw.family().reviewBinding(review).getState());
    assertEquals(BINDING_STATE_ACTIVE, gw.family().reviewBinding(review).getState());
    assertEquals(BINDING_STATE_DISSOLVED, gw.family().dissolveBinding(dissolve).getState());
    assertEquals(BINDING_STATE_DISSOLVED, gw.family().dissolveBinding(dissolve).getState());
    // A retry of the review after the dissolution: the binding as it is now, not "not REQUESTED".
    assertEquals(BINDING_STATE_DISSOLVED, gw.family().reviewBinding(review).getState());
  }

  @Test
  void refusedRequest_retried_staysRefused_evenOnceItWouldPass() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    gw.status("P1", gongji.v1.InsuredStatus.INSURED_STATUS_SUSPENDED);
    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
        () -> gw.family().requestBinding(request("BIND-1", "A1", "P1").build()));
    gw.status("P1", gongji.v1.InsuredStatus.INSURED_STATUS_NORMAL);

    Refusal.expect(Code.FAILED_PRECONDITION, "BINDING_NOT_ALLOWED",
        () -> gw.family().requestBinding(request("BIND-1", "A1", "P1").build()));
    assertEquals(BINDING_STATE_REQUESTED, gw.family().requestBinding(request("BIND-2", "A1", "P1").build()).getState());
  }

  @Test
  void createBindingAndQuota_retried_applyOnce() {
    employee("A1", LANZHOU, 10_000);
    resident("P1", LANZHOU);
    CreateBindingRequest create = CreateBindingRequest.newBuilder().setRequestId("CREATE-1").setAuthorizerPsnNo("A1")
        .setBeneficiaryPsnNo("P1").setRelationship(RELATIONSHIP_SPOUSE).setQuotaFen(5_000).build();
    Binding made = gw.admin().createBinding(create);
    assertEquals(made, gw.admin().createBinding(create));
    UpdateBindingQuotaRequest quota = UpdateBindingQuotaRequest.newBuilder().setRequestId("QUOTA-1")
        .setBindingId(made.getBindingId()).setByPsnNo("A1").setQuotaFen(3_000).build();

    assertEquals(3_000, gw.family().updateBindingQuota(quota).getQuotaFen());
    assertEquals(3_000, gw.family().updateBindingQuota(quota).getQuotaFen());
    assertEquals(1, gw.bindings("A1", BindingRole.BINDING_ROLE_AUTHORIZER, 100).size(), "one binding made");
  }

  @Test
  void walletAnswer_retriedWithTheSameId_getsTheOriginalTransfer() {
    employee("A1", LANZHOU, 100_000);
    resident("P1", LANZHOU);
    gw.bind("A1", "P1", RELATIONSHIP_PARENT, 0);
    OpenWalletRequest open = OpenWalletRequest.newBuilder().setRequestId("OPEN-1").setPsnNo("P1").build();
    assertEquals(gw.family().openWallet(open), gw.family().openWallet(open));
    WalletTransfer t = gw.family().assignWalletQuota(AssignWalletQuotaRequest.newBuilder().setRequestId("ASSIGN-1")
        .setAuthorizerPsnNo("A1").setBeneficiaryPsnNo("P1").setAmountFen(10_000).build());
    AcceptWalletTransferRequest accept = AcceptWalletTransferRequest.newBuilder().setRequestId("ACCEPT-1")
        .setTransferId(t.getTransferId()).setByPsnNo("P1").build();

    WalletTransfer accepted = gw.family().acceptWalletTransfer(accept);
    assertEquals(accepted, gw.family().acceptWalletTransfer(accept));
    Refusal.expect(Code.ALREADY_EXISTS, "REQUEST_ID_REUSED", () -> gw.family().acceptWalletTransfer(
        accept.toBuilder().setByPsnNo("A1").build()));
  }

  @Test
  void recordDeath_retried_answersAsTheFirstTime() {
    employee("A1", LANZHOU, 10_000);
    RecordDeathRequest death = RecordDeathRequest.newBuilder().setRequestId("DEATH-1").setPsnNo("A1").build();
    assertEquals(gw.admin().recordDeath(death), gw.admin().recordDeath(death));
  }

  @Test
  void everyChange_withoutARequestId_isBadInputNamingIt() {
    Refusal.of(() -> gw.family().requestBinding(request("", "A1", "P1").build())).assertFieldInvalid("request_id");
    Refusal.of(() -> gw.family().reviewBinding(ReviewBindingRequest.newBuilder().setBindingId("B1").build()))
        .assertFieldInvalid("request_id");
    Refusal.of(() -> gw.family().openWallet(OpenWalletRequest.newBuilder().setPsnNo("P1").build()))
        .assertFieldInvalid("request_id");
    Refusal.of(() -> gw.admin().recordDeath(RecordDeathRequest.newBuilder().setPsnNo("P1").build()))
        .assertFieldInvalid("request_id");
    Refusal.of(() -> gw.admin().createBinding(CreateBindingRequest.newBuilder().setRequestId("a|b")
        .setAuthorizerPsnNo("A1").setBeneficiaryPsnNo("P1").setRelationship(RELATIONSHIP_SPOUSE).build()))
        .assertFieldInvalid("request_id");
  }
}
