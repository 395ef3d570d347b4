package gongji.server.national;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/**
 * The {@code output} of a transaction, as it writes itself into the response envelope: the hot
 * transactions (2101, 2102) with Jackson's streaming generator, straight from the gateway's numbers;
 * the rest as a tree they built.
 */
@FunctionalInterface
interface Output {
  /** Writes the value (an object) at the generator's current position. */
  void write(JsonGenerator g) throws IOException;

  /** An output that is a tree already. */
  static Output of(JsonNode tree) {
    return g -> g.writeTree(tree);
  }
}
