package gongji.server.national;

import gongji.server.text.SafeText;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.regex.Pattern;

/**
 * Reads the fields of an envelope and its input, checking presence, length and form. The first
 * violation ends the request with a {@link BadEnvelopeException} whose {@code err_msg} names the
 * field in the digest's spelling, so that the integrator finds it in the province's document.
 */
final class Fields {
  static final Pattern INSTITUTION = Pattern.compile("[HP][0-9]{11}");
  static final Pattern TERMINAL_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  /** A msgid: the digest's 30 characters, as letters and digits (it becomes our request id). */
  static final Pattern MSGID = Pattern.compile("[A-Za-z0-9]{1,30}");
  static final Pattern PSN_NO = Pattern.compile("[A-Za-z0-9]{1,30}");
  static final Pattern ADMDVS = Pattern.compile("[0-9]{6}");
  static final Pattern TXN_ID = Pattern.compile("T[0-9A-Z]{1,20}");
  static final Pattern INFNO = Pattern.compile("[0-9]{4}[A-Z]?");
  static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?");

  private Fields() {}

  /** A text field that must be present and non-empty, at most {@code maxChars} characters. */
  static String required(JsonNode node, String field, int maxChars) {
    String v = optional(node, field, maxChars);
    if (v == null) {
      throw new BadEnvelopeException("FIELD_MISSING", "缺少必填字段" + field, field + ": missing (expected: a value)");
    }
    return v;
  }

  /** A text field (a JSON string or number, as its text); null when absent, null or empty. */
  static String optional(JsonNode node, String field, int maxChars) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual() && !n.isNumber()) {
      throw invalid(field, n.toString(), "应为字符串", "expected: a string");
    }
    String v = n.isTextual() ? n.textValue() : n.asText();
    if (v.isEmpty()) {
      return null;
    }
    int chars = v.codePointCount(0, v.length());
    if (chars > maxChars) {
      throw new BadEnvelopeException("FIELD_TOO_LONG", "字段" + field + "超长（" + chars + "位，最长" + maxChars + "位）",
          field + ": " + chars + " characters (expected: at most " + maxChars + ")");
    }
    if (!SafeText.isClean(v)) {
      throw invalid(field, v, "含控制字符", "contains a control character (expected: printable text)");
    }
    return v;
  }

  /** A required text field that must also match {@code pattern}. */
  static String required(JsonNode node, String field, int maxChars, Pattern pattern, String expected) {
    return matches(field, required(node, field, maxChars), pattern, expected);
  }

  static String optional(JsonNode node, String field, int maxChars, Pattern pattern, String expected) {
    String v = optional(node, field, maxChars);
    return v == null ? null : matches(field, v, pattern, expected);
  }

  static String matches(String field, String value, Pattern pattern, String expected) {
    if (!pattern.matcher(value).matches()) {
      throw invalid(field, value, "格式不正确", "expected: " + expected);
    }
    return value;
  }

  /** A required money field in yuan: fen. */
  static long yuan(JsonNode node, String field) {
    Long fen = optionalYuan(node, field);
    if (fen == null) {
      throw new BadEnvelopeException("FIELD_MISSING", "缺少必填字段" + field, field + ": missing (expected: yuan)");
    }
    return fen;
  }

  /** An optional money field in yuan (a JSON number or a numeric string): fen, or null. */
  static Long optionalYuan(JsonNode node, String field) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull() || (n.isTextual() && n.textValue().isEmpty())) {
      return null;
    }
    BigDecimal yuan;
    if (n.isNumber()) {
      yuan = n.decimalValue();
    } else if (n.isTextual() && n.textValue().length() <= Json.MAX_NUMBER_CHARS) {
      try {
        yuan = new BigDecimal(n.textValue().trim());
      } catch (NumberFormatException e) {
        throw invalid(field, n.textValue(), "不是金额", "expected: yuan, e.g. 12.30");
      }
    } else {
      throw invalid(field, n.toString(), "不是金额", "expected: yuan, e.g. 12.30");
    }
    return Yuan.toFen(field, yuan);
  }

  /** A required JSON object node. */
  static JsonNode object(JsonNode node, String field) {
    JsonNode n = node.get(field);
    if (n == null || n.isNull()) {
      throw new BadEnvelopeException("FIELD_MISSING", "缺少必填节点" + field, field + ": missing (expected: an object)");
    }
    if (!n.isObject()) {
      throw invalid(field, shorten(n.toString()), "应为JSON对象", "expected: an object");
    }
    return n;
  }

  static BadEnvelopeException invalid(String field, String value, String errMsg, String expected) {
    return new BadEnvelopeException("FIELD_INVALID", "字段" + field + errMsg + "：" + shorten(value),
        field + ": \"" + shorten(value) + "\" (" + expected + ")");
  }

  private static String shorten(String value) {
    return SafeText.escape(SafeText.cut(value, 40));
  }
}
