package gongji.server.grpc;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The content hash of a request as sent: the first 64 bits of MurmurHash3 x64 128 (the value of
 * Guava's {@code Hashing.murmur3_128(seed).hashBytes(bytes).asLong()}, which journals and request
 * images already hold, so the hash of a request must not change) over the message's serialized
 * bytes. Computed on the event loop for every request that carries an id, so it serializes into a
 * buffer of the thread's own and hashes it in place: no array and no hasher per call.
 */
final class ContentHash {
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  /** The largest message serialized into the thread's buffer; a larger one gets an array of its own. */
  private static final int MAX_BUFFERED_BYTES = 64 * 1024;
  private static final ThreadLocal<byte[]> BUFFER = ThreadLocal.withInitial(() -> new byte[4096]);

  private ContentHash() {}

  /** The hash of {@code message}'s serialized bytes under {@code seed}. */
  static long of(int seed, Message message) {
    int size = message.getSerializedSize();
    byte[] buffer = BUFFER.get();
    if (size > buffer.length) {
      buffer = new byte[size];
      if (size <= MAX_BUFFERED_BYTES) {
        BUFFER.set(buffer);
      }
    }
    try {
      CodedOutputStream out = CodedOutputStream.newInstance(buffer, 0, size);
      message.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException("serializing " + message.getDescriptorForType().getName(), e);
    }
    return murmur3x64Low(seed, buffer, size);
  }

  /** The first 64 bits of MurmurHash3 x64 128 of {@code bytes[0, length)} under {@code seed}. */
  static long murmur3x64Low(int seed, byte[] bytes, int length) {
    long h1 = seed;
    long h2 = seed;
    int i = 0;
    for (; i + 16 <= length; i += 16) {
      long k1 = (long) LONG_LE.get(bytes, i);
      long k2 = (long) LONG_LE.get(bytes, i + 8);
      h1 ^= mixK1(k1);
      h1 = Long.rotateLeft(h1, 27);
      h1 += h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= mixK2(k2);
      h2 = Long.rotateLeft(h2, 31);
      h2 += h1;
      h2 = h2 * 5 + 0x38495ab5;
    }
    int rest = length - i;
    if (rest > 0) {
      long k1 = 0;
      long k2 = 0;
      for (int j = rest - 1; j >= 8; j--) {
        k2 ^= (bytes[i + j] & 0xffL) << (8 * (j - 8));
      }
      for (int j = Math.min(rest, 8) - 1; j >= 0; j--) {
        k1 ^= (bytes[i + j] & 0xffL) << (8 * j);
      }
      h1 ^= mixK1(k1);
      h2 ^= mixK2(k2);
    }
    h1 ^= length;
    h2 ^= length;
    h1 += h2;
    h2 += h1;
    h1 = fmix64(h1);
    h2 = fmix64(h2);
    return h1 + h2;
  }

  private static long mixK1(long k1) {
    return Long.rotateLeft(k1 * C1, 31) * C2;
  }

  private static long mixK2(long k2) {
    return Long.rotateLeft(k2 * C2, 33) * C1;
  }

  private static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
