package gongji.client.cli;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import gongji.client.Money;
import gongji.client.internal.Mapping;
import gongji.v1.Account;
import gongji.v1.AdminServiceGrpc;
import gongji.v1.Binding;
import gongji.v1.BindingRole;
import gongji.v1.FamilyServiceGrpc;
import gongji.v1.ReconcileTotals;
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
 *
 * <p>This class is the root command, the flags every command shares, the error report and the
 * printing; the commands are in a class per area: {@link FamilyCommands} (bindings, usage, premiums,
 * quotas), {@link WalletCommands}, {@link AccountCommands} (accounts, life events),
 * {@link PolicyCommands}, {@link RecordsCommands} (reconciliation, alerts) and {@link ClockCommands}.
 */
@Command(name = "gongji admin", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    description = "The agency's CLI: bindings, wallets (医保钱包), policies, accounts, life events, reconciliation.",
    subcommands = {FamilyCommands.ListBindings.class, FamilyCommands.Bind.class, FamilyCommands.Verify.class,
        FamilyCommands.Dissolve.class, FamilyCommands.Usage.class, FamilyCommands.Premium.class,
        FamilyCommands.Quota.class, WalletCommands.class, AccountCommands.AccountCommand.class,
        AccountCommands.Credit.class, AccountCommands.Death.class, AccountCommands.PayoutCommand.class,
        PolicyCommands.Policy.class, RecordsCommands.Reconcile.class, RecordsCommands.Alerts.class,
        ClockCommands.class, CommandLine.HelpCommand.class},
    footer = {"", AdminCli.EXIT_CODES})
public final class AdminCli implements Runnable {
  static final String EXIT_CODES = "Exit codes: 0 done, 1 unexpected failure, 2 bad usage, 3 refused (see the reason),"
      + " 4 unavailable (retry; with the same --request-id where there is one).";
  static final ZoneId CHINA = ZoneId.of("Asia/Shanghai");

  final PrintStream out;
  private final PrintStream err;
  /** The environment the CLI reads its defaults from ({@code GONGJI_ADMIN_TOKEN}). */
  private final Map<String, String> env;

  @Spec
  CommandLine.Model.CommandSpec spec;

  AdminCli(PrintStream out, PrintStream err) {
    this(out, err, System.getenv());
  }

  /** A CLI that takes {@code GONGJI_ADMIN_TOKEN} from {@code env} instead of the process's environment. */
  AdminCli(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
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

    /** {@code --token}, else {@code GONGJI_ADMIN_TOKEN} of {@code env}; null when neither is set. */
    String token(Map<String, String> env) {
      String t = token != null ? token : env.get("GONGJI_ADMIN_TOKEN");
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
      String token = connection.token(cli.env);
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
        return BindingRole.BINDING_ROLE_EITHER;
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
        ? "  sandbox: runs with the host's, moved forward by clock set and advance"
        : "  the host's (not a sandbox: it does not move)"));
  }

  void printAccount(Account a) {
    out.println(a.getPsnNo() + "  balance " + Money.yuan(a.getBalanceFen()) + "  held " + Money.yuan(a.getHeldFen())
        + "  available " + Money.yuan(a.getAvailableFen()) + " (yuan)");
  }

  void printTotals(String label, ReconcileTotals t) {
    out.println(String.format("  %-30s %6d %10s %10s %11s %10s", label, t.getCount(), Money.yuan(t.getTotalFen()),
        Money.yuan(t.getAccountPayFen()), Money.yuan(t.getMutualAidPayFen()), Money.yuan(t.getCashPayFen())));
  }

  static String time(long millis) {
    SimpleDateFormat f = new SimpleDateFormat("yyyy-MM-dd HH:mm:ss");
    f.setTimeZone(TimeZone.getTimeZone("Asia/Shanghai"));
    return f.format(new Date(millis));
  }
}
