package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ValidatorShapeTest {
  /** Each shape and the regular expression it stands for. */
  private static final Map<Validator.Shape, Pattern> SHAPES = Map.of(
      Validator.REQUEST_ID, Pattern.compile("[A-Za-z0-9_-]{1,64}"),
      Validator.BATCH_ID, Pattern.compile("[A-Za-z0-9_-]{1,50}"),
      Validator.INSTITUTION, Pattern.compile("[HP][0-9]{11}"),
      Validator.TERMINAL_ID, Pattern.compile("[A-Za-z0-9_-]{1,32}"),
      Validator.PSN_NO, Pattern.compile("[A-Za-z0-9]{1,30}"),
      Validator.ADMDVS, Pattern.compile("[0-9]{6}"),
      Validator.TXN_ID, Pattern.compile("T[0-9A-Z]{1,20}"),
      Validator.BINDING_ID, Pattern.compile("B[0-9A-Z]{1,20}"),
      Validator.WALLET_TRANSFER_ID, Pattern.compile("W[0-9A-Z]{1,20}"));

  /** Characters on both sides of every range edge, plus non-ASCII ones. */
  private static final String ALPHABET = "09AZaz_-HPTBW/:@[`{ .\u007f\u00e9\u4e2d\u0000\u0080";

  @Test
  void matches_seededStrings_agreesWithItsRegex() {
    long seed = 20261203L;
    SplittableRandom random = new SplittableRandom(seed);
    for (int n = 0; n < 200_000; n++) {
      StringBuilder b = new StringBuilder();
      int length = random.nextInt(70);
      // Mostly characters a shape accepts, so that long valid values are generated too.
      boolean mostlyValid = random.nextBoolean();
      for (int i = 0; i < length; i++) {
        b.append(mostlyValid && random.nextInt(40) != 0 ? (char) ('0' + random.nextInt(10))
            : ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
      if (random.nextInt(3) == 0 && length > 0) {
        b.setCharAt(0, "HPTBW".charAt(random.nextInt(5)));
      }
      String value = b.toString();
      for (Map.Entry<Validator.Shape, Pattern> e : SHAPES.entrySet()) {
        assertEquals(e.getValue().matcher(value).matches(), e.getKey().matches(value),
            () -> e.getValue() + " on \"" + value + "\" (seed " + seed + ")");
      }
    }
  }
}
