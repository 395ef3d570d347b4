package gongji.loadtest;

import static gongji.loadtest.Checks.checkArgument;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Command-line flags: {@code --name value}, {@code --name=value}, and bare {@code --name} for the
 * switches a subcommand declares. An unknown flag or a malformed number is the caller's mistake:
 * {@link IllegalArgumentException}, which the subcommands turn into their usage and exit status 2.
 */
final class Flags {
  private final Map<String, String> values;

  private Flags(Map<String, String> values) {
    this.values = values;
  }

  /** Parses {@code args}; {@code valued} take a value, {@code switches} take none. */
  static Flags parse(String[] args, Set<String> valued, Set<String> switches) {
    Map<String, String> values = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      checkArgument(arg.startsWith("--") && arg.length() > 2, "argument %s (expected: --flag)", arg);
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg.substring(2) : arg.substring(2, eq);
      String value;
      if (switches.contains(name)) {
        value = eq < 0 ? "true" : arg.substring(eq + 1);
        checkArgument(value.equals("true") || value.equals("false"), "--%s: %s (expected: true or false)", name, value);
      } else if (valued.contains(name)) {
        if (eq >= 0) {
          value = arg.substring(eq + 1);
        } else {
          checkArgument(i + 1 < args.length, "--%s needs a value", name);
          value = args[++i];
        }
      } else {
        Set<String> known = new TreeSet<>(valued);
        known.addAll(switches);
        throw new IllegalArgumentException("unknown flag --" + name + " (known: " + known + ")");
      }
      checkArgument(values.put(name, value) == null, "--%s given twice", name);
    }
    return new Flags(values);
  }

  /** The value of a valued flag, or {@code defaultValue} when absent. */
  String value(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  boolean isSet(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }

  int intValue(String name, int defaultValue) {
    long v = longValue(name, defaultValue);
    checkArgument(v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE, "--%s: %s (expected: an int)", name, v);
    return (int) v;
  }

  long longValue(String name, long defaultValue) {
    String v = values.get(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + ": " + v + " (expected: an integer)", e);
    }
  }
}
