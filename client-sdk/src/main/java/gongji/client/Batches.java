package gongji.client;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The checks of a batch call's arguments (CreateBindings, UpsertInsureds), made before anything is
 * sent: the batch id's shape and the number of lines, as the gateway would refuse them.
 */
final class Batches {
  /** A batch id: its lines are applied under "&lt;id&gt;-&lt;i&gt;", which must stay a request id. */
  private static final Pattern BATCH_ID = Pattern.compile("[A-Za-z0-9_-]{1,50}");

  private Batches() {}

  /** The caller's batch id, checked, or a fresh one (a UUID) that every attempt of the call sends. */
  static String requestId(RequestOptions options) {
    String id = GongjiAdminClient.requestId(options);
    Checks.argument(BATCH_ID.matcher(id).matches(),
        "requestId: \"" + id + "\" (expected: 1 to 50 characters of [A-Za-z0-9_-] for a batch)");
    return id;
  }

  /** A copy of the lines, checked: 1 to {@code max} of them, none null. */
  static <T> List<T> lines(List<T> lines, String name, int max) {
    List<T> copy = new ArrayList<T>(Checks.notNull(lines, name));
    Checks.argument(!copy.isEmpty() && copy.size() <= max,
        name + ": " + copy.size() + " lines (expected: 1 to " + max + " a call)");
    for (int i = 0; i < copy.size(); i++) {
      Checks.notNull(copy.get(i), name + "[" + i + "]");
    }
    return copy;
  }
}
