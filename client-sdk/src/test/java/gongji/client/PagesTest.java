package gongji.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** The auto-paging iterable: pages fetched only as the items are used, empty pages passed over. */
class PagesTest {
  /** Pages "" -> [a, b] next "1"; "1" -> [] next "2"; "2" -> [c] (last). */
  private final List<String> asked = new ArrayList<>();
  private final Pages<String> pages = new Pages<>(token -> {
    asked.add(token);
    switch (token) {
      case "":
        return new Page<>(Arrays.asList("a", "b"), "1");
      case "1":
        return new Page<>(new ArrayList<String>(), "2");
      case "2":
        return new Page<>(Arrays.asList("c"), "");
      default:
        throw new AssertionError("token " + token);
    }
  });

  @Test
  void iterator_stoppedAfterTheFirstItem_fetchedOnePage() {
    Iterator<String> it = pages.iterator();

    assertEquals("a", it.next());
    assertEquals("b", it.next());
    assertEquals(List.of(""), asked, "the second page is not fetched before it is needed");
  }

  @Test
  void iterator_toTheEnd_everyItemInOrderThroughAnEmptyPage() {
    List<String> all = new ArrayList<>();
    for (String s : pages) {
      all.add(s);
    }
    Iterator<String> again = pages.iterator();

    assertEquals(List.of("a", "b", "c"), all);
    assertEquals(List.of("", "1", "2"), asked);
    assertEquals("a", again.next(), "each iterator starts from the first page");
  }

  @Test
  void iterator_pastTheEnd_throwsNoSuchElement() {
    Iterator<String> it = new Pages<String>(token -> new Page<>(new ArrayList<String>(), "")).iterator();

    assertFalse(it.hasNext());
    assertThrows(NoSuchElementException.class, it::next);
  }
}
