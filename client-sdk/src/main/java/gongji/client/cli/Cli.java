package gongji.client.cli;

import gongji.client.ClientOptions;
import gongji.client.Credential;
import gongji.client.GongjiClient;
import gongji.client.GongjiException;
import gongji.client.GongjiRejectedException;
import gongji.client.Identity;
import gongji.client.Item;
import gongji.client.Leg;
import gongji.client.Money;
import gongji.client.Reversal;
import gongji.client.Sale;
import gongji.client.SaleRequest;
import gongji.client.Split;
import gongji.client.Terminal;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The operator CLI on the SDK: {@code gongji pos <identify|authorize|settle|cancel|refund|reverse|show>}.
 * Human-readable by default, {@code --json} for scripts. Exit codes: 0 done, 1 unexpected failure,
 * 2 bad usage, 3 refused by the gateway (do not retry as is), 4 gateway unavailable or outcome
 * unknown (retry with the same --request-id, or reverse it).
 */
public final class Cli {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int REFUSED = 3;
  static final int RETRY = 4;

  private final PrintStream out;
  private final PrintStream err;

  Cli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
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

  static String usage() {
    return String.join("\n",
        "usage: gongji pos <command> [flags]",
        "commands:",
        "  identify   --card N | --id-card N | --e-credential T [--psn-no P]   who is this patient, what can they pay with",
        "  authorize  --card N --item CAT:YUAN[:out][:xQTY] ...         pre-settle and hold the split",
        "             [--medical-type PHARMACY|OUTPATIENT|INPATIENT|VACCINATION|HEALTH_CHECKUP]",
        "             [--psn-no P] [--no-account] [--no-mutual-aid]",
        "  settle     --txn T [--final-total YUAN]                      pay the held split",
        "  cancel     --txn T                                          release the holds",
        "  refund     --txn T                                          return a settled sale to its accounts",
        "  reverse    --request-id R                                   undo a request whose outcome is unknown",
        "  show       --txn T                                          a transaction as it is now",
        "common flags: --target HOST:PORT (127.0.0.1:9090) --institution CODE (P62010200017) --terminal ID (POS01)",
        "              --operator ID --request-id R --deadline-ms N (5000) --json",
        "              --token T (bearer token; default: $GONGJI_TOKEN)",
        "              --tls-ca PEM [--tls-cert PEM --tls-key PEM] (TLS, mTLS; else plaintext)",
        "item categories: DRUG MEDICAL_DEVICE MEDICAL_CONSUMABLE MEDICAL_SERVICE NON_PROGRAMME_VACCINE HEALTH_CHECKUP",
        "                 PUBLIC_HEALTH FITNESS WELLNESS COSMETICS DAILY_GOODS; ':out' marks an out-of-policy-scope item",
        "exit codes: 0 done, 2 bad usage, 3 refused (see the reason), 4 unavailable/unknown outcome (retry same --request-id)");
  }

  int run(String[] args) {
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help")) {
      out.println(usage());
      return args.length == 0 ? USAGE : OK;
    }
    String command = args[0];
    Flags flags;
    try {
      flags = Flags.parse(args, 1);
    } catch (IllegalArgumentException e) {
      err.println("gongji pos: " + e.getMessage());
      return USAGE;
    }
    boolean json = flags.has("json");
    ClientOptions options;
    try {
      Terminal terminal = new Terminal(flags.get("institution", "P62010200017"), flags.get("terminal", "POS01"),
          flags.get("operator", ""));
      ClientOptions.Builder b = ClientOptions.builder(flags.get("target", "127.0.0.1:9090"), terminal)
          .defaultDeadlineMillis(Long.parseLong(flags.get("deadline-ms", "5000")));
      if (flags.has("tls-ca") || flags.has("tls-cert")) {
        if (flags.has("tls-ca")) {
          b.trustCertificates(new java.io.File(flags.require("tls-ca")));
        }
        if (flags.has("tls-cert")) {
          b.clientCertificate(new java.io.File(flags.require("tls-cert")), new java.io.File(flags.require("tls-key")));
        }
      } else {
        b.usePlaintext();
      }
      String token = flags.has("token") ? flags.require("token") : System.getenv("GONGJI_TOKEN");
      if (token != null && !token.isEmpty()) {
        b.bearerToken(token);
      }
      options = b.build();
    } catch (IllegalArgumentException e) {
      err.println("gongji pos: " + e.getMessage());
      return USAGE;
    }
    try (GongjiClient client = GongjiClient.create(options)) {
      switch (command) {
        case "identify":
          printIdentity(client.identify(credential(flags), flags.get("psn-no", "")), json);
          return OK;
        case "authorize":
          printSale("authorized", client.authorize(saleRequest(flags)), json);
          return OK;
        case "settle": {
          String finalTotal = flags.get("final-total", null);
          Sale s = client.settleAsync(flags.require("txn"), finalTotal == null ? null : Money.parseYuan(finalTotal),
              flags.get("request-id", null)).get();
          printSale("settled", s, json);
          return OK;
        }
        case "cancel":
          printSale("cancelled", client.cancelAsync(flags.require("txn"), flags.get("request-id", null)).get(), json);
          return OK;
        case "refund":
          printSale("refunded", client.refundAsync(flags.require("txn"), flags.get("request-id", null)).get(), json);
          return OK;
        case "reverse":
          printReversal(client.reverse(flags.require("request-id")), json);
          return OK;
        case "show":
          printSale("transaction", client.getTransaction(flags.require("txn")), json);
          return OK;
        default:
          err.println("gongji pos: unknown command \"" + command + "\"\n" + usage());
          return USAGE;
      }
    } catch (IllegalArgumentException e) {
      err.println("gongji pos: " + e.getMessage());
      return USAGE;
    } catch (java.util.concurrent.ExecutionException e) {
      return failure(e.getCause(), json);
    } catch (GongjiException e) {
      return failure(e, json);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return FAILED;
    }
  }

  private int failure(Throwable t, boolean json) {
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
        return "retry the same command with the same --request-id";
      case NOT_APPLIED:
        return "it did not happen and never will: run the command again without --request-id";
      case OUTCOME_UNKNOWN:
        return "the outcome is unknown: retry with the same --request-id, or undo it with gongji pos reverse --request-id <id>";
      default:
        return "see the reason above";
    }
  }

  private static Credential credential(Flags f) {
    if (f.has("card")) {
      return new Credential(Credential.Type.SOCIAL_SECURITY_CARD, f.require("card"));
    }
    if (f.has("id-card")) {
      return new Credential(Credential.Type.ID_CARD, f.require("id-card"));
    }
    if (f.has("e-credential")) {
      return new Credential(Credential.Type.E_CREDENTIAL, f.require("e-credential"));
    }
    throw new IllegalArgumentException("a credential is required: --card N, --id-card N or --e-credential T");
  }

  private static SaleRequest saleRequest(Flags f) {
    SaleRequest.MedicalType type;
    try {
      type = SaleRequest.MedicalType.valueOf(f.get("medical-type", "PHARMACY"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--medical-type: \"" + f.get("medical-type", "") + "\" (expected: PHARMACY,"
          + " OUTPATIENT, INPATIENT, VACCINATION or HEALTH_CHECKUP)");
    }
    SaleRequest.Builder b = SaleRequest.builder(credential(f), type)
        .usePersonalAccount(!f.has("no-account"))
        .useMutualAid(!f.has("no-mutual-aid"));
    if (f.has("psn-no")) {
      b.psnNo(f.require("psn-no"));
    }
    if (f.has("request-id")) {
      b.requestId(f.require("request-id"));
    }
    List<String> items = f.all("item");
    if (items.isEmpty()) {
      throw new IllegalArgumentException("at least one --item CATEGORY:YUAN is required, e.g. --item DRUG:35.00");
    }
    int n = 0;
    for (String spec : items) {
      b.item(item(spec, ++n));
    }
    return b.build();
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

  private void printIdentity(Identity id, boolean json) {
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

  private void printSale(String what, Sale s, boolean json) {
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

  private void printReversal(Reversal r, boolean json) {
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
