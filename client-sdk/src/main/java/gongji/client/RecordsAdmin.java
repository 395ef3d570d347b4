package gongji.client;

import gongji.client.internal.Mapping;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.ListAlertsRequest;
import gongji.v1.ListReconcileDetailsRequest;
import gongji.v1.ListUsageRecordsRequest;
import gongji.v1.ReconcileDetail;
import gongji.v1.ReconcileGroupTotals;
import gongji.v1.ReconcileRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The back office's records: mutual-aid usage records (共济使用记录), fraud alerts and day-end
 * reconciliation (3201, 3202). Reached through {@link GongjiAdminClient#records()}: thread-safe, closed with
 * its client.
 */
public final class RecordsAdmin {
  private final GongjiAdminClient client;

  RecordsAdmin(GongjiAdminClient client) {
    this.client = client;
  }

  /**
   * One page of a person's mutual-aid usage records (共济使用记录), oldest first.
   *
   * @param psnNo the person
   * @param role as authorizer (whose funds were used), as beneficiary (who used them), or both
   * @param startTimeMillis from this time (inclusive), epoch milliseconds; 0 for the start
   * @param endTimeMillis to this time (exclusive), epoch milliseconds; 0 for now
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<UsageRecord>> listUsageRecordsAsync(String psnNo, GongjiAdminClient.Role role, long startTimeMillis,
      long endTimeMillis, int pageSize, String pageToken) {
    client.checkOpen();
    ListUsageRecordsRequest.Builder b = ListUsageRecordsRequest.newBuilder().setPsnNo(Checks.notNull(psnNo, "psnNo"))
        .setRole(GongjiAdminClient.role(role)).setPageSize(pageSize).setPageToken(Checks.notNull(pageToken, "pageToken"));
    if (startTimeMillis != 0) {
      b.setStartTime(Mapping.timestamp(startTimeMillis));
    }
    if (endTimeMillis != 0) {
      b.setEndTime(Mapping.timestamp(endTimeMillis));
    }
    ListUsageRecordsRequest req = b.build();
    return client.channels().call(FamilyServiceGrpc.getListUsageRecordsMethod(), req, null).thenApply(r -> {
      List<UsageRecord> items = new ArrayList<UsageRecord>();
      for (gongji.v1.UsageRecord u : r.getRecordsList()) {
        items.add(new UsageRecord(u.getKind(), Mapping.millis(u.getTime()), u.getAuthorizerPsnNo(), u.getBeneficiaryPsnNo(),
            u.getFixmedinsCode(), u.getTransactionId(), u.getBindingId(), u.getAmountFen()));
      }
      return new Page<UsageRecord>(items, r.getNextPageToken());
    });
  }

  /**
   * Blocking {@link #listUsageRecordsAsync}.
   *
   * @param psnNo the person
   * @param role which records
   * @param startTimeMillis from (inclusive); 0 for the start
   * @param endTimeMillis to (exclusive); 0 for now
   * @param pageSize at most this many; 0 for the default
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<UsageRecord> listUsageRecords(String psnNo, GongjiAdminClient.Role role, long startTimeMillis, long endTimeMillis,
      int pageSize, String pageToken) {
    return Channels.join(listUsageRecordsAsync(psnNo, role, startTimeMillis, endTimeMillis, pageSize, pageToken));
  }

  /**
   * Every usage record of a person in a period, fetched a page at a time as the iteration goes on.
   *
   * @param psnNo the person
   * @param role which records
   * @param startTimeMillis from (inclusive); 0 for the start
   * @param endTimeMillis to (exclusive); 0 for now
   * @return the records; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<UsageRecord> listAllUsageRecords(final String psnNo, final GongjiAdminClient.Role role, final long startTimeMillis,
      final long endTimeMillis) {
    return new Pages<UsageRecord>(
        token -> listUsageRecords(psnNo, role, startTimeMillis, endTimeMillis, Pages.PAGE_SIZE, token));
  }

  /**
   * One page of fraud alerts (impersonation, mutual-aid limits), oldest first.
   *
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<Alert>> listAlertsAsync(int pageSize, String pageToken) {
    client.checkOpen();
    ListAlertsRequest req = ListAlertsRequest.newBuilder().setPageSize(pageSize)
        .setPageToken(Checks.notNull(pageToken, "pageToken")).build();
    return client.channels().call(AdminServiceGrpc.getListAlertsMethod(), req, null).thenApply(r -> {
      List<Alert> items = new ArrayList<Alert>();
      for (gongji.v1.Alert a : r.getAlertsList()) {
        items.add(new Alert(a.getSeq(), Mapping.millis(a.getTime()), a.getKind(), a.getFixmedinsCode(), a.getPsnNo(),
            a.getDetail(), new String[] {a.getClaimedPsnNoMasked(), a.getOwnerPsnNoMasked(), a.getTerminalId(),
                a.getOperatorId()}));
      }
      return new Page<Alert>(items, r.getNextPageToken());
    });
  }

  /**
   * Blocking {@link #listAlertsAsync}.
   *
   * @param pageSize at most this many; 0 for the default
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<Alert> listAlerts(int pageSize, String pageToken) {
    return Channels.join(listAlertsAsync(pageSize, pageToken));
  }

  /**
   * Every fraud alert, oldest first, fetched a page at a time as the iteration goes on.
   *
   * @return the alerts; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<Alert> listAllAlerts() {
    return new Pages<Alert>(token -> listAlerts(Pages.PAGE_SIZE, token));
  }

  /**
   * Day-end totals of one institution for one day (the 3201 analogue).
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time (UTC+8)
   * @return the settlements and refunds of the day, in all and per reconciliation group
   */
  public CompletableFuture<Reconciliation> reconcileAsync(String fixmedinsCode, String date) {
    client.checkOpen();
    ReconcileRequest req = ReconcileRequest.newBuilder().setFixmedinsCode(Checks.notNull(fixmedinsCode, "fixmedinsCode"))
        .setDate(Mapping.date(Checks.notNull(date, "date"))).build();
    return client.channels().call(AdminServiceGrpc.getReconcileMethod(), req, null).thenApply(r -> {
      List<Reconciliation.GroupTotals> groups = new ArrayList<Reconciliation.GroupTotals>();
      for (ReconcileGroupTotals g : r.getGroupsList()) {
        groups.add(new Reconciliation.GroupTotals(new ReconcileGroup(g.getInsutype(), g.getClrType(), g.getSetlOptins()),
            GongjiAdminClient.totals(g.getSettlements()), GongjiAdminClient.totals(g.getRefunds())));
      }
      return new Reconciliation(r.getFixmedinsCode(), Mapping.text(r.getDate()), GongjiAdminClient.totals(r.getSettlements()), GongjiAdminClient.totals(r.getRefunds()),
          groups);
    });
  }

  /**
   * Blocking {@link #reconcileAsync}.
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time
   * @return the day's totals
   * @throws GongjiRejectedException if the gateway refused (e.g. {@link RejectionReason#INSTITUTION_NOT_FOUND})
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Reconciliation reconcile(String fixmedinsCode, String date) {
    return Channels.join(reconcileAsync(fixmedinsCode, date));
  }

  /**
   * One page of the settlements and refunds behind a day's totals (the 3202 analogue), in time order.
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<ReconcileLine>> listReconcileDetailsAsync(String fixmedinsCode, String date,
      int pageSize, String pageToken) {
    return listReconcileDetailsAsync(fixmedinsCode, date, null, pageSize, pageToken);
  }

  /**
   * One page of the lines of one reconciliation group behind a day's totals, as 3202 filters them.
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time
   * @param group the group, an empty code taking every value of it ({@link ReconcileGroup#of}); null for all lines
   * @param pageSize at most this many, 0 for the gateway's default (100); above 1,000 taken as 1,000
   * @param pageToken the {@link Page#nextPageToken()} of the previous page of the same group; "" for the first
   * @return the page
   */
  public CompletableFuture<Page<ReconcileLine>> listReconcileDetailsAsync(String fixmedinsCode, String date,
      ReconcileGroup group, int pageSize, String pageToken) {
    client.checkOpen();
    ListReconcileDetailsRequest.Builder b = ListReconcileDetailsRequest.newBuilder()
        .setFixmedinsCode(Checks.notNull(fixmedinsCode, "fixmedinsCode")).setDate(Mapping.date(Checks.notNull(date, "date")))
        .setPageSize(pageSize).setPageToken(Checks.notNull(pageToken, "pageToken"));
    if (group != null) {
      b.setInsutype(group.insutype()).setClrType(group.clrType()).setSetlOptins(group.setlOptins());
    }
    ListReconcileDetailsRequest req = b.build();
    return client.channels().call(AdminServiceGrpc.getListReconcileDetailsMethod(), req, null).thenApply(r -> {
      List<ReconcileLine> items = new ArrayList<ReconcileLine>();
      for (ReconcileDetail d : r.getDetailsList()) {
        items.add(new ReconcileLine(d.getTransactionId(), d.getKind(), Mapping.millis(d.getTime()), d.getTotalFen(),
            d.getAccountPayFen(), d.getMutualAidPayFen(), d.getCashPayFen(),
            new ReconcileGroup(d.getInsutype(), d.getClrType(), d.getSetlOptins())));
      }
      return new Page<ReconcileLine>(items, r.getNextPageToken());
    });
  }

  /**
   * Blocking {@link #listReconcileDetailsAsync}.
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time
   * @param pageSize at most this many; 0 for the default
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<ReconcileLine> listReconcileDetails(String fixmedinsCode, String date, int pageSize, String pageToken) {
    return Channels.join(listReconcileDetailsAsync(fixmedinsCode, date, pageSize, pageToken));
  }

  /**
   * Blocking {@link #listReconcileDetailsAsync(String, String, ReconcileGroup, int, String)}.
   *
   * @param fixmedinsCode the institution
   * @param date the day, "yyyy-MM-dd", China time
   * @param group the group ({@link ReconcileGroup#of}); null for all lines
   * @param pageSize at most this many; 0 for the default
   * @param pageToken "" for the first page, else the previous page's token
   * @return the page
   * @throws GongjiRejectedException if the gateway refused
   * @throws GongjiRetryableException if the gateway could not be reached in time
   */
  public Page<ReconcileLine> listReconcileDetails(String fixmedinsCode, String date, ReconcileGroup group,
      int pageSize, String pageToken) {
    return Channels.join(listReconcileDetailsAsync(fixmedinsCode, date, group, pageSize, pageToken));
  }

  /**
   * Every reconciliation line (3202) of an institution's day, fetched a page at a time as the
   * iteration goes on.
   *
   * @param fixmedinsCode the institution
   * @param date the day, yyyy-MM-dd in China time
   * @return the lines; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<ReconcileLine> listAllReconcileDetails(final String fixmedinsCode, final String date) {
    return listAllReconcileDetails(fixmedinsCode, date, null);
  }

  /**
   * Every line of one reconciliation group of an institution's day, a page at a time.
   *
   * @param fixmedinsCode the institution
   * @param date the day, yyyy-MM-dd in China time
   * @param group the group ({@link ReconcileGroup#of}); null for all lines
   * @return the lines; iterating may throw the call's {@link GongjiException}
   */
  public Iterable<ReconcileLine> listAllReconcileDetails(final String fixmedinsCode, final String date,
      final ReconcileGroup group) {
    return new Pages<ReconcileLine>(token -> listReconcileDetails(fixmedinsCode, date, group, Pages.PAGE_SIZE, token));
  }
}
