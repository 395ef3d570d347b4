package gongji.server.ledger;

import java.nio.ByteBuffer;

/**
 * The snapshot image of the ledger's state, section by section, each written and read by the part
 * that owns it (framing, checksums and files are {@link Snapshots}'s):
 *
 * <pre>
 * header   := nowMillis:i64 | nextTxn:varlong | nextBinding:varlong
 * accounts := {@link Accounts#write}
 * registry := {@link Registry#write}     policies, institutions, persons
 * bindings := {@link Bindings#write}
 * wallets  := {@link Wallets#write}
 * sales    := {@link Sales#write}
 * requests := {@link RequestLog#write}
 * records  := {@link Records#write}      alerts, institution events, usage records
 * extras   := {@link RequestLog#writeExtras}
 * </pre>
 *
 * Reference data is written as the commands that create it (the journal's own encoding), money
 * state as numbers. Sections are read in the same order: a later one refers to what an earlier one
 * made (legs to persons, bindings and wallet transfers).
 */
final class LedgerSnapshot {
  private LedgerSnapshot() {}

  /**
   * Writes a command, length first, in its journal encoding; {@code scratch} is a buffer the caller
   * reuses for every command of a section (a million persons: no buffer and no byte loop each).
   */
  static void nested(CommandCodec.Output out, Command c, CommandCodec.Output scratch) {
    scratch.reset();
    CommandCodec.encode(c, scratch);
    out.bytes(scratch.array(), scratch.size());
  }

  /** A reference the image makes to something it does not hold: damage, never a null in the ledger. */
  static <T> T known(T found, String what, String id) {
    if (found == null) {
      throw new IllegalArgumentException("snapshot refers to an unknown " + what + " " + id);
    }
    return found;
  }

  /** A count read from the image, bounded by the bytes left (each item takes at least one). */
  static int count(ByteBuffer in) {
    int n = CommandCodec.varint(in);
    if (n > in.remaining()) {
      throw new IllegalArgumentException("count of " + n + " with " + in.remaining() + " bytes left");
    }
    return n;
  }

  /**
   * The initial capacity of an open-addressing map (Agrona's, at its default load factor) that is to
   * hold {@code n} entries without growing.
   */
  static int capacity(int n) {
    return (int) Math.min(1 << 30, Math.max(16, (long) (n / org.agrona.collections.Hashing.DEFAULT_LOAD_FACTOR) + 1));
  }

  static Command nested(ByteBuffer in) {
    int n = CommandCodec.varint(in);
    ByteBuffer slice = in.slice(in.position(), n);
    in.position(in.position() + n);
    return CommandCodec.decode(slice);
  }
}
