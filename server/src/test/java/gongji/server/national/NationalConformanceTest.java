package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The conformance set in {@code national/conformance/}: request envelopes written from the digest
 * of the national interface and the responses expected, sent in file order to the real endpoint
 * over HTTP in front of a fresh gateway with the demo data (ledger time Monday 2026-03-02 09:00
 * China time, so transaction ids and days are known).
 *
 * <p>An expected response names only what must hold; the actual may carry more. {@code "*"} is any
 * value but null; a string starting with {@code ~} is a regular expression for the actual value's
 * text (times and the receiver's serial). Numbers compare by their text: {@code 350.00} must be
 * written with two decimals.
 */
class NationalConformanceTest {

  @Test
  void conformanceSet_inOrder_answersAsWritten() throws Exception {
    List<Path> requests = requests();
    assertTrue(requests.size() >= 20, "conformance requests found: " + requests.size());
    try (NationalEndpoint endpoint = NationalEndpoint.withDemoData()) {
      for (Path request : requests) {
        String name = request.getFileName().toString().replace(".request.json", "");
        JsonNode expected = read(request.resolveSibling(name + ".response.json"));
        JsonNode actual = endpoint.call(read(request));
        List<String> mismatches = new ArrayList<>();
        match("", expected, actual, mismatches);
        if (!mismatches.isEmpty()) {
          fail(name + ":\n  " + String.join("\n  ", mismatches) + "\nactual: " + actual.toPrettyString());
        }
      }
      assertEquals(List.of(), endpoint.gateway().audit(), "ledger invariants after the conformance set");
    }
  }

  static List<Path> requests() throws IOException, URISyntaxException {
    URL dir = NationalConformanceTest.class.getResource("/national/conformance");
    if (dir == null) {
      throw new AssertionError("national/conformance is not on the test class path");
    }
    try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
      return files.filter(p -> p.getFileName().toString().endsWith(".request.json")).sorted().toList();
    }
  }

  static JsonNode read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return NationalEndpoint.readJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** Adds to {@code out} every place where {@code actual} does not satisfy {@code expected}. */
  static void match(String path, JsonNode expected, JsonNode actual, List<String> out) {
    if (actual == null || actual.isMissingNode()) {
      out.add(path + ": missing (expected: " + expected + ")");
      return;
    }
    if (expected.isTextual() && expected.textValue().equals("*")) {
      if (actual.isNull()) {
        out.add(path + ": null (expected: a value)");
      }
      return;
    }
    if (expected.isTextual() && expected.textValue().startsWith("~")) {
      String regex = expected.textValue().substring(1);
      if (actual.isNull() || !actual.asText().matches(regex)) {
        out.add(path + ": " + actual + " (expected: matching " + regex + ")");
      }
      return;
    }
    if (expected.isObject()) {
      if (!actual.isObject()) {
        out.add(path + ": " + actual + " (expected: an object)");
        return;
      }
      for (Map.Entry<String, JsonNode> e : expected.properties()) {
        match(path + "." + e.getKey(), e.getValue(), actual.get(e.getKey()), out);
      }
      return;
    }
    if (expected.isArray()) {
      if (!actual.isArray() || actual.size() != expected.size()) {
        out.add(path + ": " + actual + " (expected: " + expected.size() + " elements)");
        return;
      }
      for (int i = 0; i < expected.size(); i++) {
        match(path + "[" + i + "]", expected.get(i), actual.get(i), out);
      }
      return;
    }
    boolean same = expected.isNumber() ? actual.isNumber() && expected.asText().equals(actual.asText())
        : expected.equals(actual);
    if (!same) {
      out.add(path + ": " + actual + " (expected: " + expected + ")");
    }
  }
}
