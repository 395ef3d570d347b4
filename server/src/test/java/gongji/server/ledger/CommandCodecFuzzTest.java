package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * {@link CommandCodec#decode} over arbitrary bytes: a command, or {@link IllegalArgumentException}
 * with a message; nothing else. What decodes re-encodes to bytes that decode to the same command.
 *
 * <p>{@code mvn verify} runs this over the seeds in
 * {@code src/test/resources/gongji/server/ledger/CommandCodecFuzzTestInputs/decode/} (a valid
 * Authorize, region policy, person and payout). To fuzz (findings are added to that directory):
 * {@code JAZZER_FUZZ=1 mvn -pl server test -Dtest=CommandCodecFuzzTest}.
 */
class CommandCodecFuzzTest {

  @FuzzTest(maxDuration = "2m")
  void decode(byte[] data) {
    Command command;
    try {
      command = CommandCodec.decode(ByteBuffer.wrap(data));
    } catch (IllegalArgumentException e) {
      assertNotNull(e.getMessage(), "a refusal says why");
      return;
    }
    byte[] encoded = encode(command);
    Command again = CommandCodec.decode(ByteBuffer.wrap(encoded));
    assertArrayEquals(encoded, encode(again), () -> "re-encoding changed " + command);
  }

  private static byte[] encode(Command c) {
    CommandCodec.Output out = new CommandCodec.Output(64);
    CommandCodec.encode(c, out);
    return Arrays.copyOf(out.array(), out.size());
  }
}
