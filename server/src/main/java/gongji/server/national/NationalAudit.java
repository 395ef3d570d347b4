package gongji.server.national;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.audit.AuditLog;
import gongji.server.domain.Masking;
import gongji.server.text.SafeText;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * The audit records of the national interface, in the same {@link AuditLog} and the same shape as
 * the gRPC port's ({@code grpc/AuditInterceptor}): who (the signer's principal and how it was
 * proved, or {@code unauthenticated}), from where, when the request arrived, what ({@code
 * national/<infno>}, the envelope's {@code msgid}, institution and terminal, and the input's ids,
 * codes and amounts), the result ({@code OK}, or {@code REFUSED} with our reason) and, on success,
 * the output's ids and amounts with {@code inf_refmsgid}. Every transaction but the reads (1101,
 * 5203, 3201, 3202) is audited, and so is a request refused before its transaction is known (a bad
 * signature, a body that is not an envelope). Person numbers, credential numbers and names appear
 * masked only; other free text is left out, lists as a count.
 */
final class NationalAudit {
  /** The transactions that change nothing: as {@code Get*}, {@code Identify} and {@code Reconcile*} on gRPC. */
  private static final Set<String> READS = Set.of("1101", "5203", "3201", "3202");
  /** The longest text kept of one field. */
  private static final int MAX_TEXT = 64;

  private final AuditLog audit;

  NationalAudit(AuditLog audit) {
    this.audit = requireNonNull(audit, "audit");
  }

  /** Whether a call of this envelope is audited (null: it was refused before it was read). */
  static boolean audited(Envelope env) {
    return env == null || !READS.contains(env.infno());
  }

  /** Writes the record of one call; {@code caller}, {@code env} and {@code peer} may be null. */
  void write(long receivedMillis, SocketAddress peer, TifSignatures.Caller caller, Envelope env,
      ResponseEnvelope reply) {
    ObjectNode r = audit.record();
    r.put("time", Instant.ofEpochMilli(receivedMillis).toString());
    if (caller == null) {
      r.put("who", "unauthenticated");
    } else {
      r.put("who", caller.terminal() == null ? caller.institution() : caller.institution() + "/" + caller.terminal());
      r.put("via", "x-tif-paasid " + caller.paasId());
    }
    if (peer instanceof InetSocketAddress a) {
      r.put("peer", (a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress()) + ":" + a.getPort());
    }
    r.put("what", "national/" + (env == null ? "unread" : env.infno()));
    if (env != null) {
      ObjectNode request = r.putObject("request");
      request.put("msgid", env.msgid());
      request.put("fixmedins_code", env.fixmedinsCode());
      request.put("opter", env.opter());
      request.put("mdtrtarea_admvs", env.mdtrtareaAdmvs());
      request.set("input", fields(r, env.input()));
    }
    boolean ok = reply.infcode() == 0;
    r.put("result", ok ? "OK" : "REFUSED");
    if (!ok) {
      r.put("reason", reply.reason());
    }
    ObjectNode out = r.putObject("reply");
    out.put("inf_refmsgid", reply.infRefmsgid());
    ObjectNode output = ok ? reply.outputTree() : null;
    if (output != null) {
      out.set("output", fields(r, output));
    }
    audit.write(r);
  }

  /**
   * The fields of an input or output an audit record keeps: ids and codes, amounts and other
   * numbers, flags; person and credential numbers and names masked; arrays as a count; other text
   * left out.
   */
  private static ObjectNode fields(ObjectNode factory, JsonNode node) {
    ObjectNode out = factory.objectNode();
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String name = e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        out.set(name, fields(factory, v));
      } else if (v.isArray()) {
        out.put(name + "_count", v.size());
      } else if (v.isNumber() || v.isBoolean()) {
        out.set(name, v);
      } else if (v.isTextual()) {
        String kept = text(name, v.asText());
        if (kept != null) {
          out.put(name, kept);
        }
      }
    }
    return out;
  }

  private static String text(String name, String value) {
    if (name.endsWith("psn_no") || name.endsWith("cert_no") || name.equals("certno") || name.endsWith("card_no")) {
      return Masking.psnNo(value);
    }
    if (name.endsWith("name")) {
      return Masking.name(value);
    }
    boolean code = name.endsWith("_id") || name.endsWith("_code") || name.endsWith("_type") || name.endsWith("_flag")
        || name.endsWith("admdvs") || name.endsWith("admvs") || name.endsWith("_optins") || name.endsWith("msgid")
        || name.equals("insutype") || name.equals("oinfno") || name.equals("sign_no");
    boolean amount = name.endsWith("amt") || name.endsWith("_pay") || name.endsWith("balc") || name.endsWith("_cnt");
    return code || amount ? SafeText.cut(value, MAX_TEXT) : null;
  }
}
