package gongji.client;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Every item of a listing, page after page: an {@link Iterable} whose iterators fetch the next page
 * only when the items of the one before are used up, so that a caller who stops early costs no more
 * calls. Each iterator starts again from the first page. A page that fails ends the iteration with
 * the call's exception ({@link GongjiRejectedException} or {@link GongjiRetryableException}).
 */
final class Pages<T> implements Iterable<T> {
  /** Fetches one page, blocking, given the previous page's token ("" for the first). */
  interface Fetch<T> {
    Page<T> page(String pageToken);
  }

  /** The page size an auto-paging listing asks for: the most the gateway gives in one page. */
  static final int PAGE_SIZE = 1_000;

  private final Fetch<T> fetch;

  Pages(Fetch<T> fetch) {
    this.fetch = fetch;
  }

  @Override
  public Iterator<T> iterator() {
    return new Iterator<T>() {
      private Page<T> page;
      private int next;

      @Override
      public boolean hasNext() {
        while (page == null || (next == page.items().size() && page.hasNext())) {
          page = fetch.page(page == null ? "" : page.nextPageToken());
          next = 0;
        }
        return next < page.items().size();
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return page.items().get(next++);
      }
    };
  }
}
