package gongji.client;

import gongji.v1.AdminServiceGrpc;
import gongji.v1.CreditAccountRequest;
import gongji.v1.CreditAccountsRequest;
import gongji.v1.CreditAccountsResponse;
import gongji.v1.CreditLineResult;
import gongji.v1.GetAccountRequest;
import gongji.v1.PayOutToHeirsRequest;
import gongji.v1.RecordDeathRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The back office's calls on personal accounts: credits, balances, a death and the payout to heirs. Reached through {@link GongjiAdminClient#accounts()}: thread-safe, closed with
 * its client.
 */
public final class AccountAdmin {
  private final GongjiAdminClient client;

  AccountAdmin(GongjiAdminClient client) {
    this.client = client;
  }

  /**
   * Credits an employee's personal account (a monthly contribution, a carried-forward balance).
   *
   * @param requestId the idempotency key, 1 to 64 characters of [A-Za-z0-9_-]
   * @param psnNo the employee
   * @param amountFen the amount, 1 to 100,000,000 fen
   * @return the account after the credit
   */
  public CompletableFuture<Account> creditAccountAsync(String requestId, String psnNo, long amountFen) {
    client.checkOpen();
    CreditAccountRequest req = CreditAccountRequest.newBuilder().setRequestId(Checks.notNull(requestId, "requestId"))
        .setPsnNo(Checks.notNull(psnNo, "psnNo")).setAmountFen(amountFen).build();
    return client.channels().call(AdminServiceGrpc.getCreditAccountMethod(), req, requestId)
        .thenApply(GongjiAdminClient::account);
  }

  /**
   * Blocking {@link #creditAccountAsync}.
   *
   * @param requestId the idempotency key
   * @param psnNo the employee
   * @param amountFen the amount in fen
   * @return the account after the credit
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#NO_PERSONAL_ACCOUNT})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public Account creditAccount(String requestId, String psnNo, long amountFen) {
    return Channels.join(creditAccountAsync(requestId, psnNo, amountFen));
  }

  /** The most lines one {@link #creditAccounts} takes. */
  public static final int MAX_CREDITS_PER_BATCH = 10_000;

  /**
   * Credits many accounts at once (the monthly contribution run). Each line is its own idempotent
   * credit, keyed by {@code requestId} and its position: a line may be refused while others apply.
   *
   * @param requestId the idempotency key of the batch, 1 to 50 characters of [A-Za-z0-9_-]
   * @param lines the credits, 1 to {@value #MAX_CREDITS_PER_BATCH}
   * @return the lines in order, each {@link CreditLine#applied() applied} or with its {@link CreditLine#rejection()}
   */
  public CompletableFuture<List<CreditLine>> creditAccountsAsync(String requestId, List<CreditLine> lines) {
    client.checkOpen();
    final List<CreditLine> sent = Batches.lines(lines, "lines", MAX_CREDITS_PER_BATCH);
    Batches.requestId(RequestOptions.requestId(Checks.notNull(requestId, "requestId")));
    CreditAccountsRequest.Builder b = CreditAccountsRequest.newBuilder().setRequestId(requestId);
    for (CreditLine line : sent) {
      b.addLines(gongji.v1.CreditLine.newBuilder().setPsnNo(line.psnNo()).setAmountFen(line.amountFen()));
    }
    return client.channels().call(AdminServiceGrpc.getCreditAccountsMethod(), b.build(), requestId)
        .thenApply((CreditAccountsResponse r) -> {
          List<CreditLine> out = new ArrayList<CreditLine>();
          for (int i = 0; i < r.getResultsCount(); i++) {
            CreditLineResult x = r.getResults(i);
            CreditLine line = sent.get(i);
            out.add(x.getErrorReason().isEmpty()
                ? new CreditLine(line.psnNo(), line.amountFen(), GongjiAdminClient.account(x.getAccount()), null, "")
                : new CreditLine(line.psnNo(), line.amountFen(), null, RejectionReason.of(x.getErrorReason()),
                    x.getErrorMessage()));
          }
          return out;
        });
  }

  /**
   * Blocking {@link #creditAccountsAsync}.
   *
   * @param requestId the idempotency key of the batch
   * @param lines the credits
   * @return the lines in order, each applied or refused
   * @throws GongjiRejectedException if the gateway refused the whole batch (e.g. {@link RejectionReason#FIELD_INVALID})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public List<CreditLine> creditAccounts(String requestId, List<CreditLine> lines) {
    return Channels.join(creditAccountsAsync(requestId, lines));
  }

  /**
   * A personal account as it is now.
   *
   * @param psnNo the owner
   * @return the account; fails with {@link RejectionReason#PATIENT_NOT_FOUND} for an unknown person
   */
  public CompletableFuture<Account> getAccountAsync(String psnNo) {
    client.checkOpen();
    GetAccountRequest req = GetAccountRequest.newBuilder().setPsnNo(Checks.notNull(psnNo, "psnNo")).build();
    return client.channels().call(AdminServiceGrpc.getGetAccountMethod(), req, null).thenApply(GongjiAdminClient::account);
  }

  /**
   * Blocking {@link #getAccountAsync}.
   *
   * @param psnNo the owner
   * @return the account
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#PATIENT_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Account getAccount(String psnNo) {
    return Channels.join(getAccountAsync(psnNo));
  }

  /**
   * Records a death: the account freezes and every binding of the person dissolves.
   *
   * @param psnNo the deceased person
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the person as recorded, status DECEASED
   */
  public CompletableFuture<InsuredPerson> recordDeathAsync(String psnNo, RequestOptions options) {
    client.checkOpen();
    Checks.notNull(options, "options");
    String requestId = GongjiAdminClient.requestId(options);
    RecordDeathRequest req = RecordDeathRequest.newBuilder().setRequestId(requestId).setPsnNo(Checks.notNull(psnNo, "psnNo")).build();
    return client.channels().call(AdminServiceGrpc.getRecordDeathMethod(), req, requestId, options.deadlineMillis()).thenApply(GongjiAdminClient::insured);
  }

  /**
   * {@link #recordDeathAsync(String, RequestOptions)} with a request id the client makes up.
   *
   * @param psnNo as there
   * @return as there
   */
  public CompletableFuture<InsuredPerson> recordDeathAsync(String psnNo) {
    return recordDeathAsync(psnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Blocking {@link #recordDeathAsync}.
   *
   * @param psnNo the deceased person
   * @param options the call's request id (made up by the client when absent; a retry sends the same) and deadline
   * @return the person as recorded
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#PATIENT_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public InsuredPerson recordDeath(String psnNo, RequestOptions options) {
    return Channels.join(recordDeathAsync(psnNo, options));
  }

  /**
   * {@link #recordDeath(String, RequestOptions)} with a request id the client makes up.
   *
   * @param psnNo as there
   * @return as there
   */
  public InsuredPerson recordDeath(String psnNo) {
    return recordDeath(psnNo, RequestOptions.DEFAULTS);
  }

  /**
   * Pays a deceased person's whole balance out to named heirs, as an auditable transaction.
   *
   * @param requestId the idempotency key, 1 to 64 characters of [A-Za-z0-9_-]
   * @param psnNo the deceased person; their account must hold no open authorization
   * @param heirs the heirs, 1 to 20; their shares must add up to the whole balance
   * @return what was paid out in all, in fen
   */
  public CompletableFuture<Long> payOutToHeirsAsync(String requestId, String psnNo, List<Heir> heirs) {
    client.checkOpen();
    PayOutToHeirsRequest.Builder b = PayOutToHeirsRequest.newBuilder()
        .setRequestId(Checks.notNull(requestId, "requestId")).setPsnNo(Checks.notNull(psnNo, "psnNo"));
    for (Heir h : Checks.notNull(heirs, "heirs")) {
      Checks.notNull(h, "heirs[]");
      b.addHeirs(gongji.v1.Heir.newBuilder().setName(h.name()).setIdNumber(h.idNumber()).setAmountFen(h.amountFen()));
    }
    return client.channels().call(AdminServiceGrpc.getPayOutToHeirsMethod(), b.build(), requestId)
        .thenApply(p -> p.getTotalFen());
  }

  /**
   * Blocking {@link #payOutToHeirsAsync}.
   *
   * @param requestId the idempotency key
   * @param psnNo the deceased person
   * @param heirs the heirs and their shares
   * @return what was paid out in all, in fen
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#PAYOUT_MISMATCH})
   * @throws GongjiRetryableException if the outcome is unknown: resending with the same id is safe
   */
  public long payOutToHeirs(String requestId, String psnNo, List<Heir> heirs) {
    return Channels.join(payOutToHeirsAsync(requestId, psnNo, heirs));
  }
}
