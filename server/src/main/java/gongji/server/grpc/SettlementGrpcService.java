package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import gongji.server.domain.Credential;
import gongji.server.gateway.Gateway;
import gongji.server.gateway.Terminal;
import gongji.server.ledger.Command;
import gongji.v1.AuthorizeRequest;
import gongji.v1.AuthorizeResponse;
import gongji.v1.CancelRequest;
import gongji.v1.CancelResponse;
import gongji.v1.GetTransactionRequest;
import gongji.v1.GetTransactionResponse;
import gongji.v1.IdentifyRequest;
import gongji.v1.IdentifyResponse;
import gongji.v1.RefundRequest;
import gongji.v1.RefundResponse;
import gongji.v1.ReverseRequest;
import gongji.v1.ReverseResponse;
import gongji.v1.SettleRequest;
import gongji.v1.SettleResponse;
import gongji.v1.SettlementServiceGrpc;
import io.grpc.stub.StreamObserver;
import java.util.Map;

/** gongji.v1.SettlementService: translate, call the gateway, translate. Never blocks. */
public final class SettlementGrpcService extends SettlementServiceGrpc.SettlementServiceImplBase {
  private final Gateway gateway;

  public SettlementGrpcService(Gateway gateway) {
    this.gateway = requireNonNull(gateway, "gateway");
  }

  @Override
  public void identify(IdentifyRequest req, StreamObserver<IdentifyResponse> out) {
    Replies.send(out, Map.of(), () -> {
      Validator v = new Validator();
      Terminal terminal = Protos.terminal(v, "terminal", req.hasTerminal(), req.getTerminal());
      Credential credential = Protos.credential(v, "credential", req.hasCredential(), req.getCredential());
      String psnNo = v.optional("psn_no", req.getPsnNo(), Validator.PSN_NO, "1..30 of [A-Za-z0-9]");
      v.check();
      return gateway.identify(terminal, credential, psnNo);
    }, Protos::identifyResponse);
  }

  @Override
  public void authorize(AuthorizeRequest req, StreamObserver<AuthorizeResponse> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId()),
        () -> gateway.authorize(Protos.authorize(req)), Protos::authorizeResponse);
  }

  @Override
  public void settle(SettleRequest req, StreamObserver<SettleResponse> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId(), "transaction_id", req.getTransactionId()), () -> {
      Validator v = new Validator();
      SaleStep step = SaleStep.parse(v, req.getRequestId(), req.hasTerminal(), req.getTerminal(), req.getTransactionId());
      long finalTotal = req.hasFinalTotalFen()
          ? v.range("final_total_fen", req.getFinalTotalFen(), 0, Protos.MAX_LINE_FEN * Protos.MAX_ITEMS) : -1;
      v.check();
      return gateway.submit(step.terminal(), new Command.Settle(step.requestId(), Protos.contentHash(req),
          step.terminal().institution(), step.txnId(), finalTotal));
    }, Protos::settleResponse);
  }

  @Override
  public void cancel(CancelRequest req, StreamObserver<CancelResponse> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId(), "transaction_id", req.getTransactionId()), () -> {
      Validator v = new Validator();
      SaleStep step = SaleStep.parse(v, req.getRequestId(), req.hasTerminal(), req.getTerminal(), req.getTransactionId());
      v.check();
      return gateway.submit(step.terminal(), new Command.Cancel(step.requestId(), Protos.contentHash(req),
          step.terminal().institution(), step.txnId()));
    }, Protos::cancelResponse);
  }

  @Override
  public void refund(RefundRequest req, StreamObserver<RefundResponse> out) {
    Replies.send(out, Map.of("request_id", req.getRequestId(), "transaction_id", req.getTransactionId()), () -> {
      Validator v = new Validator();
      SaleStep step = SaleStep.parse(v, req.getRequestId(), req.hasTerminal(), req.getTerminal(), req.getTransactionId());
      v.check();
      return gateway.submit(step.terminal(), new Command.Refund(step.requestId(), Protos.contentHash(req),
          step.terminal().institution(), step.txnId()));
    }, Protos::refundResponse);
  }

  @Override
  public void reverse(ReverseRequest req, StreamObserver<ReverseResponse> out) {
    Replies.send(out, Map.of("original_request_id", req.getOriginalRequestId()), () -> {
      Validator v = new Validator();
      Terminal terminal = Protos.terminal(v, "terminal", req.hasTerminal(), req.getTerminal());
      String original = Protos.requestId(v, "original_request_id", req.getOriginalRequestId());
      v.check();
      return gateway.submit(terminal, new Command.Reverse(terminal.institution(), original));
    }, Protos::reverseResponse);
  }

  @Override
  public void getTransaction(GetTransactionRequest req, StreamObserver<GetTransactionResponse> out) {
    Replies.send(out, Map.of(), () -> {
      Validator v = new Validator();
      Terminal terminal = Protos.terminal(v, "terminal", req.hasTerminal(), req.getTerminal());
      String txnId = null;
      String requestId = null;
      switch (req.getKeyCase()) {
        case TRANSACTION_ID -> txnId = Protos.txnId(v, req.getTransactionId());
        case REQUEST_ID -> requestId = Protos.requestId(v, "request_id", req.getRequestId());
        default -> v.fail("key", "missing (expected: transaction_id or request_id)");
      }
      v.check();
      return gateway.submit(terminal, new Command.GetTransaction(terminal.institution(), txnId, requestId));
    }, Protos::lookupResponse);
  }

  /** What every step on an existing sale names: its own request id, the terminal, the transaction. */
  private record SaleStep(String requestId, Terminal terminal, String txnId) {
    static SaleStep parse(Validator v, String requestId, boolean hasTerminal, gongji.v1.Terminal terminal,
        String txnId) {
      return new SaleStep(Protos.requestId(v, "request_id", requestId),
          Protos.terminal(v, "terminal", hasTerminal, terminal), Protos.txnId(v, txnId));
    }
  }
}
