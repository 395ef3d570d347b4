package gongji.client.cli;

import gongji.client.ClientOptions;
import gongji.client.Credential;
import gongji.client.GongjiClient;
import gongji.client.GongjiException;
import gongji.client.GongjiRejectedException;
import gongji.client.GongjiRetryableException;
import gongji.client.Identity;
import gongji.client.Item;
import gongji.client.Leg;
import gongji.client.Money;
import gongji.client.RequestOptions;
import gongji.client.Reversal;
import gongji.client.Sale;
import gongji.client.SaleRequest;
import gongji.client.Split;
import gongji.client.Terminal;
import java.io.File;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The operator CLI on the SDK: {@code gongji pos <identify|authorize|settle|cancel|refund|reverse|show>}.
 * Human-readable by default, {@code --json} for scripts. Exit codes: 0 done, 1 unexpected failure,
 * 2 bad usage, 3 refused by the gateway (do not retry as is), 4 gateway unavailable or outcome
 * unknown (retry with the same --request-id, or reverse it).
 */
@Command(name = "gongji pos", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
    description = "The terminal CLI: identify a patient, pre-settle (authorize), settle, cancel, refund, reverse.",
    subcommands = {Cli.Identify.class, Cli.Authorize.class, Cli.Settle.class, Cli.Cancel.class, Cli.Refund.class,
        Cli.Reverse.class, Cli.Show.class, CommandLine.HelpCommand.class},
    footer = {"", "Item categories: DRUG MEDICAL_DEVICE MEDICAL_CONSUMABLE MEDICAL_SERVICE NON_PROGRAMME_VACCINE",
        "  HEALTH_CHECKUP PUBLIC_HEALTH FITNESS WELLNESS COSMETICS DAILY_GOODS; ':out' marks an out-of-policy-scope item.",
        Cli.EXIT_CODES})
public final class Cli implements Runnable {
  static final String EXIT_CODES = "Exit codes: 0 done, 1 unexpected failure, 2 bad usage, 3 refused (see the reason),"
      + " 4 unavailable or outcome unknown (retry with the same --request-id).";
  static final int OK = Commands.OK;
  static final int FAILED = Commands.FAILED;
  static final int USAGE = Commands.USAGE;
  static final int REFUSED = Commands.REFUSED;
  static final int RETRY = Commands.RETRY;

  private final PrintStream out;
  private final PrintStream err;
  /** The environment the CLI reads its defaults from ({@code GONGJI_TOKEN}). */
  private final Map<String, String> env;

  @Spec
  CommandLine.Model.CommandSpec spec;

  Cli(PrintStream out, PrintStream err) {
    this(out, err, System.getenv());
  }

  /** A CLI that takes {@code GONGJI_TOKEN} from {@code env} instead of the process's environment. */
  Cli(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  /**
   * Runs one command and exits with its code: 0 done, 1 unexpected failure, 2 bad usage, 3 refused,
   * 4 unavailable or outcome unknown.
   *
   * @param args the command and its flags, e.g. {@code identify --card SSC-LINA}
   */
  public static void main(String[] args) {
    System.exit(new Cli(System.out, System.err).run(args));
  }

  /** Parses {@code args}, runs the command and returns its exit code. */
  int run(String[] args) {
    return Commands.strict(this, out, err).execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "a command is required: identify, authorize, settle, cancel, refund, reverse or show");
  }

  /** The flags every {@code pos} command takes: where the gateway is, who is calling, how to answer. */
  static final class Connection {
    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9090",
        description = "the gateway (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--institution", paramLabel = "CODE", defaultValue = "P62010200017",
        description = "the institution calling (default: ${DEFAULT-VALUE})")
    String institution;

    @Option(names = "--terminal", paramLabel = "ID", defaultValue = "POS01",
        description = "the terminal, registered with the institution (default: ${DEFAULT-VALUE})")
    String terminal;

    @Option(names = "--operator", paramLabel = "ID", defaultValue = "", description = "the cashier (default: none)")
    String operator;

    @Option(names = "--deadline-ms", paramLabel = "N", defaultValue = "5000",
        description = "each call's deadline in milliseconds (default: ${DEFAULT-VALUE})")
    long deadlineMillis;

    @Option(names = "--token", paramLabel = "T",
        description = "this terminal's bearer token (default: $GONGJI_TOKEN, else none)")
    String token;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "trust this CA and use TLS (default: plaintext)")
    File tlsCa;

    @Option(names = "--tls-cert", paramLabel = "PEM", description = "client certificate for mTLS, with --tls-key")
    File tlsCert;

    @Option(names = "--tls-key", paramLabel = "PEM", description = "the client certificate's private key")
    File tlsKey;

    @Option(names = "--json", description = "machine-readable output (amounts in fen)")
    boolean json;

    ClientOptions options(Map<String, String> env) {
      ClientOptions.Builder b = ClientOptions.builder(target, new Terminal(institution, terminal, operator))
          .defaultDeadlineMillis(deadlineMillis);
      if (tlsCert != null && tlsKey == null) {
        throw new IllegalArgumentException("--tls-cert needs --tls-key");
      }
      if (tlsCa != null || tlsCert != null) {
        if (tlsCa != null) {
          b.trustCertificates(tlsCa);
        }
        if (tlsCert != null) {
          b.clientCertificate(tlsCert, tlsKey);
        }
      } else {
        b.usePlaintext();
      }
      String bearer = token != null ? token : env.get("GONGJI_TOKEN");
      if (bearer != null && !bearer.isEmpty()) {
        b.bearerToken(bearer);
      }
      return b.build();
    }
  }

  /** Who the patient is: one credential, and optionally the person it is presented for. */
  static final class Patient {
    @Option(names = "--card", paramLabel = "N", description = "social security card number")
    String card;

    @Option(names = "--id-card", paramLabel = "N", description = "resident ID card number")
    String idCard;

    @Option(names = "--e-credential", paramLabel = "T", description = "medical-insurance e-credential token")
    String eCredential;

    @Option(names = "--psn-no", paramLabel = "P", defaultValue = "",
        description = "the insured person the credential is presented for (default: its owner)")
    String psnNo;

    Credential credential() {
      int given = (card != null ? 1 : 0) + (idCard != null ? 1 : 0) + (eCredential != null ? 1 : 0);
      if (given == 0) {
        throw new IllegalArgumentException("a credential is required: --card N, --id-card N or --e-credential T");
      }
      if (given > 1) {
        throw new IllegalArgumentException("one credential only: --card N, --id-card N or --e-credential T");
      }
      if (card != null) {
        return new Credential(Credential.Type.SOCIAL_SECURITY_CARD, card);
      }
      if (idCard != null) {
        return new Credential(Credential.Type.ID_CARD, idCard);
      }
      return new Credential(Credential.Type.E_CREDENTIAL, eCredential);
    }
  }

  /** A {@code pos} command: opens a client, runs, and turns a refusal or an unknown outcome into its exit code. */
  abstract static class PosCommand implements Callable<Integer> {
    @Mixin
    Connection connection;

    @CommandLine.ParentCommand
    Cli cli;

    @Override
    public final Integer call() {
      ClientOptions options = connection.options(cli.env);
      try (GongjiClient client = GongjiClient.create(options)) {
        run(client);
        return OK;
      } catch (ExecutionException e) {
        return cli.failure(e.getCause(), connection.json);
      } catch (GongjiException e) {
        return cli.failure(e, connection.json);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return FAILED;
      }
    }

    abstract void run(GongjiClient client) throws ExecutionException, InterruptedException;
  }

  @Command(name = "identify", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Who is this patient, and what can they pay with: own account, wallet, relatives' accounts.",
      footer = {"", Cli.EXIT_CODES})
  static final class Identify extends PosCommand {
    @Mixin
    Patient patient;

    @Override
    void run(GongjiClient client) {
      cli.printIdentity(client.identify(patient.credential(), patient.psnNo), connection.json);
    }
  }

  @Command(name = "authorize", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Pre-settles a sale: splits it and holds each leg until it is settled, cancelled or expires.",
      footer = {"", "Example: gongji pos authorize --card SSC-LINA --item DRUG:350.00 --item COSMETICS:20.00:out",
          Cli.EXIT_CODES})
  static final class Authorize extends PosCommand {
    @Mixin
    Patient patient;

    @Option(names = "--item", paramLabel = "CAT:YUAN[:out][:xQTY]",
        description = "a line of the bill, repeatable: category and price in yuan, ':out' if out of policy scope,"
            + " ':x3' for a quantity")
    List<String> items = new ArrayList<String>();

    @Option(names = "--medical-type", paramLabel = "TYPE", defaultValue = "PHARMACY",
        description = "one of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    SaleRequest.MedicalType medicalType;

    @Option(names = "--no-account", description = "the patient declines to pay from personal accounts at all")
    boolean noAccount;

    @Option(names = "--no-mutual-aid", description = "the patient declines relatives' accounts (mutual aid)")
    boolean noMutualAid;

    @Option(names = "--request-id", paramLabel = "R",
        description = "the idempotency key; the same one retries safely (default: made up, and printed)")
    String requestId;

    @Override
    void run(GongjiClient client) {
      if (items.isEmpty()) {
        throw new IllegalArgumentException("at least one --item CATEGORY:YUAN is required, e.g. --item DRUG:35.00");
      }
      SaleRequest.Builder b = SaleRequest.builder(patient.credential(), medicalType)
          .usePersonalAccount(!noAccount)
          .useMutualAid(!noMutualAid);
      if (!patient.psnNo.isEmpty()) {
        b.psnNo(patient.psnNo);
      }
      if (requestId != null) {
        b.requestId(requestId);
      }
      int n = 0;
      for (String spec : items) {
        b.item(item(spec, ++n));
      }
      cli.printSale("authorized", client.authorize(b.build()), connection.json);
    }
  }

  /** The transaction a command acts on, and its request id. */
  static final class TransactionFlags {
    @Option(names = "--txn", required = true, paramLabel = "T", description = "the transaction id authorize printed")
    String txn;

    @Option(names = "--request-id", paramLabel = "R",
        description = "the idempotency key; the same one retries safely (default: made up)")
    String requestId;

    /** The request id as the SDK's per-call options. */
    RequestOptions options() {
      return requestId == null ? RequestOptions.DEFAULTS : RequestOptions.requestId(requestId);
    }
  }

  @Command(name = "settle", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Pays the held split of an authorized sale (for less with --final-total).",
      footer = {"", Cli.EXIT_CODES})
  static final class Settle extends PosCommand {
    @Mixin
    TransactionFlags transaction;

    @Option(names = "--final-total", paramLabel = "YUAN",
        description = "the final bill if lower than authorized (default: the authorized total)")
    String finalTotal;

    @Override
    void run(GongjiClient client) throws ExecutionException, InterruptedException {
      Sale s = (finalTotal == null ? client.settleAsync(transaction.txn, transaction.options())
          : client.settleAsync(transaction.txn, Money.parseYuan(finalTotal), transaction.options())).get();
      cli.printSale("settled", s, connection.json);
    }
  }

  @Command(name = "cancel", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Releases the holds of a sale not yet settled.", footer = {"", Cli.EXIT_CODES})
  static final class Cancel extends PosCommand {
    @Mixin
    TransactionFlags transaction;

    @Override
    void run(GongjiClient client) throws ExecutionException, InterruptedException {
      cli.printSale("cancelled", client.cancelAsync(transaction.txn, transaction.options()).get(), connection.json);
    }
  }

  @Command(name = "refund", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Returns a settled sale, each fen to the account it came from.", footer = {"", Cli.EXIT_CODES})
  static final class Refund extends PosCommand {
    @Mixin
    TransactionFlags transaction;

    @Override
    void run(GongjiClient client) throws ExecutionException, InterruptedException {
      cli.printSale("refunded", client.refundAsync(transaction.txn, transaction.options()).get(), connection.json);
    }
  }

  @Command(name = "reverse", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "Undoes a request whose outcome the terminal does not know (or bars it if it never arrived).",
      footer = {"", Cli.EXIT_CODES})
  static final class Reverse extends PosCommand {
    @Option(names = "--request-id", required = true, paramLabel = "R", description = "the request to undo")
    String requestId;

    @Override
    void run(GongjiClient client) {
      cli.printReversal(client.reverse(requestId), connection.json);
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = Commands.Version.class,
      description = "A transaction as it is now.", footer = {"", Cli.EXIT_CODES})
  static final class Show extends PosCommand {
    @Option(names = "--txn", required = true, paramLabel = "T", description = "the transaction id")
    String txn;

    @Override
    void run(GongjiClient client) {
      cli.printSale("transaction", client.getTransaction(txn), connection.json);
    }
  }

  int failure(Throwable t, boolean json) {
    if (!(t instanceof GongjiException)) {
      err.println("gongji pos: unexpected failure: " + t);
      return FAILED;
    }
    GongjiException e = (GongjiException) t;
    boolean refused = e instanceof GongjiRejectedException;
    if (json) {
      Map<String, Object> m = new LinkedHashMap<String, Object>();
      m.put("error", e.reason().name());
      m.put("status", e.statusCode());
      m.put("message", e.getMessage());
      m.put("metadata", e.metadata());
      m.put("field_violations", e.fieldViolations());
      out.println(Json.write(m));
    } else {
      err.println((refused ? "refused: " : "not done: ") + e.reason() + " (" + e.statusCode() + ")");
      err.println("  " + e.getMessage());
      for (Map.Entry<String, String> v : e.fieldViolations().entrySet()) {
        err.println("  field " + v.getKey() + ": " + v.getValue());
      }
      String requestId = e.metadata().get("request_id");
      if (requestId != null) {
        err.println("  request id " + requestId);
      }
      err.println("  next: " + advice(e));
    }
    return refused ? REFUSED : RETRY;
  }

  private static String advice(GongjiException e) {
    switch (e.reason()) {
      case FIELD_INVALID:
        return "correct the field named above and send again";
      case UNAUTHENTICATED:
        return "pass this terminal's --token (or GONGJI_TOKEN), or --tls-cert/--tls-key of its certificate";
      case PERMISSION_DENIED:
        return "--institution and --terminal must be those of the credential; the attempt was recorded";
      case IMPERSONATION:
        return "the patient must present their own credential; the attempt was recorded";
      case INSURED_NOT_ACTIVE:
        return "the patient's insurance is not active: settle in cash or refer them to the agency";
      case REQUEST_ID_REUSED:
        return "this request id was used for another request: use a new --request-id";
      case TRANSACTION_STATE_CONFLICT:
        return "check the transaction with: gongji pos show --txn <id>";
      case LEDGER_UNAVAILABLE:
      case RATE_LIMITED:
      case OVERLOADED:
      case REQUEST_BODY_TIMEOUT:
        return "retry the same command with the same --request-id";
      case NOT_APPLIED:
        return e instanceof GongjiRetryableException
            ? "it never reached the gateway, nothing was applied: run the command again when the gateway is up"
                + " (the same --request-id is safe)"
            : "it did not happen and never will: run the command again without --request-id";
      case OUTCOME_UNKNOWN:
        return "the outcome is unknown: retry with the same --request-id, or undo it with gongji pos reverse --request-id <id>";
      default:
        return "see the reason above";
    }
  }

  /** "DRUG:35.00", "COSMETICS:20:out", "DRUG:12.50:x3". */
  static Item item(String spec, int n) {
    String[] parts = spec.split(":");
    if (parts.length < 2) {
      throw new IllegalArgumentException("--item \"" + spec + "\" (expected: CATEGORY:YUAN[:out][:xQTY])");
    }
    Item.Category category;
    try {
      category = Item.Category.valueOf(parts[0].toUpperCase());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--item \"" + spec + "\": unknown category " + parts[0]);
    }
    long fen = Money.parseYuan(parts[1]);
    boolean inScope = true;
    int quantity = 1;
    for (int i = 2; i < parts.length; i++) {
      if (parts[i].equals("out")) {
        inScope = false;
      } else if (parts[i].matches("x[0-9]{1,6}")) {
        quantity = Integer.parseInt(parts[i].substring(1));
      } else {
        throw new IllegalArgumentException("--item \"" + spec + "\": unknown part " + parts[i] + " (expected: out or xQTY)");
      }
    }
    return new Item("ITEM" + n, category.name().toLowerCase(), category, inScope, Math.max(1, quantity), fen);
  }

  void printIdentity(Identity id, boolean json) {
    if (json) {
      Map<String, Object> m = new LinkedHashMap<String, Object>();
      m.put("psn_no", id.psnNo());
      m.put("name", id.nameMasked());
      m.put("insurance_type", id.insuranceType());
      m.put("status", id.status());
      m.put("admdvs", id.admdvs());
      m.put("has_personal_account", id.hasPersonalAccount());
      m.put("balance_fen", id.balanceFen());
      m.put("available_fen", id.availableFen());
      List<Object> sources = new ArrayList<Object>();
      for (Identity.AidSource s : id.aidSources()) {
        Map<String, Object> sm = new LinkedHashMap<String, Object>();
        sm.put("binding_id", s.bindingId());
        sm.put("authorizer", s.authorizerMasked());
        sm.put("relationship", s.relationship());
        sm.put("available_fen", s.availableFen());
        sm.put("wallet_transfer_id", s.walletTransferId());
        sources.add(sm);
      }
      m.put("mutual_aid_sources", sources);
      out.println(Json.write(m));
      return;
    }
    out.println("patient     " + id.nameMasked() + "  " + id.psnNo());
    out.println("insurance   " + id.insuranceType() + ", " + id.status() + ", region " + id.admdvs());
    if (id.hasPersonalAccount()) {
      out.println("own account balance " + Money.yuan(id.balanceFen()) + " yuan, available " + Money.yuan(id.availableFen()));
    } else {
      out.println("own account none (resident insurance)");
    }
    if (id.aidSources().isEmpty()) {
      out.println("mutual aid  none");
    }
    for (Identity.AidSource s : id.aidSources()) {
      if (s.walletTransferId().isEmpty()) {
        out.println(String.format("mutual aid  %-8s %-14s %-30s available %s yuan", s.bindingId(), s.relationship(),
            s.authorizerMasked(), Money.yuan(s.availableFen())));
      } else {
        out.println(String.format("wallet      %-8s %-14s %-30s available %s yuan  (binding %s)", s.walletTransferId(),
            s.relationship(), s.authorizerMasked(), Money.yuan(s.availableFen()), s.bindingId()));
      }
    }
  }

  void printSale(String what, Sale s, boolean json) {
    Split p = s.split();
    if (json) {
      Map<String, Object> m = new LinkedHashMap<String, Object>();
      m.put("transaction_id", s.transactionId());
      m.put("request_id", s.requestId());
      m.put("state", s.state().name());
      m.put("total_fen", p.totalFen());
      m.put("in_scope_fen", p.inScopeFen());
      m.put("account_pay_fen", p.accountPayFen());
      m.put("mutual_aid_pay_fen", p.mutualAidPayFen());
      m.put("cash_pay_fen", p.cashPayFen());
      m.put("balance_after_fen", p.balanceAfterFen());
      List<Object> legs = new ArrayList<Object>();
      for (Leg l : p.legs()) {
        Map<String, Object> lm = new LinkedHashMap<String, Object>();
        lm.put("source", l.source().name());
        lm.put("owner", l.ownerMasked());
        lm.put("binding_id", l.bindingId());
        lm.put("wallet_transfer_id", l.walletTransferId());
        lm.put("amount_fen", l.amountFen());
        legs.add(lm);
      }
      m.put("legs", legs);
      out.println(Json.write(m));
      return;
    }
    out.println(what + "  transaction " + s.transactionId() + "  state " + s.state()
        + (s.requestId().isEmpty() ? "" : "  request " + s.requestId()));
    if (s.state() == Sale.State.CANCELLED || s.state() == Sale.State.EXPIRED) {
      out.println("  every hold released; own account available now " + Money.yuan(p.balanceAfterFen()) + " yuan");
      return;
    }
    for (Leg l : p.legs()) {
      out.println(String.format("  %-22s %-30s %12s", label(l), l.ownerMasked(), Money.yuan(l.amountFen())));
    }
    out.println(String.format("  %-22s %-30s %12s", "total", "", Money.yuan(p.totalFen())));
    out.println(String.format("  own account %s | mutual aid %s | cash %s | in scope %s | own balance after %s (yuan)",
        Money.yuan(p.accountPayFen()), Money.yuan(p.mutualAidPayFen()), Money.yuan(p.cashPayFen()),
        Money.yuan(p.inScopeFen()), Money.yuan(p.balanceAfterFen())));
  }

  /** "own account", "mutual aid B1", "wallet W1", "cash", or "other source" from a newer gateway. */
  private static String label(Leg l) {
    switch (l.source()) {
      case OWN_ACCOUNT:
        return "own account";
      case MUTUAL_AID:
        return "mutual aid " + l.bindingId();
      case WALLET:
        return "wallet " + l.walletTransferId();
      case CASH:
        return "cash";
      default:
        return "other source";
    }
  }

  void printReversal(Reversal r, boolean json) {
    if (json) {
      Map<String, Object> m = new LinkedHashMap<String, Object>();
      m.put("original_request_id", r.originalRequestId());
      m.put("outcome", r.outcome().name());
      m.put("transaction_id", r.transactionId());
      out.println(Json.write(m));
      return;
    }
    out.println("reversal of " + r.originalRequestId() + ": " + r.outcome()
        + (r.transactionId().isEmpty() ? "" : " (transaction " + r.transactionId() + ")"));
  }
}
