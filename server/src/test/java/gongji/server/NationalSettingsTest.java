package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The national interface's settings: off unless configured, on at 9091 with --demo, a checked path. */
class NationalSettingsTest {

  @Test
  void load_noNationalPort_offUnlessDemo() throws Exception {
    assertEquals(-1, GatewayConfig.load(Map.of(), Map.of()).nationalPort());
    GatewayConfig demo = GatewayConfig.load(Map.of("demo", "true"), Map.of());
    assertEquals(9091, demo.nationalPort());
    assertEquals("/fsi/api/rsfComIfsService/callService", demo.nationalPath());
    assertTrue(demo.nationalMulaidInAcctPay());
  }

  @Test
  void load_flagsAndEnvironment_override() throws Exception {
    GatewayConfig c = GatewayConfig.load(Map.of("national-port", "0", "national-path",
        "/mbs/fmi/fsi/api/callFsiService/callService"), Map.of("GONGJI_NATIONAL_MULAID_IN_ACCT_PAY", "false"));
    assertEquals(0, c.nationalPort());
    assertEquals("/mbs/fmi/fsi/api/callFsiService/callService", c.nationalPath());
    assertFalse(c.nationalMulaidInAcctPay());
    assertEquals(-1, GatewayConfig.load(Map.of("demo", "true", "national-port", "-1"), Map.of()).nationalPort());
    assertTrue(c.describe().contains("national.port=0"));
  }

  @Test
  void load_badNationalSettings_refusedWithTheValue() {
    IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.load(Map.of("national-port", "70000"), Map.of()));
    assertTrue(port.getMessage().contains("70000"), port.getMessage());
    IllegalArgumentException path = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.load(Map.of("national-path", "no-slash"), Map.of()));
    assertTrue(path.getMessage().contains("no-slash"), path.getMessage());
  }
}
