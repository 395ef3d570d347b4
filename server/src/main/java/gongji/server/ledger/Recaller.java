package gongji.server.ledger;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The look-up before the writer (see {@link Recall}): for a command that names a request, a sale or
 * a wallet transfer, reads the history store's sweep count first, then the images the command may
 * need, and wraps the command with them. Runs on the submitting thread (a look-up of a new request id is a Bloom
 * filter miss in the store: no block is read), never on the writer's.
 */
public final class Recaller {
  private final HistoryStore store;

  public Recaller(HistoryStore store) {
    this.store = requireNonNull(store, "store");
  }

  /**
   * The command with what history holds for it, or the command itself when it names nothing the
   * writer lets go of or history has no sweep yet.
   *
   * @throws IOException if the store cannot be read
   */
  public Command recall(Command command) throws IOException {
    Command c = command instanceof Command.Recalled r ? r.command() : command;
    String key = Recall.requestKey(c);
    String txnId = Recall.txnId(c);
    String transferId = Recall.transferId(c);
    if (key == null && txnId == null && transferId == null) {
      return c;
    }
    long sweeps = store.sweeps(); // first: the images read after it are at least this new
    if (sweeps == 0) {
      return c;
    }
    byte[] request = key == null ? null : store.requestImage(key);
    if (transferId != null) {
      // A transfer's image comes in the place of a sale's: a command that names one names no sale.
      return new Command.Recalled(c, sweeps, key == null ? "" : key, request, transferId,
          store.transferImage(transferId));
    }
    if (txnId == null && request != null) {
      txnId = RequestLog.txnIdOf(request);
    }
    byte[] sale = txnId == null ? null : store.saleImage(txnId);
    // The wallet transfers its legs name: the writer may have let go of an ended one.
    List<Command.TransferImage> transfers = List.of();
    if (sale != null) {
      for (String id : Sales.grantIdsOf(sale)) {
        byte[] record = store.transferImage(id);
        if (record != null) {
          transfers = transfers.isEmpty() ? new ArrayList<>(2) : transfers;
          transfers.add(new Command.TransferImage(id, record));
        }
      }
    }
    return new Command.Recalled(c, sweeps, key == null ? "" : key, request, txnId == null ? "" : txnId, sale,
        transfers);
  }
}
