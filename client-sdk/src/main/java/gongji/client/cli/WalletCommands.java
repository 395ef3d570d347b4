package gongji.client.cli;

import static gongji.client.cli.AdminCli.newRequestId;
import static gongji.client.cli.AdminCli.transfer;

import gongji.client.Money;
import gongji.client.cli.AdminCli.AdminCommand;
import gongji.client.cli.AdminCli.JsonFlag;
import gongji.client.cli.AdminCli.RoleFlag;
import gongji.client.cli.AdminCli.Stubs;
import gongji.v1.AcceptWalletTransferRequest;
import gongji.v1.AssignWalletQuotaRequest;
import gongji.v1.DeclineWalletTransferRequest;
import gongji.v1.GetWalletRequest;
import gongji.v1.ListWalletTransfersRequest;
import gongji.v1.ListWalletTransfersResponse;
import gongji.v1.OpenWalletRequest;
import gongji.v1.WalletTransfer;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "wallet", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    description = "The medical-insurance wallet (医保钱包): quota relatives assign, usable across provinces.",
    subcommands = {WalletCommands.WalletOpen.class, WalletCommands.WalletShow.class, WalletCommands.WalletAssign.class,
        WalletCommands.WalletAccept.class, WalletCommands.WalletDecline.class, WalletCommands.WalletList.class})
final class WalletCommands implements Runnable {
  @Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "a wallet command is required: open, show, assign, accept, decline or list");
  }

  /** A wallet command: all of them take {@code --json}. */
  abstract static class WalletCommand extends AdminCommand {
    @Mixin
    JsonFlag json;

    @Override
    boolean json() {
      return json.json;
    }
  }

  @Command(name = "open", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Opens a person's wallet.")
  static final class WalletOpen extends WalletCommand {
    @Option(names = "--psn-no", required = true, paramLabel = "P", description = "the person")
    String psnNo;

    @Mixin
    AdminCli.RequestIdFlag id;

    @Override
    void run(Stubs s) {
      requestId = id.orNew();
      cli.printWallet(s.family.openWallet(OpenWalletRequest.newBuilder().setRequestId(requestId).setPsnNo(psnNo)
          .build()), json.json);
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "What a wallet can spend, and what waits for acceptance.")
  static final class WalletShow extends WalletCommand {
    @Option(names = "--psn-no", required = true, paramLabel = "P", description = "the wallet's owner")
    String psnNo;

    @Override
    void run(Stubs s) {
      cli.printWallet(s.family.getWallet(GetWalletRequest.newBuilder().setPsnNo(psnNo).build()), json.json);
    }
  }

  @Command(name = "assign", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Assigns quota from the authorizer's account to a relative's wallet (pending until accepted).")
  static final class WalletAssign extends WalletCommand {
    @Option(names = "--from", required = true, paramLabel = "P", description = "the authorizer")
    String from;

    @Option(names = "--to", required = true, paramLabel = "P", description = "the wallet's owner")
    String to;

    @Option(names = "--amount", required = true, paramLabel = "YUAN", description = "the quota")
    String amount;

    @Option(names = "--request-id", paramLabel = "R",
        description = "the idempotency key; the same one retries safely (default: made up, and printed)")
    String requestIdFlag;

    @Override
    void run(Stubs s) {
      long amountFen = Money.parseYuan(amount);
      requestId = requestIdFlag != null ? requestIdFlag : newRequestId();
      WalletTransfer t = s.family.assignWalletQuota(AssignWalletQuotaRequest.newBuilder().setRequestId(requestId)
          .setAuthorizerPsnNo(from).setBeneficiaryPsnNo(to).setAmountFen(amountFen).build());
      cli.printTransfer(t, requestId, json.json);
    }
  }

  @Command(name = "accept", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "The beneficiary accepts a pending transfer.")
  static final class WalletAccept extends WalletCommand {
    @Option(names = "--transfer", required = true, paramLabel = "W", description = "the transfer")
    String transfer;

    @Option(names = "--by", required = true, paramLabel = "P", description = "the beneficiary")
    String by;

    @Mixin
    AdminCli.RequestIdFlag id;

    @Override
    void run(Stubs s) {
      requestId = id.orNew();
      cli.printTransfer(s.family.acceptWalletTransfer(AcceptWalletTransferRequest.newBuilder().setRequestId(requestId)
          .setTransferId(transfer)
          .setByPsnNo(by).build()), null, json.json);
    }
  }

  @Command(name = "decline", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "The beneficiary declines a pending transfer, or the authorizer withdraws it.")
  static final class WalletDecline extends WalletCommand {
    @Option(names = "--transfer", required = true, paramLabel = "W", description = "the transfer")
    String transfer;

    @Option(names = "--by", required = true, paramLabel = "P", description = "the beneficiary or the authorizer")
    String by;

    @Mixin
    AdminCli.RequestIdFlag id;

    @Override
    void run(Stubs s) {
      requestId = id.orNew();
      cli.printTransfer(s.family.declineWalletTransfer(DeclineWalletTransferRequest.newBuilder().setRequestId(requestId)
          .setTransferId(transfer).setByPsnNo(by).build()), null, json.json);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "A person's wallet transfers, newest first.")
  static final class WalletList extends WalletCommand {
    @Option(names = "--psn-no", required = true, paramLabel = "P", description = "the person")
    String psnNo;

    @Mixin
    RoleFlag role;

    @Override
    void run(Stubs s) {
      ListWalletTransfersResponse r = s.family.listWalletTransfers(ListWalletTransfersRequest.newBuilder()
          .setPsnNo(psnNo).setRole(role.value()).setPageSize(1000).build());
      if (json.json) {
        List<Object> all = new ArrayList<Object>();
        for (WalletTransfer t : r.getTransfersList()) {
          all.add(transfer(t));
        }
        cli.out.println(Json.write(all));
        return;
      }
      if (r.getTransfersCount() == 0) {
        cli.out.println("no wallet transfers");
      }
      for (WalletTransfer t : r.getTransfersList()) {
        cli.printTransfer(t);
      }
    }
  }
}
