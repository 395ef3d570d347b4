package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code max.calls.awaiting.body} and {@code request.body.timeout.seconds}: their defaults, from a
 * flag or the environment, in the effective configuration and in {@code serve --help}, and refused
 * out of range in one line naming the setting and the value.
 */
class RequestBodySettingsTest {

  @Test
  void load_defaults_fromTheEnvironment_aFlagWins_andDescribed() throws Exception {
    ConnectionLimits defaults = GatewayConfig.load(Map.of(), Map.of()).connections();
    assertEquals(1024, defaults.maxCallsAwaitingBody());
    assertEquals(Duration.ofSeconds(30), defaults.requestBodyTimeout());
    ConnectionLimits set = GatewayConfig.load(Map.of("request-body-timeout-seconds", "5"),
        Map.of("GONGJI_MAX_CALLS_AWAITING_BODY", "64", "GONGJI_REQUEST_BODY_TIMEOUT_SECONDS", "9")).connections();
    assertEquals(64, set.maxCallsAwaitingBody());
    assertEquals(Duration.ofSeconds(5), set.requestBodyTimeout(), "a flag wins over the environment");
    String effective = GatewayConfig.load(Map.of(), Map.of()).describe();
    assertTrue(effective.contains("max.calls.awaiting.body=1024"), effective);
    assertTrue(effective.contains("request.body.timeout.seconds=30"), effective);
    assertTrue(ServeCommand.DESCRIPTIONS.containsKey("max.calls.awaiting.body"));
    assertTrue(ServeCommand.DESCRIPTIONS.containsKey("request.body.timeout.seconds"));
  }

  @Test
  void load_outOfRange_isRefusedNamingTheSettingAndTheValue() {
    assertEquals("max.calls.awaiting.body: 0 (expected: > 0)", refused("max-calls-awaiting-body", "0"));
    assertEquals("request.body.timeout.seconds: 0 (expected: 1 to 3600)", refused("request-body-timeout-seconds", "0"));
    assertEquals("request.body.timeout.seconds: 3601 (expected: 1 to 3600)",
        refused("request-body-timeout-seconds", "3601"));
    assertEquals("request.body.timeout.seconds: -1 (expected: 1 to 3600)", refused("request-body-timeout-seconds", "-1"));
  }

  private static String refused(String flag, String value) {
    return assertThrows(IllegalArgumentException.class, () -> GatewayConfig.load(Map.of(flag, value), Map.of()))
        .getMessage();
  }
}
