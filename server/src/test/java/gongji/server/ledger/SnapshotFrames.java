package gongji.server.ledger;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Snapshot frames made by hand, for tests that forge, age or damage an image: the layouts are
 * {@link Snapshots}'s, the current one (length and checksum after the payload) and the earlier one
 * (before it).
 */
public final class SnapshotFrames {
  private SnapshotFrames() {}

  /** Where the payload of {@code image} starts. */
  public static int payloadStart(byte[] image) {
    return Snapshots.payloadStart(ByteBuffer.wrap(image).getInt(0));
  }

  /** The payload of {@code image}, whatever its frame says its length is. */
  public static byte[] payload(byte[] image) {
    int magic = ByteBuffer.wrap(image).getInt(0);
    int end = image.length - (magic == Snapshots.MAGIC ? Snapshots.TRAILER_BYTES : 0);
    return Arrays.copyOfRange(image, Snapshots.payloadStart(magic), end);
  }

  /** {@code payload} framed as the format {@code magic} names frames it, as of record {@code seq}. */
  public static byte[] framed(int magic, long seq, byte[] payload) {
    ByteBuffer b;
    if (magic == Snapshots.MAGIC) {
      b = ByteBuffer.allocate(Snapshots.HEADER_BYTES + payload.length + Snapshots.TRAILER_BYTES);
      b.putInt(magic).putLong(seq).put(payload).putLong(payload.length).putInt(0);
    } else {
      b = ByteBuffer.allocate(Snapshots.EARLIER_HEADER_BYTES + payload.length);
      b.putInt(magic).putLong(seq).putLong(payload.length).putInt(0).put(payload);
    }
    byte[] image = b.array();
    b.putInt(magic == Snapshots.MAGIC ? image.length - 4 : 20, Snapshots.crc(image, magic));
    return image;
  }

  /**
   * {@code image} with its payload changed by hand, framed again so that its length and checksum are
   * right (a forgery, which only the checks after decoding can find, not damage).
   */
  public static byte[] resealed(byte[] image) {
    ByteBuffer b = ByteBuffer.wrap(image);
    return framed(b.getInt(0), b.getLong(4), payload(image));
  }
}
