package gongji.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.ledger.storage.SimulatedStorage;
import gongji.server.testing.MutableClock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ledger.pipelined.force}: off by default, on from a flag or the environment, refused when it
 * is neither true nor false, and what the node's sequencer does.
 */
@SuppressWarnings("try") // Node.close() may throw InterruptedException: the test fails with it
class PipelinedForceSettingTest {

  @Test
  void load_pipelinedForce_offByDefault_onFromTheEnvironment_aFlagWins() throws Exception {
    assertFalse(GatewayConfig.load(Map.of(), Map.of()).pipelinedForce());
    assertTrue(GatewayConfig.load(Map.of(), Map.of("GONGJI_LEDGER_PIPELINED_FORCE", "true")).pipelinedForce());
    assertFalse(GatewayConfig.load(Map.of("ledger-pipelined-force", "false"),
        Map.of("GONGJI_LEDGER_PIPELINED_FORCE", "true")).pipelinedForce(), "a flag wins over the environment");
    assertTrue(GatewayConfig.load(Map.of(), Map.of()).describe().contains("ledger.pipelined.force=false"));
  }

  @Test
  void load_pipelinedForceNeitherTrueNorFalse_isRefusedNamingTheSettingAndTheValue() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> GatewayConfig.load(Map.of("ledger-pipelined-force", "yes"), Map.of()));
    assertEquals("ledger.pipelined.force: \"yes\" (expected: true or false)", e.getMessage());
  }

  @Test
  void open_aNodeWithAJournal_forcesOffTheWriterOnlyWhenTurnedOn() throws Exception {
    MutableClock clock = MutableClock.atMondayMorning();
    try (Node on = Node.open(GatewayConfig.forTests().withPipelinedForce(true), clock, new SimulatedStorage())) {
      assertTrue(on.sequencer().pipelined());
    }
    try (Node off = Node.open(GatewayConfig.forTests(), clock, new SimulatedStorage())) {
      assertFalse(off.sequencer().pipelined());
    }
  }
}
