package gongji.client.cli;

import gongji.client.Money;
import gongji.client.cli.AdminCli.AdminCommand;
import gongji.client.cli.AdminCli.JsonFlag;
import gongji.client.cli.AdminCli.RequestIdFlag;
import gongji.client.cli.AdminCli.RoleFlag;
import gongji.client.cli.AdminCli.Stubs;
import gongji.client.internal.Mapping;
import gongji.v1.Binding;
import gongji.v1.DissolveBindingRequest;
import gongji.v1.ListBindingsRequest;
import gongji.v1.ListBindingsResponse;
import gongji.v1.ListUsageRecordsRequest;
import gongji.v1.ListUsageRecordsResponse;
import gongji.v1.PayPremiumRequest;
import gongji.v1.PayPremiumResponse;
import gongji.v1.Relationship;
import gongji.v1.RequestBindingRequest;
import gongji.v1.ReviewBindingRequest;
import gongji.v1.UpdateBindingQuotaRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code admin} commands of bindings: list, bind, verify, dissolve, usage records, premiums, quotas. */
final class FamilyCommands {
  private FamilyCommands() {}

  @Command(name = "list", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "A person's mutual-aid bindings.")
  static final class ListBindings extends AdminCommand {
    @Option(names = "--psn-no", required = true, paramLabel = "P", description = "the person")
    String psnNo;

    @Mixin
    RoleFlag role;

    @Override
    void run(Stubs s) {
      ListBindingsResponse r = s.family.listBindings(ListBindingsRequest.newBuilder().setPsnNo(psnNo)
          .setRole(role.value()).setPageSize(1000).build());
      if (r.getBindingsCount() == 0) {
        cli.out.println("no bindings");
      }
      for (Binding b : r.getBindingsList()) {
        cli.printBinding(b);
      }
    }
  }

  @Command(name = "bind", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Requests a binding: the authorizer shares their account with the beneficiary (pays nothing"
          + " until verified).")
  static final class Bind extends AdminCommand {
    @Option(names = "--authorizer", required = true, paramLabel = "P", description = "who shares their account")
    String authorizer;

    @Option(names = "--beneficiary", required = true, paramLabel = "P", description = "who may draw on it")
    String beneficiary;

    @Option(names = "--relationship", required = true,
        paramLabel = "SPOUSE|PARENT|CHILD|SIBLING|GRANDPARENT|GRANDCHILD",
        description = "the beneficiary is the authorizer's ...")
    String relationship;

    @Option(names = "--evidence", required = true, paramLabel = "REF", description = "the proof of kinship on file")
    String evidence;

    @Option(names = "--quota", paramLabel = "YUAN", description = "the most the beneficiary may use (default: none)")
    String quota;

    @Mixin
    RequestIdFlag id;

    @Override
    void run(Stubs s) {
      requestId = id.orNew();
      Relationship rel;
      try {
        rel = Relationship.valueOf("RELATIONSHIP_" + relationship.toUpperCase());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--relationship \"" + relationship + "\" (expected: SPOUSE, PARENT, CHILD,"
            + " SIBLING, GRANDPARENT or GRANDCHILD)");
      }
      cli.printBinding(s.family.requestBinding(RequestBindingRequest.newBuilder().setRequestId(requestId)
          .setAuthorizerPsnNo(authorizer).setBeneficiaryPsnNo(beneficiary).setRelationship(rel)
          .setEvidenceRef(evidence).setQuotaFen(quota != null ? Money.parseYuan(quota) : 0).build()));
    }
  }

  @Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "The agency's review of a requested binding.")
  static final class Verify extends AdminCommand {
    @Option(names = "--binding", required = true, paramLabel = "B", description = "the binding")
    String binding;

    @Option(names = "--reject", description = "reject it (default: approve)")
    boolean reject;

    @Option(names = "--note", paramLabel = "TEXT", defaultValue = "", description = "the reviewer's note")
    String note;

    @Mixin
    RequestIdFlag id;

    @Override
    void run(Stubs s) {
      requestId = id.orNew();
      cli.printBinding(s.family.reviewBinding(ReviewBindingRequest.newBuilder().setRequestId(requestId).setBindingId(binding)
          .setApprove(!reject).setNote(note).build()));
    }
  }

  @Command(name = "dissolve", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Ends a binding; either party may.")
  static final class Dissolve extends AdminCommand {
    @Option(names = "--binding", required = true, paramLabel = "B", description = "the binding")
    String binding;

    @Option(names = "--by", required = true, paramLabel = "P", description = "the party ending it")
    String by;

    @Mixin
    RequestIdFlag id;

    @Override
    void run(Stubs s) {
      requestId = id.orNew();
      cli.printBinding(s.family.dissolveBinding(DissolveBindingRequest.newBuilder().setRequestId(requestId).setBindingId(binding)
          .setByPsnNo(by).build()));
    }
  }

  @Command(name = "usage", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Mutual-aid usage records of a person.")
  static final class Usage extends AdminCommand {
    @Option(names = "--psn-no", required = true, paramLabel = "P", description = "the person")
    String psnNo;

    @Mixin
    RoleFlag role;

    @Override
    void run(Stubs s) {
      ListUsageRecordsResponse r = s.family.listUsageRecords(ListUsageRecordsRequest.newBuilder()
          .setPsnNo(psnNo).setRole(role.value()).setPageSize(1000).build());
      if (r.getRecordsCount() == 0) {
        cli.out.println("no usage records");
      }
      for (gongji.v1.UsageRecord u : r.getRecordsList()) {
        cli.out.println(String.format("%s  %-20s %s -> %s  %s %s %s  %s yuan", AdminCli.time(Mapping.millis(u.getTime())), u.getKind(),
            u.getAuthorizerPsnNo(), u.getBeneficiaryPsnNo(), u.getFixmedinsCode(), u.getTransactionId(),
            u.getBindingId(), Money.yuan(u.getAmountFen())));
      }
    }
  }

  @Command(name = "premium", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Pays a relative's resident-insurance premium from the payer's account.")
  static final class Premium extends AdminCommand {
    @Option(names = "--payer", required = true, paramLabel = "P", description = "whose account pays")
    String payer;

    @Option(names = "--beneficiary", required = true, paramLabel = "P", description = "whose premium")
    String beneficiary;

    @Option(names = "--amount", required = true, paramLabel = "YUAN", description = "the premium")
    String amount;

    @Option(names = "--year", required = true, paramLabel = "Y", description = "the insurance year")
    int year;

    @Option(names = "--request-id", required = true, paramLabel = "R", description = "the idempotency key")
    String requestIdFlag;

    @Override
    void run(Stubs s) {
      requestId = requestIdFlag;
      PayPremiumResponse r = s.family.payPremium(PayPremiumRequest.newBuilder().setRequestId(requestIdFlag)
          .setPayerPsnNo(payer).setBeneficiaryPsnNo(beneficiary).setAmountFen(Money.parseYuan(amount))
          .setYear(year).build());
      cli.out.println("premium " + r.getYear() + " of " + Money.yuan(r.getAmountFen()) + " yuan paid for "
          + r.getBeneficiaryPsnNo() + " by " + r.getPayerPsnNo() + "; payer available now "
          + Money.yuan(r.getPayerBalanceAfterFen()) + " yuan");
    }
  }

  @Command(name = "quota", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "The authorizer changes a binding's quota (0: none).")
  static final class Quota extends AdminCommand {
    @Option(names = "--binding", required = true, paramLabel = "B", description = "the binding")
    String binding;

    @Option(names = "--by", required = true, paramLabel = "P", description = "the authorizer")
    String by;

    @Option(names = "--quota", required = true, paramLabel = "YUAN", description = "the new quota (0: none)")
    String quota;

    @Mixin
    JsonFlag json;

    @Override
    boolean json() {
      return json.json;
    }

    @Mixin
    RequestIdFlag id;

    @Override
    void run(Stubs s) {
      requestId = id.orNew();
      cli.printBinding(s.family.updateBindingQuota(UpdateBindingQuotaRequest.newBuilder().setRequestId(requestId)
          .setBindingId(binding).setByPsnNo(by).setQuotaFen(Money.parseYuan(quota)).build()), json.json);
    }
  }
}
