package gongji.client;

import java.util.Collections;
import java.util.List;

/**
 * A person's medical-insurance wallet (医保钱包): quota relatives assigned to it, which the person
 * spends at any designated institution before direct mutual aid.
 */
public final class Wallet {
  private final String psnNo;
  private final boolean open;
  private final long openTimeMillis;
  private final long availableFen;
  private final long pendingFen;
  private final int transfersToday;
  private final List<WalletTransfer> transfers;

  Wallet(String psnNo, boolean open, long openTimeMillis, long availableFen, long pendingFen, int transfersToday,
      List<WalletTransfer> transfers) {
    this.psnNo = psnNo;
    this.open = open;
    this.openTimeMillis = openTimeMillis;
    this.availableFen = availableFen;
    this.pendingFen = pendingFen;
    this.transfersToday = transfersToday;
    this.transfers = Collections.unmodifiableList(transfers);
  }

  /** The owner. @return the person number */
  public String psnNo() {
    return psnNo;
  }

  /** Whether the wallet is open; transfers to a closed one are refused (WALLET_NOT_OPEN). @return true if open */
  public boolean open() {
    return open;
  }

  /** When it was opened. @return epoch milliseconds; 0 if not open */
  public long openTimeMillis() {
    return openTimeMillis;
  }

  /** Accepted quota the owner can spend now (not counting what open authorizations hold). @return fen */
  public long availableFen() {
    return availableFen;
  }

  /** Quota waiting for the owner's acceptance. @return fen */
  public long pendingFen() {
    return pendingFen;
  }

  /** Transfers into this wallet today (China time), counting declined and returned ones. @return the count */
  public int transfersToday() {
    return transfersToday;
  }

  /**
   * The transfers pending or accepted with quota left, oldest first: the order their quota is spent in.
   *
   * @return an unmodifiable list
   */
  public List<WalletTransfer> transfers() {
    return transfers;
  }

  @Override
  public String toString() {
    return "Wallet{" + psnNo + (open ? " open" : " not open") + " available " + availableFen + " pending "
        + pendingFen + " " + transfers + "}";
  }
}
