package gongji.client.cli;

import gongji.client.Money;
import gongji.client.cli.AdminCli.AdminCommand;
import gongji.client.cli.AdminCli.Stubs;
import gongji.client.internal.Mapping;
import gongji.v1.ListAlertsRequest;
import gongji.v1.ListAlertsResponse;
import gongji.v1.ListReconcileDetailsRequest;
import gongji.v1.ListReconcileDetailsResponse;
import gongji.v1.ReconcileRequest;
import gongji.v1.ReconcileResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code admin} commands of records: day-end reconciliation (3201, 3202) and fraud alerts. */
final class RecordsCommands {
  private RecordsCommands() {}

  @Command(name = "reconcile", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Day-end totals (3201) of an institution, and with --detail the rows (3202).")
  static final class Reconcile extends AdminCommand {
    @Option(names = "--institution", required = true, paramLabel = "CODE", description = "the institution")
    String institution;

    @Option(names = "--date", paramLabel = "yyyy-MM-dd",
        description = "the day, China time (default: the gateway's today, a sandbox's by its own clock)")
    String date;

    @Option(names = "--detail", description = "also list every settlement and refund of the day")
    boolean detail;

    @Option(names = "--insutype", paramLabel = "CODE", defaultValue = "",
        description = "with --detail, only the rows of this insurance (310, 390)")
    String insutype;

    @Option(names = "--clr-type", paramLabel = "CODE", defaultValue = "",
        description = "with --detail, only the rows of this clearing type (41 pharmacy, 11 outpatient, 21 inpatient, 99)")
    String clrType;

    @Option(names = "--setl-optins", paramLabel = "ADMDVS", defaultValue = "",
        description = "with --detail, only the rows of this settlement agency (region, 6 digits)")
    String setlOptins;

    @Override
    void run(Stubs s) {
      String day = date != null ? date : java.time.Instant.ofEpochSecond(
          s.admin.getClock(gongji.v1.GetClockRequest.getDefaultInstance()).getNow().getSeconds()).atZone(AdminCli.CHINA)
          .toLocalDate().toString();
      ReconcileResponse r = s.admin.reconcile(ReconcileRequest.newBuilder().setFixmedinsCode(institution).setDate(Mapping.date(day))
          .build());
      cli.out.println("reconciliation " + institution + " " + day
          + " (yuan)        count      total   own acct  mutual aid       cash");
      cli.printTotals("settlements", r.getSettlements());
      cli.printTotals("refunds", r.getRefunds());
      if (r.getGroupsCount() > 0) {
        cli.out.println("  per group (insutype clr_type setl_optins)");
      }
      for (gongji.v1.ReconcileGroupTotals g : r.getGroupsList()) {
        String group = g.getInsutype().isEmpty() ? "ungrouped" : g.getInsutype() + " " + g.getClrType() + " "
            + g.getSetlOptins();
        cli.printTotals(group + " settlements", g.getSettlements());
        cli.printTotals(group + " refunds", g.getRefunds());
      }
      if (detail) {
        ListReconcileDetailsResponse d = s.admin.listReconcileDetails(ListReconcileDetailsRequest.newBuilder()
            .setFixmedinsCode(institution).setDate(Mapping.date(day)).setInsutype(insutype).setClrType(clrType)
            .setSetlOptins(setlOptins).setPageSize(1000).build());
        for (gongji.v1.ReconcileDetail l : d.getDetailsList()) {
          String group = l.getInsutype().isEmpty() ? "" : "  " + l.getInsutype() + " " + l.getClrType() + " "
              + l.getSetlOptins();
          cli.out.println(String.format("  %s %-8s %-20s %10s %10s %10s %10s%s", AdminCli.time(Mapping.millis(l.getTime())),
              l.getTransactionId(), l.getKind(), Money.yuan(l.getTotalFen()), Money.yuan(l.getAccountPayFen()),
              Money.yuan(l.getMutualAidPayFen()), Money.yuan(l.getCashPayFen()), group));
        }
      }
    }
  }

  @Command(name = "alerts", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Fraud alerts (impersonation attempts), newest first.")
  static final class Alerts extends AdminCommand {
    @Override
    void run(Stubs s) {
      ListAlertsResponse r = s.admin.listAlerts(ListAlertsRequest.newBuilder().setPageSize(1000).build());
      if (r.getAlertsCount() == 0) {
        cli.out.println("no alerts");
      }
      for (gongji.v1.Alert a : r.getAlertsList()) {
        cli.out.println(AdminCli.time(Mapping.millis(a.getTime())) + "  " + a.getKind() + "  " + a.getFixmedinsCode() + "  "
            + a.getPsnNo() + "  " + a.getDetail() + named("terminal", a.getTerminalId())
            + named("operator", a.getOperatorId()) + named("claimed", a.getClaimedPsnNoMasked())
            + named("credential of", a.getOwnerPsnNoMasked()));
      }
    }
  }

  /** "  what value", or "" when the value is empty. */
  static String named(String what, String value) {
    return value.isEmpty() ? "" : "  " + what + " " + value;
  }
}
