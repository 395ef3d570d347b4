package gongji.server.national;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The response envelope of one call, written field by field with Jackson's streaming generator (no
 * tree): {@code infcode} 0 with the {@code output}, or -1 with {@code err_msg} and our reason in
 * {@code gongji_reason} and {@code gongji_detail}, which existing clients ignore.
 *
 * @param output null on a refusal
 * @param reason null on success
 */
record ResponseEnvelope(int infcode, String infRefmsgid, long refmsgMillis, long respondMillis, String errMsg,
    Output output, String reason, String detail) {

  /** Writes the envelope as UTF-8 JSON to {@code out}. */
  void writeTo(OutputStream out) {
    try (JsonGenerator g = Json.generator(out)) {
      write(g);
    } catch (IOException e) {
      throw new UncheckedIOException("the response envelope could not be written", e);
    }
  }

  private void write(JsonGenerator g) throws IOException {
    g.writeStartObject();
    g.writeNumberField("infcode", infcode);
    g.writeStringField("inf_refmsgid", infRefmsgid);
    g.writeStringField("refmsg_time", Times.millis(refmsgMillis));
    g.writeStringField("respond_time", Times.millis(respondMillis));
    g.writeNullField("warn_msg");
    g.writeNullField("cainfo");
    g.writeNullField("signtype");
    if (errMsg == null) {
      g.writeNullField("err_msg");
    } else {
      g.writeStringField("err_msg", errMsg);
    }
    g.writeFieldName("output");
    if (output == null) {
      g.writeNull();
    } else {
      output.write(g);
    }
    if (reason != null) {
      g.writeStringField("gongji_reason", reason);
      g.writeStringField("gongji_detail", detail);
    }
    g.writeEndObject();
  }

  /** The envelope as a tree (for tests and the audit record, off the hot path's write). */
  ObjectNode tree() {
    return (ObjectNode) Json.tree(this::write);
  }

  /** The output as a tree, or null on a refusal. */
  ObjectNode outputTree() {
    return output == null ? null : (ObjectNode) Json.tree(output);
  }
}
