package gongji.client.cli;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import gongji.client.Money;
import gongji.client.internal.Mapping;
import gongji.v1.Account;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.Binding;
import gongji.v1.BindingRole;
import gongji.v1.CreditAccountRequest;
import gongji.v1.DissolveBindingRequest;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.GetAccountRequest;
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
import gongji.v1.MutualAidOrder;
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
import gongji.v1.UpdateRegionPolicyRequest;
import gongji.v1.UpdateBindingQuotaRequest;
import gongji.v1.Wallet;
import gongji.v1.WalletTransfer;
import gongji.v1.WalletTransferState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.protobuf.StatusProto;
import java.io.File;
import java.io.PrintStream;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.security.SecureRandom;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The agency's operator CLI: {@code gongji admin <command>} for bindings, wallets, policies, accounts,
 * life events and day-end reconciliation. Exit codes as {@code gongji pos}: 0 done, 1 unexpected
 * failure, 2 bad usage, 3 refused, 4 unavailable.
 */
@Command(name = "gongji admin", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    description = "The agency's CLI: bindings, wallets (医保钱包), policies, accounts, life events, reconciliation.",
    subcommands = {AdminCli.ListBindings.class, AdminCli.Bind.class, AdminCli.Verify.class, AdminCli.Dissolve.class,
        AdminCli.Usage.class, AdminCli.Premium.class, AdminCli.Quota.class, WalletCommands.class,
        AdminCli.AccountCommand.class, AdminCli.Credit.class, AdminCli.Death.class, AdminCli.PayoutCommand.class,
        AdminCli.Policy.class, AdminCli.Reconcile.class, AdminCli.Alerts.class, ClockCommands.class,
        CommandLine.HelpCommand.class},
    footer = {"", AdminCli.EXIT_CODES})
public final class AdminCli implements Runnable {
  static final String EXIT_CODES = "Exit codes: 0 done, 1 unexpected failure, 2 bad usage, 3 refused (see the reason),"
      + " 4 unavailable (retry; with the same --request-id where there is one).";
  static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");

  final PrintStream out;
  private final PrintStream err;
  private final Clock clock;

  @Spec
  CommandLine.Model.CommandSpec spec;

  AdminCli(PrintStream out, PrintStream err) {
    this(out, err, Clock.systemUTC());
  }

  /** A CLI whose "today" (the default reconciliation date) comes from {@code clock}, in China time. */
  AdminCli(PrintStream out, PrintStream err, Clock clock) {
    this.out = out;
    this.err = err;
    this.clock = clock;
  }

  public static void main(String[] args) {
    System.exit(new AdminCli(System.out, System.err).run(args));
  }

  /** Parses {@code args}, runs the command and returns its exit code. */
  int run(String[] args) {
    return Commands.strict(this, out, err).execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required (see --help)");
  }

  /**
   * The flags every {@code admin} command takes: where the gateway's back office is, how the CLI proves
   * who it is (an admin token or an admin certificate), and how long to wait.
   */
  static final class Connection {
    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
        description = "the gateway's back office, its admin.port (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--deadline-ms", paramLabel = "N", defaultValue = "10000",
        description = "each call's deadline in milliseconds (default: ${DEFAULT-VALUE})")
    long deadlineMillis;

    @Option(names = "--token", paramLabel = "T",
        description = "an admin bearer token (default: $GONGJI_ADMIN_TOKEN, else none)")
    String token;

    @Option(names = "--tls-ca", paramLabel = "PEM",
        description = "speak TLS, trusting the gateway's certificate from this CA (default: plaintext)")
    File tlsCa;

    @Option(names = "--tls-cert", paramLabel = "PEM",
        description = "an admin certificate (gongji:admin/NAME/role/ROLE) for mTLS; needs --tls-key")
    File tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "the private key of --tls-cert")
    File tlsKey;

    /** {@code --token}, else {@code GONGJI_ADMIN_TOKEN}; null when neither is set. */
    String token() {
      String t = token != null ? token : System.getenv("GONGJI_ADMIN_TOKEN");
      return t == null || t.isEmpty() ? null : t;
    }

    /** Plaintext to {@code --target}, or TLS when {@code --tls-ca} or {@code --tls-cert} is given (mTLS with the latter). */
    ManagedChannelBuilder<?> channelBuilder() {
      if (tlsCa == null && tlsCert == null) {
        if (tlsKey != null) {
          throw new IllegalArgumentException("--tls-key needs --tls-cert");
        }
        return ManagedChannelBuilder.forTarget(target).usePlaintext();
      }
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new IllegalArgumentException("--tls-cert and --tls-key go together");
      }
      try {
        SslContextBuilder ssl = GrpcSslContexts.forClient();
        if (tlsCa != null) {
          ssl.trustManager(tlsCa);
        }
        if (tlsCert != null) {
          ssl.keyManager(tlsCert, tlsKey);
        }
        return NettyChannelBuilder.forTarget(target).sslContext(ssl.build());
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("TLS material could not be loaded: " + e.getMessage(), e);
      }
    }
  }

  /** The {@code --json} switch of the commands that offer it. */
  static final class JsonFlag {
    @Option(names = "--json", description = "machine-readable output (amounts in fen)")
    boolean json;
  }

  /** The stubs a command calls, on one channel. */
  static final class Stubs {
    final AdminServiceGrpc.AdminServiceBlockingStub admin;
    final FamilyServiceGrpc.FamilyServiceBlockingStub family;

    Stubs(ManagedChannel channel, long deadlineMillis) {
      admin = AdminServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
      family = FamilyServiceGrpc.newBlockingStub(channel).withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * An {@code admin} command: opens a channel, runs, and turns a gRPC error into its exit code (3 refused,
   * 4 unavailable), printed as text or, with {@code --json}, as JSON.
   */
  abstract static class AdminCommand implements Callable<Integer> {
    @Mixin
    Connection connection;

    @Spec
    CommandLine.Model.CommandSpec spec;

    AdminCli cli;
    /** The request id of a mutating call, for the error report; null when none. */
    String requestId;

    boolean json() {
      return false;
    }

    @Override
    public final Integer call() {
      cli = (AdminCli) spec.root().userObject();
      ManagedChannelBuilder<?> builder = connection.channelBuilder();
      String token = connection.token();
      if (token != null) {
        io.grpc.Metadata headers = new io.grpc.Metadata();
        headers.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER),
            "Bearer " + token);
        builder.intercept(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(headers));
      }
      ManagedChannel channel = builder.build();
      try {
        run(new Stubs(channel, connection.deadlineMillis));
        return Cli.OK;
      } catch (StatusRuntimeException e) {
        return cli.failure(e, requestId, json());
      } finally {
        channel.shutdownNow();
      }
    }

    abstract void run(Stubs s);
  }

  /**
   * {@code --request-id} of a change: the operator's, or one made up (printed when the call fails, so
   * that a retry can send the same and get the original result).
   */
  static final class RequestIdFlag {
    @Option(names = "--request-id", paramLabel = "R",
        description = "the idempotency key; the same one retries safely (default: made up, and printed on a failure)")
    String value;

    String orNew() {
      return value != null ? value : newRequestId();
    }
  }

  static final class RoleFlag {
    @Option(names = "--role", paramLabel = "authorizer|beneficiary",
        description = "only where the person is the authorizer, or the beneficiary (default: both)")
    String role;

    BindingRole value() {
      if (role == null) {
        return BindingRole.BINDING_ROLE_UNSPECIFIED;
      }
      if (role.equals("authorizer")) {
        return BindingRole.BINDING_ROLE_AUTHORIZER;
      }
      if (role.equals("beneficiary")) {
        return BindingRole.BINDING_ROLE_BENEFICIARY;
      }
      throw new IllegalArgumentException("--role \"" + role + "\" (expected: authorizer or beneficiary)");
    }
  }

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
        cli.out.println(String.format("%s  %-20s %s -> %s  %s %s %s  %s yuan", time(Mapping.millis(u.getTime())), u.getKind(),
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

  @Command(name = "policy", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      sortOptions = false,
      description = {"Shows a region's policy, or changes the settings its flags name: the others stay as they are",
          "(a region without a policy of its own starts from the national defaults: holds of 1,800 s, wallet 3",
          "transfers a day of 2,000 yuan each, quiet 22-6, aid in binding order; nothing else allowed)."})
  static final class Policy extends AdminCommand {
    @Option(names = "--admdvs", required = true, paramLabel = "CODE", description = "the region, e.g. 620100")
    String admdvs;

    @Option(names = "--name", paramLabel = "N", description = "the region's name")
    String name;

    @Option(names = "--floor", paramLabel = "YUAN", description = "retained floor: what must stay in an authorizer's"
        + " account")
    String floor;

    @Option(names = "--extended", arity = "0..1", paramLabel = "true|false",
        description = "relatives beyond spouse, parents and children may bind")
    Boolean extended;

    @Option(names = "--quota-allowed", arity = "0..1", paramLabel = "true|false",
        description = "an authorizer may set a quota per binding")
    Boolean quotaAllowed;

    @Option(names = "--cross-province", arity = "0..1", paramLabel = "true|false",
        description = "mutual aid and wallets work across provinces")
    Boolean crossProvince;

    @Option(names = "--optional", paramLabel = "CAT,CAT", split = ",",
        description = "the optional item categories mutual aid may pay, e.g. NON_PROGRAMME_VACCINE,HEALTH_CHECKUP;"
            + " none: none")
    List<String> optional;

    @Option(names = "--hold-ttl-seconds", paramLabel = "N", description = "how long an authorization holds, 60-86400")
    Integer holdTtlSeconds;

    @Option(names = "--max-aid-uses", paramLabel = "N", description = "mutual-aid uses a day per beneficiary (0: no limit)")
    Integer maxAidUses;

    @Option(names = "--max-aid-per-day", paramLabel = "YUAN", description = "mutual aid a day per beneficiary"
        + " (0: no limit)")
    String maxAidPerDay;

    @Option(names = "--wallet-transfers-per-day", paramLabel = "N", description = "transfers a day into one wallet, 1-100")
    Integer walletTransfersPerDay;

    @Option(names = "--wallet-max-transfer", paramLabel = "YUAN", description = "the most one wallet transfer may assign")
    String walletMaxTransfer;

    @Option(names = "--wallet-quiet-hours", paramLabel = "FROM-UNTIL",
        description = "no wallet transfers from FROM to UNTIL o'clock, e.g. 22-6; equal hours: no quiet window")
    String walletQuietHours;

    @Option(names = "--aid-order", paramLabel = "binding|closest-relative|largest-available",
        description = "the order relatives' accounts pay in")
    String aidOrder;

    @Mixin
    RequestIdFlag id;

    @Override
    void run(Stubs s) {
      RegionPolicy.Builder p = RegionPolicy.newBuilder().setAdmdvs(admdvs);
      List<String> mask = new ArrayList<String>();
      if (name != null) {
        p.setName(name);
        mask.add("name");
      }
      if (floor != null) {
        p.setRetainedFloorFen(Money.parseYuan(floor));
        mask.add("retained_floor_fen");
      }
      if (extended != null) {
        p.setExtendedRelativesAllowed(extended);
        mask.add("extended_relatives_allowed");
      }
      if (quotaAllowed != null) {
        p.setQuotaAllowed(quotaAllowed);
        mask.add("quota_allowed");
      }
      if (crossProvince != null) {
        p.setCrossProvinceEnabled(crossProvince);
        mask.add("cross_province_enabled");
      }
      if (holdTtlSeconds != null) {
        p.setHoldTtlSeconds(holdTtlSeconds);
        mask.add("hold_ttl_seconds");
      }
      if (maxAidUses != null) {
        p.setMaxMutualAidUsesPerDay(maxAidUses);
        mask.add("max_mutual_aid_uses_per_day");
      }
      if (maxAidPerDay != null) {
        p.setMaxMutualAidFenPerDay(Money.parseYuan(maxAidPerDay));
        mask.add("max_mutual_aid_fen_per_day");
      }
      if (walletTransfersPerDay != null) {
        p.setWalletMaxTransfersPerDay(walletTransfersPerDay);
        mask.add("wallet_max_transfers_per_day");
      }
      if (walletMaxTransfer != null) {
        p.setWalletMaxTransferFen(Money.parseYuan(walletMaxTransfer));
        mask.add("wallet_max_transfer_fen");
      }
      if (aidOrder != null) {
        p.setMutualAidOrder(aidOrder(aidOrder));
        mask.add("mutual_aid_order");
      }
      if (walletQuietHours != null) {
        if (!walletQuietHours.matches("[0-9]{1,2}-[0-9]{1,2}")) {
          throw new IllegalArgumentException("--wallet-quiet-hours \"" + walletQuietHours + "\" (expected: FROM-UNTIL,"
              + " e.g. 22-6; equal hours: no quiet window)");
        }
        String[] h = walletQuietHours.split("-");
        p.setWalletQuietFromHour(Integer.parseInt(h[0])).setWalletQuietUntilHour(Integer.parseInt(h[1]));
        mask.add("wallet_quiet_from_hour");
        mask.add("wallet_quiet_until_hour");
      }
      if (optional != null) {
        for (String c : optional) {
          if (c.trim().equalsIgnoreCase("none")) {
            continue;
          }
          ItemCategory category;
          try {
            category = ItemCategory.valueOf("ITEM_CATEGORY_" + c.trim().toUpperCase());
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--optional: unknown category " + c.trim());
          }
          p.addOptionalCategoriesAllowed(category);
        }
        mask.add("optional_categories_allowed");
      }
      RegionPolicy r;
      if (mask.isEmpty()) {
        r = s.admin.getRegionPolicy(gongji.v1.GetRegionPolicyRequest.newBuilder().setAdmdvs(admdvs).build());
      } else {
        requestId = id.orNew();
        r = s.admin.updateRegionPolicy(UpdateRegionPolicyRequest.newBuilder().setRequestId(requestId).setPolicy(p)
            .setUpdateMask(com.google.protobuf.FieldMask.newBuilder().addAllPaths(mask)).build());
      }
      cli.out.println("policy of " + r.getAdmdvs() + (mask.isEmpty() ? ":" : " set:") + " floor "
          + Money.yuan(r.getRetainedFloorFen())
          + " yuan, extended relatives " + r.getExtendedRelativesAllowed() + ", quota " + r.getQuotaAllowed()
          + ", cross-province " + r.getCrossProvinceEnabled() + ", optional " + r.getOptionalCategoriesAllowedList()
          + ", wallet " + r.getWalletMaxTransfersPerDay() + " a day up to " + Money.yuan(r.getWalletMaxTransferFen())
          + " yuan, quiet " + r.getWalletQuietFromHour() + "-" + r.getWalletQuietUntilHour() + ", aid order "
          + r.getMutualAidOrder().name().replace("MUTUAL_AID_ORDER_", ""));
    }
  }

  @Command(name = "reconcile", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Day-end totals (3201) of an institution, and with --detail the rows (3202).")
  static final class Reconcile extends AdminCommand {
    @Option(names = "--institution", required = true, paramLabel = "CODE", description = "the institution")
    String institution;

    @Option(names = "--date", paramLabel = "yyyy-MM-dd", description = "the day, China time (default: today in China)")
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
      String day = date != null ? date : LocalDate.now(cli.clock.withZone(CHINA)).toString();
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
            .setFixmedinsCode(institution).setDate(day).setInsutype(insutype).setClrType(clrType)
            .setSetlOptins(setlOptins).setPageSize(1000).build());
        for (gongji.v1.ReconcileDetail l : d.getDetailsList()) {
          String group = l.getInsutype().isEmpty() ? "" : "  " + l.getInsutype() + " " + l.getClrType() + " "
              + l.getSetlOptins();
          cli.out.println(String.format("  %s %-8s %-20s %10s %10s %10s %10s%s", time(Mapping.millis(l.getTime())),
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
        cli.out.println(time(Mapping.millis(a.getTime())) + "  " + a.getKind() + "  " + a.getFixmedinsCode() + "  "
            + a.getPsnNo() + "  " + a.getDetail() + named("terminal", a.getTerminalId())
            + named("operator", a.getOperatorId()) + named("claimed", a.getClaimedPsnNoMasked())
            + named("credential of", a.getOwnerPsnNoMasked()));
      }
    }
  }

  /** "  what value", or "" when the value is empty. */
  private static String named(String what, String value) {
    return value.isEmpty() ? "" : "  " + what + " " + value;
  }

  /** A gRPC error as the exit code: 4 when retrying may help (unavailable, deadline), else 3 refused. */
  int failure(StatusRuntimeException e, String requestId, boolean json) {
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
      if (requestId != null) {
        m.put("request_id", requestId);
      }
      out.println(Json.write(m));
    } else {
      err.println("refused: " + reason + " (" + s.getCode() + ")\n  " + s.getDescription());
      if (requestId != null) {
        err.println("  request id " + requestId + (retry ? ": retry with --request-id " + requestId : ""));
      }
    }
    return retry ? Cli.RETRY : Cli.REFUSED;
  }

  private static MutualAidOrder aidOrder(String name) {
    String n = name.toUpperCase().replace('-', '_');
    if (!n.equals("BINDING") && !n.equals("CLOSEST_RELATIVE") && !n.equals("LARGEST_AVAILABLE")) {
      throw new IllegalArgumentException("--aid-order \"" + name + "\" (expected: binding, closest-relative or"
          + " largest-available)");
    }
    return MutualAidOrder.valueOf("MUTUAL_AID_ORDER_" + n);
  }

  void printBinding(Binding b) {
    out.println(String.format("%-6s %-10s %s -> %s  %-12s quota %s used %s%s%s%s", b.getBindingId(),
        b.getState().name().replace("BINDING_STATE_", ""), b.getAuthorizerPsnNo(), b.getBeneficiaryPsnNo(),
        b.getRelationship().name().replace("RELATIONSHIP_", ""), b.getQuotaFen() == 0 ? "none" : Money.yuan(b.getQuotaFen()),
        Money.yuan(b.getUsedFen()), b.getWalletFen() == 0 ? "" : " wallet " + Money.yuan(b.getWalletFen()),
        b.getEvidenceRef().isEmpty() ? "" : "  evidence " + b.getEvidenceRef(),
        b.getEndReason().isEmpty() ? "" : "  (" + b.getEndReason() + ")"));
  }

  void printBinding(Binding b, boolean json) {
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

  void printWallet(Wallet w, boolean json) {
    if (json) {
      Map<String, Object> m = new LinkedHashMap<String, Object>();
      m.put("psn_no", w.getPsnNo());
      m.put("open", w.getOpen());
      m.put("open_time_millis", Mapping.millis(w.getOpenTime()));
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
    out.println("wallet " + w.getPsnNo() + "  open since " + time(Mapping.millis(w.getOpenTime())) + "  available "
        + Money.yuan(w.getAvailableFen()) + "  pending " + Money.yuan(w.getPendingFen()) + " (yuan)  transfers today "
        + w.getTransfersToday());
    for (WalletTransfer t : w.getTransfersList()) {
      printTransfer(t);
    }
  }

  /** One transfer: a line, or a JSON object (with the request id of an assignment). */
  void printTransfer(WalletTransfer t, String requestId, boolean json) {
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

  void printTransfer(WalletTransfer t) {
    String state = t.getState().name().replace("WALLET_TRANSFER_STATE_", "");
    out.println(String.format("%-6s %-9s %s -> %s  %-6s amount %s remaining %s spent %s%s%s", t.getTransferId(),
        state, t.getAuthorizerPsnNo(), t.getBeneficiaryPsnNo(), t.getBindingId(), Money.yuan(t.getAmountFen()),
        Money.yuan(t.getRemainingFen()), Money.yuan(t.getSpentFen()),
        t.getState() == WalletTransferState.WALLET_TRANSFER_STATE_PENDING
            ? "  accept by " + time(Mapping.millis(t.getAcceptDeadline())) : "",
        t.getEndReason().isEmpty() ? "" : "  (" + t.getEndReason() + ")"));
  }

  static Map<String, Object> transfer(WalletTransfer t) {
    Map<String, Object> m = new LinkedHashMap<String, Object>();
    m.put("transfer_id", t.getTransferId());
    m.put("state", t.getState().name().replace("WALLET_TRANSFER_STATE_", ""));
    m.put("authorizer_psn_no", t.getAuthorizerPsnNo());
    m.put("beneficiary_psn_no", t.getBeneficiaryPsnNo());
    m.put("binding_id", t.getBindingId());
    m.put("amount_fen", t.getAmountFen());
    m.put("remaining_fen", t.getRemainingFen());
    m.put("spent_fen", t.getSpentFen());
    m.put("create_time_millis", Mapping.millis(t.getCreateTime()));
    m.put("accept_deadline_millis", Mapping.millis(t.getAcceptDeadline()));
    m.put("end_reason", t.getEndReason());
    return m;
  }

  /** A fresh idempotency key for a call the operator did not give one: printed, so a retry can reuse it. */
  static String newRequestId() {
    SimpleDateFormat stamp = new SimpleDateFormat("yyyyMMddHHmmss");
    stamp.setTimeZone(TimeZone.getTimeZone("Asia/Shanghai"));
    return "ADM" + stamp.format(new Date()) + String.format("%06d", new SecureRandom().nextInt(1000000));
  }

  void printClock(gongji.v1.Clock c) {
    out.println("clock " + time(c.getNow().getSeconds() * 1000) + " (Beijing time)" + (c.getSandbox()
        ? "  sandbox, " + c.getOffsetSeconds() + " s ahead of the host" : "  the host's (not a sandbox: it does not move)"));
  }

  void printAccount(Account a) {
    out.println(a.getPsnNo() + "  balance " + Money.yuan(a.getBalanceFen()) + "  held " + Money.yuan(a.getHeldFen())
        + "  available " + Money.yuan(a.getAvailableFen()) + " (yuan)");
  }

  void printTotals(String label, ReconcileTotals t) {
    out.println(String.format("  %-30s %6d %10s %10s %11s %10s", label, t.getCount(), Money.yuan(t.getTotalFen()),
        Money.yuan(t.getAccountPayFen()), Money.yuan(t.getMutualAidPayFen()), Money.yuan(t.getCashPayFen())));
  }

  private static String time(long millis) {
    SimpleDateFormat f = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss");
    f.setTimeZone(TimeZone.getTimeZone("Asia/Shanghai"));
    return f.format(new Date(millis));
  }
}
