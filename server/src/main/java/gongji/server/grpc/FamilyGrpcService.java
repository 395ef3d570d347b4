package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.Relationship;
import gongji.server.gateway.Gateway;
import gongji.server.ledger.Command;
import gongji.server.ledger.Result;
import gongji.v1.Binding;
import gongji.v1.DissolveBindingRequest;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.ListBindingsRequest;
import gongji.v1.ListBindingsResponse;
import gongji.v1.RequestBindingRequest;
import gongji.v1.ReviewBindingRequest;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;

/** gongji.v1.FamilyService: mutual-aid bindings. Translate, call the ledger, translate. */
public final class FamilyGrpcService extends FamilyServiceGrpc.FamilyServiceImplBase {
  private static final String PSN_NO_EXPECTED = "1..30 of [A-Za-z0-9]";

  private final Gateway gateway;

  public FamilyGrpcService(Gateway gateway) {
    this.gateway = requireNonNull(gateway, "gateway");
  }

  @Override
  public void requestBinding(RequestBindingRequest req, StreamObserver<Binding> out) {
    Replies.send(out, Map.of(), () -> {
      Validator v = new Validator();
      v.matches("authorizer_psn_no", req.getAuthorizerPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.matches("beneficiary_psn_no", req.getBeneficiaryPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      Relationship rel = v.required("relationship", Protos.RELATIONSHIP.toDomain(req.getRelationshipValue()),
          req.getRelationshipValue());
      v.text("evidence_ref", req.getEvidenceRef(), 1, 100);
      v.range("quota_fen", req.getQuotaFen(), 0, 100_000_000);
      v.check();
      return gateway.admin(new Command.RequestBinding(req.getAuthorizerPsnNo(), req.getBeneficiaryPsnNo(), rel,
          req.getQuotaFen(), req.getEvidenceRef()));
    }, Protos::binding);
  }

  @Override
  public void reviewBinding(ReviewBindingRequest req, StreamObserver<Binding> out) {
    Replies.send(out, Map.of("binding_id", req.getBindingId()), () -> {
      Validator v = new Validator();
      v.matches("binding_id", req.getBindingId(), Validator.BINDING_ID, "an id returned by RequestBinding, e.g. B1");
      v.text("note", req.getNote(), 0, 200);
      v.check();
      return gateway.admin(new Command.ReviewBinding(req.getBindingId(), req.getApprove(), req.getNote()));
    }, Protos::binding);
  }

  @Override
  public void dissolveBinding(DissolveBindingRequest req, StreamObserver<Binding> out) {
    Replies.send(out, Map.of("binding_id", req.getBindingId()), () -> {
      Validator v = new Validator();
      v.matches("binding_id", req.getBindingId(), Validator.BINDING_ID, "an id returned by RequestBinding, e.g. B1");
      v.matches("by_psn_no", req.getByPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.check();
      return gateway.admin(new Command.DissolveBinding(req.getBindingId(), req.getByPsnNo()));
    }, Protos::binding);
  }

  @Override
  public void listBindings(ListBindingsRequest req, StreamObserver<ListBindingsResponse> out) {
    String query = req.getPsnNo() + "/" + req.getRole();
    long[] offset = new long[1];
    int[] size = new int[1];
    Replies.send(out, Map.of("psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      size[0] = PageTokens.pageSize(v, req.getPageSize());
      offset[0] = PageTokens.offset(v, req.getPageToken(), query);
      v.check();
      Command.BindingRole role = switch (req.getRole()) {
        case BINDING_ROLE_AUTHORIZER -> Command.BindingRole.AUTHORIZER;
        case BINDING_ROLE_BENEFICIARY -> Command.BindingRole.BENEFICIARY;
        default -> null;
      };
      return gateway.admin(new Command.ListBindings(req.getPsnNo(), role));
    }, r -> {
      List<Result.BindingView> all = ((Result.Bindings) r).bindings();
      ListBindingsResponse.Builder b = ListBindingsResponse.newBuilder();
      int from = (int) Math.min(offset[0], all.size());
      int to = Math.min(all.size(), from + size[0]);
      for (Result.BindingView view : all.subList(from, to)) {
        b.addBindings(Protos.binding(view));
      }
      if (to < all.size()) {
        b.setNextPageToken(PageTokens.next(to, query));
      }
      return b.build();
    });
  }
}
