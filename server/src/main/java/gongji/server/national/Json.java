package gongji.server.national;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The one class that owns Jackson: reads an envelope into a tree, writes a tree, and hashes a tree
 * canonically for idempotency. Numbers are read as {@link java.math.BigDecimal}, never as binary
 * floating point; duplicate keys, trailing content and deep nesting are refused.
 */
final class Json {
  /** Deeper than any envelope the digest describes (envelope → input → node → list → line). */
  static final int MAX_NESTING_DEPTH = 16;
  /** No field of the envelope is longer than {@code input} (40,000 characters). */
  static final int MAX_STRING_CHARS = 40_000;
  /** Longest number literal accepted (money is numeric(16,2)). */
  static final int MAX_NUMBER_CHARS = 40;

  private static final HashFunction CONTENT_HASH = Hashing.murmur3_128(0x6e617469);

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .disable(SerializationFeature.INDENT_OUTPUT)
      .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
      .build();

  /** Reads back what we wrote: amounts keep their two decimals (350.00 stays 350.00). */
  private static final ObjectReader TREE_READER = MAPPER.reader()
      .without(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES);

  static {
    MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
        .maxNestingDepth(MAX_NESTING_DEPTH)
        .maxStringLength(MAX_STRING_CHARS)
        .maxNumberLength(MAX_NUMBER_CHARS)
        .build());
  }

  private Json() {}

  /** The tree of {@code text}; throws {@link BadEnvelopeException} when it is not one JSON value. */
  static JsonNode read(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      // Jackson's own message names its classes: tell what is wrong and where, in our words.
      String where = e.getLocation() == null ? "" : "第" + e.getLocation().getLineNr() + "行第"
          + e.getLocation().getColumnNr() + "列";
      String at = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column "
          + e.getLocation().getColumnNr();
      String m = String.valueOf(e.getOriginalMessage());
      String[] what = m.startsWith("Duplicate field") ? new String[] {"字段重复", "a key appears twice"}
          : m.contains("nesting depth") ? new String[] {"嵌套层数超过" + MAX_NESTING_DEPTH, "nested deeper than "
              + MAX_NESTING_DEPTH}
          : m.startsWith("Trailing token") ? new String[] {"JSON之后还有多余内容", "content after the JSON value"}
          : m.contains("length") && m.contains("exceeds") ? new String[] {"字符串或数字超长", "a string or number is too long"}
          : m.startsWith("No content") ? new String[] {"报文为空", "the body is empty"}
          : new String[] {"语法错误", "syntax error"};
      throw new BadEnvelopeException("MALFORMED_JSON", "报文不是合法的JSON：" + what[0] + (where.isEmpty() ? ""
          : "（" + where + "）"), "not valid JSON: " + what[1] + at);
    }
  }

  static byte[] write(JsonNode tree) {
    try {
      return MAPPER.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree we built cannot be written", e);
    }
  }

  /** A streaming generator writing UTF-8 JSON to {@code out} (closing it does not close {@code out}). */
  static JsonGenerator generator(OutputStream out) throws IOException {
    JsonGenerator g = MAPPER.getFactory().createGenerator(out, JsonEncoding.UTF8);
    g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    return g;
  }

  /** What {@code output} writes, as a tree. */
  static JsonNode tree(Output output) {
    try (TokenBuffer buffer = new TokenBuffer(MAPPER, false)) {
      output.write(buffer);
      return TREE_READER.readTree(buffer.asParser());
    } catch (IOException e) {
      throw new IllegalStateException("an output we wrote cannot be read back", e);
    }
  }

  static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  static ArrayNode array() {
    return JsonNodeFactory.instance.arrayNode();
  }

  /**
   * A hash of a tree that does not depend on the order of object keys: two envelopes that mean the
   * same get the same hash. Numbers hash by the value read (trailing zeros of a decimal do not count;
   * 350 written as an integer and 350.00 do differ).
   */
  static long contentHash(String infno, String institution, JsonNode tree) {
    return contentHash(infno, institution, tree, UnaryOperator.identity());
  }

  /**
   * The same, with the text of every credential number ({@code mdtrt_cert_no}, {@code certno})
   * hashed as {@code secret} turns it (keyed: the journal keeps the hash, and a hash over the number
   * itself would let a reader of the journal try every number against it).
   */
  static long contentHash(String infno, String institution, JsonNode tree, UnaryOperator<String> secret) {
    Hasher h = CONTENT_HASH.newHasher();
    h.putString(infno, StandardCharsets.UTF_8).putByte((byte) 0);
    h.putString(institution, StandardCharsets.UTF_8).putByte((byte) 0);
    hash(h, tree, secret);
    return h.hash().asLong();
  }

  private static final java.util.Set<String> SECRET_FIELDS = java.util.Set.of("mdtrt_cert_no", "certno");

  private static void hash(Hasher h, JsonNode n, UnaryOperator<String> secret) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      h.putByte((byte) 'n');
    } else if (n.isObject()) {
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      names.sort(null);
      h.putByte((byte) '{').putInt(names.size());
      for (String name : names) {
        h.putString(name, StandardCharsets.UTF_8).putByte((byte) 0);
        JsonNode v = n.get(name);
        if (v.isTextual() && SECRET_FIELDS.contains(name)) {
          h.putByte((byte) 's').putString(secret.apply(v.textValue()), StandardCharsets.UTF_8).putByte((byte) 0);
        } else {
          hash(h, v, secret);
        }
      }
    } else if (n.isArray()) {
      h.putByte((byte) '[').putInt(n.size());
      for (JsonNode e : n) {
        hash(h, e, secret);
      }
    } else if (n.isTextual()) {
      h.putByte((byte) 's').putString(n.textValue(), StandardCharsets.UTF_8).putByte((byte) 0);
    } else if (n.isNumber()) {
      h.putByte((byte) 'd').putString(n.asText(), StandardCharsets.UTF_8).putByte((byte) 0);
    } else if (n.isBoolean()) {
      h.putByte(n.booleanValue() ? (byte) 't' : (byte) 'f');
    } else {
      h.putByte((byte) '?').putString(n.asText(), StandardCharsets.UTF_8);
    }
  }
}
