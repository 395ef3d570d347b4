package gongji.server.ledger;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The framing of the journal: its frames, the names of segment files, and the manifest.
 *
 * <p>Format 2, written by this version. A segment holds frames; each starts with a magic that is its
 * code (the last byte is the format):
 *
 * <pre>
 * record := "GJR2":u32 | length:u32 (payload bytes) | seq:u64 | atMillis:u64 | crc:u32 | payload
 * commit := "GJC2":u32 | firstSeq:u64 | lastSeq:u64 | crc:u32          closes the batch firstSeq..lastSeq
 * loss   := "GJL2":u32 | fromSeq:u64 | throughSeq:u64 | atMillis:u64 | crc:u32
 * crc    := CRC32C over the frame's bytes before the crc field, and the payload
 * </pre>
 *
 * Every forced batch is its records followed by one commit frame, written with one append and one
 * force. A commit frame is what tells damage from a torn write: the commit is the last thing a batch
 * writes, so a batch whose records are damaged but whose commit (or anything after it) is intact was
 * written whole, and a record there that fails its checks is damage, never a crash. A loss frame is
 * the first frame of the segment that follows records lost to damage that an operator accepted
 * ({@code serve --accept-journal-loss}): it names them, so that later starts see the gap as accepted
 * instead of as damage.
 *
 * <p>Format 1 (earlier versions) has records with the magic "GJR1" and no commit frames. It is
 * read as it is (a data directory moves to format 2 with the first segment this version writes, at
 * its first start); there a damaged last record cannot be told from a torn write.
 *
 * <p>All integers are big-endian. A segment file {@code journal-<first seq, 20 digits>.log} holds
 * consecutive records; the first record of a segment has the sequence number in its name.
 *
 * <p>The manifest, {@code journal.manifest}, names the newest segment; the journal rewrites it
 * (a temporary file, forced, renamed over it, the directory forced) each time it starts a segment,
 * after the segment is durable. A journal whose newest segment is older than the one the manifest
 * names has lost its newest segment:
 *
 * <pre>
 * manifest := "GJM2":u32 | newestSegmentFirstSeq:u64 | crc:u32
 * </pre>
 */
final class JournalFormat {
  /** The journal format this version writes. */
  static final int FORMAT = 2;
  static final int MAGIC = 0x47_4A_52_32;
  /** Records of format 1: read, never written. */
  static final int MAGIC_FORMAT_1 = 0x47_4A_52_31;
  static final int COMMIT_MAGIC = 0x47_4A_43_32;
  static final int LOSS_MAGIC = 0x47_4A_4C_32;
  static final int MANIFEST_MAGIC = 0x47_4A_4D_32;
  static final int HEADER_BYTES = 4 + 4 + 8 + 8 + 4;
  static final int CRC_OFFSET = 24;
  static final int COMMIT_BYTES = 4 + 8 + 8 + 4;
  static final int LOSS_BYTES = 4 + 8 + 8 + 8 + 4;
  static final int MANIFEST_BYTES = 4 + 8 + 4;
  /** No command comes near this; a larger length field is damage. */
  static final int MAX_PAYLOAD_BYTES = 1 << 20;
  static final String SEGMENT_PREFIX = "journal-";
  static final String SEGMENT_SUFFIX = ".log";
  static final String MANIFEST = "journal.manifest";

  private JournalFormat() {}

  static String segmentName(long firstSeq) {
    return SEGMENT_PREFIX + String.format("%020d", firstSeq) + SEGMENT_SUFFIX;
  }

  /** The first sequence number of a segment file name, or -1 if the name is not a segment's. */
  static long segmentFirstSeq(String name) {
    if (!name.startsWith(SEGMENT_PREFIX) || !name.endsWith(SEGMENT_SUFFIX)) {
      return -1;
    }
    String digits = name.substring(SEGMENT_PREFIX.length(), name.length() - SEGMENT_SUFFIX.length());
    if (digits.length() != 20 || !digits.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    return Long.parseLong(digits);
  }

  static int crc(byte[] buf, int recordStart, int payloadLength) {
    CRC32C crc = new CRC32C();
    crc.update(buf, recordStart, CRC_OFFSET);
    crc.update(buf, recordStart + HEADER_BYTES, payloadLength);
    return (int) crc.getValue();
  }

  /** CRC32C of {@code length} bytes from {@code at}: the crc of a fixed-size frame (commit, loss, manifest). */
  private static int crcOf(byte[] b, int at, int length) {
    CRC32C crc = new CRC32C();
    crc.update(b, at, length);
    return (int) crc.getValue();
  }

  static int getI32(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }

  static long getI64(byte[] b, int at) {
    return ((long) getI32(b, at) << 32) | (getI32(b, at + 4) & 0xffffffffL);
  }

  /**
   * Whether a whole, intact record (of either format) starts at {@code at}: magic, a sane length
   * within the buffer, and a matching CRC. Returns its payload length, or -1.
   */
  static int validRecordAt(byte[] b, int at, int end) {
    if (end - at < HEADER_BYTES) {
      return -1;
    }
    int magic = getI32(b, at);
    if (magic != MAGIC && magic != MAGIC_FORMAT_1) {
      return -1;
    }
    int length = getI32(b, at + 4);
    if (length < 0 || length > MAX_PAYLOAD_BYTES || length > end - at - HEADER_BYTES) {
      return -1;
    }
    return getI32(b, at + CRC_OFFSET) == crc(b, at, length) ? length : -1;
  }

  /** Whether a whole, intact fixed-size frame with {@code magic} and {@code bytes} starts at {@code at}. */
  private static boolean validFixedAt(byte[] b, int at, int end, int magic, int bytes) {
    return end - at >= bytes && getI32(b, at) == magic && getI32(b, at + bytes - 4) == crcOf(b, at, bytes - 4);
  }

  static boolean validCommitAt(byte[] b, int at, int end) {
    return validFixedAt(b, at, end, COMMIT_MAGIC, COMMIT_BYTES);
  }

  static boolean validLossAt(byte[] b, int at, int end) {
    return validFixedAt(b, at, end, LOSS_MAGIC, LOSS_BYTES);
  }

  /** The bytes of a whole frame that starts at {@code at}, or -1 if no intact frame starts there. */
  static int frameBytesAt(byte[] b, int at, int end) {
    int length = validRecordAt(b, at, end);
    if (length >= 0) {
      return HEADER_BYTES + length;
    }
    if (validCommitAt(b, at, end)) {
      return COMMIT_BYTES;
    }
    return validLossAt(b, at, end) ? LOSS_BYTES : -1;
  }

  /** Appends a commit frame for the batch {@code firstSeq..lastSeq}. */
  static void commit(CommandCodec.Output out, long firstSeq, long lastSeq) {
    int start = out.size();
    out.i32(COMMIT_MAGIC).i64(firstSeq).i64(lastSeq);
    out.i32(crcOf(out.array(), start, COMMIT_BYTES - 4));
  }

  /** Appends a loss frame naming the records {@code fromSeq..throughSeq} as lost and accepted. */
  static void loss(CommandCodec.Output out, long fromSeq, long throughSeq, long atMillis) {
    int start = out.size();
    out.i32(LOSS_MAGIC).i64(fromSeq).i64(throughSeq).i64(atMillis);
    out.i32(crcOf(out.array(), start, LOSS_BYTES - 4));
  }

  /** The manifest's bytes. */
  static byte[] manifest(long newestSegmentFirstSeq) {
    byte[] b = ByteBuffer.allocate(MANIFEST_BYTES).putInt(MANIFEST_MAGIC).putLong(newestSegmentFirstSeq).array();
    ByteBuffer.wrap(b).putInt(MANIFEST_BYTES - 4, crcOf(b, 0, MANIFEST_BYTES - 4));
    return b;
  }

  /** The newest segment's first sequence number a manifest names, or -1 if the bytes are not a sound manifest. */
  static long manifestNewest(byte[] b) {
    return b.length == MANIFEST_BYTES && validFixedAt(b, 0, b.length, MANIFEST_MAGIC, MANIFEST_BYTES)
        ? getI64(b, 4) : -1;
  }
}
