package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.base.VerifyException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The request log's table answers as an insertion-ordered map of key strings did: seeded runs of
 * adds, look-ups (by scope and id, and by whole key) and removals of the oldest, checked against a
 * {@link LinkedHashMap} after every step. Small starting sizes make the rings and the index grow and
 * wrap; a hash mask of a few bits makes most keys collide, so that only the exact compare tells them
 * apart; some keys hold characters over U+00FF (stored two bytes a character).
 */
class RequestTableTest {
  private static final int SEEDS = 300;
  private static final int STEPS = 600;

  private record Kept(Object value, byte which) { }

  @Test
  void answersAsAnOrderedMapOfKeyStrings() {
    for (int seed = 0; seed < SEEDS; seed++) {
      SplittableRandom random = new SplittableRandom(seed);
      long mask = seed % 3 == 0 ? 0x7L : seed % 3 == 1 ? 0xffL : -1L;
      RequestTable table = new RequestTable(seed % 2 == 0 ? 1 : 4, mask);
      LinkedHashMap<String, Kept> model = new LinkedHashMap<>();
      List<String[]> seen = new ArrayList<>();
      for (int step = 0; step < STEPS; step++) {
        int op = random.nextInt(10);
        if (op < 5 || seen.isEmpty()) {
          String[] k = random.nextInt(4) == 0 && !seen.isEmpty() ? seen.get(random.nextInt(seen.size())) : newKey(random);
          String key = RequestLog.key(k[0], k[1]);
          Object value = new Object();
          byte which = (byte) random.nextInt(3);
          if (model.containsKey(key)) {
            assertThrows(VerifyException.class, () -> table.add(k[0], k[1], value, which), "seed " + seed);
          } else {
            if (random.nextBoolean()) {
              table.add(k[0], k[1], value, which);
            } else {
              table.add(key, value, which);
            }
            model.put(key, new Kept(value, which));
            seen.add(k);
          }
        } else if (op < 8) {
          String[] k = random.nextInt(3) == 0 ? newKey(random) : seen.get(random.nextInt(seen.size()));
          String key = RequestLog.key(k[0], k[1]);
          int place = random.nextBoolean() ? table.find(k[0], k[1]) : table.find(key);
          Kept expected = model.get(key);
          if (expected == null) {
            assertEquals(RequestTable.NONE, place, "seed " + seed + " key " + key);
          } else {
            assertSame(expected.value(), table.value(place), "seed " + seed + " key " + key);
            assertEquals(expected.which(), table.which(place));
            assertEquals(key, table.key(place));
          }
        } else if (!model.isEmpty()) {
          Map.Entry<String, Kept> oldest = model.entrySet().iterator().next();
          int place = table.oldest();
          assertEquals(oldest.getKey(), table.key(place), "seed " + seed);
          assertSame(oldest.getValue().value(), table.value(place));
          table.removeOldest();
          model.remove(oldest.getKey());
          assertEquals(RequestTable.NONE, table.find(oldest.getKey()), "seed " + seed);
        }
        assertEquals(model.size(), table.size(), "seed " + seed);
      }
      int i = 0;
      for (Map.Entry<String, Kept> e : model.entrySet()) {
        int place = table.at(i++);
        assertEquals(e.getKey(), table.key(place), "seed " + seed);
        assertSame(e.getValue().value(), table.value(place));
      }
    }
  }

  @Test
  void aKeyIsNotItsPrefixNorItsScopeMovedAcross() {
    RequestTable table = new RequestTable(1, 0L); // every key hashes alike
    table.add("H1", "ab", "first", RequestTable.OTHER);
    assertEquals(RequestTable.NONE, table.find("H1", "a"));
    assertEquals(RequestTable.NONE, table.find("H1", "abc"));
    assertEquals(RequestTable.NONE, table.find("H1a", "b"));
    assertEquals(RequestTable.NONE, table.find("", "H1|ab"));
    assertEquals("first", table.value(table.find("H1|ab")));
    table.add("H1", "a\u4e2d", "wide", RequestTable.OTHER);
    table.add("H1", "a\u002d", "narrow", RequestTable.OTHER);
    assertEquals("wide", table.value(table.find("H1", "a\u4e2d")));
    assertEquals("narrow", table.value(table.find("H1", "a-")));
    assertEquals("H1|a\u4e2d", table.key(table.find("H1", "a\u4e2d")));
    assertTrue(table.size() == 3);
  }

  @Test
  void aLookUpThatFoundNothingIsNotTrustedOnceAnEntryCameOrWent() {
    RequestTable table = new RequestTable(1, 0L);
    String scope = "H1";
    String id = "r1";
    assertEquals(RequestTable.NONE, table.find(scope, id));
    table.add(scope, id, "kept", RequestTable.OTHER); // straight after its look-up: no second probe
    assertEquals("kept", table.value(table.find(scope, id)));
    assertThrows(VerifyException.class, () -> table.add(scope, id, "again", RequestTable.OTHER));
    String other = "r2";
    assertEquals(RequestTable.NONE, table.find(scope, other));
    assertEquals(RequestTable.NONE, table.find(scope, other), "the same strings again, nothing changed: still new");
    table.add("H1|" + other, "by its whole key", RequestTable.OTHER); // another entry came in between
    assertEquals("by its whole key", table.value(table.find(scope, other)), "looked up again once an entry came");
    assertThrows(VerifyException.class, () -> table.add(scope, other, "twice", RequestTable.OTHER));
    table.removeOldest();
    assertEquals(RequestTable.NONE, table.find(scope, id));
    table.add(scope, id, "back", RequestTable.OTHER);
    assertEquals(2, table.size());
    assertEquals("by its whole key", table.value(table.oldest()));
  }

  @Test
  void itsArraysFollowItsSizeDownAsWellAsUp() {
    // A ledger that read millions of entries from a snapshot and let most go to history keeps arrays
    // of its working set: a table that only grew held 290 MB at 320,000 entries (ledger-footprint).
    RequestTable table = new RequestTable(16, -1L);
    for (int i = 0; i < 100_000; i++) {
      table.add("H11010100001", "request-" + i, i, RequestTable.OTHER);
    }
    long[] peak = table.capacities();
    assertTrue(peak[0] >= 100_000, java.util.Arrays.toString(peak));
    while (table.size() > 1_000) {
      table.removeOldest();
    }
    long[] after = table.capacities();
    assertTrue(after[0] <= 4 * 1_000 && after[1] <= 4 * 1_000 * 32, java.util.Arrays.toString(after));
    for (int i = 99_000; i < 100_000; i++) {
      assertEquals(i, table.value(table.find("H11010100001", "request-" + i)));
    }
    while (!table.isEmpty()) {
      table.removeOldest();
    }
    assertEquals(16, table.capacities()[0], "never under its first size");
  }

  private static String[] newKey(SplittableRandom random) {
    String scope = switch (random.nextInt(3)) {
      case 0 -> "";
      case 1 -> "H" + (11010100000L + random.nextInt(3));
      default -> "P" + (11010100000L + random.nextInt(3));
    };
    int length = 1 + (random.nextInt(5) == 0 ? random.nextInt(64) : random.nextInt(6));
    StringBuilder id = new StringBuilder();
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(40);
      id.append(kind == 0 ? (char) (0x100 + random.nextInt(0xfe00)) : kind == 1 ? (char) (0x80 + random.nextInt(0x80))
          : (char) ('a' + random.nextInt(3)));
    }
    return new String[] {scope, id.toString()};
  }
}
