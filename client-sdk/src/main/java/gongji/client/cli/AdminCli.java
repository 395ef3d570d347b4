package gongji.client.cli;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import gongji.client.Money;
import gongji.v1.AcceptWalletTransferRequest;
import gongji.v1.Account;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.AssignWalletQuotaRequest;
import gongji.v1.Binding;
import gongji.v1.BindingRole;
import gongji.v1.CreditAccountRequest;
import gongji.v1.DeclineWalletTransferRequest;
import gongji.v1.DissolveBindingRequest;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.GetAccountRequest;
import gongji.v1.GetWalletRequest;
import gongji.v1.Heir;
import gongji.v1.ItemCategory;
import gongji.v1.ListAlertsRequest;
import gongji.v1.ListAlertsResponse;
import gongji.v1.ListBindingsRequest;
import gongji.v1.ListBindingsResponse;
import gongji.v1.ListReconcileDetailsRequest;
import gongji.v1.ListReconcileDetailsResponse;
import gongji.v1.ListUsageRecordsRequest;
import gongji.v1.ListUsageRecordsResponse;
import gongji.v1.ListWalletTransfersRequest;
import gongji.v1.ListWalletTransfersResponse;
import gongji.v1.MutualAidOrder;
import gongji.v1.OpenWalletRequest;
import gongji.v1.PayOutToHeirsRequest;
import gongji.v1.PayPremiumRequest;
import gongji.v1.PayPremiumResponse;
import gongji.v1.Payout;
import gongji.v1.ReconcileRequest;
import gongji.v1.ReconcileResponse;
import gongji.v1.ReconcileTotals;
import gongji.v1.RecordDeathRequest;
import gongji.v1.RegionPolicy;
import gongji.v1.Relationship;
import gongji.v1.RequestBindingRequest;
import gongji.v1.ReviewBindingRequest;
import gongji.v1.SetRegionPolicyRequest;
import gongji.v1.UpdateBindingQuotaRequest;
import gongji.v1.Wallet;
import gongji.v1.WalletTransfer;
import gongji.v1.WalletTransferState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.TimeUnit;

/**
 * The agency's operator CLI: {@code gongji admin <command>} for bindings, wallets, policies, accounts,
 * life events and day-end reconciliation. Exit codes as {@code gongji pos}: 0 done, 1 unexpected
 * failure, 2 bad usage, 3 refused, 4 unavailable.
 */
public final class AdminCli {
  private final PrintStream out;
  private final PrintStream err;

  AdminCli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(new AdminCli(System.out, System.err).run(args));
  }

  static String usage() {
    return String.join("\n",
        "usage: gongji admin <command> [flags]   (--target HOST:PORT of the back office, default 127.0.0.1:9092;",
        "       --deadline-ms N; --token T (default: $GONGJI_ADMIN_TOKEN);",
        "       --tls-ca PEM [--tls-cert PEM --tls-key PEM] for TLS and admin certificates)",
        "bindings:",
        "  list       --psn-no P [--role authorizer|beneficiary]",
        "  bind       --authorizer P --beneficiary P --relationship SPOUSE|PARENT|CHILD|SIBLING|GRANDPARENT|GRANDCHILD",
        "             --evidence REF [--quota YUAN]                    request a binding (pays nothing until verified)",
        "  verify     --binding B [--reject] [--note TEXT]            the agency's review",
        "  dissolve   --binding B --by P                               either party ends it",
        "  usage      --psn-no P [--role authorizer|beneficiary]       mutual-aid usage records",
        "  premium    --payer P --beneficiary P --amount YUAN --year Y --request-id R   pay a relative's resident premium",
        "  quota      --binding B --by P --quota YUAN                  the authorizer changes a quota (0 = none)",
        "wallet (医保钱包):",
        "  wallet open     --psn-no P                                  open a person's wallet",
        "  wallet show     --psn-no P                                  what it can spend, what waits for acceptance",
        "  wallet assign   --from P --to P --amount YUAN [--request-id R]  assign quota to a relative's wallet",
        "  wallet accept   --transfer W --by P                         the beneficiary accepts a pending transfer",
        "  wallet decline  --transfer W --by P                         the beneficiary declines, or the authorizer withdraws",
        "  wallet list     --psn-no P [--role authorizer|beneficiary]  transfers, newest first",
        "  (quota and wallet commands take --json for machine-readable output)",
        "accounts and people:",
        "  account    --psn-no P",
        "  credit     --psn-no P --amount YUAN --request-id R",
        "  death      --psn-no P                                        freeze, dissolve bindings",
        "  payout     --psn-no P --heir NAME:ID:YUAN [--heir ...] --request-id R",
        "policy and control:",
        "  policy     --admdvs 620100 [--name N] [--floor YUAN] [--extended] [--quota-allowed] [--cross-province]",
        "             [--optional NON_PROGRAMME_VACCINE,HEALTH_CHECKUP] [--hold-ttl-seconds N]",
        "             [--max-aid-uses N] [--max-aid-per-day YUAN]",
        "             [--wallet-transfers-per-day N] [--wallet-max-transfer YUAN] [--wallet-quiet-hours FROM-UNTIL]",
        "             [--aid-order binding|closest-relative|largest-available]",
        "                                                               set a region's policy (unset flags: off, or 0 =",
        "                                                               the national default: wallet 3 a day, 2,000 yuan",
        "                                                               each, quiet 22-6; aid in binding order)",
        "  reconcile  --institution CODE --date yyyy-MM-dd [--detail]  day-end totals (3201) and detail (3202)",
        "  alerts                                                       fraud alerts");
  }

  int run(String[] args) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.println(usage());
      return args.length == 0 ? Cli.USAGE : Cli.OK;
    }
    String command = args[0];
    // wallet commands have a verb (wallet show --psn-no P); everything else is flags.
    int first = 1;
    if (command.equals("wallet") && args.length > 1 && !args[1].startsWith("--")) {
      command = "wallet " + args[1];
      first = 2;
    }
    Flags f;
    try {
      f = Flags.parse(args, first);
    } catch (IllegalArgumentException e) {
      err.println("gongji admin: " + e.getMessage());
      return Cli.USAGE;
    }
    boolean json = f.has("json");
    String[] requestId = new String[1];
    ManagedChannelBuilder<?> builder;
    try {
      builder = channelBuilder(f);
    } catch (IllegalArgumentException e) {
      err.println("gongji admin: " + e.getMessage());
      return Cli.USAGE;
    }
    String token = f.has("token") ? f.require("token") : System.getenv("GONGJI_ADMIN_TOKEN");
    if (token != null && !token.isEmpty()) {
      io.grpc.Metadata headers = new io.grpc.Metadata();
      headers.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
          "Bearer " + token);
      builder.intercept(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    ManagedChannel channel = builder.build();
    try {
      long deadline = Long.parseLong(f.get("deadline-ms", "10000"));
      AdminServiceGrpc.AdminServiceBlockingStub admin =
          AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline, TimeUnit.MILLISECONDS);
      FamilyServiceGrpc.FamilyServiceBlockingStub family =
          FamilyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadline, TimeUnit.MILLISECONDS);
      switch (command) {
        case "list": {
          ListBindingsResponse r = family.listBindings(ListBindingsRequest.newBuilder().setPsnNo(f.require("psn-no"))
              .setRole(role(f)).setPageSize(1000).build());
          if (r.getBindingsCount() == 0) {
            out.println("no bindings");
          }
          for (Binding b : r.getBindingsList()) {
            printBinding(b);
          }
          return Cli.OK;
        }
        case "bind":
          printBinding(family.requestBinding(RequestBindingRequest.newBuilder()
              .setAuthorizerPsnNo(f.require("authorizer")).setBeneficiaryPsnNo(f.require("beneficiary"))
              .setRelationship(Relationship.valueOf("RELATIONSHIP_" + f.require("relationship").toUpperCase()))
              .setEvidenceRef(f.require("evidence"))
              .setQuotaFen(f.has("quota") ? Money.parseYuan(f.require("quota")) : 0).build()));
          return Cli.OK;
        case "verify":
          printBinding(family.reviewBinding(ReviewBindingRequest.newBuilder().setBindingId(f.require("binding"))
              .setApprove(!f.has("reject")).setNote(f.get("note", "")).build()));
          return Cli.OK;
        case "dissolve":
          printBinding(family.dissolveBinding(DissolveBindingRequest.newBuilder().setBindingId(f.require("binding"))
              .setByPsnNo(f.require("by")).build()));
          return Cli.OK;
        case "usage": {
          ListUsageRecordsResponse r = family.listUsageRecords(ListUsageRecordsRequest.newBuilder()
              .setPsnNo(f.require("psn-no")).setRole(role(f)).setPageSize(1000).build());
          if (r.getRecordsCount() == 0) {
            out.println("no usage records");
          }
          for (gongji.v1.UsageRecord u : r.getRecordsList()) {
            out.println(String.format("%s  %-20s %s -> %s  %s %s %s  %s yuan", time(u.getTimeMillis()), u.getKind(),
                u.getAuthorizerPsnNo(), u.getBeneficiaryPsnNo(), u.getFixmedinsCode(), u.getTransactionId(),
                u.getBindingId(), Money.yuan(u.getAmountFen())));
          }
          return Cli.OK;
        }
        case "premium": {
          PayPremiumResponse r = family.payPremium(PayPremiumRequest.newBuilder().setRequestId(f.require("request-id"))
              .setPayerPsnNo(f.require("payer")).setBeneficiaryPsnNo(f.require("beneficiary"))
              .setAmountFen(Money.parseYuan(f.require("amount"))).setYear(Integer.parseInt(f.require("year"))).build());
          out.println("premium " + r.getYear() + " of " + Money.yuan(r.getAmountFen()) + " yuan paid for "
              + r.getBeneficiaryPsnNo() + " by " + r.getPayerPsnNo() + "; payer available now "
              + Money.yuan(r.getPayerBalanceAfterFen()) + " yuan");
          return Cli.OK;
        }
        case "account":
          printAccount(admin.getAccount(GetAccountRequest.newBuilder().setPsnNo(f.require("psn-no")).build()));
          return Cli.OK;
        case "credit":
          printAccount(admin.creditAccount(CreditAccountRequest.newBuilder().setRequestId(f.require("request-id"))
              .setPsnNo(f.require("psn-no")).setAmountFen(Money.parseYuan(f.require("amount"))).build()));
          return Cli.OK;
        case "death": {
          gongji.v1.Insured i = admin.recordDeath(RecordDeathRequest.newBuilder().setPsnNo(f.require("psn-no")).build());
          out.println(i.getPsnNo() + " recorded as " + i.getStatus() + "; account frozen, bindings dissolved");
          return Cli.OK;
        }
        case "payout": {
          PayOutToHeirsRequest.Builder b = PayOutToHeirsRequest.newBuilder().setRequestId(f.require("request-id"))
              .setPsnNo(f.require("psn-no"));
          for (String spec : f.all("heir")) {
            String[] p = spec.split(":");
            if (p.length != 3) {
              throw new IllegalArgumentException("--heir \"" + spec + "\" (expected: NAME:ID:YUAN)");
            }
            b.addHeirs(Heir.newBuilder().setName(p[0]).setIdNumber(p[1]).setAmountFen(Money.parseYuan(p[2])));
          }
          Payout p = admin.payOutToHeirs(b.build());
          out.println("paid out " + Money.yuan(p.getTotalFen()) + " yuan of " + p.getPsnNo() + ":");
          for (Heir h : p.getHeirsList()) {
            out.println("  " + h.getName() + " (" + h.getIdNumber() + ") " + Money.yuan(h.getAmountFen()) + " yuan");
          }
          return Cli.OK;
        }
        case "policy": {
          RegionPolicy.Builder p = RegionPolicy.newBuilder().setAdmdvs(f.require("admdvs")).setName(f.get("name", ""))
              .setRetainedFloorFen(f.has("floor") ? Money.parseYuan(f.require("floor")) : 0)
              .setExtendedRelativesAllowed(f.has("extended")).setQuotaAllowed(f.has("quota-allowed"))
              .setCrossProvinceEnabled(f.has("cross-province"))
              .setHoldTtlSeconds(Integer.parseInt(f.get("hold-ttl-seconds", "0")))
              .setMaxMutualAidUsesPerDay(Integer.parseInt(f.get("max-aid-uses", "0")))
              .setMaxMutualAidFenPerDay(f.has("max-aid-per-day") ? Money.parseYuan(f.require("max-aid-per-day")) : 0)
              .setWalletMaxTransfersPerDay(Integer.parseInt(f.get("wallet-transfers-per-day", "0")))
              .setWalletMaxTransferFen(f.has("wallet-max-transfer") ? Money.parseYuan(f.require("wallet-max-transfer")) : 0)
              .setMutualAidOrder(aidOrder(f.get("aid-order", "binding")));
          if (f.has("wallet-quiet-hours")) {
            String hours = f.require("wallet-quiet-hours");
            if (!hours.matches("[0-9]{1,2}-[0-9]{1,2}")) {
              throw new IllegalArgumentException("--wallet-quiet-hours \"" + hours + "\" (expected: FROM-UNTIL, e.g. 22-6;"
                  + " equal hours: no quiet window)");
            }
            String[] h = hours.split("-");
            p.setWalletQuietFromHour(Integer.parseInt(h[0])).setWalletQuietUntilHour(Integer.parseInt(h[1]));
          }
          if (f.has("optional")) {
            for (String c : f.require("optional").split(",")) {
              p.addOptionalCategoriesAllowed(ItemCategory.valueOf("ITEM_CATEGORY_" + c.trim().toUpperCase()));
            }
          }
          RegionPolicy r = admin.setRegionPolicy(SetRegionPolicyRequest.newBuilder().setPolicy(p).build());
          out.println("policy of " + r.getAdmdvs() + " set: floor " + Money.yuan(r.getRetainedFloorFen())
              + " yuan, extended relatives " + r.getExtendedRelativesAllowed() + ", quota " + r.getQuotaAllowed()
              + ", cross-province " + r.getCrossProvinceEnabled() + ", optional " + r.getOptionalCategoriesAllowedList()
              + ", wallet " + r.getWalletMaxTransfersPerDay() + " a day up to " + Money.yuan(r.getWalletMaxTransferFen())
              + " yuan, quiet " + r.getWalletQuietFromHour() + "-" + r.getWalletQuietUntilHour() + ", aid order "
              + r.getMutualAidOrder().name().replace("MUTUAL_AID_ORDER_", ""));
          return Cli.OK;
        }
        case "reconcile": {
          String inst = f.require("institution");
          String date = f.require("date");
          ReconcileResponse r = admin.reconcile(ReconcileRequest.newBuilder().setFixmedinsCode(inst).setDate(date).build());
          out.println("reconciliation " + inst + " " + date + " (yuan)        count      total   own acct  mutual aid       cash");
          printTotals("settlements", r.getSettlements());
          printTotals("refunds", r.getRefunds());
          if (f.has("detail")) {
            ListReconcileDetailsResponse d = admin.listReconcileDetails(ListReconcileDetailsRequest.newBuilder()
                .setFixmedinsCode(inst).setDate(date).setPageSize(1000).build());
            for (gongji.v1.ReconcileDetail l : d.getDetailsList()) {
              out.println(String.format("  %s %-8s %-20s %10s %10s %10s %10s", time(l.getTimeMillis()),
                  l.getTransactionId(), l.getKind(), Money.yuan(l.getTotalFen()), Money.yuan(l.getAccountPayFen()),
                  Money.yuan(l.getMutualAidPayFen()), Money.yuan(l.getCashPayFen())));
            }
          }
          return Cli.OK;
        }
        case "alerts": {
          ListAlertsResponse r = admin.listAlerts(ListAlertsRequest.newBuilder().setPageSize(1000).build());
          if (r.getAlertsCount() == 0) {
            out.println("no alerts");
          }
          for (gongji.v1.Alert a : r.getAlertsList()) {
            out.println(time(a.getTimeMillis()) + "  " + a.getKind() + "  " + a.getFixmedinsCode() + "  "
                + a.getPsnNo() + "  " + a.getDetail());
          }
          return Cli.OK;
        }
        case "quota":
          printBinding(family.updateBindingQuota(UpdateBindingQuotaRequest.newBuilder()
              .setBindingId(f.require("binding")).setByPsnNo(f.require("by"))
              .setQuotaFen(Money.parseYuan(f.require("quota")))
              .build()), json);
          return Cli.OK;
        case "wallet open":
          printWallet(family.openWallet(OpenWalletRequest.newBuilder().setPsnNo(f.require("psn-no")).build()),
              json);
          return Cli.OK;
        case "wallet show":
          printWallet(family.getWallet(GetWalletRequest.newBuilder().setPsnNo(f.require("psn-no")).build()),
              json);
          return Cli.OK;
        case "wallet assign": {
          String from = f.require("from");
          String to = f.require("to");
          long amountFen = Money.parseYuan(f.require("amount"));
          requestId[0] = f.has("request-id") ? f.require("request-id") : newRequestId();
          WalletTransfer t = family.assignWalletQuota(AssignWalletQuotaRequest.newBuilder().setRequestId(requestId[0])
              .setAuthorizerPsnNo(from).setBeneficiaryPsnNo(to).setAmountFen(amountFen).build());
          printTransfer(t, requestId[0], json);
          return Cli.OK;
        }
        case "wallet accept":
        case "wallet decline": {
          String transferId = f.require("transfer");
          String by = f.require("by");
          WalletTransfer t = command.equals("wallet accept")
              ? family.acceptWalletTransfer(AcceptWalletTransferRequest.newBuilder().setTransferId(transferId)
                  .setByPsnNo(by).build())
              : family.declineWalletTransfer(DeclineWalletTransferRequest.newBuilder().setTransferId(transferId)
                  .setByPsnNo(by).build());
          printTransfer(t, null, json);
          return Cli.OK;
        }
        case "wallet list": {
          ListWalletTransfersResponse r = family.listWalletTransfers(ListWalletTransfersRequest.newBuilder()
              .setPsnNo(f.require("psn-no")).setRole(role(f)).setPageSize(1000).build());
          if (json) {
            List<Object> all = new ArrayList<Object>();
            for (WalletTransfer t : r.getTransfersList()) {
              all.add(transfer(t));
            }
            out.println(Json.write(all));
            return Cli.OK;
          }
          if (r.getTransfersCount() == 0) {
            out.println("no wallet transfers");
          }
          for (WalletTransfer t : r.getTransfersList()) {
            printTransfer(t);
          }
          return Cli.OK;
        }
        default:
          if (command.startsWith("wallet")) {
            err.println("gongji admin: unknown wallet command \"" + command + "\" (expected: wallet open, show, assign,"
                + " accept, decline or list)\n" + usage());
          } else {
            err.println("gongji admin: unknown command \"" + command + "\"\n" + usage());
          }
          return Cli.USAGE;
      }
    } catch (IllegalArgumentException e) {
      err.println("gongji admin: " + e.getMessage());
      return Cli.USAGE;
    } catch (StatusRuntimeException e) {
      Status s = e.getStatus();
      String reason = s.getCode().name();
      com.google.rpc.Status detail = StatusProto.fromThrowable(e);
      if (detail != null) {
        for (Any any : detail.getDetailsList()) {
          if (any.is(ErrorInfo.class)) {
            try {
              reason = any.unpack(ErrorInfo.class).getReason();
            } catch (com.google.protobuf.InvalidProtocolBufferException ignored) {
              // The status code stands.
            }
          }
        }
      }
      boolean retry = s.getCode() == Status.Code.UNAVAILABLE || s.getCode() == Status.Code.DEADLINE_EXCEEDED;
      if (json) {
        Map<String, Object> m = new LinkedHashMap<String, Object>();
        m.put("error", reason);
        m.put("status", s.getCode().name());
        m.put("message", s.getDescription() == null ? "" : s.getDescription());
        if (requestId[0] != null) {
          m.put("request_id", requestId[0]);
        }
        out.println(Json.write(m));
      } else {
        err.println("refused: " + reason + " (" + s.getCode() + ")\n  " + s.getDescription());
        if (requestId[0] != null) {
          err.println("  request id " + requestId[0] + (retry ? ": retry with --request-id " + requestId[0] : ""));
        }
      }
      return retry ? Cli.RETRY : Cli.REFUSED;
    } finally {
      channel.shutdownNow();
    }
  }

  private static BindingRole role(Flags f) {
    String r = f.get("role", "");
    if (r.isEmpty()) {
      return BindingRole.BINDING_ROLE_UNSPECIFIED;
    }
    if (r.equals("authorizer")) {
      return BindingRole.BINDING_ROLE_AUTHORIZER;
    }
    if (r.equals("beneficiary")) {
      return BindingRole.BINDING_ROLE_BENEFICIARY;
    }
    throw new IllegalArgumentException("--role \"" + r + "\" (expected: authorizer or beneficiary)");
  }

  private static MutualAidOrder aidOrder(String name) {
    String n = name.toUpperCase().replace('-', '_');
    if (!n.equals("BINDING") && !n.equals("CLOSEST_RELATIVE") && !n.equals("LARGEST_AVAILABLE")) {
      throw new IllegalArgumentException("--aid-order \"" + name + "\" (expected: binding, closest-relative or"
          + " largest-available)");
    }
    return MutualAidOrder.valueOf("MUTUAL_AID_ORDER_" + n);
  }

  private void printBinding(Binding b) {
    out.println(String.format("%-6s %-10s %s -> %s  %-12s quota %s used %s%s%s%s", b.getBindingId(),
        b.getState().name().replace("BINDING_STATE_", ""), b.getAuthorizerPsnNo(), b.getBeneficiaryPsnNo(),
        b.getRelationship().name().replace("RELATIONSHIP_", ""), b.getQuotaFen() == 0 ? "none" : Money.yuan(b.getQuotaFen()),
        Money.yuan(b.getUsedFen()), b.getWalletFen() == 0 ? "" : " wallet " + Money.yuan(b.getWalletFen()),
        b.getEvidenceRef().isEmpty() ? "" : "  evidence " + b.getEvidenceRef(),
        b.getEndReason().isEmpty() ? "" : "  (" + b.getEndReason() + ")"));
  }

  private void printBinding(Binding b, boolean json) {
    if (!json) {
      printBinding(b);
      return;
    }
    Map<String, Object> m = new LinkedHashMap<String, Object>();
    m.put("binding_id", b.getBindingId());
    m.put("state", b.getState().name().replace("BINDING_STATE_", ""));
    m.put("authorizer_psn_no", b.getAuthorizerPsnNo());
    m.put("beneficiary_psn_no", b.getBeneficiaryPsnNo());
    m.put("relationship", b.getRelationship().name().replace("RELATIONSHIP_", ""));
    m.put("quota_fen", b.getQuotaFen());
    m.put("used_fen", b.getUsedFen());
    m.put("wallet_fen", b.getWalletFen());
    m.put("evidence_ref", b.getEvidenceRef());
    m.put("end_reason", b.getEndReason());
    out.println(Json.write(m));
  }

  private void printWallet(Wallet w, boolean json) {
    if (json) {
      Map<String, Object> m = new LinkedHashMap<String, Object>();
      m.put("psn_no", w.getPsnNo());
      m.put("open", w.getOpen());
      m.put("open_time_millis", w.getOpenTimeMillis());
      m.put("available_fen", w.getAvailableFen());
      m.put("pending_fen", w.getPendingFen());
      m.put("transfers_today", w.getTransfersToday());
      List<Object> transfers = new ArrayList<Object>();
      for (WalletTransfer t : w.getTransfersList()) {
        transfers.add(transfer(t));
      }
      m.put("transfers", transfers);
      out.println(Json.write(m));
      return;
    }
    if (!w.getOpen()) {
      out.println("wallet " + w.getPsnNo() + "  not open");
      return;
    }
    out.println("wallet " + w.getPsnNo() + "  open since " + time(w.getOpenTimeMillis()) + "  available "
        + Money.yuan(w.getAvailableFen()) + "  pending " + Money.yuan(w.getPendingFen()) + " (yuan)  transfers today "
        + w.getTransfersToday());
    for (WalletTransfer t : w.getTransfersList()) {
      printTransfer(t);
    }
  }

  /** One transfer: a line, or a JSON object (with the request id of an assignment). */
  private void printTransfer(WalletTransfer t, String requestId, boolean json) {
    if (json) {
      Map<String, Object> m = transfer(t);
      if (requestId != null) {
        m.put("request_id", requestId);
      }
      out.println(Json.write(m));
      return;
    }
    printTransfer(t);
    if (requestId != null) {
      out.println("  request " + requestId);
    }
  }

  private void printTransfer(WalletTransfer t) {
    String state = t.getState().name().replace("WALLET_TRANSFER_STATE_", "");
    out.println(String.format("%-6s %-9s %s -> %s  %-6s amount %s remaining %s spent %s%s%s", t.getTransferId(),
        state, t.getAuthorizerPsnNo(), t.getBeneficiaryPsnNo(), t.getBindingId(), Money.yuan(t.getAmountFen()),
        Money.yuan(t.getRemainingFen()), Money.yuan(t.getSpentFen()),
        t.getState() == WalletTransferState.WALLET_TRANSFER_STATE_PENDING
            ? "  accept by " + time(t.getAcceptDeadlineMillis()) : "",
        t.getEndReason().isEmpty() ? "" : "  (" + t.getEndReason() + ")"));
  }

  private static Map<String, Object> transfer(WalletTransfer t) {
    Map<String, Object> m = new LinkedHashMap<String, Object>();
    m.put("transfer_id", t.getTransferId());
    m.put("state", t.getState().name().replace("WALLET_TRANSFER_STATE_", ""));
    m.put("authorizer_psn_no", t.getAuthorizerPsnNo());
    m.put("beneficiary_psn_no", t.getBeneficiaryPsnNo());
    m.put("binding_id", t.getBindingId());
    m.put("amount_fen", t.getAmountFen());
    m.put("remaining_fen", t.getRemainingFen());
    m.put("spent_fen", t.getSpentFen());
    m.put("create_time_millis", t.getCreateTimeMillis());
    m.put("accept_deadline_millis", t.getAcceptDeadlineMillis());
    m.put("end_reason", t.getEndReason());
    return m;
  }

  /** The one subject a command takes ({@code name}), or none when {@code name} is null. */
  /** A fresh idempotency key for a call the operator did not give one: printed, so a retry can reuse it. */
  private static String newRequestId() {
    SimpleDateFormat stamp = new SimpleDateFormat("yyyyMMddHHmmss");
    stamp.setTimeZone(TimeZone.getTimeZone("Asia/Shanghai"));
    return "ADM" + stamp.format(new Date()) + String.format("%06d", new SecureRandom().nextInt(1000000));
  }

  private void printAccount(Account a) {
    out.println(a.getPsnNo() + "  balance " + Money.yuan(a.getBalanceFen()) + "  held " + Money.yuan(a.getHeldFen())
        + "  available " + Money.yuan(a.getAvailableFen()) + " (yuan)");
  }

  private void printTotals(String label, ReconcileTotals t) {
    out.println(String.format("  %-30s %6d %10s %10s %11s %10s", label, t.getCount(), Money.yuan(t.getTotalFen()),
        Money.yuan(t.getAccountPayFen()), Money.yuan(t.getMutualAidPayFen()), Money.yuan(t.getCashPayFen())));
  }

  private static String time(long millis) {
    SimpleDateFormat f = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss");
    f.setTimeZone(TimeZone.getTimeZone("Asia/Shanghai"));
    return f.format(new Date(millis));
  }

  /** Plaintext to {@code --target}, or TLS when {@code --tls-ca} or {@code --tls-cert} is given (mTLS with the latter). */
  private static ManagedChannelBuilder<?> channelBuilder(Flags f) {
    String target = f.get("target", "127.0.0.1:9092");
    if (!f.has("tls-ca") && !f.has("tls-cert")) {
      return ManagedChannelBuilder.forTarget(target).usePlaintext();
    }
    try {
      io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder ssl =
          io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts.forClient();
      if (f.has("tls-ca")) {
        ssl.trustManager(new java.io.File(f.require("tls-ca")));
      }
      if (f.has("tls-cert")) {
        ssl.keyManager(new java.io.File(f.require("tls-cert")), new java.io.File(f.require("tls-key")));
      }
      return io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forTarget(target).sslContext(ssl.build());
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalArgumentException("TLS material could not be loaded: " + e.getMessage(), e);
    }
  }
}
