package gongji.client.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --key value} flags; repeatable ones keep every value; a flag without a value means "true". */
final class Flags {
  private final Map<String, List<String>> values = new LinkedHashMap<String, List<String>>();

  static Flags parse(String[] args, int from) {
    Flags f = new Flags();
    for (int i = from; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--") || a.length() == 2) {
        throw new IllegalArgumentException("unexpected argument \"" + a + "\" (expected: --flag [value])");
      }
      String key = a.substring(2);
      String value = "true";
      int eq = key.indexOf('=');
      if (eq >= 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[++i];
      }
      List<String> list = f.values.get(key);
      if (list == null) {
        list = new ArrayList<String>();
        f.values.put(key, list);
      }
      list.add(value);
    }
    return f;
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  String get(String key, String fallback) {
    List<String> v = values.get(key);
    return v == null ? fallback : v.get(v.size() - 1);
  }

  String require(String key) {
    String v = get(key, null);
    if (v == null || v.equals("true")) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return v;
  }

  List<String> all(String key) {
    List<String> v = values.get(key);
    return v == null ? Collections.<String>emptyList() : v;
  }
}
