package gongji.server.national;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.domain.Credential;
import gongji.server.domain.ItemCategory;
import gongji.server.domain.LineItem;
import gongji.server.domain.MedicalType;
import java.util.ArrayList;
import java.util.List;

/**
 * A sale as 2101/2102 ({@code druginfo} and {@code drugdetail}) or 2206/2207 ({@code data}) describe
 * it, checked: who, what kind, the total and its lines, whether the personal account and mutual aid
 * may pay.
 *
 * @param institution the caller's {@code fixmedins_code}
 * @param lines {@code drugdetail} as sent (a JSON null for an outpatient sale)
 */
record SaleInput(String institution, JsonNode info, JsonNode lines, Credential credential, String psnNo,
    String medType, MedicalType medicalType, String insutype, long totalFen, List<LineItem> items, boolean useAccount,
    boolean useMutualAid) {

  /** Line items of one sale, as on the gRPC port. */
  static final int MAX_ITEMS = 200;

  /** The sale in {@code input.<node>}; the first field violation is thrown as a {@link BadEnvelopeException}. */
  static SaleInput of(Envelope env, String node, MedicalType expected) {
    JsonNode info = Fields.object(env.input(), node);
    String psnNo = Fields.optional(info, "psn_no", 30, Fields.PSN_NO, "1..30 letters or digits");
    Credential credential = Codes.credential(info, true);
    String medType = Fields.required(info, "med_type", 6);
    MedicalType medicalType = Codes.medicalType(medType);
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
    return new SaleInput(env.fixmedinsCode(), info, lines(env.input(), info), credential, psnNo, medType, medicalType,
        insutype, totalFen, items, useAccount, useMutualAid);
  }

  /**
   * What the sale is for: the institution, the header without {@code mdtrt_id} and the lines, so
   * that a 2102 finds the 2101 of the same purchase. Computed when asked: a 2102 naming its
   * {@code mdtrt_id} never needs it.
   */
  long inputHash() {
    ObjectNode key = info.deepCopy();
    key.remove("mdtrt_id");
    ObjectNode keyed = Json.object();
    keyed.set("info", key);
    keyed.set("lines", lines);
    return Json.contentHash("sale", institution, keyed);
  }

  /** {@code drugdetail} beside {@code druginfo} in {@code input}, or inside it (both are seen). */
  private static JsonNode lines(JsonNode input, JsonNode info) {
    JsonNode lines = input.get("drugdetail");
    if (lines == null || lines.isNull()) {
      lines = info.get("drugdetail");
    }
    return lines == null ? NullNode.getInstance() : lines;
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
}
