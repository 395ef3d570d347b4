package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.Relationship;
import gongji.server.gateway.Gateway;
import gongji.server.ledger.Command;
import gongji.v1.Account;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.Binding;
import gongji.v1.CreateBindingRequest;
import gongji.v1.CreditAccountRequest;
import gongji.v1.GetAccountRequest;
import gongji.v1.Institution;
import gongji.v1.Insured;
import gongji.v1.RegionPolicy;
import gongji.v1.RegisterInstitutionRequest;
import gongji.v1.SetRegionPolicyRequest;
import gongji.v1.UpsertInsuredRequest;
import io.grpc.stub.StreamObserver;
import java.util.Map;

/** gongji.v1.AdminService: the agency's back office. Translate, call the ledger, translate. */
public final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {
  private final Gateway gateway;

  public AdminGrpcService(Gateway gateway) {
    this.gateway = requireNonNull(gateway, "gateway");
  }

  @Override
  public void registerInstitution(RegisterInstitutionRequest req, StreamObserver<Institution> out) {
    Replies.send(out, Map.of(),
        () -> gateway.admin(new Command.RegisterInstitution(Protos.institution(req.getInstitution()))),
        r -> req.getInstitution());
  }

  @Override
  public void upsertInsured(UpsertInsuredRequest req, StreamObserver<Insured> out) {
    Replies.send(out, Map.of("psn_no", req.getInsured().getPsnNo()),
        () -> gateway.admin(new Command.UpsertInsured(Protos.insured(req.getInsured()))),
        r -> req.getInsured());
  }

  @Override
  public void creditAccount(CreditAccountRequest req, StreamObserver<Account> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId(), "psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
      v.range("amount_fen", req.getAmountFen(), 1, Protos.MAX_CREDIT_FEN);
      v.check();
      return gateway.admin(new Command.Credit(req.getRequestId(), Protos.contentHash(req), req.getPsnNo(),
          req.getAmountFen()));
    }, Protos::account);
  }

  @Override
  public void getAccount(GetAccountRequest req, StreamObserver<Account> out) {
    Replies.send(out, Map.of("psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
      v.check();
      return gateway.admin(new Command.GetAccount(req.getPsnNo()));
    }, Protos::account);
  }

  @Override
  public void createBinding(CreateBindingRequest req, StreamObserver<Binding> out) {
    Replies.send(out, Map.of(), () -> {
      Validator v = new Validator();
      v.matches("authorizer_psn_no", req.getAuthorizerPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
      v.matches("beneficiary_psn_no", req.getBeneficiaryPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
      Relationship rel = v.required("relationship", Protos.RELATIONSHIP.toDomain(req.getRelationshipValue()),
          req.getRelationshipValue());
      v.range("quota_fen", req.getQuotaFen(), 0, 100_000_000);
      v.check();
      return gateway.admin(new Command.CreateBinding(req.getAuthorizerPsnNo(), req.getBeneficiaryPsnNo(), rel,
          req.getQuotaFen()));
    }, Protos::binding);
  }

  @Override
  public void setRegionPolicy(SetRegionPolicyRequest req, StreamObserver<RegionPolicy> out) {
    Replies.send(out, Map.of("admdvs", req.getPolicy().getAdmdvs()), () -> {
      gongji.server.domain.RegionPolicy policy = Protos.policy(req.getPolicy());
      return gateway.admin(new Command.SetRegionPolicy(policy));
    }, r -> req.getPolicy());
  }
}
