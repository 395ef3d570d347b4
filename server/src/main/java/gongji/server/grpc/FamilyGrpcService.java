package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.Relationship;
import gongji.server.gateway.Gateway;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.Ledger;
import gongji.server.ledger.Result;
import gongji.v1.AcceptWalletTransferRequest;
import gongji.v1.AssignWalletQuotaRequest;
import gongji.v1.Binding;
import gongji.v1.BindingRole;
import gongji.v1.DeclineWalletTransferRequest;
import gongji.v1.DissolveBindingRequest;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.GetWalletRequest;
import gongji.v1.ListBindingsRequest;
import gongji.v1.ListBindingsResponse;
import gongji.v1.ListWalletTransfersRequest;
import gongji.v1.ListWalletTransfersResponse;
import gongji.v1.OpenWalletRequest;
import gongji.v1.RequestBindingRequest;
import gongji.v1.ReviewBindingRequest;
import gongji.v1.UpdateBindingQuotaRequest;
import gongji.v1.Wallet;
import gongji.v1.WalletTransfer;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;

/** gongji.v1.FamilyService: mutual-aid bindings and the wallet. Translate, call the ledger, translate. */
public final class FamilyGrpcService extends FamilyServiceGrpc.FamilyServiceImplBase {
  private static final String PSN_NO_EXPECTED = "1..30 of [A-Za-z0-9]";
  private static final String BINDING_ID_EXPECTED = "an id returned by RequestBinding, e.g. B1";
  private static final String TRANSFER_ID_EXPECTED = "an id returned by AssignWalletQuota, e.g. W1";

  private final Gateway gateway;

  public FamilyGrpcService(Gateway gateway) {
    this.gateway = requireNonNull(gateway, "gateway");
  }

  @Override
  public void requestBinding(RequestBindingRequest req, StreamObserver<Binding> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("authorizer_psn_no", req.getAuthorizerPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.matches("beneficiary_psn_no", req.getBeneficiaryPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      Relationship rel = v.required("relationship", Protos.RELATIONSHIP.toDomain(req.getRelationshipValue()),
          req.getRelationshipValue());
      v.text("evidence_ref", req.getEvidenceRef(), 1, 100);
      v.range("quota_fen", req.getQuotaFen(), 0, 100_000_000);
      v.check();
      return gateway.admin(Protos.keyed(req.getRequestId(), req, new Command.RequestBinding(req.getAuthorizerPsnNo(),
          req.getBeneficiaryPsnNo(), rel, req.getQuotaFen(), req.getEvidenceRef())));
    }, Protos::binding);
  }

  @Override
  public void reviewBinding(ReviewBindingRequest req, StreamObserver<Binding> out) {
    Replies.send(out, Map.of("binding_id", req.getBindingId()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("binding_id", req.getBindingId(), Validator.BINDING_ID, BINDING_ID_EXPECTED);
      v.text("note", req.getNote(), 0, 200);
      v.check();
      return gateway.admin(Protos.keyed(req.getRequestId(), req,
          new Command.ReviewBinding(req.getBindingId(), req.getApprove(), req.getNote())));
    }, Protos::binding);
  }

  @Override
  public void dissolveBinding(DissolveBindingRequest req, StreamObserver<Binding> out) {
    Replies.send(out, Map.of("binding_id", req.getBindingId()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("binding_id", req.getBindingId(), Validator.BINDING_ID, BINDING_ID_EXPECTED);
      v.matches("by_psn_no", req.getByPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.check();
      return gateway.admin(Protos.keyed(req.getRequestId(), req,
          new Command.DissolveBinding(req.getBindingId(), req.getByPsnNo())));
    }, Protos::binding);
  }

  @Override
  public void getBinding(gongji.v1.GetBindingRequest req, StreamObserver<Binding> out) {
    Replies.send(out, Map.of("binding_id", req.getBindingId()), () -> {
      Validator v = new Validator();
      v.matches("binding_id", req.getBindingId(), Validator.BINDING_ID, BINDING_ID_EXPECTED);
      v.check();
      return gateway.admin(new Command.GetBinding(req.getBindingId()));
    }, Protos::binding);
  }

  @Override
  public void listBindings(ListBindingsRequest req, StreamObserver<ListBindingsResponse> out) {
    String query = req.getPsnNo() + "/" + req.getRole();
    long[] after = new long[1];
    int[] size = new int[1];
    Replies.send(out, Map.of("psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      Command.BindingRole role = role(v, req.getRoleValue());
      size[0] = PageTokens.pageSize(v, req.getPageSize());
      after[0] = PageTokens.position(v, req.getPageToken(), query);
      v.check();
      return gateway.admin(new Command.ListBindings(req.getPsnNo(), role));
    }, r -> {
      // The order is the region's drawing order, where a new binding may land anywhere: the token
      // names the last binding returned (by number; 0 for none), and the page goes on after it.
      List<Result.BindingView> all = ((Result.Bindings) r).bindings();
      ListBindingsResponse.Builder b = ListBindingsResponse.newBuilder();
      int from = after[0] == 0 ? 0 : all.size(); // a binding never leaves its people's lists
      for (int i = 0; after[0] != 0 && i < all.size(); i++) {
        if (Ledger.number(all.get(i).bindingId()) == after[0]) {
          from = i + 1;
        }
      }
      int to = Math.min(all.size(), from + size[0]);
      for (Result.BindingView view : all.subList(from, to)) {
        b.addBindings(Protos.binding(view));
      }
      if (to < all.size()) {
        b.setNextPageToken(PageTokens.next(Ledger.number(all.get(to - 1).bindingId()), query));
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
    String query = req.getPsnNo() + "/" + req.getRole() + "/" + req.getStartTime().getSeconds() + "."
        + req.getStartTime().getNanos() + "/" + req.getEndTime().getSeconds() + "." + req.getEndTime().getNanos();
    int[] offset = new int[1];
    Replies.send(out, Map.of("psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      Command.BindingRole role = role(v, req.getRoleValue());
      int size = PageTokens.pageSize(v, req.getPageSize());
      offset[0] = PageTokens.offset(v, req.getPageToken(), query);
      // Records are never before 1970: an earlier start is the first record.
      long start = Math.max(0, Protos.millis(v, "start_time", req.hasStartTime(), req.getStartTime(), 0));
      long end = Protos.millis(v, "end_time", req.hasEndTime(), req.getEndTime(), Long.MAX_VALUE);
      v.check();
      return gateway.history(new HistoryQuery.Usage(req.getPsnNo(), role, start, Math.max(0, end),
          offset[0], size));
    }, r -> {
      Result.Usages u = (Result.Usages) r;
      gongji.v1.ListUsageRecordsResponse.Builder b = gongji.v1.ListUsageRecordsResponse.newBuilder();
      for (Result.Usage x : u.usages()) {
        b.addRecords(gongji.v1.UsageRecord.newBuilder().setKind(x.kind()).setTime(Protos.timestamp(x.atMillis()))
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

  @Override
  public void updateBindingQuota(UpdateBindingQuotaRequest req, StreamObserver<Binding> out) {
    Replies.send(out, Map.of("binding_id", req.getBindingId()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("binding_id", req.getBindingId(), Validator.BINDING_ID, BINDING_ID_EXPECTED);
      v.matches("by_psn_no", req.getByPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.range("quota_fen", req.getQuotaFen(), 0, 100_000_000);
      v.check();
      return gateway.admin(Protos.keyed(req.getRequestId(), req,
          new Command.UpdateBindingQuota(req.getBindingId(), req.getByPsnNo(), req.getQuotaFen())));
    }, Protos::binding);
  }

  @Override
  public void openWallet(OpenWalletRequest req, StreamObserver<Wallet> out) {
    Replies.send(out, Map.of("psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.check();
      return gateway.admin(Protos.keyed(req.getRequestId(), req, new Command.OpenWallet(req.getPsnNo())));
    }, Protos::wallet);
  }

  @Override
  public void getWallet(GetWalletRequest req, StreamObserver<Wallet> out) {
    Replies.send(out, Map.of("psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.check();
      return gateway.admin(new Command.GetWallet(req.getPsnNo()));
    }, Protos::wallet);
  }

  @Override
  public void assignWalletQuota(AssignWalletQuotaRequest req, StreamObserver<WalletTransfer> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId()), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", req.getRequestId());
      v.matches("authorizer_psn_no", req.getAuthorizerPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.matches("beneficiary_psn_no", req.getBeneficiaryPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      v.range("amount_fen", req.getAmountFen(), 1, 100_000_000);
      v.check();
      return gateway.admin(new Command.AssignWalletQuota(req.getRequestId(), Protos.contentHash(req),
          req.getAuthorizerPsnNo(), req.getBeneficiaryPsnNo(), req.getAmountFen()));
    }, Protos::walletTransfer);
  }

  @Override
  public void acceptWalletTransfer(AcceptWalletTransferRequest req, StreamObserver<WalletTransfer> out) {
    answer(req.getRequestId(), req, req.getTransferId(), req.getByPsnNo(), true, out);
  }

  @Override
  public void declineWalletTransfer(DeclineWalletTransferRequest req, StreamObserver<WalletTransfer> out) {
    answer(req.getRequestId(), req, req.getTransferId(), req.getByPsnNo(), false, out);
  }

  private void answer(String requestId, com.google.protobuf.Message req, String transferId, String byPsnNo,
      boolean accept, StreamObserver<WalletTransfer> out) {
    Replies.send(out, Map.of("transfer_id", transferId), () -> {
      Validator v = new Validator();
      Protos.requestId(v, "request_id", requestId);
      v.matches("transfer_id", transferId, Validator.WALLET_TRANSFER_ID, TRANSFER_ID_EXPECTED);
      v.matches("by_psn_no", byPsnNo, Validator.PSN_NO, PSN_NO_EXPECTED);
      v.check();
      return gateway.admin(Protos.keyed(requestId, req, new Command.AnswerWalletTransfer(transferId, byPsnNo, accept)));
    }, Protos::walletTransfer);
  }

  @Override
  public void listWalletTransfers(ListWalletTransfersRequest req, StreamObserver<ListWalletTransfersResponse> out) {
    String query = req.getPsnNo() + "/" + req.getRoleValue();
    Replies.send(out, Map.of("psn_no", req.getPsnNo()), () -> {
      Validator v = new Validator();
      v.matches("psn_no", req.getPsnNo(), Validator.PSN_NO, PSN_NO_EXPECTED);
      Command.BindingRole role = role(v, req.getRoleValue());
      int size = PageTokens.pageSize(v, req.getPageSize());
      // Newest first: the token names the last transfer returned (by number), the page goes on below it.
      long last = PageTokens.position(v, req.getPageToken(), query);
      v.check();
      // From history, which holds every transfer as it is now: the writer lets go of closed ones.
      return gateway.history(new HistoryQuery.WalletTransfers(req.getPsnNo(), role,
          req.getPageToken().isEmpty() ? Long.MAX_VALUE : last, size));
    }, r -> {
      Result.WalletTransfers page = (Result.WalletTransfers) r;
      ListWalletTransfersResponse.Builder b = ListWalletTransfersResponse.newBuilder();
      for (Result.WalletTransferView t : page.transfers()) {
        b.addTransfers(Protos.walletTransfer(t));
      }
      if (page.more() && !page.transfers().isEmpty()) {
        b.setNextPageToken(PageTokens.next(Ledger.number(page.transfers().get(page.transfers().size() - 1)
            .transferId()), query));
      }
      return b.build();
    });
  }

  /**
   * The ledger's role for a wire role: null (both roles) for EITHER; an unset or unknown role fails
   * {@code v} naming the field.
   */
  private static Command.BindingRole role(Validator v, int role) {
    switch (role) {
      case BindingRole.BINDING_ROLE_AUTHORIZER_VALUE:
        return Command.BindingRole.AUTHORIZER;
      case BindingRole.BINDING_ROLE_BENEFICIARY_VALUE:
        return Command.BindingRole.BENEFICIARY;
      case BindingRole.BINDING_ROLE_EITHER_VALUE:
        return null;
      default:
        v.fail("role", role + (role == BindingRole.BINDING_ROLE_UNSPECIFIED_VALUE ? " (unset)" : " is not a known value")
            + " (expected: BINDING_ROLE_AUTHORIZER, BINDING_ROLE_BENEFICIARY or BINDING_ROLE_EITHER)");
        return null;
    }
  }
}
