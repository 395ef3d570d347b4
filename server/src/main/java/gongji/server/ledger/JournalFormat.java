package gongji.server.ledger;

import java.util.zip.CRC32C;

/**
 * The framing of journal records and the names of segment files.
 *
 * <pre>
 * record := magic:u32 "GJR1" | length:u32 (payload bytes) | seq:u64 | atMillis:u64 | crc:u32 | payload
 * crc    := CRC32C over magic, length, seq, atMillis and payload
 * </pre>
 *
 * All integers are big-endian. A segment file {@code journal-<first seq, 20 digits>.log} holds
 * consecutive records; the first record of a segment has the sequence number in its name.
 */
final class JournalFormat {
  static final int MAGIC = 0x47_4A_52_31;
  static final int HEADER_BYTES = 4 + 4 + 8 + 8 + 4;
  static final int CRC_OFFSET = 24;
  /** No command comes near this; a larger length field is damage. */
  static final int MAX_PAYLOAD_BYTES = 1 << 20;
  static final String SEGMENT_PREFIX = "journal-";
  static final String SEGMENT_SUFFIX = ".log";

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

  static int getI32(byte[] b, int at) {
    return ((b[at] & 0xff) << 24) | ((b[at + 1] & 0xff) << 16) | ((b[at + 2] & 0xff) << 8) | (b[at + 3] & 0xff);
  }

  static long getI64(byte[] b, int at) {
    return ((long) getI32(b, at) << 32) | (getI32(b, at + 4) & 0xffffffffL);
  }

  /**
   * Whether a whole, intact record starts at {@code at}: magic, a sane length within the buffer,
   * and a matching CRC. Returns its payload length, or -1.
   */
  static int validRecordAt(byte[] b, int at, int end) {
    if (end - at < HEADER_BYTES || getI32(b, at) != MAGIC) {
      return -1;
    }
    int length = getI32(b, at + 4);
    if (length < 0 || length > MAX_PAYLOAD_BYTES || length > end - at - HEADER_BYTES) {
      return -1;
    }
    return getI32(b, at + CRC_OFFSET) == crc(b, at, length) ? length : -1;
  }
}
