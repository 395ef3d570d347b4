import gongji.client.ClientOptions;
import gongji.client.Credential;
import gongji.client.GongjiClient;
import gongji.client.GongjiRejectedException;
import gongji.client.GongjiRetryableException;
import gongji.client.Identity;
import gongji.client.Item;
import gongji.client.Leg;
import gongji.client.Money;
import gongji.client.Sale;
import gongji.client.SaleRequest;
import gongji.client.Split;
import gongji.client.Terminal;

/**
 * A pharmacy checkout on the Gongji SDK: the patient presents a social security card, the counter
 * identifies her, pre-settles the basket, shows the cashier how it splits between her own account,
 * her family's accounts (mutual aid) and cash, settles, and prints the receipt.
 *
 * <p>Against the demo gateway ({@code ./gongji serve --demo}), from the repository root:
 *
 * <pre>
 * java -cp client-sdk/target/gongji-client-sdk-0.1.0-SNAPSHOT-cli.jar client-sdk/examples/PharmacyCheckout.java \
 *     [--target 127.0.0.1:9090] [--card SSC-LINA]
 * </pre>
 *
 * The target can also come from the environment variable {@code GONGJI_TARGET}.
 */
public final class PharmacyCheckout {
  private PharmacyCheckout() {}

  public static void main(String[] args) {
    String target = option(args, "--target", System.getenv("GONGJI_TARGET"), "127.0.0.1:9090");
    Credential card = Credential.card(option(args, "--card", null, "SSC-LINA"));

    // One client per application, shared by every counter thread; close it when the application stops.
    Terminal counter = new Terminal("P62010200017", "POS01", "cashier-7");
    ClientOptions options = ClientOptions.builder(target, counter)
        .usePlaintext()                 // the demo gateway on this machine; use TLS in production
        .defaultDeadlineMillis(5_000)   // every call has a deadline
        .build();
    try (GongjiClient client = GongjiClient.create(options)) {
      // 1. Who is at the counter, and what can they pay with?
      Identity patient = client.identify(card);
      System.out.println("patient  " + patient.nameMasked() + "  " + patient.insuranceType()
          + "  own account " + Money.yuan(patient.availableFen()) + " yuan");
      for (Identity.AidSource family : patient.aidSources()) {
        System.out.println("         family " + family.relationship() + " " + family.authorizerMasked()
            + " can share " + Money.yuan(family.availableFen()) + " yuan");
      }

      // 2. Pre-settle the basket: the gateway computes the split and holds the account legs.
      //    Amounts are exact fen; out-of-scope items (the hand cream) are always paid in cash.
      SaleRequest basket = SaleRequest.builder(card, SaleRequest.MedicalType.PHARMACY)
          .item(new Item("XY0001", "阿莫西林胶囊 0.25g*24", Item.Category.DRUG, true, 2, 7_000))
          .item(new Item("XY0002", "布洛芬缓释胶囊 0.3g*20", Item.Category.DRUG, true, 1, 2_850))
          .item(new Item("QX0001", "医用外科口罩", Item.Category.MEDICAL_CONSUMABLE, true, 10, 1_500))
          .item(new Item("RY0001", "护手霜", Item.Category.COSMETICS, false, 1, 2_000))
          .build();
      Sale held = client.authorize(basket);

      // 3. Show the cashier the split before taking the cash part.
      System.out.println();
      System.out.println("to the cashier: transaction " + held.transactionId());
      printSplit(held.split());
      System.out.println("  collect in cash: " + Money.yuan(held.split().cashPayFen()) + " yuan");

      // 4. The cash is collected: settle. A lost answer is resolved by the client (looked up by its
      //    request id), so a settlement is never charged twice.
      Sale paid = client.settle(held.transactionId());

      // 5. The receipt.
      System.out.println();
      System.out.println("================ 兰州惠民大药房(城关店) ================");
      System.out.println("settlement " + paid.transactionId() + "   " + paid.state());
      for (Item item : basket.items()) {
        System.out.println(String.format("  %-24s x%-3d %10s", item.name(), item.quantity(), Money.yuan(item.amountFen())));
      }
      System.out.println("  ------------------------------------------------");
      Split s = paid.split();
      System.out.println(String.format("  %-28s %10s", "total", Money.yuan(s.totalFen())));
      System.out.println(String.format("  %-28s %10s", "own account (个人账户)", Money.yuan(s.accountPayFen())));
      System.out.println(String.format("  %-28s %10s", "mutual aid (家庭共济)", Money.yuan(s.mutualAidPayFen())));
      System.out.println(String.format("  %-28s %10s", "cash (现金)", Money.yuan(s.cashPayFen())));
      System.out.println(String.format("  %-28s %10s", "own account balance after", Money.yuan(s.balanceAfterFen())));
      System.out.println("=====================================================");
    } catch (GongjiRejectedException e) {
      // A refusal for good (impersonation, insurance not active, ...): branch on the reason, never the message.
      System.err.println("refused: " + e.reason() + " " + e.metadata() + ": " + e.getMessage());
      System.exit(3);
    } catch (GongjiRetryableException e) {
      // The gateway could not be reached, or the outcome could not be confirmed: the same request id is safe to resend.
      System.err.println("not done: " + e.reason() + " " + e.metadata() + ": " + e.getMessage());
      System.exit(4);
    }
  }

  /**
   * One line per leg, naming its source (own account, mutual aid through which binding, wallet quota
   * through which transfer, cash) and whose account pays it: a wallet leg is a relative's money, not cash.
   */
  private static void printSplit(Split split) {
    for (Leg leg : split.legs()) {
      String whose = leg.source() == Leg.Source.CASH ? "" : "from " + leg.ownerMasked();
      System.out.println(String.format("  %-26s %-36s %10s", leg.sourceLabel(), whose, Money.yuan(leg.amountFen())));
    }
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
