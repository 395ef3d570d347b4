package gongji.server.ledger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The command path over arbitrary bytes: the commands decoded from them are applied, one after
 * another, to a ledger holding a small seeded world (the people, institutions, policies and bindings
 * of {@link LedgerWorkload}); bytes the codec refuses are skipped, as the journal would never hold
 * them. Whatever the commands, applying never throws (on the writer an exception is a bug that stops
 * the ledger), the audit finds nothing after each, and the state survives a snapshot round trip.
 *
 * <p>Input: records of a length byte and that many bytes of a command's journal encoding, then one
 * byte of minutes to let pass before it. {@code mvn verify} runs the seeds in
 * {@code src/test/resources/gongji/server/ledger/LedgerFuzzTestInputs/apply_decodedCommands/}
 * (workload commands). To fuzz: {@code JAZZER_FUZZ=1 mvn -pl server test -Dtest=LedgerFuzzTest}.
 */
class LedgerFuzzTest {
  private static final long START_MILLIS = 1_764_036_000_000L;
  private static final Duration WINDOW = Duration.ofDays(35);

  @FuzzTest(maxDuration = "2m")
  void apply_decodedCommands(byte[] data) {
    Ledger ledger = new Ledger(WINDOW, ReferenceListener.NONE);
    LedgerWorkload workload = new LedgerWorkload(new SplittableRandom(7));
    long now = START_MILLIS;
    for (Command c : workload.world()) {
      ledger.apply(c, now);
    }
    ByteBuffer in = ByteBuffer.wrap(data);
    while (in.remaining() >= 2) {
      int length = in.get() & 0xff;
      if (length + 1 > in.remaining()) {
        break;
      }
      ByteBuffer encoded = in.slice(in.position(), length);
      in.position(in.position() + length);
      now += (in.get() & 0xff) * 60_000L;
      Command c;
      try {
        c = CommandCodec.decode(encoded);
      } catch (IllegalArgumentException refused) {
        continue;
      }
      ledger.apply(c, now);
      ledger.takeHistory();
      assertEquals(List.of(), ledger.audit(), () -> "after " + c);
    }
    byte[] image = LedgerStates.bytes(ledger);
    assertArrayEquals(image, LedgerStates.bytes(LedgerStates.copy(ledger)), "snapshot round trip");
  }
}
