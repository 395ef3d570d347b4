package gongji.server.ledger;

import gongji.server.domain.ReconcileGroup;
import java.nio.ByteBuffer;

/**
 * The binary form of history records in a history store on disk: a record code, then the fields
 * in a fixed order (the journal's encoding of numbers and strings). The codes are explicit and part
 * of the format; a new kind of record takes a new code. Decoding damaged bytes throws
 * {@link IllegalArgumentException}.
 */
public final class HistoryCodec {
  /** The version of this encoding, kept by a store that persists it. */
  public static final int FORMAT = 4;
  /** Format 1 had no images and no sweeps: a store of it is read as it is and moves to this one. */
  public static final int FORMAT_WITHOUT_IMAGES = 1;
  /**
   * Format 2 had settlement-side events without their reconciliation group ({@link #SETTLEMENT}): a
   * store of it is read as it is and moves to this one; its events answer as
   * {@link ReconcileGroup#UNGROUPED}.
   */
  public static final int FORMAT_WITHOUT_GROUPS = 2;
  /**
   * Format 3 had alerts that named nobody but the person ({@link #ALERT}); late builds of it also
   * wrote {@link #NAMING_ALERT} without a new format, which a build of format 3 before them cannot
   * read. A store of it is read as it is and moves to this one; a build of format 3 refuses a store
   * of this one by its format instead of failing on a record it does not know.
   */
  public static final int FORMAT_WITHOUT_NAMING_ALERTS = 3;
  static final byte USAGE = 1;
  /** A settlement-side event of format 2 and before: no group. Read, never written. */
  static final byte SETTLEMENT = 2;
  /** A settlement-side event with its group: insutype and clr_type as numbers, setl_optins as text. */
  static final byte GROUPED_SETTLEMENT = 7;
  /** An alert of history format 3 and before, which named nobody but the person. Read, never written. */
  static final byte ALERT = 3;
  /** An alert and whom it names ({@link AlertParties}). */
  static final byte NAMING_ALERT = 12;
  static final byte REQUEST_IMAGE = 4;
  static final byte SALE_IMAGE = 5;
  static final byte SWEPT = 6;
  /** A wallet transfer as it is now ({@link HistoryRecord.WalletTransfer}). */
  static final byte WALLET_TRANSFER = 25;

  private HistoryCodec() {}

  public static byte[] encode(HistoryRecord record) {
    CommandCodec.Output out = new CommandCodec.Output(96);
    if (record instanceof HistoryRecord.Usage r) {
      Result.Usage u = r.usage();
      out.u8(USAGE).str(u.kind()).i64(u.atMillis()).str(u.authorizerPsnNo()).str(u.beneficiaryPsnNo())
          .str(u.institution()).str(u.txnId()).str(u.bindingId()).i64(u.amountFen());
    } else if (record instanceof HistoryRecord.Settlement r) {
      Result.ReconcileLine l = r.line();
      out.u8(GROUPED_SETTLEMENT).str(r.institution()).str(l.txnId()).str(l.kind()).i64(l.atMillis())
          .varlong(l.totalFen()).varlong(l.ownFen()).varlong(l.aidFen()).varlong(l.cashFen())
          .varint(l.group().insutype()).varint(l.group().clrType()).str(l.group().setlOptins());
    } else if (record instanceof HistoryRecord.RequestImage r) {
      out.u8(REQUEST_IMAGE).str(r.key()).i64(r.atMillis()).bytes(r.image());
    } else if (record instanceof HistoryRecord.SaleImage r) {
      out.u8(SALE_IMAGE).str(r.txnId()).bytes(r.image());
    } else if (record instanceof HistoryRecord.Swept r) {
      out.u8(SWEPT).varlong(r.sweeps()).i64(r.atMillis());
    } else if (record instanceof HistoryRecord.WalletTransfer r) {
      RequestLog.writeWalletView(out.u8(WALLET_TRANSFER), r.transfer());
    } else {
      Result.Alert a = ((HistoryRecord.Alert) record).alert();
      out.u8(NAMING_ALERT).varlong(a.seq()).i64(a.atMillis()).str(a.kind()).str(a.institution()).str(a.psnNo())
          .str(a.detail());
      CommandCodec.parties(a.parties(), out);
    }
    return java.util.Arrays.copyOf(out.array(), out.size());
  }

  /** When the request of a request image was made (see {@link HistoryRecord.RequestImage}). */
  public static long requestAtMillis(byte[] requestImage) {
    return RequestLog.atMillisOf(requestImage);
  }

  private static HistoryRecord.Settlement settlement(boolean grouped, ByteBuffer in) {
    String institution = CommandCodec.str(in);
    String txnId = CommandCodec.str(in);
    String kind = CommandCodec.str(in);
    long at = in.getLong();
    long total = CommandCodec.varlong(in);
    long own = CommandCodec.varlong(in);
    long aid = CommandCodec.varlong(in);
    long cash = CommandCodec.varlong(in);
    ReconcileGroup group = grouped
        ? new ReconcileGroup(CommandCodec.varint(in), CommandCodec.varint(in), CommandCodec.str(in))
        : ReconcileGroup.UNGROUPED;
    return new HistoryRecord.Settlement(institution, new Result.ReconcileLine(txnId, kind, at, total, own, aid, cash,
        group));
  }

  public static HistoryRecord decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    try {
      HistoryRecord r = switch (in.get()) {
        case USAGE -> new HistoryRecord.Usage(new Result.Usage(CommandCodec.str(in), in.getLong(), CommandCodec.str(in),
            CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in), in.getLong()));
        case SETTLEMENT, GROUPED_SETTLEMENT -> settlement(bytes[0] == GROUPED_SETTLEMENT, in);
        case ALERT, NAMING_ALERT -> new HistoryRecord.Alert(new Result.Alert(CommandCodec.varlong(in), in.getLong(),
            CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in), CommandCodec.str(in),
            bytes[0] == NAMING_ALERT ? CommandCodec.parties(in) : AlertParties.NONE));
        case REQUEST_IMAGE -> new HistoryRecord.RequestImage(CommandCodec.str(in), in.getLong(), CommandCodec.bytes(in));
        case SALE_IMAGE -> new HistoryRecord.SaleImage(CommandCodec.str(in), CommandCodec.bytes(in));
        case SWEPT -> new HistoryRecord.Swept(CommandCodec.varlong(in), in.getLong());
        case WALLET_TRANSFER -> new HistoryRecord.WalletTransfer(RequestLog.readWalletView(in));
        default -> throw new IllegalArgumentException("unknown history record code " + bytes[0]);
      };
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " bytes left after a history record");
      }
      return r;
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("history record cut short (" + bytes.length + " bytes)", e);
    }
  }
}
