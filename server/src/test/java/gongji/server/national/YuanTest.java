package gongji.server.national;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Yuan written without a BigDecimal: the same digits as BigDecimal's plain form, for every amount the gateway holds. */
class YuanTest {
  @Test
  void text_seededAmountsAndEdges_sameAsBigDecimalsPlainString() {
    long[] edges = {0, 1, 5, 9, 10, 99, 100, 101, 1234, -1, -5, -100, -1234, Yuan.MAX_FEN, -Yuan.MAX_FEN};
    for (long fen : edges) {
      assertEquals(Yuan.of(fen).toPlainString(), Yuan.text(fen), "fen " + fen);
    }
    SplittableRandom random = new SplittableRandom(13);
    for (int i = 0; i < 10_000; i++) {
      long fen = random.nextLong(-Yuan.MAX_FEN, Yuan.MAX_FEN + 1) >> random.nextInt(60);
      assertEquals(Yuan.of(fen).toPlainString(), Yuan.text(fen), "fen " + fen + " (seed 13, step " + i + ")");
    }
  }
}
