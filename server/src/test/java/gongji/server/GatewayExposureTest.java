package gongji.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settings the gateway refuses to start with, because they would let anyone move money. */
class GatewayExposureTest {
  private static final Map<String, String> NO_ENV = Map.of();

  @Test
  void demo_onAPublicHost_refused() throws Exception {
    GatewayConfig c = GatewayConfig.load(Map.of("demo", "true", "host", "0.0.0.0"), NO_ENV);

    assertRefused(c, "--demo listens on loopback only");
    assertDoesNotThrow(() -> GatewayServer.checkExposure(GatewayConfig.load(Map.of("demo", "true"), NO_ENV)));
  }

  @Test
  void noAuthenticationConfigured_refusedOnAnyHost() throws Exception {
    assertRefused(GatewayConfig.load(Map.of("host", "0.0.0.0"), NO_ENV), "no caller authentication is configured");
    assertRefused(GatewayConfig.load(Map.of(), NO_ENV), "no caller authentication is configured");
  }

  @Test
  void authenticationOff_onlyOnLoopback() throws Exception {
    assertRefused(GatewayConfig.load(Map.of("auth-required", "false", "host", "0.0.0.0"), NO_ENV),
        "allowed on a loopback host only");
    assertDoesNotThrow(() -> GatewayServer.checkExposure(GatewayConfig.load(Map.of("auth-required", "false"), NO_ENV)));
  }

  @Test
  void tokensOnAPublicHost_start_butNotTheUnauthenticatedNationalInterface() throws Exception {
    assertDoesNotThrow(() -> GatewayServer.checkExposure(
        GatewayConfig.load(Map.of("host", "0.0.0.0", "auth-tokens-file", "tokens"), NO_ENV)));
    assertRefused(GatewayConfig.load(Map.of("host", "0.0.0.0", "auth-tokens-file", "tokens", "national-port", "9091"),
        NO_ENV), "national interface");
    assertDoesNotThrow(() -> GatewayServer.checkExposure(GatewayConfig.load(Map.of("host", "0.0.0.0",
        "auth-tokens-file", "tokens", "national-port", "9091", "national-paas-file", "callers"), NO_ENV)));
  }

  private static void assertRefused(GatewayConfig config, String because) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GatewayServer.checkExposure(config));
    assertTrue(e.getMessage().contains(because), e.getMessage());
  }
}
