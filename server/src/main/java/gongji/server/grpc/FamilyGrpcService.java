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

  @Override
  public void payPremium(gongji.v1.PayPremiumRequest req, StreamObserver<gongji.v1.PayPremiumResponse> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("payer_psn_no", req.getPayerPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.matches("beneficiary_psn_no", req.getBeneficiaryPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.range("amount_fen", req.getAmountFen(), 1, 10_000_000);
      v.range("year", req.getYear(), 2000, 2100);
      v.check();
      return gateway.admin(new Command.PayPremium(req.getRequestId(), Protos.contentHash(req), req.getPayerPsnNo(),
          req.getBeneficiaryPsnNo(), req.getAmountFen(), req.getYear()));
    }, r -> {
      Result.Premium p = (Result.Premium) r;
      return gongji.v1.PayPremiumResponse.newBuilder().setPayerPsnNo(p.payerPsnNo())
          .setBeneficiaryPsnNo(p.beneficiaryPsnNo()).setAmountFen(p.amountFen()).setYear(p.year())
          .setPayerBalanceAfterFen(p.payerBalanceAfterFen()).build();
    });
  }

  @Override
  public void listUsageRecords(gongji.v1.ListUsageRecordsRequest req,
      StreamObserver<gongji.v1.ListUsageRecordsResponse> out) {
    String query = req.getPsnNo() + "/" + req.getRole() + "/" + req.getStartTimeMillis() + "/" + req.getEndTimeMillis();
    long[] offset = new long[1];
    Replies.send(out, Map.of("psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      int size = PageTokens.pageSize(v, req.getPageSize());
      offset[0] = PageTokens.offset(v, req.getPageToken(), query);
      v.range("start_time_millis", req.getStartTimeMillis(), 0, Long.MAX_VALUE);
      v.range("end_time_millis", req.getEndTimeMillis(), 0, Long.MAX_VALUE);
      v.check();
      Command.BindingRole role = switch (req.getRole()) {
        case BINDING_ROLE_AUTHORIZER -> Command.BindingRole.AUTHORIZER;
        case BINDING_ROLE_BENEFICIARY -> Command.BindingRole.BENEFICIARY;
        default -> null;
      };
      long end = req.getEndTimeMillis() == 0 ? Long.MAX_VALUE : req.getEndTimeMillis();
      return gateway.admin(new Command.ListUsage(req.getPsnNo(), role, req.getStartTimeMillis(), end,
          (int) Math.min(Integer.MAX_VALUE, offset[0]), size));
    }, r -> {
      Result.Usages u = (Result.Usages) r;
      gongji.v1.ListUsageRecordsResponse.Builder b = gongji.v1.ListUsageRecordsResponse.newBuilder();
      for (Result.Usage x : u.usages()) {
        b.addRecords(gongji.v1.UsageRecord.newBuilder().setKind(x.kind()).setTimeMillis(x.atMillis())
            .setAuthorizerPsnNo(x.authorizerPsnNo()).setBeneficiaryPsnNo(x.beneficiaryPsnNo())
            .setFixmedinsCode(x.institution()).setTransactionId(x.txnId()).setBindingId(x.bindingId())
            .setAmountFen(x.amountFen()));
      }
      if (u.more()) {
        b.setNextPageToken(PageTokens.next(offset[0] + u.usages().size(), query));
      }
      return b.build();
    });
  }
}
