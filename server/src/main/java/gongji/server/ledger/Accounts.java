package gongji.server.ledger;

import static com.google.common.base.Verify.verify;

import com.google.common.base.Strings;
import com.google.common.base.VerifyException;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The accounts and the only places their balances change: double entry over two flat arrays of fen.
 *
 * <p>Every movement is a {@link #transfer} from one account to another, so the sum of all balances
 * is always zero (the contribution account goes negative as money comes in). A hold does not move
 * money; it reserves part of an account's balance ({@code held}). Invariants, checked on every
 * change: no account but contributions goes below what it holds; {@code held >= 0}.
 */
final class Accounts {
  /** The account money comes in from (monthly contributions, carried-forward balances). */
  static final int CONTRIBUTIONS = 0;
  /** The account money leaves through to heirs of deceased account holders. */
  static final int PAYOUTS = 1;
  /** The account resident premiums paid for relatives go to. */
  static final int PREMIUMS = 2;
  private static final int FIRST_ACCOUNT = 3;

  private long[] balance = new long[1024];
  private long[] held = new long[1024];
  private int count = FIRST_ACCOUNT;

  private final Identities identities;

  Accounts(Identities identities) {
    this.identities = identities;
  }

  /** Opens an account with nothing in it; returns its index. */
  int open() {
    if (count == balance.length) {
      balance = Arrays.copyOf(balance, count * 2);
      held = Arrays.copyOf(held, count * 2);
    }
    return count++;
  }

  int count() {
    return count;
  }

  long balance(int account) {
    return balance[account];
  }

  long held(int account) {
    return held[account];
  }

  long available(int account) {
    return balance[account] - held[account];
  }

  void transfer(int from, int to, long amountFen) {
    verify(amountFen >= 0, "transfer of %s fen", amountFen);
    balance[from] -= amountFen;
    balance[to] += amountFen;
    identities.account(from);
    identities.account(to);
    if (from != CONTRIBUTIONS && balance[from] < held[from]) {
      throw broken("account %s: balance %s below held %s", from, balance[from], held[from]);
    }
  }

  void hold(int account, long amountFen) {
    held[account] += amountFen;
    identities.account(account);
    if (held[account] > balance[account]) {
      throw broken("account %s: held %s above balance %s", account, held[account], balance[account]);
    }
  }

  void release(int account, long amountFen) {
    held[account] -= amountFen;
    identities.account(account);
    verify(held[account] >= 0, "account %s: held went negative: %s", account, held[account]);
  }

  /**
   * A broken invariant of the money state, for checks on the hot path: Guava's {@code verify} with
   * three values would box them on every call, not only when it fails.
   */
  private static VerifyException broken(String template, long a, long b, long c) {
    return new VerifyException(Strings.lenientFormat(template, a, b, c));
  }

  // ---- snapshot section ---------------------------------------------------------------------

  void write(CommandCodec.Output out) {
    out.varint(count);
    for (int i = 0; i < count; i++) {
      out.i64(balance[i]).varlong(held[i]);
    }
  }

  void read(ByteBuffer in) {
    count = CommandCodec.varint(in);
    int capacity = Math.max(1024, Integer.highestOneBit(Math.max(1, count)) * 2);
    balance = new long[capacity];
    held = new long[capacity];
    for (int i = 0; i < count; i++) {
      balance[i] = in.getLong();
      held[i] = CommandCodec.varlong(in);
    }
  }
}
