package gongji.server.national;

import gongji.server.text.SafeText;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.domain.Credential;
import gongji.server.domain.CredentialType;
import gongji.server.domain.InsuranceType;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import gongji.server.gateway.Gateway;
import gongji.server.gateway.SaleRequest;
import gongji.server.gateway.Terminal;
import gongji.server.ledger.Command;
import gongji.server.ledger.HistoryQuery;
import gongji.server.ledger.HistoryUnavailableException;
import gongji.server.ledger.LedgerQueryFailedException;
import gongji.server.ledger.LedgerUnavailableException;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.RequestKind;
import gongji.server.ledger.Result;
import gongji.server.ledger.Result.Rejected;
import gongji.server.ledger.ReversalOutcome;
import gongji.server.ledger.TxnState;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The national interface for designated institutions (两定接口) in front of the same {@link Gateway}
 * as gRPC: one request envelope in, one response envelope out. Translate, call, translate, with the
 * gRPC port's rules:
 *
 * <ul>
 *   <li>{@code msgid} is the request id. The same msgid with the same content (infno, institution
 *       and {@code input}, whatever the key order; not the envelope's times or device fields) gets
 *       the original output back from the ledger; other content gets {@code infcode -1},
 *       REQUEST_ID_REUSED.
 *   <li>The caller's institution is {@code fixmedins_code} and its terminal {@code opter}, checked
 *       against the registered terminals as on the gRPC port. There is no per-caller credential on
 *       this port yet (nor, without {@code auth.tokens.file}, on the gRPC port): whoever reaches the
 *       port can name any registered terminal. Keep it on a network only institutions reach.
 *   <li>2101 (2206) is our Authorize: it places a hold for the split it returns. 2102 (2207) is
 *       Settle of that hold, found by the {@code mdtrt_id} that 2101 returned when the request
 *       carries it, else by the same input (see {@link PendingPresettlements}), else 2102
 *       authorizes (under {@code msgid + "A"}) and settles (under {@code msgid}) in one step.
 *   <li>2103 (2208) refunds a settled sale and cancels an unsettled one; 2601 reverses the request
 *       {@code omsgid} (for a 2102, its settlement and the authorization made with it).
 * </ul>
 *
 * <p>Refusals are {@code infcode -1} with a Chinese {@code err_msg} and our stable reason in
 * {@code gongji_reason}; amounts are yuan with two decimals, fen inside. Nothing here blocks: every
 * reply is a future.
 */
public final class NationalService {
  private static final Logger log = Logger.getLogger(NationalService.class.getName());

  /** Line items of one sale, as on the gRPC port. */
  static final int MAX_ITEMS = 200;
  /** The longest reconciliation period of a 3201/3202, in days. */
  static final int MAX_RECONCILE_DAYS = 31;
  /** Rows of a 3202 answer; the rest is announced by {@code gongji_more}. */
  static final int MAX_DETAIL_ROWS = 5_000;
  private static final int DETAIL_PAGE = 1_000;

  private static final ZoneOffset CHINA = ZoneOffset.ofHours(8);
  private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyyMMddHHmmssSSS").withZone(CHINA);
  private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(CHINA);
  private static final DateTimeFormatter READABLE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(CHINA);

  /** Codes of the catalogue that a provincial platform serves and this gateway does not. */
  private static final Set<String> PLATFORM_ONLY = Set.of("1201", "1301", "1302", "1303", "1304", "1305", "1306",
      "1307", "1308", "1309", "1310", "1311", "1312", "1313", "1314", "1315", "1316", "1317", "1318", "1319", "1320",
      "1321", "1901", "2001", "2201", "2202", "2203", "2203A", "2204", "2205", "2301", "2302", "2303", "2304", "2305",
      "2401", "2402", "2404", "2405", "3203", "3203A", "3204", "9101", "9102");

  private final Gateway gateway;
  private final InstantSource clock;
  private final boolean mulaidInAcctPay;
  private final PendingPresettlements pending = new PendingPresettlements();
  private final AtomicLong serial = new AtomicLong();

  /**
   * @param mulaidInAcctPay whether {@code acct_pay} includes {@code acct_mulaid_pay} (the default:
   *     then {@code psn_part_amt = acct_pay + psn_cash_pay}); false for provinces that report
   *     the relatives' part beside the own account's ({@code acct_pay} = own account only)
   */
  public NationalService(Gateway gateway, InstantSource clock, boolean mulaidInAcctPay) {
    this.gateway = requireNonNull(gateway, "gateway");
    this.clock = requireNonNull(clock, "clock");
    this.mulaidInAcctPay = mulaidInAcctPay;
  }

  /** What a transaction answers: an output, or a refusal. */
  private record Reply(JsonNode output, Rejected refused) {
    static Reply of(JsonNode output) {
      return new Reply(output, null);
    }
  }

  // ---- the envelope ----------------------------------------------------------------------------

  /**
   * Answers one request body with the response envelope. Never throws and never fails: bad input,
   * refusals and failures of the gateway all become {@code infcode -1}.
   */
  public CompletableFuture<ObjectNode> call(ByteBuffer body) {
    long receivedMillis = clock.millis();
    Envelope env;
    CompletableFuture<Reply> reply;
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(body).toString();
      env = Envelope.of(Json.read(text));
      reply = dispatch(env);
    } catch (CharacterCodingException e) {
      return CompletableFuture.completedFuture(failure(null, receivedMillis, "NOT_UTF8",
          "报文不是UTF-8编码，请按UTF-8发送", "the body is not valid UTF-8"));
    } catch (BadEnvelopeException e) {
      return CompletableFuture.completedFuture(failure(null, receivedMillis, e.reason(), e.errMsg(), e.getMessage()));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(internal(null, receivedMillis, e));
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
        ObjectNode out = envelope(request, receivedMillis, 0);
        out.putNull("err_msg");
        out.set("output", r.output());
        return out;
      } catch (RuntimeException e) {
        return internal(request, receivedMillis, e);
      }
    });
  }

  private CompletableFuture<Reply> dispatch(Envelope env) {
    return switch (env.infno()) {
      case "9001" -> signIn(env, "signIn", "signinoutb");
      case "9002" -> signIn(env, "signOut", "signoutoutb");
      case "1101" -> personInfo(env);
      case "2101" -> presettle(env, "druginfo", MedicalType.PHARMACY);
      case "2206" -> presettle(env, "data", MedicalType.OUTPATIENT);
      case "2102" -> settle(env, "druginfo", MedicalType.PHARMACY);
      case "2207" -> settle(env, "data", MedicalType.OUTPATIENT);
      case "2103", "2208" -> cancel(env);
      case "2601" -> reverse(env);
      case "5203" -> lookup(env);
      case "3201" -> reconcile(env);
      case "3202" -> reconcileDetail(env);
      default -> throw PLATFORM_ONLY.contains(env.infno())
          ? new BadEnvelopeException("INFNO_NOT_SERVED", "本网关不办理交易" + env.infno()
              + "（目录下载、文件上传、住院等请向省级医保平台办理）", "infno " + env.infno() + " is served by the provincial platform only")
          : new BadEnvelopeException("INFNO_UNKNOWN", "不支持的交易编号infno：" + env.infno(),
              "infno " + env.infno() + " is not a transaction of the national interface served here");
    };
  }

  private ObjectNode envelope(Envelope env, long receivedMillis, int infcode) {
    ObjectNode out = Json.object();
    out.put("infcode", infcode);
    out.put("inf_refmsgid", refMsgId(env == null ? "000000" : env.mdtrtareaAdmvs()));
    out.put("refmsg_time", MILLIS.format(Instant.ofEpochMilli(receivedMillis)));
    out.put("respond_time", MILLIS.format(Instant.ofEpochMilli(clock.millis())));
    out.putNull("warn_msg");
    out.putNull("cainfo");
    out.putNull("signtype");
    return out;
  }

  /** The receiver's message id: area (6) + yyyyMMddHHmmss (14) + serial (10) = 30 characters. */
  private String refMsgId(String admdvs) {
    long n = Math.floorMod(serial.incrementAndGet(), 10_000_000_000L);
    return admdvs + SECONDS.format(Instant.ofEpochMilli(clock.millis())) + String.format("%010d", n);
  }

  private ObjectNode failure(Envelope env, long receivedMillis, String reason, String errMsg, String detail) {
    ObjectNode out = envelope(env, receivedMillis, -1);
    out.put("err_msg", SafeText.prefix(errMsg, 200));
    out.putNull("output");
    out.put("gongji_reason", reason);
    out.put("gongji_detail", SafeText.cut(detail, 500));
    return out;
  }

  private ObjectNode error(Envelope env, long receivedMillis, Throwable error) {
    Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (e instanceof BadEnvelopeException bad) {
      return failure(env, receivedMillis, bad.reason(), bad.errMsg(), bad.getMessage());
    }
    if (e instanceof LedgerUnavailableException || e instanceof gongji.server.ledger.LedgerOverloadedException) {
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

  private ObjectNode internal(Envelope env, long receivedMillis, Throwable e) {
    log.log(Level.SEVERE, "internal error on the national interface", e);
    return failure(env, receivedMillis, "INTERNAL_ERROR", "网关内部错误，请用原msgid查询或冲正后再办理",
        "internal error; the error is logged on the gateway");
  }

  // ---- 9001 / 9002 -----------------------------------------------------------------------------

  /** Sign-in and sign-out: the terminal must be registered; the sign_no is not required later. */
  private CompletableFuture<Reply> signIn(Envelope env, String node, String outNode) {
    JsonNode in = Fields.object(env.input(), node);
    Fields.optional(in, "opter_no", 30);
    String signNo = node.equals("signOut") ? Fields.required(in, "sign_no", 30) : null;
    Terminal terminal = env.terminal();
    return translate(gateway.submit(terminal, new Command.LoadReference(Command.ReferenceKind.INSTITUTION,
        terminal.institution())), r -> {
          long now = clock.millis();
          ObjectNode out = Json.object();
          ObjectNode b = out.putObject(outNode);
          b.put("sign_time", READABLE.format(Instant.ofEpochMilli(now)));
          b.put("sign_no", signNo != null ? signNo
              : SECONDS.format(Instant.ofEpochMilli(now)) + String.format("%016d", serial.incrementAndGet()));
          return out;
        });
  }

  // ---- 1101 ------------------------------------------------------------------------------------

  private CompletableFuture<Reply> personInfo(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    String psnNo = Fields.optional(d, "psn_no", 30, Fields.PSN_NO, "1..30 letters or digits");
    Credential credential = credential(d, psnNo == null);
    Terminal terminal = env.terminal();
    CompletableFuture<Result> identity = credential != null ? gateway.identify(terminal, credential, psnNo)
        : gateway.submit(terminal, new Command.Identify(psnNo, terminal.institution()));
    return translate(identity, r -> {
      Result.Identity i = (Result.Identity) r;
      ObjectNode out = Json.object();
      ObjectNode base = out.putObject("baseinfo");
      base.put("psn_no", i.psnNo());
      base.putNull("psn_cert_type");
      base.putNull("certno");
      base.put("psn_name", i.nameMasked());
      base.putNull("gend");
      base.putNull("naty");
      base.putNull("brdy");
      base.putNull("age");
      ObjectNode insu = out.putArray("insuinfo").addObject();
      insu.put("balc", Yuan.of(i.hasAccount() ? i.availableFen() : 0));
      insu.put("insutype", insutype(i.insuranceType()));
      insu.putNull("psn_type");
      insu.put("psn_insu_stas", insuredStatus(i.status()));
      insu.putNull("psn_insu_date");
      insu.putNull("paus_insu_date");
      insu.put("cvlserv_flag", "0");
      insu.put("insuplc_admdvs", i.admdvs());
      insu.putNull("emp_name");
      out.putArray("idetinfo");
      ObjectNode aid = out.putObject("gongji_mulaid");
      aid.put("has_acct", i.hasAccount());
      aid.put("acct_balc", Yuan.of(i.balanceFen()));
      aid.put("acct_available", Yuan.of(i.availableFen()));
      aid.put("psn_insu_stas_name", i.status().name());
      long total = 0;
      ArrayNode sources = aid.putArray("sources");
      for (Result.AidSource s : i.aidSources()) {
        ObjectNode o = sources.addObject();
        o.put("binding_id", s.bindingId());
        o.put("authorizer_name", s.authorizerMasked());
        o.put("relationship", s.relationship().name());
        o.put("available", Yuan.of(s.availableFen()));
        o.put("wallet_transfer_id", s.walletTransferId());
        total = Math.addExact(total, s.availableFen());
      }
      aid.put("mulaid_available", Yuan.of(total));
      return out;
    });
  }

  // ---- 2101 / 2206 -----------------------------------------------------------------------------

  /** A sale as 2101/2102 (2206/2207) describe it, checked. */
  private record Sale(JsonNode info, Credential credential, String psnNo, String medType, MedicalType medicalType,
      String insutype, long totalFen, List<LineItem> items, boolean useAccount, boolean useMutualAid, long inputHash) {}

  private Sale sale(Envelope env, String node, MedicalType expected) {
    JsonNode info = Fields.object(env.input(), node);
    String psnNo = Fields.optional(info, "psn_no", 30, Fields.PSN_NO, "1..30 letters or digits");
    Credential credential = credential(info, true);
    String medType = Fields.required(info, "med_type", 6);
    MedicalType medicalType = medicalType(medType);
    if ((expected == MedicalType.PHARMACY) != (medicalType == MedicalType.PHARMACY)) {
      throw Fields.invalid("med_type", medType, expected == MedicalType.PHARMACY ? "应为41（定点药店购药）"
          : "应为门诊类别（11、14）", expected == MedicalType.PHARMACY ? "expected: 41" : "expected: 11 or 14");
    }
    String insutype = Fields.optional(info, "insutype", 6);
    long totalFen = Fields.yuan(info, "medfee_sumamt");
    String flag = Fields.optional(info, "acct_used_flag", 1);
    if (flag != null && !flag.equals("0") && !flag.equals("1")) {
      throw Fields.invalid("acct_used_flag", flag, "应为0或1", "expected: 0 or 1");
    }
    boolean useAccount = !"0".equals(flag);
    String aidFlag = Fields.optional(info, "gongji_use_mulaid", 1);
    boolean useMutualAid = useAccount && !"0".equals(aidFlag);
    List<LineItem> items = expected == MedicalType.PHARMACY ? drugLines(env.input(), info, totalFen)
        : outpatientLines(info, totalFen);
    ObjectNode key = info.deepCopy();
    key.remove("mdtrt_id");
    ObjectNode keyed = Json.object();
    keyed.set("info", key);
    keyed.set("lines", lines(env.input(), info));
    long inputHash = Json.contentHash("sale", env.fixmedinsCode(), keyed);
    return new Sale(info, credential, psnNo, medType, medicalType, insutype, totalFen, items, useAccount, useMutualAid,
        inputHash);
  }

  /** {@code drugdetail} beside {@code druginfo} in {@code input}, or inside it (both are seen). */
  private static JsonNode lines(JsonNode input, JsonNode info) {
    JsonNode lines = input.get("drugdetail");
    if (lines == null || lines.isNull()) {
      lines = info.get("drugdetail");
    }
    return lines == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : lines;
  }

  private static List<LineItem> drugLines(JsonNode input, JsonNode info, long totalFen) {
    JsonNode lines = lines(input, info);
    if (!lines.isArray() || lines.isEmpty()) {
      throw new BadEnvelopeException("FIELD_MISSING", "缺少药品明细drugdetail", "drugdetail: missing (expected: 1.."
          + MAX_ITEMS + " lines)");
    }
    if (lines.size() > MAX_ITEMS) {
      throw Fields.invalid("drugdetail", lines.size() + "条", "超过" + MAX_ITEMS + "条", "expected: at most " + MAX_ITEMS);
    }
    List<LineItem> items = new ArrayList<>(lines.size());
    long sum = 0;
    for (JsonNode line : lines) {
      if (!line.isObject()) {
        throw Fields.invalid("drugdetail", line.toString(), "应为JSON对象", "expected: objects");
      }
      Fields.required(line, "feedetl_sn", 30);
      String code = Fields.required(line, "med_list_codg", 50);
      long amountFen = Fields.yuan(line, "det_item_fee_sumamt");
      String category = Fields.optional(line, "gongji_item_category", 30);
      ItemCategory c = ItemCategory.DRUG;
      if (category != null) {
        try {
          c = ItemCategory.valueOf(category);
        } catch (IllegalArgumentException e) {
          throw Fields.invalid("gongji_item_category", category, "不是已知类别", "expected: DRUG, MEDICAL_DEVICE, ...");
        }
      }
      String inScope = Fields.optional(line, "gongji_in_scope", 1);
      items.add(new LineItem(code, c, !"0".equals(inScope), 1, amountFen));
      sum = Math.addExact(sum, amountFen);
    }
    if (sum != totalFen) {
      throw new BadEnvelopeException("FIELD_INVALID", "医疗费总额medfee_sumamt（" + Yuan.of(totalFen)
          + "）与明细合计（" + Yuan.of(sum) + "）不符", "medfee_sumamt " + Yuan.of(totalFen)
          + " != sum of drugdetail " + Yuan.of(sum));
    }
    return items;
  }

  /** An outpatient bill without uploaded fee lines: the in-scope part and the self-paid rest. */
  private static List<LineItem> outpatientLines(JsonNode info, long totalFen) {
    long outOfScope = 0;
    for (String f : List.of("fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt")) {
      Long v = Fields.optionalYuan(info, f);
      outOfScope = Math.addExact(outOfScope, v == null ? 0 : v);
    }
    if (outOfScope > totalFen) {
      throw Fields.invalid("fulamt_ownpay_amt", Yuan.of(outOfScope).toPlainString(), "等自付部分超过医疗费总额",
          "expected: self-paid parts <= medfee_sumamt");
    }
    String batch = Fields.optional(info, "chrg_bchno", 30);
    String code = batch == null ? "OUTPATIENT" : batch;
    List<LineItem> items = new ArrayList<>(2);
    if (totalFen - outOfScope > 0 || outOfScope == 0) {
      items.add(new LineItem(code, ItemCategory.MEDICAL_SERVICE, true, 1, totalFen - outOfScope));
    }
    if (outOfScope > 0) {
      items.add(new LineItem(code, ItemCategory.MEDICAL_SERVICE, false, 1, outOfScope));
    }
    return items;
  }

  private CompletableFuture<Reply> presettle(Envelope env, String node, MedicalType type) {
    Sale s = sale(env, node, type);
    long hash = Json.contentHash(env.infno(), env.fixmedinsCode(), env.input());
    CompletableFuture<Result> held = gateway.authorize(new SaleRequest(env.msgid(), hash, env.terminal(),
        s.credential(), s.psnNo(), s.medicalType(), s.items(), s.useAccount(), s.useMutualAid()));
    return translate(held, r -> {
      Result.Sale sale = (Result.Sale) r;
      if (sale.txn().state() == TxnState.AUTHORIZED) {
        pending.put(env.fixmedinsCode(), s.inputHash(), sale.txn().txnId());
      }
      ObjectNode out = Json.object();
      out.set("setlinfo", setlinfo(sale.txn(), sale.breakdown(), "", s.psnNo(), s.medType(), s.insutype(),
          certType(s.credential()), env.msgid(), 1));
      out.putArray("setldetail");
      return out;
    });
  }

  // ---- 2102 / 2207 -----------------------------------------------------------------------------

  private CompletableFuture<Reply> settle(Envelope env, String node, MedicalType type) {
    Sale s = sale(env, node, type);
    String mdtrtId = Fields.optional(s.info(), "mdtrt_id", 30);
    long hash = Json.contentHash(env.infno(), env.fixmedinsCode(), env.input());
    Terminal terminal = env.terminal();
    String institution = env.fixmedinsCode();
    Function<String, CompletableFuture<Result>> settleTxn = txnId -> gateway.submit(terminal,
        new Command.Settle(env.msgid(), hash, institution, txnId, s.totalFen()));
    CompletableFuture<Result> settled;
    boolean byMdtrtId = mdtrtId != null && Fields.TXN_ID.matcher(mdtrtId).matches();
    String presettled = byMdtrtId ? null : pending.take(institution, s.inputHash());
    if (byMdtrtId) {
      settled = settleTxn.apply(mdtrtId);
    } else if (presettled != null) {
      settled = settleTxn.apply(presettled).whenComplete((r, error) -> {
        if (error != null) {
          pending.putBack(institution, s.inputHash(), presettled);
        }
      });
    } else {
      // No pre-settlement known: a resend finds its own earlier settlement, else authorize and settle in one step.
      settled = gateway.submit(terminal, new Command.GetTransaction(institution, null, env.msgid()))
          .thenCompose(seen -> {
            if (seen instanceof Result.Lookup l) {
              // The msgid was seen: a settlement replays (or is refused as other content); nothing new is held.
              if (l.request().kind() == RequestKind.SETTLE && l.txn() != null) {
                return settleTxn.apply(l.txn().txnId());
              }
              return CompletableFuture.completedFuture(l.request().kind() == RequestKind.TOMBSTONE
                  ? new Rejected(Outcome.REQUEST_ID_REVERSED, "msgid " + env.msgid() + " was reversed (2601)")
                  : new Rejected(Outcome.REQUEST_ID_REUSED, "msgid " + env.msgid() + " was already used for a "
                      + l.request().kind() + " request"));
            }
            if (seen instanceof Rejected x && x.outcome() != Outcome.REQUEST_NOT_FOUND) {
              return CompletableFuture.completedFuture(seen);
            }
            return gateway.authorize(new SaleRequest(env.msgid() + "A", hash, terminal, s.credential(), s.psnNo(),
                s.medicalType(), s.items(), s.useAccount(), s.useMutualAid())).thenCompose(held -> held instanceof
                    Result.Sale sale ? settleTxn.apply(sale.txn().txnId()) : CompletableFuture.completedFuture(held));
          });
    }
    return translate(settled, r -> {
      Result.Sale sale = (Result.Sale) r;
      ObjectNode out = Json.object();
      out.set("setlinfo", setlinfo(sale.txn(), sale.breakdown(), sale.txn().txnId(), s.psnNo(), s.medType(),
          s.insutype(), certType(s.credential()), env.msgid(), 1));
      out.putArray("setldetail");
      if (type == MedicalType.PHARMACY) {
        out.putArray("detlcutinfo");
      }
      return out;
    });
  }

  // ---- 2103 / 2208 -----------------------------------------------------------------------------

  private CompletableFuture<Reply> cancel(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    String setlId = Fields.optional(d, "setl_id", 30);
    String mdtrtId = Fields.optional(d, "mdtrt_id", 30);
    String psnNo = Fields.optional(d, "psn_no", 30, Fields.PSN_NO, "1..30 letters or digits");
    String txnId = setlId != null ? setlId : mdtrtId;
    if (txnId == null) {
      throw new BadEnvelopeException("FIELD_MISSING", "缺少必填字段setl_id", "setl_id: missing (expected: a value)");
    }
    Terminal terminal = env.terminal();
    String institution = env.fixmedinsCode();
    if (!Fields.TXN_ID.matcher(txnId).matches()) {
      return CompletableFuture.completedFuture(new Reply(null, new Rejected(Outcome.TRANSACTION_NOT_FOUND,
          "setl_id " + txnId + " is not a settlement of this gateway")));
    }
    long hash = Json.contentHash(env.infno(), institution, env.input());
    CompletableFuture<Result> done = gateway.submit(terminal, new Command.GetTransaction(institution, txnId, null))
        .thenCompose(seen -> {
          if (!(seen instanceof Result.Lookup l)) {
            return CompletableFuture.completedFuture(seen);
          }
          TxnState state = l.txn().state();
          boolean paid = state == TxnState.SETTLED || state == TxnState.REFUNDED;
          return gateway.submit(terminal, paid ? new Command.Refund(env.msgid(), hash, institution, txnId)
              : new Command.Cancel(env.msgid(), hash, institution, txnId));
        });
    return translate(done, r -> {
      Result.Sale sale = (Result.Sale) r;
      boolean refund = sale.txn().state() == TxnState.REFUNDED;
      Result.Breakdown b = refund ? sale.breakdown() : new Result.Breakdown(0, 0, 0, 0, 0, List.of(),
          sale.breakdown().balanceAfterFen());
      ObjectNode out = Json.object();
      ObjectNode info = setlinfo(sale.txn(), b, txnId, psnNo, medTypeCode(sale.txn().medicalType()), null, null,
          env.msgid(), -1);
      info.put("refd_setl_flag", "1");
      out.set("setlinfo", info);
      return out;
    });
  }

  // ---- 2601 ------------------------------------------------------------------------------------

  private CompletableFuture<Reply> reverse(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    Fields.optional(d, "psn_no", 30, Fields.PSN_NO, "1..30 letters or digits");
    String omsgid = Fields.required(d, "omsgid", 30, Fields.MSGID, "the msgid of the request to reverse");
    String oinfno = Fields.required(d, "oinfno", 6, Fields.INFNO, "the infno of the request to reverse");
    if (!Set.of("2101", "2102", "2103", "2206", "2207", "2208").contains(oinfno)) {
      throw Fields.invalid("oinfno", oinfno, "不是可冲正的交易", "expected: 2101, 2102, 2103, 2206, 2207 or 2208");
    }
    Terminal terminal = env.terminal();
    String institution = env.fixmedinsCode();
    CompletableFuture<Result> first = gateway.submit(terminal, new Command.Reverse(institution, omsgid));
    CompletableFuture<Result> done = !oinfno.equals("2102") && !oinfno.equals("2207") ? first
        // A 2102 without a known pre-settlement also authorized, under msgid + "A": undo (or bar) that too.
        : first.thenCompose(settle -> settle instanceof Rejected ? CompletableFuture.completedFuture(settle)
            : gateway.submit(terminal, new Command.Reverse(institution, omsgid + "A")).thenApply(auth ->
                auth instanceof Rejected ? auth : combine((Result.Reversal) settle, (Result.Reversal) auth)));
    return translate(done, r -> {
      Result.Reversal rev = (Result.Reversal) r;
      ObjectNode out = Json.object();
      ObjectNode o = out.putObject("data");
      o.put("omsgid", omsgid);
      o.put("oinfno", oinfno);
      o.put("mdtrt_id", rev.txnId());
      o.put("gongji_reversal", rev.reversal().name());
      return out;
    });
  }

  /** What the reversal of a one-step 2102 did: the settlement's outcome, unless only the hold existed. */
  private static Result.Reversal combine(Result.Reversal settle, Result.Reversal auth) {
    if (settle.reversal() == ReversalOutcome.NOT_RECEIVED && auth.reversal() != ReversalOutcome.NOT_RECEIVED) {
      return new Result.Reversal(settle.originalRequestId(), auth.reversal(), auth.txnId());
    }
    return settle;
  }

  // ---- 5203 ------------------------------------------------------------------------------------

  private CompletableFuture<Reply> lookup(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    String setlId = Fields.required(d, "setl_id", 30);
    String psnNo = Fields.optional(d, "psn_no", 30, Fields.PSN_NO, "1..30 letters or digits");
    if (!Fields.TXN_ID.matcher(setlId).matches()) {
      return CompletableFuture.completedFuture(new Reply(null, new Rejected(Outcome.TRANSACTION_NOT_FOUND,
          "setl_id " + setlId + " is not a settlement of this gateway")));
    }
    return translate(gateway.submit(env.terminal(), new Command.GetTransaction(env.fixmedinsCode(), setlId, null)),
        r -> {
          Result.TxnView t = ((Result.Lookup) r).txn();
          Result.Breakdown b = t.settled() != null ? t.settled() : t.authorized();
          ObjectNode out = Json.object();
          out.set("setlinfo", setlinfo(t, b, t.settled() != null ? t.txnId() : "", psnNo,
              medTypeCode(t.medicalType()), null, null, null, 1));
          return out;
        });
  }

  // ---- 3201 / 3202 -----------------------------------------------------------------------------

  private record Period(long fromDay, long toDay) {}

  private static Period period(JsonNode d) {
    String from = Fields.required(d, "stmt_begndate", 19, Fields.DATE, "yyyy-MM-dd");
    String to = Fields.required(d, "stmt_enddate", 19, Fields.DATE, "yyyy-MM-dd");
    long fromDay;
    long toDay;
    try {
      fromDay = LocalDate.parse(from.substring(0, 10)).toEpochDay();
      toDay = LocalDate.parse(to.substring(0, 10)).toEpochDay();
    } catch (java.time.format.DateTimeParseException e) {
      throw Fields.invalid("stmt_begndate", from + "/" + to, "不是有效日期", "expected: yyyy-MM-dd");
    }
    if (toDay < fromDay || toDay - fromDay >= MAX_RECONCILE_DAYS) {
      throw Fields.invalid("stmt_enddate", to, "对账区间应为1至" + MAX_RECONCILE_DAYS + "天",
          "expected: stmt_begndate <= stmt_enddate, at most " + MAX_RECONCILE_DAYS + " days");
    }
    return new Period(fromDay, toDay);
  }

  private CompletableFuture<Reply> reconcile(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    Fields.optional(d, "insutype", 6);
    Fields.optional(d, "clr_type", 30);
    String optins = Fields.optional(d, "setl_optins", 6);
    Period p = period(d);
    long theirTotal = Fields.yuan(d, "medfee_sumamt");
    long theirFund = Fields.yuan(d, "fund_pay_sumamt");
    long theirAcct = Fields.yuan(d, "acct_pay");
    String cnt = Fields.required(d, "fixmedins_setl_cnt", 10, java.util.regex.Pattern.compile("[0-9]{1,10}"),
        "a count");
    String refd = Fields.optional(d, "refd_setl_flag", 1);
    boolean refunds = "1".equals(refd);
    Terminal terminal = env.terminal();
    CompletableFuture<long[]> totals = checkTerminal(terminal).thenApply(v -> new long[5]);
    for (long day = p.fromDay(); day <= p.toDay(); day++) {
      long today = day;
      totals = totals.thenCompose(sum -> gateway.history(new HistoryQuery.Reconcile(terminal.institution(), today))
          .thenCompose(r -> r instanceof Rejected x ? CompletableFuture.failedFuture(new RefusedException(x))
              : CompletableFuture.completedFuture(add(sum, refunds ? ((Result.Reconciliation) r).refunds()
                  : ((Result.Reconciliation) r).settlements()))));
    }
    return refusalsAsReplies(totals.thenApply(t -> {
      long ourAcct = mulaidInAcctPay ? Math.addExact(t[2], t[3]) : t[2];
      List<String> diffs = new ArrayList<>();
      compare(diffs, "结算笔数", t[0], Long.parseLong(cnt), false);
      compare(diffs, "医疗费总额", t[1], theirTotal, true);
      compare(diffs, "基金支付总额", 0, theirFund, true);
      compare(diffs, "个人账户支付", ourAcct, theirAcct, true);
      ObjectNode out = Json.object();
      ObjectNode stmt = out.putObject("stmtinfo");
      stmt.put("setl_optins", optins);
      stmt.put("stmt_rslt", diffs.isEmpty() ? "0" : "1");
      stmt.put("stmt_rslt_dscr", diffs.isEmpty() ? "对账一致" : "对账不一致：" + String.join("；", diffs));
      ObjectNode ours = out.putObject("gongji_totals");
      ours.put("refd_setl_flag", refunds ? "1" : "0");
      ours.put("fixmedins_setl_cnt", t[0]);
      ours.put("medfee_sumamt", Yuan.of(t[1]));
      ours.put("fund_pay_sumamt", Yuan.of(0));
      ours.put("acct_pay", Yuan.of(ourAcct));
      ours.put("acct_mulaid_pay", Yuan.of(t[3]));
      ours.put("psn_cash_pay", Yuan.of(t[4]));
      return Reply.of(out);
    }));
  }

  /** Completes when the terminal is registered; fails with its refusal otherwise. */
  private CompletableFuture<Void> checkTerminal(Terminal terminal) {
    return gateway.submit(terminal, new Command.LoadReference(Command.ReferenceKind.INSTITUTION,
        terminal.institution())).thenCompose(checked -> checked instanceof Rejected x
            ? CompletableFuture.failedFuture(new RefusedException(x)) : CompletableFuture.completedFuture(null));
  }

  private static long[] add(long[] sum, long[] day) {
    long[] out = sum.clone();
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.addExact(out[i], day[i]);
    }
    return out;
  }

  private static void compare(List<String> diffs, String what, long ours, long theirs, boolean money) {
    if (ours != theirs) {
      diffs.add(what + "本方" + (money ? Yuan.of(ours).toPlainString() : Long.toString(ours)) + "，贵方"
          + (money ? Yuan.of(theirs).toPlainString() : Long.toString(theirs)));
    }
  }

  /**
   * 3202 answered as JSON rather than the file round trip (9101 upload, 3202, 9102 download): our
   * rows of the period in {@code gongji_rows} (refunds negative), and the totals compared.
   */
  private CompletableFuture<Reply> reconcileDetail(Envelope env) {
    JsonNode d = Fields.object(env.input(), "data");
    String optins = Fields.optional(d, "setl_optins", 6);
    String fileQuryNo = Fields.optional(d, "file_qury_no", 100);
    Period p = period(d);
    long theirTotal = Fields.yuan(d, "medfee_sumamt");
    Long theirCash = Fields.optionalYuan(d, "cash_payamt");
    String cnt = Fields.required(d, "fixmedins_setl_cnt", 10, java.util.regex.Pattern.compile("[0-9]{1,10}"),
        "a count");
    Terminal terminal = env.terminal();
    ArrayNode rows = Json.array();
    boolean[] more = new boolean[1];
    long[] net = new long[3];
    CompletableFuture<Void> read = checkTerminal(terminal);
    for (long day = p.fromDay(); day <= p.toDay(); day++) {
      long today = day;
      read = read.thenCompose(v -> readDay(terminal.institution(), today, 0, rows, more, net));
    }
    return refusalsAsReplies(read.thenApply(v -> {
      List<String> diffs = new ArrayList<>();
      compare(diffs, "结算笔数", net[0], Long.parseLong(cnt), false);
      compare(diffs, "医疗费总额", net[1], theirTotal, true);
      if (theirCash != null) {
        compare(diffs, "现金支付", net[2], theirCash, true);
      }
      ObjectNode out = Json.object();
      out.put("file_qury_no", fileQuryNo);
      out.put("setl_optins", optins);
      out.put("stmt_rslt", diffs.isEmpty() ? "0" : "1");
      out.put("stmt_rslt_dscr", diffs.isEmpty() ? "对账一致" : "对账不一致：" + String.join("；", diffs));
      out.set("gongji_rows", rows);
      out.put("gongji_more", more[0]);
      return Reply.of(out);
    }));
  }

  private CompletableFuture<Void> readDay(String institution, long day, int offset, ArrayNode rows, boolean[] more,
      long[] net) {
    if (rows.size() >= MAX_DETAIL_ROWS) {
      more[0] = true;
      return CompletableFuture.completedFuture(null);
    }
    int limit = Math.min(DETAIL_PAGE, MAX_DETAIL_ROWS - rows.size());
    return gateway.history(new HistoryQuery.ReconcileDetail(institution, day, offset, limit)).thenCompose(r -> {
      if (r instanceof Rejected x) {
        return CompletableFuture.failedFuture(new RefusedException(x));
      }
      Result.ReconcileLines lines = (Result.ReconcileLines) r;
      for (Result.ReconcileLine l : lines.lines()) {
        boolean back = l.kind().equals("REFUNDED") || l.kind().equals("SETTLEMENT_REVERSED");
        int sign = back ? -1 : 1;
        ObjectNode row = rows.addObject();
        row.put("setl_id", l.txnId());
        row.put("mdtrt_id", l.txnId());
        row.put("refd_setl_flag", back ? "1" : "0");
        row.put("setl_time", READABLE.format(Instant.ofEpochMilli(l.atMillis())));
        row.put("medfee_sumamt", Yuan.of(sign * l.totalFen()));
        row.put("fund_pay_sumamt", Yuan.of(0));
        row.put("acct_pay", Yuan.of(sign * (mulaidInAcctPay ? l.ownFen() + l.aidFen() : l.ownFen())));
        row.put("acct_mulaid_pay", Yuan.of(sign * l.aidFen()));
        row.put("psn_cash_pay", Yuan.of(sign * l.cashFen()));
        row.put("gongji_kind", l.kind());
        net[0] += sign;
        net[1] += sign * l.totalFen();
        net[2] += sign * l.cashFen();
      }
      return lines.more() ? readDay(institution, day, offset + lines.lines().size(), rows, more, net)
          : CompletableFuture.completedFuture(null);
    });
  }

  /** A refusal met in the middle of a chain of calls. */
  private static final class RefusedException extends RuntimeException {
    final transient Rejected rejected;

    RefusedException(Rejected rejected) {
      super(rejected.detail(), null, false, false);
      this.rejected = rejected;
    }
  }

  private static CompletableFuture<Reply> refusalsAsReplies(CompletableFuture<Reply> f) {
    return f.exceptionallyCompose(e -> {
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      return c instanceof RefusedException r ? CompletableFuture.completedFuture(new Reply(null, r.rejected))
          : CompletableFuture.failedFuture(c);
    });
  }

  // ---- translation ---------------------------------------------------------------------------

  private static CompletableFuture<Reply> translate(CompletableFuture<Result> f, Function<Result, JsonNode> out) {
    return f.thenApply(r -> r instanceof Rejected x ? new Reply(null, x) : Reply.of(out.apply(r)));
  }

  /**
   * {@code setlinfo}: the split in yuan. We settle personal accounts, mutual aid and cash only:
   * fund payments are 0 and {@code psn_part_amt} is the whole bill. {@code sign} -1 shows money
   * given back (2103). The time is the sale's, so that a replay answers the same.
   */
  private ObjectNode setlinfo(Result.TxnView txn, Result.Breakdown b, String setlId, String psnNo, String medType,
      String insutype, String certType, String medinsSetlId, int sign) {
    ObjectNode o = Json.object();
    o.put("setl_id", setlId);
    o.put("mdtrt_id", txn.txnId());
    o.put("psn_no", psnNo);
    o.put("insutype", insutype);
    o.put("med_type", medType);
    o.put("mdtrt_cert_type", certType);
    o.put("setl_time", READABLE.format(Instant.ofEpochMilli(txn.createdAtMillis())));
    o.put("medfee_sumamt", Yuan.of(sign * b.totalFen()));
    o.put("fulamt_ownpay_amt", Yuan.of(sign * (b.totalFen() - b.inScopeFen())));
    o.put("overlmt_selfpay", Yuan.of(0));
    o.put("preselfpay_amt", Yuan.of(0));
    o.put("inscp_scp_amt", Yuan.of(sign * b.inScopeFen()));
    o.put("act_pay_dedc", Yuan.of(0));
    o.put("hifp_pay", Yuan.of(0));
    o.put("pool_prop_selfpay", Yuan.of(0));
    o.put("cvlserv_pay", Yuan.of(0));
    o.put("hifes_pay", Yuan.of(0));
    o.put("hifmi_pay", Yuan.of(0));
    o.put("hifob_pay", Yuan.of(0));
    o.put("maf_pay", Yuan.of(0));
    o.put("oth_pay", Yuan.of(0));
    o.put("fund_pay_sumamt", Yuan.of(0));
    o.put("psn_part_amt", Yuan.of(sign * b.totalFen()));
    long acctFen = mulaidInAcctPay ? b.accountPayFen() + b.mutualAidPayFen() : b.accountPayFen();
    o.put("acct_pay", Yuan.of(sign * acctFen));
    o.put("psn_cash_pay", Yuan.of(sign * b.cashPayFen()));
    o.put("hosp_part_amt", Yuan.of(0));
    o.put("balc", Yuan.of(b.balanceAfterFen()));
    o.put("acct_mulaid_pay", Yuan.of(sign * b.mutualAidPayFen()));
    o.put("medins_setl_id", medinsSetlId);
    o.putNull("clr_optins");
    o.putNull("clr_way");
    o.putNull("clr_type");
    o.put("gongji_state", txn.state().name());
    o.put("gongji_acct_own_pay", Yuan.of(sign * b.accountPayFen()));
    ArrayNode legs = o.putArray("gongji_legs");
    for (Result.Leg leg : b.legs()) {
      ObjectNode l = legs.addObject();
      l.put("fund_source", leg.source().name());
      l.put("owner_name", leg.ownerMasked());
      l.put("binding_id", leg.bindingId());
      l.put("wallet_transfer_id", leg.walletTransferId());
      l.put("amount", Yuan.of(sign * leg.amountFen()));
    }
    return o;
  }

  /** The credential of {@code mdtrt_cert_type}/{@code mdtrt_cert_no}; null when both are absent and optional. */
  private static Credential credential(JsonNode d, boolean required) {
    String type = Fields.optional(d, "mdtrt_cert_type", 3);
    String number = Fields.optional(d, "mdtrt_cert_no", 64);
    Fields.optional(d, "card_sn", 50);
    if (type == null && number == null && !required) {
      return null;
    }
    if (type == null) {
      throw new BadEnvelopeException("FIELD_MISSING", "缺少必填字段mdtrt_cert_type",
          "mdtrt_cert_type: missing (expected: 01, 02 or 03)");
    }
    CredentialType t = switch (type) {
      case "01" -> CredentialType.E_CREDENTIAL;
      case "02" -> CredentialType.ID_CARD;
      case "03" -> CredentialType.SOCIAL_SECURITY_CARD;
      default -> throw Fields.invalid("mdtrt_cert_type", type, "应为01（电子凭证）、02（身份证）或03（社保卡）",
          "expected: 01, 02 or 03");
    };
    if (number == null) {
      throw new BadEnvelopeException("FIELD_MISSING", "缺少必填字段mdtrt_cert_no",
          "mdtrt_cert_no: missing (expected: the credential's number)");
    }
    for (int i = 0; i < number.length(); i++) {
      char ch = number.charAt(i);
      if (ch <= 0x20 || ch >= 0x7f) {
        throw Fields.invalid("mdtrt_cert_no", number, "含有非法字符", "expected: printable ASCII");
      }
    }
    return new Credential(t, number);
  }

  private static String certType(Credential c) {
    if (c == null) {
      return null;
    }
    return switch (c.type()) {
      case E_CREDENTIAL -> "01";
      case ID_CARD -> "02";
      case SOCIAL_SECURITY_CARD -> "03";
    };
  }

  private static MedicalType medicalType(String medType) {
    return switch (medType) {
      case "41" -> MedicalType.PHARMACY;
      case "11", "14" -> MedicalType.OUTPATIENT;
      default -> throw Fields.invalid("med_type", medType, "不是本网关支持的医疗类别（11、14、41）",
          "expected: 41 (pharmacy), 11 or 14 (outpatient)");
    };
  }

  private static String medTypeCode(MedicalType t) {
    return switch (t) {
      case PHARMACY -> "41";
      case OUTPATIENT -> "11";
      case INPATIENT -> "21";
      case VACCINATION, HEALTH_CHECKUP -> null;
    };
  }

  private static String insutype(InsuranceType t) {
    return switch (t) {
      case EMPLOYEE_BASIC -> "310";
      case RESIDENT_BASIC -> "390";
    };
  }

  private static String insuredStatus(InsuredStatus s) {
    return switch (s) {
      case NORMAL -> "1";
      case SUSPENDED -> "2";
      case TERMINATED, DECEASED -> "3";
    };
  }
}
