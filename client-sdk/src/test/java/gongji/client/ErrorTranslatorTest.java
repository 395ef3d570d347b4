package gongji.client;

import static gongji.client.Fixtures.LI_NA;
import static gongji.client.Fixtures.POS;
import static gongji.client.Fixtures.ZHAO_LEI;
import static gongji.client.Fixtures.basket;
import static gongji.client.Fixtures.options;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import gongji.client.testing.TestGateway;
import gongji.server.DemoData;
import gongji.server.domain.Masking;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Refusals of the real gateway arrive as typed exceptions with the stable reason, the status code,
 * the metadata and the field violations; blocking and async alike.
 */
class ErrorTranslatorTest {
  private TestGateway gateway;
  private GongjiClient client;

  @BeforeEach
  void start() throws Exception {
    gateway = TestGateway.inProcess();
    client = GongjiClient.create(options(POS).build(), gateway.channelBuilder());
  }

  @AfterEach
  void auditAndClose() throws Exception {
    try {
      client.close();
      assertEquals(List.of(), gateway.audit(), "ledger audit after the test");
    } finally {
      gateway.close();
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void authorize_someoneElsesCardClaimedAsLiNa_impersonation(Form form) {
    String id = client.newRequestId();

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> form.authorize(client, basket(ZHAO_LEI).psnNo(DemoData.LI_NA).requestId(id).build()));

    assertEquals(RejectionReason.IMPERSONATION, e.reason());
    assertEquals("PERMISSION_DENIED", e.statusCode());
    assertEquals(id, e.metadata().get("request_id"));
    // The claimed person masked: the same text is the fraud alert, which others review.
    assertTrue(e.getMessage().contains(Masking.psnNo(DemoData.LI_NA)), e.getMessage());
    assertEquals(Map.of(), e.fieldViolations());
    assertEquals(0, gateway.account(DemoData.LI_NA).getHeldFen());
    assertEquals(0, gateway.account(DemoData.ZHAO_LEI).getHeldFen());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void identify_unknownCard_patientNotFound(Form form) {
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> form.identify(client, Credential.card("SSC-NOBODY")));

    assertEquals(RejectionReason.PATIENT_NOT_FOUND, e.reason());
    assertEquals("NOT_FOUND", e.statusCode());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void identify_malformedTerminal_fieldInvalidNamingEachField(Form form) throws Exception {
    try (GongjiClient bad = GongjiClient.create(options(new Terminal("P620102", "POS 01", "")).build(),
        gateway.channelBuilder())) {
      GongjiRejectedException e = assertThrows(GongjiRejectedException.class, () -> form.identify(bad, LI_NA));

      assertEquals(RejectionReason.FIELD_INVALID, e.reason());
      assertEquals("INVALID_ARGUMENT", e.statusCode());
      assertEquals(Set.of("terminal.fixmedins_code", "terminal.terminal_id"), e.fieldViolations().keySet());
      assertTrue(e.fieldViolations().get("terminal.fixmedins_code").contains("P620102"), e.fieldViolations().toString());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void authorize_malformedRequestIdAndAmount_fieldInvalidWithEveryViolation(Form form) {
    SaleRequest request = SaleRequest.builder(LI_NA, SaleRequest.MedicalType.PHARMACY)
        .requestId("not an id!")
        .item(new Item("XY0001", "", Item.Category.DRUG, true, 1, 100_000_001))
        .build();

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class, () -> form.authorize(client, request));

    assertEquals(RejectionReason.FIELD_INVALID, e.reason());
    assertEquals(Set.of("request_id", "items[0].amount_fen"), e.fieldViolations().keySet());
    assertEquals("not an id!", e.metadata().get("request_id"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void settle_cancelledSale_transactionStateConflictWithItsIds(Form form) {
    Sale sale = client.authorize(basket(LI_NA).build());
    client.cancel(sale.transactionId());

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> form.settle(client, sale.transactionId()));

    assertEquals(RejectionReason.TRANSACTION_STATE_CONFLICT, e.reason());
    assertEquals("FAILED_PRECONDITION", e.statusCode());
    assertEquals(sale.transactionId(), e.metadata().get("transaction_id"));
    assertEquals(30, e.metadata().get("request_id").length());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void refund_unsettledSale_transactionStateConflict(Form form) {
    Sale sale = client.authorize(basket(LI_NA).build());

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> form.refund(client, sale.transactionId()));

    assertEquals(RejectionReason.TRANSACTION_STATE_CONFLICT, e.reason());
    assertEquals(Sale.State.AUTHORIZED, client.getTransaction(sale.transactionId()).state());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void settle_aboveTheAuthorizedTotal_amountExceedsAuthorizedOnFinalTotal(Form form) {
    Sale sale = client.authorize(basket(LI_NA).build());

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> form.settle(client, sale.transactionId(), 37_001));

    assertEquals(RejectionReason.AMOUNT_EXCEEDS_AUTHORIZED, e.reason());
    assertEquals("INVALID_ARGUMENT", e.statusCode());
    assertEquals(Set.of("final_total_fen"), e.fieldViolations().keySet());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void getTransaction_unknownId_transactionNotFound(Form form) {
    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> form.getTransaction(client, "T999999"));

    assertEquals(RejectionReason.TRANSACTION_NOT_FOUND, e.reason());
    assertEquals("NOT_FOUND", e.statusCode());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void authorize_sameIdOtherBasket_requestIdReused(Form form) {
    String id = client.newRequestId();
    client.authorize(basket(LI_NA).requestId(id).build());

    GongjiRejectedException e = assertThrows(GongjiRejectedException.class,
        () -> form.authorize(client, basket(LI_NA).useMutualAid(false).requestId(id).build()));

    assertEquals(RejectionReason.REQUEST_ID_REUSED, e.reason());
    assertEquals("ALREADY_EXISTS", e.statusCode());
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void identify_unregisteredTerminal_terminalNotRegistered(Form form) throws Exception {
    try (GongjiClient other = GongjiClient.create(options(new Terminal(DemoData.PHARMACY, "POS99", "")).build(),
        gateway.channelBuilder())) {
      GongjiRejectedException e = assertThrows(GongjiRejectedException.class, () -> form.identify(other, LI_NA));

      assertEquals(RejectionReason.TERMINAL_NOT_REGISTERED, e.reason());
      assertEquals("PERMISSION_DENIED", e.statusCode());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Form.class)
  void reverse_otherInstitutionsRequest_isNotSeen(Form form) throws Exception {
    Sale sale = client.authorize(basket(LI_NA).build());
    try (GongjiClient hospital = GongjiClient.create(options(Fixtures.HIS).build(), gateway.channelBuilder())) {
      // Request ids are the institution's own: the hospital's id of that name was never sent.
      Reversal r = form.reverse(hospital, sale.requestId());

      assertEquals(Reversal.Outcome.NOT_RECEIVED, r.outcome());
      assertEquals("", r.transactionId());
    }
    assertEquals(3_000, gateway.account(DemoData.LI_NA).getHeldFen(), "not reversed");
  }

  // ---- the translation itself -----------------------------------------------------------------

  @Test
  void translate_reasonThisSdkDoesNotKnow_unknownWithTheStatusKept() {
    StatusRuntimeException error = StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Code.FAILED_PRECONDITION.getNumber())
        .setMessage("NEW_REASON: something new")
        .addDetails(Any.pack(ErrorInfo.newBuilder().setReason("NEW_REASON").setDomain("gongji.io")
            .putMetadata("request_id", "R-1").build()))
        .addDetails(Any.pack(BadRequest.newBuilder().addFieldViolations(
            BadRequest.FieldViolation.newBuilder().setField("x").setDescription("bad")).build()))
        .build());

    GongjiException e = ErrorTranslator.translate(error, null);

    GongjiRejectedException rejected = assertInstanceOf(GongjiRejectedException.class, e);
    assertEquals(RejectionReason.UNKNOWN, rejected.reason());
    assertEquals("FAILED_PRECONDITION", rejected.statusCode());
    assertEquals(Map.of("request_id", "R-1"), rejected.metadata());
    assertEquals(Map.of("x", "bad"), rejected.fieldViolations());
    assertSame(error, rejected.getCause());
  }

  @Test
  void translate_unavailableAndDeadline_retryableWithTheRequestIdAdded() {
    GongjiException unavailable = ErrorTranslator.translate(Status.UNAVAILABLE.asRuntimeException(), "R-1");
    GongjiException deadline = ErrorTranslator.translate(Status.DEADLINE_EXCEEDED.asRuntimeException(), "R-2");
    GongjiException cancelled = ErrorTranslator.translate(Status.CANCELLED.asRuntimeException(), null);

    assertInstanceOf(GongjiRetryableException.class, unavailable);
    assertEquals(RejectionReason.LEDGER_UNAVAILABLE, unavailable.reason());
    assertEquals(Map.of("request_id", "R-1"), unavailable.metadata());
    assertInstanceOf(GongjiRetryableException.class, deadline);
    assertEquals(RejectionReason.OUTCOME_UNKNOWN, deadline.reason());
    assertEquals(Map.of("request_id", "R-2"), deadline.metadata());
    assertEquals(RejectionReason.OUTCOME_UNKNOWN, cancelled.reason());
    assertEquals(Map.of(), cancelled.metadata());
  }

  @Test
  void translate_gongjiException_passedThroughUnchanged() {
    GongjiException e = ErrorTranslator.translate(Status.UNAVAILABLE.asRuntimeException(), "R-1");

    assertSame(e, ErrorTranslator.translate(e, "R-2"));
  }
}
