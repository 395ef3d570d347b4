package gongji.client.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader for tests (RFC 8259): objects become maps, arrays lists, integers longs,
 * other numbers doubles. Anything else, trailing text included, is an {@link IllegalArgumentException}.
 */
final class JsonReader {
  private final String s;
  private int i;

  private JsonReader(String s) {
    this.s = s;
  }

  static Object read(String json) {
    JsonReader r = new JsonReader(json);
    r.space();
    Object v = r.value();
    r.space();
    if (r.i != json.length()) {
      throw r.error("trailing text");
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(String json) {
    Object v = read(json);
    if (!(v instanceof Map)) {
      throw new IllegalArgumentException("not an object: " + json);
    }
    return (Map<String, Object>) v;
  }

  private Object value() {
    if (i >= s.length()) {
      throw error("value expected");
    }
    char c = s.charAt(i);
    if (c == '{') {
      return object();
    } else if (c == '[') {
      return array();
    } else if (c == '"') {
      return string();
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      return number();
    } else if (s.startsWith("true", i)) {
      i += 4;
      return Boolean.TRUE;
    } else if (s.startsWith("false", i)) {
      i += 5;
      return Boolean.FALSE;
    } else if (s.startsWith("null", i)) {
      i += 4;
      return null;
    }
    throw error("unexpected '" + c + "'");
  }

  private Map<String, Object> object() {
    Map<String, Object> out = new LinkedHashMap<>();
    expect('{');
    space();
    if (peek('}')) {
      i++;
      return out;
    }
    while (true) {
      space();
      String key = string();
      space();
      expect(':');
      space();
      if (out.put(key, value()) != null) {
        throw error("duplicate key " + key);
      }
      space();
      if (peek(',')) {
        i++;
      } else {
        expect('}');
        return out;
      }
    }
  }

  private List<Object> array() {
    List<Object> out = new ArrayList<>();
    expect('[');
    space();
    if (peek(']')) {
      i++;
      return out;
    }
    while (true) {
      space();
      out.add(value());
      space();
      if (peek(',')) {
        i++;
      } else {
        expect(']');
        return out;
      }
    }
  }

  private String string() {
    expect('"');
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (i >= s.length()) {
        throw error("unterminated string");
      }
      char c = s.charAt(i++);
      if (c == '"') {
        return sb.toString();
      } else if (c < 0x20) {
        throw error("control character in string");
      } else if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = s.charAt(i++);
      switch (e) {
        case '"', '\\', '/' -> sb.append(e);
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          i += 4;
        }
        default -> throw error("bad escape \\" + e);
      }
    }
  }

  private Object number() {
    int start = i;
    while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    String n = s.substring(start, i);
    if (!n.matches("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")) {
      throw error("bad number " + n);
    }
    return n.matches("-?[0-9]+") ? (Object) Long.parseLong(n) : (Object) Double.parseDouble(n);
  }

  private void space() {
    while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
      i++;
    }
  }

  private boolean peek(char c) {
    return i < s.length() && s.charAt(i) == c;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw error("'" + c + "' expected");
    }
    i++;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException(what + " at " + i + " of: " + s);
  }
}
