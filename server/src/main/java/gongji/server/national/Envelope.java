package gongji.server.national;

import com.fasterxml.jackson.databind.JsonNode;
import gongji.server.gateway.Terminal;

/**
 * The request envelope of the national interface, checked against the digest's lengths. The
 * caller is {@code fixmedins_code}; {@code opter} names the terminal (one of the institution's
 * registered terminal ids, as {@code terminal_id} on the gRPC port) and {@code opter_name} the
 * person at it.
 *
 * @param input the business payload, an object
 */
record Envelope(
    String infno,
    String msgid,
    String mdtrtareaAdmvs,
    String insuplcAdmdvs,
    String recerSysCode,
    String infver,
    String opterType,
    String opter,
    String opterName,
    String infTime,
    String fixmedinsCode,
    String fixmedinsName,
    String signNo,
    JsonNode input) {

  /** The digest's length of {@code input}, in characters. */
  static final int MAX_INPUT_CHARS = 40_000;

  /** The envelope in {@code tree}; the first field violation is thrown as a {@link BadEnvelopeException}. */
  static Envelope of(JsonNode tree, int bodyChars) {
    if (!tree.isObject()) {
      throw new BadEnvelopeException("MALFORMED_JSON", "报文应为JSON对象", "the envelope is not a JSON object");
    }
    String infno = Fields.required(tree, "infno", 6, Fields.INFNO, "a transaction code such as 2102");
    String msgid = Fields.required(tree, "msgid", 30, Fields.MSGID,
        "30 letters or digits: fixmedins_code(12) + yyyyMMddHHmmss(14) + seq(4)");
    String area = Fields.required(tree, "mdtrtarea_admvs", 6, Fields.ADMDVS, "6 digits, e.g. 620100");
    String insuplc = Fields.optional(tree, "insuplc_admdvs", 6, Fields.ADMDVS, "6 digits, e.g. 620100");
    String recer = Fields.required(tree, "recer_sys_code", 10);
    Fields.optional(tree, "dev_no", 100);
    Fields.optional(tree, "dev_safe_info", 2000);
    Fields.optional(tree, "cainfo", 1024);
    Fields.optional(tree, "signtype", 10);
    String infver = Fields.required(tree, "infver", 6);
    String opterType = Fields.required(tree, "opter_type", 3);
    String opter = Fields.required(tree, "opter", 30, Fields.TERMINAL_ID,
        "a terminal id registered with the institution, 1..30 of [A-Za-z0-9_-]");
    String opterName = Fields.required(tree, "opter_name", 50);
    String infTime = Fields.required(tree, "inf_time", 19);
    String code = Fields.required(tree, "fixmedins_code", 12, Fields.INSTITUTION,
        "H or P, then 11 digits, e.g. P62010200017");
    String name = Fields.required(tree, "fixmedins_name", 200);
    String signNo = Fields.optional(tree, "sign_no", 30);
    Fields.optional(tree, "fixmedins_soft_fcty", 100);
    Fields.optional(tree, "enc_type", 10);
    JsonNode input = Fields.object(tree, "input");
    // Only a body longer than the limit can hold an input longer than it: skip writing the tree out.
    if (bodyChars > MAX_INPUT_CHARS && input.toString().length() > MAX_INPUT_CHARS) {
      throw new BadEnvelopeException("FIELD_TOO_LONG", "字段input超长（最长40000字符）",
          "input: longer than 40000 characters");
    }
    return new Envelope(infno, msgid, area, insuplc, recer, infver, opterType, opter, opterName, infTime, code, name,
        signNo, input);
  }

  /** The terminal the call comes from, as the gateway checks it. */
  Terminal terminal() {
    return new Terminal(fixmedinsCode, opter, opterName);
  }
}
