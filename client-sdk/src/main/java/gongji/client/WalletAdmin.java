package gongji.client;

import gongji.v1.AcceptWalletTransferRequest;
import gongji.v1.AssignWalletQuotaRequest;
import gongji.v1.DeclineWalletTransferRequest;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.GetWalletRequest;
import gongji.v1.ListWalletTransfersRequest;
import gongji.v1.OpenWalletRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The back office's calls on medical-insurance wallets (医保钱包): open one, assign quota to it, accept or
 * decline a transfer, look up and list. Reached through {@link GongjiAdminClient#wallets()}: thread-safe, closed with
 * its client.
 */
public final class WalletAdmin {
  private final GongjiAdminClient client;

  WalletAdmin(GongjiAdminClient client) {
    this.client = client;
  }

  /**
   * Opens a person's medical-insurance wallet (医保钱包); an open wallet is returned as it is. The
   * person must be insured in normal status.
   *
   * @param psnNo the person
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the open wallet
   */
  public CompletableFuture<Wallet> openWalletAsync(String psnNo, RequestOptions options) {
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    OpenWalletRequest req = OpenWalletRequest.newBuilder().setRequestId(requestId).setPsnNo(Checks.notNull(psnNo, "psnNo")).build();
    return client.channels().call(FamilyServiceGrpc.getOpenWalletMethod(), req, requestId, options.deadlineMillis()).thenApply(GongjiAdminClient::wallet);
  }

  /**
   * {@link #openWalletAsync(String, RequestOptions)} with a request id the client makes up.
   *
   * @param psnNo as there
   * @return as there
   */
  public CompletableFuture<Wallet> openWalletAsync(String psnNo) {
    return openWalletAsync(psnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #openWalletAsync}.
   *
   * @param psnNo the person
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the open wallet
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#INSURED_NOT_ACTIVE})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Wallet openWallet(String psnNo, RequestOptions options) {
    return Channels.join(openWalletAsync(psnNo, options));
  }

  /**
   * {@link #openWallet(String, RequestOptions)} with a request id the client makes up.
   *
   * @param psnNo as there
   * @return as there
   */
  public Wallet openWallet(String psnNo) {
    return openWallet(psnNo, RequestOptions.DEFAULTS);
  }

  /**
   * A person's wallet: what they can spend, what waits for their acceptance, and the transfers behind it.
   *
   * @param psnNo the person
   * @return the wallet ({@link Wallet#open()} false if never opened)
   */
  public CompletableFuture<Wallet> getWalletAsync(String psnNo) {
    client.checkOpen();
    GetWalletRequest req = GetWalletRequest.newBuilder().setPsnNo(Checks.notNull(psnNo, "psnNo")).build();
    return client.channels().call(FamilyServiceGrpc.getGetWalletMethod(), req, null).thenApply(GongjiAdminClient::wallet);
  }

  /**
   * Blocking {@link #getWalletAsync}.
   *
   * @param psnNo the person
   * @return the wallet
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#PATIENT_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Wallet getWallet(String psnNo) {
    return Channels.join(getWalletAsync(psnNo));
  }

  /**
   * The authorizer assigns quota to a relative's wallet: it is earmarked on the authorizer's account
   * and PENDING until the beneficiary accepts it; not accepted by the return hour the next day, it
   * returns. The authorizer needs an active binding to the beneficiary, whose wallet must be open;
   * the authorizer's region limits transfers a day, one transfer's amount and the hours.
   *
   * @param requestId the idempotency key, 1 to 64 characters of [A-Za-z0-9_-]
   * @param authorizerPsnNo the authorizer whose account is earmarked
   * @param beneficiaryPsnNo the beneficiary
   * @param amountFen the quota, 1 to 100,000,000 fen (the region caps one transfer; default 200,000)
   * @return the pending transfer
   */
  public CompletableFuture<WalletTransfer> assignWalletQuotaAsync(String requestId, String authorizerPsnNo,
      String beneficiaryPsnNo, long amountFen) {
    client.checkOpen();
    AssignWalletQuotaRequest req = AssignWalletQuotaRequest.newBuilder()
        .setRequestId(Checks.notNull(requestId, "requestId"))
        .setAuthorizerPsnNo(Checks.notNull(authorizerPsnNo, "authorizerPsnNo"))
        .setBeneficiaryPsnNo(Checks.notNull(beneficiaryPsnNo, "beneficiaryPsnNo")).setAmountFen(amountFen).build();
    return client.channels().call(FamilyServiceGrpc.getAssignWalletQuotaMethod(), req, requestId)
        .thenApply(GongjiAdminClient::walletTransfer);
  }

  /**
   * Blocking {@link #assignWalletQuotaAsync}.
   *
   * @param requestId the idempotency key
   * @param authorizerPsnNo the authorizer whose account is earmarked
   * @param beneficiaryPsnNo the beneficiary
   * @param amountFen the quota in fen
   * @return the pending transfer
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#WALLET_NOT_OPEN},
   *     {@link RejectionReason#WALLET_TRANSFER_LIMIT_EXCEEDED}, {@link RejectionReason#WALLET_TRANSFER_WINDOW_CLOSED},
   *     {@link RejectionReason#WALLET_TRANSFER_PENDING}, {@link RejectionReason#INSUFFICIENT_FUNDS})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public WalletTransfer assignWalletQuota(String requestId, String authorizerPsnNo, String beneficiaryPsnNo,
      long amountFen) {
    return Channels.join(assignWalletQuotaAsync(requestId, authorizerPsnNo, beneficiaryPsnNo, amountFen));
  }

  /**
   * The beneficiary accepts a pending transfer: its quota becomes spendable. Accepting an accepted
   * transfer changes nothing.
   *
   * @param transferId the transfer
   * @param byPsnNo the beneficiary
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the accepted transfer
   */
  public CompletableFuture<WalletTransfer> acceptWalletTransferAsync(String transferId, String byPsnNo, RequestOptions options) {
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    AcceptWalletTransferRequest req = AcceptWalletTransferRequest.newBuilder().setRequestId(requestId)
        .setTransferId(Checks.notNull(transferId, "transferId")).setByPsnNo(Checks.notNull(byPsnNo, "byPsnNo")).build();
    return client.channels().call(FamilyServiceGrpc.getAcceptWalletTransferMethod(), req, requestId, options.deadlineMillis())
        .thenApply(GongjiAdminClient::walletTransfer);
  }

  /**
   * {@link #acceptWalletTransferAsync(String, String, RequestOptions)} with a request id the client makes up.
   *
   * @param transferId as there
   * @param byPsnNo as there
   * @return as there
   */
  public CompletableFuture<WalletTransfer> acceptWalletTransferAsync(String transferId, String byPsnNo) {
    return acceptWalletTransferAsync(transferId, byPsnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #acceptWalletTransferAsync}.
   *
   * @param transferId the transfer
   * @param byPsnNo the beneficiary
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the accepted transfer
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#WALLET_TRANSFER_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public WalletTransfer acceptWalletTransfer(String transferId, String byPsnNo, RequestOptions options) {
    return Channels.join(acceptWalletTransferAsync(transferId, byPsnNo, options));
  }

  /**
   * {@link #acceptWalletTransfer(String, String, RequestOptions)} with a request id the client makes up.
   *
   * @param transferId as there
   * @param byPsnNo as there
   * @return as there
   */
  public WalletTransfer acceptWalletTransfer(String transferId, String byPsnNo) {
    return acceptWalletTransfer(transferId, byPsnNo, RequestOptions.DEFAULTS);
  }

  /**
   * The beneficiary declines a pending transfer, or the authorizer withdraws it; the earmark returns
   * to the authorizer. Declining a declined transfer changes nothing.
   *
   * @param transferId the transfer
   * @param byPsnNo the beneficiary or the authorizer
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the declined transfer
   */
  public CompletableFuture<WalletTransfer> declineWalletTransferAsync(String transferId, String byPsnNo, RequestOptions options) {
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    DeclineWalletTransferRequest req = DeclineWalletTransferRequest.newBuilder().setRequestId(requestId)
        .setTransferId(Checks.notNull(transferId, "transferId")).setByPsnNo(Checks.notNull(byPsnNo, "byPsnNo")).build();
    return client.channels().call(FamilyServiceGrpc.getDeclineWalletTransferMethod(), req, requestId, options.deadlineMillis())
        .thenApply(GongjiAdminClient::walletTransfer);
  }

  /**
   * {@link #declineWalletTransferAsync(String, String, RequestOptions)} with a request id the client makes up.
   *
   * @param transferId as there
   * @param byPsnNo as there
   * @return as there
   */
  public CompletableFuture<WalletTransfer> declineWalletTransferAsync(String transferId, String byPsnNo) {
    return declineWalletTransferAsync(transferId, byPsnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #declineWalletTransferAsync}.
   *
   * @param transferId the transfer
   * @param byPsnNo the beneficiary or the authorizer
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the declined transfer
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#WALLET_TRANSFER_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public WalletTransfer declineWalletTransfer(String transferId, String byPsnNo, RequestOptions options) {
    return Channels.join(declineWalletTransferAsync(transferId, byPsnNo, options));
  }

  /**
   * {@link #declineWalletTransfer(String, String, RequestOptions)} with a request id the client makes up.
   *
   * @param transferId as there
   * @param byPsnNo as there
   * @return as there
   */
  public WalletTransfer declineWalletTransfer(String transferId, String byPsnNo) {
    return declineWalletTransfer(transferId, byPsnNo, RequestOptions.DEFAULTS);
  }

  /**
   * One page of a person's wallet transfers, newest first.
   *
   * @param psnNo the person
   * @param role as authorizer (assigned), as beneficiary (received), or both
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<WalletTransfer>> listWalletTransfersAsync(String psnNo, GongjiAdminClient.Role role, int pageSize,
      String pageToken) {
    client.checkOpen();
    ListWalletTransfersRequest req = ListWalletTransfersRequest.newBuilder().setPsnNo(Checks.notNull(psnNo, "psnNo"))
        .setRole(GongjiAdminClient.role(role)).setPageSize(pageSize).setPageToken(Checks.notNull(pageToken, "pageToken")).build();
    return client.channels().call(FamilyServiceGrpc.getListWalletTransfersMethod(), req, null).thenApply(r -> {
      List<WalletTransfer> items = new ArrayList<WalletTransfer>();
      for (gongji.v1.WalletTransfer t : r.getTransfersList()) {
        items.add(GongjiAdminClient.walletTransfer(t));
      }
      return new Page<WalletTransfer>(items, r.getNextPageToken());
    });
  }

  /**
   * Blocking {@link #listWalletTransfersAsync}.
   *
   * @param psnNo the person
   * @param role which transfers
   * @param pageSize at most this many; 0 for the default
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<WalletTransfer> listWalletTransfers(String psnNo, GongjiAdminClient.Role role, int pageSize, String pageToken) {
    return Channels.join(listWalletTransfersAsync(psnNo, role, pageSize, pageToken));
  }

  /**
   * Every wallet transfer of a person, fetched a page at a time as the iteration goes on.
   *
   * @param psnNo the person
   * @param role which transfers
   * @return the transfers; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<WalletTransfer> listAllWalletTransfers(final String psnNo, final GongjiAdminClient.Role role) {
    return new Pages<WalletTransfer>(token -> listWalletTransfers(psnNo, role, Pages.PAGE_SIZE, token));
  }
}
