package gongji.client.internal;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import com.google.protobuf.MessageLite;

/**
 * The fingerprint the gateway keeps a request under ({@code RequestRecord.content_hash}): the first 8
 * bytes, little-endian, of MurmurHash3 x64 128 with seed 0x6a6f6e67 of the serialized request. The
 * client compares it with the looked-up record's to know a request found under its id is its own.
 */
public final class ContentHash {
  private static final HashFunction HASH = Hashing.murmur3_128(0x6a6f6e67);

  private ContentHash() {}

  /** The fingerprint of {@code request} as it is sent. */
  public static long of(MessageLite request) {
    return HASH.hashBytes(request.toByteArray()).asLong();
  }

  /**
   * Whether a looked-up record's fingerprint is that of {@code sent}: equal, or 0 (a gateway that
   * keeps none, where the caller's other checks decide).
   */
  public static boolean matches(long recorded, long sent) {
    return recorded == 0 || recorded == sent;
  }
}
