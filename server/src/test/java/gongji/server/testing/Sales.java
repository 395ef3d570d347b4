package gongji.server.testing;

import gongji.v1.AuthorizeRequest;
import gongji.v1.CancelRequest;
import gongji.v1.Credential;
import gongji.v1.CredentialType;
import gongji.v1.GetTransactionRequest;
import gongji.v1.IdentifyRequest;
import gongji.v1.ItemCategory;
import gongji.v1.LineItem;
import gongji.v1.MedicalType;
import gongji.v1.RefundRequest;
import gongji.v1.ReverseRequest;
import gongji.v1.SettleRequest;
import gongji.v1.Terminal;
import java.util.concurrent.atomic.AtomicInteger;

/** Builders for the requests a terminal sends, with the defaults a pharmacy counter would use. */
public final class Sales {
  private static final AtomicInteger ITEMS = new AtomicInteger();

  private Sales() {}

  public static Terminal terminal(String fixmedinsCode, String terminalId) {
    return Terminal.newBuilder().setFixmedinsCode(fixmedinsCode).setTerminalId(terminalId).setOperatorId("op-7").build();
  }

  /** A social security card. */
  public static Credential card(String number) {
    return Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD).setNumber(number).build();
  }

  /** An in-scope line item. */
  public static LineItem item(ItemCategory category, long amountFen) {
    return item(category, amountFen, true);
  }

  public static LineItem item(ItemCategory category, long amountFen, boolean inPolicyScope) {
    return LineItem.newBuilder()
        .setCode("X" + ITEMS.incrementAndGet())
        .setName(category.name().toLowerCase())
        .setCategory(category)
        .setInPolicyScope(inPolicyScope)
        .setQuantity(1)
        .setAmountFen(amountFen)
        .build();
  }

  public static IdentifyRequest identify(Terminal terminal, Credential credential) {
    return IdentifyRequest.newBuilder().setTerminal(terminal).setCredential(credential).build();
  }

  /** A pharmacy sale that may use the own account and mutual aid; add items. */
  public static AuthorizeRequest.Builder authorize(String requestId, Terminal terminal, Credential credential,
      LineItem... items) {
    AuthorizeRequest.Builder b = AuthorizeRequest.newBuilder()
        .setRequestId(requestId)
        .setTerminal(terminal)
        .setCredential(credential)
        .setMedicalType(MedicalType.MEDICAL_TYPE_PHARMACY); // accounts and mutual aid by default
    for (LineItem item : items) {
      b.addItems(item);
    }
    return b;
  }

  public static SettleRequest settle(String requestId, Terminal terminal, String txnId) {
    return SettleRequest.newBuilder().setRequestId(requestId).setTerminal(terminal).setTransactionId(txnId).build();
  }

  public static SettleRequest settle(String requestId, Terminal terminal, String txnId, long finalTotalFen) {
    return settle(requestId, terminal, txnId).toBuilder().setFinalTotalFen(finalTotalFen).build();
  }

  public static CancelRequest cancel(String requestId, Terminal terminal, String txnId) {
    return CancelRequest.newBuilder().setRequestId(requestId).setTerminal(terminal).setTransactionId(txnId).build();
  }

  public static RefundRequest refund(String requestId, Terminal terminal, String txnId) {
    return RefundRequest.newBuilder().setRequestId(requestId).setTerminal(terminal).setTransactionId(txnId).build();
  }

  public static ReverseRequest reverse(Terminal terminal, String originalRequestId) {
    return ReverseRequest.newBuilder().setTerminal(terminal).setOriginalRequestId(originalRequestId).build();
  }

  public static GetTransactionRequest byTransactionId(Terminal terminal, String txnId) {
    return GetTransactionRequest.newBuilder().setTerminal(terminal).setTransactionId(txnId).build();
  }

  public static GetTransactionRequest byRequestId(Terminal terminal, String requestId) {
    return GetTransactionRequest.newBuilder().setTerminal(terminal).setRequestId(requestId).build();
  }
}
