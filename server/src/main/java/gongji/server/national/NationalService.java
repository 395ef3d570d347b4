package gongji.server.national;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.audit.AuditLog;
import gongji.server.domain.MedicalType;
import gongji.server.gateway.Gateway;
import gongji.server.ledger.HistoryUnavailableException;
import gongji.server.ledger.LedgerOverloadedException;
import gongji.server.ledger.LedgerQueryFailedException;
import gongji.server.ledger.LedgerUnavailableException;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.Result.Rejected;
import gongji.server.text.SafeText;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The national interface for designated institutions (两定接口) in front of the same {@link Gateway}
 * as gRPC: one request envelope in, one response envelope out. This class owns the envelope: it
 * decodes and checks the request, hands its {@code input} to the transaction's family
 * ({@link PersonTransactions}, {@link SaleTransactions}, {@link Reconciliation}) and writes the
 * response, mapping every refusal and failure to {@code infcode -1}. The gRPC port's rules hold:
 *
 * <ul>
 *   <li>{@code msgid} is the request id. The same msgid with the same content (infno, institution
 *       and {@code input}, whatever the key order; not the envelope's times or device fields) gets
 *       the original output back from the ledger; other content gets {@code infcode -1},
 *       REQUEST_ID_REUSED.
 *   <li>The caller's institution is {@code fixmedins_code} and its terminal {@code opter}, checked
 *       against the registered terminals as on the gRPC port. With {@code national.paas.file} set,
 *       every request is signed (x-tif-*, see {@link TifSignatures}) and the envelope must name the
 *       signer's institution (and terminal, for a terminal's credential); without it, whoever
 *       reaches the port can name any registered terminal, so the port stays on loopback.
 * </ul>
 *
 * <p>Refusals are {@code infcode -1} with a Chinese {@code err_msg} and our stable reason in
 * {@code gongji_reason}; amounts are yuan with two decimals, fen inside. Nothing here blocks: every
 * reply is a future.
 */
public final class NationalService {
  private static final Logger log = Logger.getLogger(NationalService.class.getName());

  /** Codes of the catalogue that a provincial platform serves and this gateway does not. */
  private static final Set<String> PLATFORM_ONLY = Set.of("1201", "1301", "1302", "1303", "1304", "1305", "1306",
      "1307", "1308", "1309", "1310", "1311", "1312", "1313", "1314", "1315", "1316", "1317", "1318", "1319", "1320",
      "1321", "1901", "2001", "2301", "2302", "2303", "2304", "2305",
      "2401", "2402", "2404", "2405", "3203", "3203A", "3204", "9101", "9102");

  /** The outpatient steps before 2206 that a provincial platform needs and this gateway does not. */
  private static final Set<String> OUTPATIENT_STEPS = Set.of("2201", "2202", "2203", "2203A", "2204", "2205");

  private final InstantSource clock;
  private final TifSignatures signatures;
  /** Null when calls are not audited. */
  private final NationalAudit audit;
  private final PersonTransactions persons;
  private final SaleTransactions sales;
  private final Reconciliation reconciliation;
  private final AtomicLong serial = new AtomicLong();

  /**
   * @param mulaidInAcctPay whether {@code acct_pay} includes {@code acct_mulaid_pay} (the default:
   *     then {@code psn_part_amt = acct_pay + psn_cash_pay}); false for provinces that report
   *     the relatives' part beside the own account's ({@code acct_pay} = own account only)
   */
  public NationalService(Gateway gateway, InstantSource clock, boolean mulaidInAcctPay) {
    requireNonNull(gateway, "gateway");
    this.clock = requireNonNull(clock, "clock");
    this.signatures = null;
    this.audit = null;
    this.persons = new PersonTransactions(gateway, clock);
    this.sales = new SaleTransactions(gateway, new SetlInfo(mulaidInAcctPay));
    this.reconciliation = new Reconciliation(gateway, mulaidInAcctPay);
  }

  private NationalService(NationalService base, TifSignatures signatures, NationalAudit audit) {
    this.clock = base.clock;
    this.signatures = signatures;
    this.audit = audit;
    this.persons = base.persons;
    this.sales = base.sales;
    this.reconciliation = base.reconciliation;
  }

  /** This service (the same pre-settlements) taking only requests signed by one of {@code signatures}' callers. */
  public NationalService signedBy(TifSignatures signatures) {
    return new NationalService(this, requireNonNull(signatures, "signatures"), audit);
  }

  /** This service (the same pre-settlements) writing a record of each call but the reads to {@code audit}. */
  public NationalService auditedBy(AuditLog audit) {
    return new NationalService(this, signatures, new NationalAudit(audit));
  }

  /**
   * {@link #call(ByteBuffer, TifSignatures.Headers, SocketAddress)} without signature headers from an
   * unknown peer, the envelope as a tree.
   */
  public CompletableFuture<ObjectNode> call(ByteBuffer body) {
    return call(body, TifSignatures.Headers.NONE, null).thenApply(ResponseEnvelope::tree);
  }

  /** What is known of a call as it is read: for its audit record. */
  private static final class Arrival {
    final long receivedMillis;
    TifSignatures.Caller caller;
    Envelope env;

    Arrival(long receivedMillis) {
      this.receivedMillis = receivedMillis;
    }
  }

  /**
   * Answers one request body from {@code peer} (null if unknown) with the response envelope, and
   * audits the call (see {@link NationalAudit}); never throws and never fails.
   */
  CompletableFuture<ResponseEnvelope> call(ByteBuffer body, TifSignatures.Headers headers, SocketAddress peer) {
    Arrival a = new Arrival(clock.millis());
    CompletableFuture<ResponseEnvelope> reply = answer(body, headers, a);
    if (audit == null) {
      return reply;
    }
    return reply.thenApply(r -> {
      try {
        if (NationalAudit.audited(a.env)) {
          audit.write(a.receivedMillis, peer, a.caller, a.env, r);
        }
      } catch (RuntimeException e) {
        log.log(Level.SEVERE, "an audit record of the national interface could not be made", e);
      }
      return r;
    });
  }

  /**
   * Answers one request body with the response envelope. Never throws and never fails: a bad
   * signature, bad input, refusals and failures of the gateway all become {@code infcode -1}. When
   * signatures are configured, the signature is checked before the body is read, and the
   * envelope's {@code fixmedins_code} (and {@code opter}, for a terminal's credential) must be the
   * signer's.
   */
  private CompletableFuture<ResponseEnvelope> answer(ByteBuffer body, TifSignatures.Headers headers, Arrival arrival) {
    long receivedMillis = arrival.receivedMillis;
    TifSignatures.Caller caller = null;
    if (signatures != null) {
      TifSignatures.Verdict v = signatures.verify(headers);
      if (v instanceof TifSignatures.Verdict.Refused x) {
        return CompletableFuture.completedFuture(failure(null, receivedMillis, x.reason(), x.errMsg(), x.detail()));
      }
      caller = ((TifSignatures.Verdict.Verified) v).caller();
      arrival.caller = caller;
    }
    Envelope env = null;
    CompletableFuture<Reply> reply;
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(body).toString();
      env = Envelope.of(Json.read(text), text.length());
      arrival.env = env;
      if (caller != null) {
        checkCaller(env, caller);
      }
      reply = dispatch(env);
    } catch (CharacterCodingException e) {
      return CompletableFuture.completedFuture(failure(null, receivedMillis, "NOT_UTF8",
          "报文不是UTF-8编码，请按UTF-8发送", "the body is not valid UTF-8"));
    } catch (BadEnvelopeException e) {
      return CompletableFuture.completedFuture(failure(env, receivedMillis, e.reason(), e.errMsg(), e.getMessage()));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(internal(env, receivedMillis, e));
    }
    Envelope request = env;
    return reply.handle((r, error) -> {
      try {
        if (error != null) {
          return error(request, receivedMillis, error);
        }
        if (r.refused() != null) {
          Rejected x = r.refused();
          return failure(request, receivedMillis, x.outcome().name(), Refusals.errMsg(x.outcome()), x.detail());
        }
        return new ResponseEnvelope(0, refMsgId(request), receivedMillis, clock.millis(), null, r.output(), null, null);
      } catch (RuntimeException e) {
        return internal(request, receivedMillis, e);
      }
    });
  }

  /** The envelope must name the signer's institution, and its terminal when the credential is a terminal's. */
  private static void checkCaller(Envelope env, TifSignatures.Caller caller) {
    if (!env.fixmedinsCode().equals(caller.institution())) {
      throw new BadEnvelopeException("PERMISSION_DENIED", "fixmedins_code（" + env.fixmedinsCode()
          + "）与接入方" + caller.paasId() + "登记的机构不符", "fixmedins_code " + env.fixmedinsCode()
          + " is not the institution of x-tif-paasid " + caller.paasId() + " (expected: " + caller.institution() + ")");
    }
    if (caller.terminal() != null && !env.opter().equals(caller.terminal())) {
      throw new BadEnvelopeException("PERMISSION_DENIED", "opter（" + env.opter() + "）与接入方" + caller.paasId()
          + "登记的终端不符", "opter " + env.opter() + " is not the terminal of x-tif-paasid " + caller.paasId()
          + " (expected: " + caller.terminal() + ")");
    }
  }

  private CompletableFuture<Reply> dispatch(Envelope env) {
    return switch (env.infno()) {
      case "9001" -> persons.signIn(env, "signIn", "signinoutb");
      case "9002" -> persons.signIn(env, "signOut", "signoutoutb");
      case "1101" -> persons.personInfo(env);
      case "2101" -> sales.presettle(env, "druginfo", MedicalType.PHARMACY);
      case "2206" -> sales.presettle(env, "data", MedicalType.OUTPATIENT);
      case "2102" -> sales.settle(env, "druginfo", MedicalType.PHARMACY);
      case "2207" -> sales.settle(env, "data", MedicalType.OUTPATIENT);
      case "2103", "2208" -> sales.cancel(env);
      case "2601" -> sales.reverse(env);
      case "5203" -> sales.lookup(env);
      case "3201" -> reconciliation.reconcile(env);
      case "3202" -> reconciliation.reconcileDetail(env);
      default -> throw OUTPATIENT_STEPS.contains(env.infno())
          ? new BadEnvelopeException("INFNO_NOT_NEEDED", "本网关门诊结算无需" + env.infno()
              + "（挂号、就诊信息、费用明细上传及其撤销）：请直接用2206预结算、2207结算，费用总额和自费部分放在data中",
              "infno " + env.infno() + " is not needed here: an outpatient sale is 2206 then 2207, the bill's total and"
                  + " self-paid parts in input.data (no registration, visit or fee-line upload); undo with 2208")
          : PLATFORM_ONLY.contains(env.infno())
          ? new BadEnvelopeException("INFNO_NOT_SERVED", "本网关不办理交易" + env.infno()
              + "（目录下载、文件上传、住院等请向省级医保平台办理）", "infno " + env.infno() + " is served by the provincial platform only")
          : new BadEnvelopeException("INFNO_UNKNOWN", "不支持的交易编号infno：" + env.infno(),
              "infno " + env.infno() + " is not a transaction of the national interface served here");
    };
  }

  /** The receiver's message id for a reply to {@code env} (null: unread). */
  private String refMsgId(Envelope env) {
    return refMsgId(env == null ? "000000" : env.mdtrtareaAdmvs());
  }

  /** The receiver's message id: area (6) + yyyyMMddHHmmss (14) + serial (10) = 30 characters. */
  private String refMsgId(String admdvs) {
    long n = Math.floorMod(serial.incrementAndGet(), 10_000_000_000L);
    return admdvs + Times.seconds(clock.millis()) + Times.padded(n, 10);
  }

  private ResponseEnvelope failure(Envelope env, long receivedMillis, String reason, String errMsg, String detail) {
    return new ResponseEnvelope(-1, refMsgId(env), receivedMillis, clock.millis(), SafeText.prefix(errMsg, 200), null,
        reason, SafeText.cut(detail, 500));
  }

  private ResponseEnvelope error(Envelope env, long receivedMillis, Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof BadEnvelopeException bad) {
      return failure(env, receivedMillis, bad.reason(), bad.errMsg(), bad.getMessage());
    }
    if (e instanceof LedgerUnavailableException || e instanceof LedgerOverloadedException) {
      return failure(env, receivedMillis, "LEDGER_UNAVAILABLE", Refusals.errMsg(Outcome.LEDGER_UNAVAILABLE),
          e.getMessage() + "; retry the same envelope with the same msgid");
    }
    if (e instanceof HistoryUnavailableException) {
      return failure(env, receivedMillis, "HISTORY_UNAVAILABLE", "对账数据暂时无法查询，结算不受影响，请稍后重试",
          e.getMessage());
    }
    if (e instanceof LedgerQueryFailedException) {
      return failure(env, receivedMillis, "INTERNAL_ERROR", "网关查询失败，未做任何变更，请稍后重试",
          "the ledger could not answer this query; nothing was changed");
    }
    return internal(env, receivedMillis, e);
  }

  private ResponseEnvelope internal(Envelope env, long receivedMillis, Throwable e) {
    log.log(Level.SEVERE, "internal error on the national interface", e);
    return failure(env, receivedMillis, "INTERNAL_ERROR", "网关内部错误，请用原msgid查询或冲正后再办理",
        "internal error; the error is logged on the gateway");
  }
}
