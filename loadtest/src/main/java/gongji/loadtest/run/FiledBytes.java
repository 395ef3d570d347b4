package gongji.loadtest.run;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of the books' filed records ({@link Books}, whose class comment gives the format): a
 * buffer a record is encoded into ({@link Out}) and a reader of a chunk of them ({@link In}).
 * Integers are unsigned LEB128 varints, as protobuf writes them; a record's length goes in front of
 * it once the record is complete.
 */
final class FiledBytes {
  private FiledBytes() {}

  /** A growable buffer a record is encoded into, reused by its thread. */
  static final class Out {
    /** Room kept before a record for its length, written once the record is complete. */
    private static final int LENGTH_ROOM = 5;
    byte[] buf = new byte[1024];
    int pos;

    Out startRecord(byte kind) {
      pos = LENGTH_ROOM;
      u8(kind);
      return this;
    }

    /** Writes the record's length in front of it; returns where the record (with its length) starts. */
    int finishRecord() {
      int length = pos - LENGTH_ROOM;
      int size = 1;
      for (int v = length >>> 7; v != 0; v >>>= 7) {
        size++;
      }
      int from = LENGTH_ROOM - size;
      int end = pos;
      pos = from;
      varint(length);
      pos = end;
      return from;
    }

    private void ensure(int more) {
      if (pos + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + more));
      }
    }

    void u8(int b) {
      ensure(1);
      buf[pos++] = (byte) b;
    }

    void varint(int v) {
      if (v < 0) {
        throw new IllegalArgumentException("varint: " + v + " (expected: >= 0)");
      }
      varlong(v);
    }

    void varlong(long v) {
      if (v < 0) {
        throw new IllegalArgumentException("varlong: " + v + " (expected: >= 0)");
      }
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        buf[pos++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      buf[pos++] = (byte) v;
    }

    void bytes(byte[] b) {
      varint(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, buf, pos, b.length);
      pos += b.length;
    }

    void string(String s) {
      stringWithLength(s, 0);
    }

    /** A string whose length is written plus one (0 is left for a reference). */
    void stringPlusOne(String s) {
      stringWithLength(s, 1);
    }

    private void stringWithLength(String s, int plus) {
      int n = s.length();
      for (int i = 0; i < n; i++) {
        if (s.charAt(i) >= 0x80) {
          byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
          varint(utf8.length + plus);
          ensure(utf8.length);
          System.arraycopy(utf8, 0, buf, pos, utf8.length);
          pos += utf8.length;
          return;
        }
      }
      // ASCII (every id this run makes): its bytes are its chars, copied without a temporary array.
      varint(n + plus);
      ensure(n);
      for (int i = 0; i < n; i++) {
        buf[pos++] = (byte) s.charAt(i);
      }
    }
  }

  /** A reader of one chunk's records. */
  static final class In {
    private final byte[] buf;
    int pos;

    In(byte[] buf, int pos) {
      this.buf = buf;
      this.pos = pos;
    }

    int u8() {
      return buf[pos++] & 0xFF;
    }

    long varlong() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = buf[pos++];
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          return v;
        }
      }
      throw new IllegalStateException("a varint of more than 64 bits at " + (pos - 10));
    }

    int varint() {
      return Math.toIntExact(varlong());
    }

    byte[] bytes() {
      int n = varint();
      byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
      pos += n;
      return b;
    }

    String string() {
      int n = varint();
      String s = new String(buf, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    /** A string written by {@link Out#stringPlusOne}, or {@code reference} where 0 was written. */
    String stringPlusOne(String reference) {
      int n = varint();
      if (n == 0) {
        if (reference == null) {
          throw new IllegalStateException("a reference to the sale's transaction in a request read before it");
        }
        return reference;
      }
      String s = new String(buf, pos, n - 1, StandardCharsets.UTF_8);
      pos += n - 1;
      return s;
    }
  }
}
