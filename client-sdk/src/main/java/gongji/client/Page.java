package gongji.client;

import java.util.Collections;
import java.util.List;

/**
 * One page of a listing: its items and the token of the next page.
 *
 * @param <T> the type of the items
 */
public final class Page<T> {
  private final List<T> items;
  private final String nextPageToken;

  Page(List<T> items, String nextPageToken) {
    this.items = Collections.unmodifiableList(items);
    this.nextPageToken = nextPageToken;
  }

  /** The items of this page, in the listing's order. @return an unmodifiable list */
  public List<T> items() {
    return items;
  }

  /** Pass to the next call for the next page. @return the token; "" when there are no more pages */
  public String nextPageToken() {
    return nextPageToken;
  }

  /** Whether there is a next page. @return true if {@link #nextPageToken()} is not empty */
  public boolean hasNext() {
    return !nextPageToken.isEmpty();
  }

  @Override
  public String toString() {
    return "Page{" + items + (hasNext() ? " next " + nextPageToken : "") + "}";
  }
}
