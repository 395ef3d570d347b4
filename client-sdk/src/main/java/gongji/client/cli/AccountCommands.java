package gongji.client.cli;

import gongji.client.Money;
import gongji.client.cli.AdminCli.AdminCommand;
import gongji.client.cli.AdminCli.RequestIdFlag;
import gongji.client.cli.AdminCli.Stubs;
import gongji.v1.CreditAccountRequest;
import gongji.v1.GetAccountRequest;
import gongji.v1.Heir;
import gongji.v1.PayOutToHeirsRequest;
import gongji.v1.Payout;
import gongji.v1.RecordDeathRequest;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code admin} commands of personal accounts: show, credit, record a death, pay out to heirs. */
final class AccountCommands {
  private AccountCommands() {}

  @Command(name = "account", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "A person's account: balance, held, available.")
  static final class AccountCommand extends AdminCommand {
    @Option(names = "--psn-no", required = true, paramLabel = "P", description = "the person")
    String psnNo;

    @Override
    void run(Stubs s) {
      cli.printAccount(s.admin.getAccount(GetAccountRequest.newBuilder().setPsnNo(psnNo).build()));
    }
  }

  @Command(name = "credit", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Credits a person's account (the yearly allocation).")
  static final class Credit extends AdminCommand {
    @Option(names = "--psn-no", required = true, paramLabel = "P", description = "the person")
    String psnNo;

    @Option(names = "--amount", required = true, paramLabel = "YUAN", description = "the credit")
    String amount;

    @Option(names = "--request-id", required = true, paramLabel = "R", description = "the idempotency key")
    String requestIdFlag;

    @Override
    void run(Stubs s) {
      requestId = requestIdFlag;
      cli.printAccount(s.admin.creditAccount(CreditAccountRequest.newBuilder().setRequestId(requestIdFlag)
          .setPsnNo(psnNo).setAmountFen(Money.parseYuan(amount)).build()));
    }
  }

  @Command(name = "death", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Records a death: the account is frozen and every binding dissolved.")
  static final class Death extends AdminCommand {
    @Option(names = "--psn-no", required = true, paramLabel = "P", description = "the person")
    String psnNo;

    @Mixin
    RequestIdFlag id;

    @Override
    void run(Stubs s) {
      requestId = id.orNew();
      gongji.v1.Insured i = s.admin.recordDeath(RecordDeathRequest.newBuilder().setRequestId(requestId).setPsnNo(psnNo)
          .build());
      cli.out.println(i.getPsnNo() + " recorded as " + i.getStatus() + "; account frozen, bindings dissolved");
    }
  }

  @Command(name = "payout", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Pays a deceased person's balance out to their heirs.")
  static final class PayoutCommand extends AdminCommand {
    @Option(names = "--psn-no", required = true, paramLabel = "P", description = "the deceased")
    String psnNo;

    @Option(names = "--heir", required = true, paramLabel = "NAME:ID:YUAN", description = "an heir's share, repeatable")
    List<String> heirs;

    @Option(names = "--request-id", required = true, paramLabel = "R", description = "the idempotency key")
    String requestIdFlag;

    @Override
    void run(Stubs s) {
      requestId = requestIdFlag;
      PayOutToHeirsRequest.Builder b = PayOutToHeirsRequest.newBuilder().setRequestId(requestIdFlag).setPsnNo(psnNo);
      for (String spec : heirs) {
        String[] p = spec.split(":");
        if (p.length != 3) {
          throw new IllegalArgumentException("--heir \"" + spec + "\" (expected: NAME:ID:YUAN)");
        }
        b.addHeirs(Heir.newBuilder().setName(p[0]).setIdNumber(p[1]).setAmountFen(Money.parseYuan(p[2])));
      }
      Payout p = s.admin.payOutToHeirs(b.build());
      cli.out.println("paid out " + Money.yuan(p.getTotalFen()) + " yuan of " + p.getPsnNo() + ":");
      for (Heir h : p.getHeirsList()) {
        cli.out.println("  " + h.getName() + " (" + h.getIdNumber() + ") " + Money.yuan(h.getAmountFen()) + " yuan");
      }
    }
  }
}
