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
 *     [--target 127.0.0.1:9090]
 * </pre>
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

  private static void print(Split split) {
    for (Leg leg : split.legs()) {
      String source = leg.source() == Leg.Source.OWN_ACCOUNT ? "own account"
          : leg.source() == Leg.Source.MUTUAL_AID ? "mutual aid " + leg.bindingId() : "cash";
      System.out.println(String.format("  %-16s %-32s %10s", source, leg.ownerMasked(), Money.yuan(leg.amountFen())));
    }
    System.out.println(String.format("  %-16s %-32s %10s", "total", "", Money.yuan(split.totalFen())));
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
