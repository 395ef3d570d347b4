package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.hash.Hashing;
import gongji.v1.AuthorizeRequest;
import gongji.v1.Credential;
import gongji.v1.CredentialType;
import gongji.v1.LineItem;
import gongji.v1.SettleRequest;
import gongji.v1.Terminal;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The content hash is journaled and kept in request images: it must stay the value Guava's
 * murmur3_128 gave for the same bytes, at every length (each tail of 0..15 bytes, several blocks).
 */
class ContentHashTest {
  private static final int SEED = 0x6a6f6e67;

  @Test
  void murmur3x64Low_anyBytes_equalsGuavasMurmur3_128AsLong() {
    SplittableRandom random = new SplittableRandom(20261204);
    for (int run = 0; run < 5_000; run++) {
      int length = run < 300 ? run : random.nextInt(5_000);
      byte[] bytes = new byte[length + random.nextInt(8)]; // a longer array: only the first length count
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) random.nextInt(256);
      }
      int seed = run % 2 == 0 ? SEED : random.nextInt();
      byte[] exact = java.util.Arrays.copyOf(bytes, length);
      assertEquals(Hashing.murmur3_128(seed).hashBytes(exact).asLong(), ContentHash.murmur3x64Low(seed, bytes, length),
          "seed " + seed + ", length " + length + ", run " + run);
    }
  }

  @Test
  void of_requests_equalsTheHashOfTheirSerializedBytes_smallAndLarge() {
    SplittableRandom random = new SplittableRandom(7);
    for (int run = 0; run < 200; run++) {
      AuthorizeRequest.Builder b = AuthorizeRequest.newBuilder().setRequestId("R" + run)
          .setTerminal(Terminal.newBuilder().setFixmedinsCode("P62010200017").setTerminalId("POS01"))
          .setCredential(Credential.newBuilder().setType(CredentialType.CREDENTIAL_TYPE_SOCIAL_SECURITY_CARD).setNumber("SSC-" + run));
      // Up to ~2,000 items: past the thread's buffer, which must then not be kept nor spoil the next hash.
      int items = run % 50 == 49 ? 2_000 : random.nextInt(20);
      for (int i = 0; i < items; i++) {
        b.addItems(LineItem.newBuilder().setCode("C" + random.nextInt(1_000_000)).setName("药品" + i)
            .setQuantity(1 + random.nextInt(9)).setAmountFen(random.nextLong(100_000)));
      }
      AuthorizeRequest r = b.build();
      assertEquals(Hashing.murmur3_128(SEED).hashBytes(r.toByteArray()).asLong(), ContentHash.of(SEED, r), "run " + run);
      SettleRequest s = SettleRequest.newBuilder().setRequestId("S" + run).setTransactionId("T" + run).build();
      assertEquals(Hashing.murmur3_128(SEED).hashBytes(s.toByteArray()).asLong(), ContentHash.of(SEED, s), "run " + run);
    }
  }
}
