import gongji.client.ClientOptions;
import gongji.client.Credential;
import gongji.client.GongjiClient;
import gongji.client.GongjiRejectedException;
import gongji.client.GongjiRetryableException;
import gongji.client.Identity;
import gongji.client.Item;
import gongji.client.Leg;
import gongji.client.Money;
import gongji.client.RejectionReason;
import gongji.client.Sale;
import gongji.client.SaleRequest;
import gongji.client.Split;
import gongji.client.Terminal;

/**
 * A hospital discharge on the Gongji SDK, as a hospital billing system (HIS) does it: pre-settle
 * the inpatient bill, settle it for the final total once the ward has checked it (a returned drug
 * makes it smaller), then refund the settlement in full (the bill has to be redone), each fen back
 * to the account it came from.
 *
 * <p>The patient is 张建国, resident-insured and so without a personal account of his own; his son
 * 张伟 shares his account with him (family mutual aid), so the son's account pays what the policy
 * allows.
 *
 * <p>Against the demo gateway ({@code ./gongji serve --demo}), from the repository root:
 *
 * <pre>
 * java -cp client-sdk/target/gongji-client-sdk-0.1.0-SNAPSHOT-cli.jar client-sdk/examples/HospitalDischarge.java \
 *     [--target 127.0.0.1:9090] [--cash-ok]
 * </pre>
 *
 * If no account pays any of the bill (after the README's death step, 张伟's binding is gone and
 * 张建国 has nothing to draw on), the example cancels the pre-settlement and exits with status 5
 * instead of settling the whole bill in cash; {@code --cash-ok} settles it in cash anyway.
 *
 * The target can also come from the environment variable {@code GONGJI_TARGET}.
 */
public final class HospitalDischarge {
  private HospitalDischarge() {}

  public static void main(String[] args) {
    String target = option(args, "--target", System.getenv("GONGJI_TARGET"), "127.0.0.1:9090");
    Credential card = Credential.card(option(args, "--card", null, "SSC-ZHANGJIANGUO"));

    Terminal billing = new Terminal("H62010200001", "HIS01", "billing-2");
    ClientOptions options = ClientOptions.builder(target, billing).usePlaintext().build();
    try (GongjiClient client = GongjiClient.create(options)) {
      Identity patient = client.identify(card);
      System.out.println("patient " + patient.nameMasked() + " (" + patient.insuranceType() + ", personal account: "
          + (patient.hasPersonalAccount() ? Money.yuan(patient.availableFen()) + " yuan" : "none") + ")");

      // 1. Pre-settle the inpatient bill at discharge. Keep the request id: it is the key to
      //    resend or reverse this request if its outcome is ever unknown.
      String preSettleId = client.newRequestId();
      SaleRequest bill = SaleRequest.builder(card, SaleRequest.MedicalType.INPATIENT)
          .requestId(preSettleId)
          .item(new Item("FW0101", "床位费 (6 天)", Item.Category.MEDICAL_SERVICE, true, 6, 36_000))
          .item(new Item("FW0305", "阑尾切除术", Item.Category.MEDICAL_SERVICE, true, 1, 180_000))
          .item(new Item("XY1002", "头孢呋辛钠注射液", Item.Category.DRUG, true, 12, 92_050))
          .item(new Item("HC0007", "一次性输液器", Item.Category.MEDICAL_CONSUMABLE, true, 12, 31_000))
          .item(new Item("FW9001", "陪护床", Item.Category.MEDICAL_SERVICE, false, 6, 12_000))
          .build();
      Sale preSettled = client.authorize(bill);
      System.out.println();
      System.out.println("pre-settled (" + preSettleId + "): transaction " + preSettled.transactionId());
      print(preSettled.split());

      // No account pays anything (his son died, say, and the binding went with him): the whole bill
      // would be cash. Do not settle that silently: release the hold unless the billing clerk agreed.
      Split plan = preSettled.split();
      if (plan.accountPayFen() + plan.mutualAidPayFen() == 0 && !args(args, "--cash-ok")) {
        client.cancel(preSettled.transactionId());
        System.err.println("no account pays any of this bill: the patient would pay all "
            + Money.yuan(plan.cashPayFen()) + " yuan in cash. The pre-settlement was cancelled; check the"
            + " patient's mutual aid, or run again with --cash-ok to settle it in cash.");
        System.exit(5);
      }

      // 2. The ward returns 2 unused injections (153.40 yuan): settle for the final total. The
      //    difference comes off mutual aid first; cash never grows.
      long finalTotalFen = preSettled.split().totalFen() - 15_340;
      Sale settled = client.settle(preSettled.transactionId(), finalTotalFen);
      System.out.println();
      System.out.println("settled for " + Money.yuan(finalTotalFen) + " yuan: " + settled.state());
      print(settled.split());

      // 3. The bill must be redone (say, a wrong admission date): refund the settlement in full.
      Sale refunded = client.refund(settled.transactionId());
      System.out.println();
      System.out.println("refunded: " + refunded.state() + ", each fen back to the account it came from");
      print(refunded.split());
      Identity after = client.identify(card);
      for (Identity.AidSource family : after.aidSources()) {
        System.out.println("  " + family.relationship() + " " + family.authorizerMasked() + " can share "
            + Money.yuan(family.availableFen()) + " yuan again");
      }
    } catch (GongjiRejectedException e) {
      if (e.reason() == RejectionReason.NOT_APPLIED) {
        System.err.println("not applied (and never will be): send the bill again. " + e.getMessage());
      } else {
        System.err.println("refused: " + e.reason() + " " + e.metadata() + ": " + e.getMessage());
      }
      System.exit(3);
    } catch (GongjiRetryableException e) {
      System.err.println("not done: " + e.reason() + " " + e.metadata() + ": " + e.getMessage());
      System.exit(4);
    }
  }

  /**
   * One line per leg, naming its source (own account, mutual aid through which binding, wallet quota
   * through which transfer, cash) and whose account pays it: a wallet leg is a relative's money, not cash.
   */
  private static void print(Split split) {
    for (Leg leg : split.legs()) {
      String whose = leg.source() == Leg.Source.CASH ? "" : "from " + leg.ownerMasked();
      System.out.println(String.format("  %-26s %-36s %10s", leg.sourceLabel(), whose, Money.yuan(leg.amountFen())));
    }
    System.out.println(String.format("  %-26s %-36s %10s", "total", "", Money.yuan(split.totalFen())));
  }

  /** Whether the flag {@code name} is among the args. */
  private static boolean args(String[] args, String name) {
    for (String a : args) {
      if (a.equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** The value after {@code name} in args, else the fallback (e.g. from the environment), else the default. */
  private static String option(String[] args, String name, String fallback, String byDefault) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback != null && !fallback.isEmpty() ? fallback : byDefault;
  }
}
