package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.DemoData;
import gongji.server.audit.AuditLog;
import gongji.server.domain.Masking;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The national interface writes the same audit log as the gRPC port, in the same shape: a
 * settlement with who, from where, when, what (infno, msgid, ids and amounts), the result and the
 * reply's amounts, persons masked; a refusal with its reason; a body that is not an envelope too;
 * a read (1101) not at all.
 */
class NationalAuditTest {
  @TempDir
  Path dir;

  @Test
  void settleRefusalAndBadBody_areAudited_personsMasked_andReadsAreNot() throws Exception {
    JsonNode settled;
    String msgid;
    try (AuditLog audit = new AuditLog(dir, 1 << 20, 1_000, InstantSource.system());
        NationalEndpoint endpoint = NationalEndpoint.withDemoDataAudited(audit)) {
      ObjectNode identify = NationalEndpoint.JSON.createObjectNode();
      identify.putObject("data").put("mdtrt_cert_type", "03").put("mdtrt_cert_no", "SSC-LINA").put("psn_cert_type", "01");
      endpoint.call(NationalEndpoint.envelope("1101", endpoint.msgid(DemoData.PHARMACY), DemoData.PHARMACY, "POS01",
          identify));
      msgid = endpoint.msgid(DemoData.PHARMACY);
      settled = endpoint.call(NationalEndpoint.envelope("2102", msgid, DemoData.PHARMACY, "POS01",
          NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "350.00")));
      endpoint.call(NationalEndpoint.envelope("2102", msgid, DemoData.PHARMACY, "POS01",
          NationalEndpoint.liNaDrugSale(DemoData.LI_NA, "351.00")));
      endpoint.post("{\"infno\":".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals(0, settled.get("infcode").asInt(), settled.toString());

    String text = Files.readString(dir.resolve("audit.log"));
    List<JsonNode> records = new ArrayList<>();
    for (String line : text.split("\n")) {
      records.add(NationalEndpoint.readJson(line));
    }
    assertEquals(3, records.size(), "2102, its refused resend, the bad body; not 1101: " + text);
    JsonNode ok = records.get(0);
    assertEquals("national/2102", ok.get("what").asText(), text);
    assertEquals("unauthenticated", ok.get("who").asText());
    assertTrue(ok.get("peer").asText().startsWith("127.0.0.1:"), text);
    assertTrue(ok.get("time").asText().endsWith("Z"), text);
    assertEquals(msgid, ok.get("request").get("msgid").asText());
    assertEquals(DemoData.PHARMACY, ok.get("request").get("fixmedins_code").asText());
    assertEquals("POS01", ok.get("request").get("opter").asText());
    JsonNode druginfo = ok.get("request").get("input").get("druginfo");
    assertEquals(Masking.psnNo(DemoData.LI_NA), druginfo.get("psn_no").asText());
    assertEquals(Masking.psnNo("SSC-LINA"), druginfo.get("mdtrt_cert_no").asText());
    assertEquals("350.00", druginfo.get("medfee_sumamt").asText());
    assertEquals("310", druginfo.get("insutype").asText());
    assertEquals(1, ok.get("request").get("input").get("drugdetail_count").asInt());
    assertEquals("OK", ok.get("result").asText());
    JsonNode setlinfo = settled.get("output").get("setlinfo");
    JsonNode audited = ok.get("reply").get("output").get("setlinfo");
    assertEquals(settled.get("inf_refmsgid").asText(), ok.get("reply").get("inf_refmsgid").asText());
    for (String field : List.of("setl_id", "acct_pay", "acct_mulaid_pay", "psn_cash_pay", "balc")) {
      assertEquals(setlinfo.get(field).asText(), audited.get(field).asText(), field + " in " + text);
    }
    JsonNode refused = records.get(1);
    assertEquals("REFUSED", refused.get("result").asText(), text);
    assertEquals("REQUEST_ID_REUSED", refused.get("reason").asText(), text);
    assertFalse(refused.get("reply").has("output"), text);
    JsonNode bad = records.get(2);
    assertEquals("national/unread", bad.get("what").asText(), text);
    assertEquals("MALFORMED_JSON", bad.get("reason").asText(), text);
    assertFalse(text.contains(DemoData.LI_NA), "no unmasked person number: " + text);
    assertFalse(text.contains("SSC-LINA"), "no unmasked card: " + text);
    assertFalse(text.contains("李娜") || text.contains("收银员王芳"), "no names in clear: " + text);
  }
}
