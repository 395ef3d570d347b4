package gongji.server.ledger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks every invariant of the money state from scratch and lists the violations (empty when
 * sound): the balances sum to zero, none is negative, each account holds exactly what its open legs
 * and wallet earmarks hold, and each binding and wallet transfer counts exactly what its legs say.
 * O(state): for tests, the verify tool and start-up, never for the hot path.
 */
final class Auditor {
  private Auditor() {}

  static List<String> audit(Accounts accounts, Bindings bindings, Wallets wallets, Sales sales) {
    List<String> violations = new ArrayList<>();
    long sum = 0;
    int count = accounts.count();
    for (int i = 0; i < count; i++) {
      long balance = accounts.balance(i);
      long held = accounts.held(i);
      sum += balance;
      if (i != Accounts.CONTRIBUTIONS && balance < 0) {
        violations.add("account " + i + " balance negative: " + balance);
      }
      if (held < 0 || (i != Accounts.CONTRIBUTIONS && held > balance)) {
        violations.add("account " + i + " held " + held + " outside 0.." + balance);
      }
    }
    if (sum != 0) {
      violations.add("balances sum to " + sum + " (expected: 0)");
    }
    long[] expectHeld = new long[count];
    // Per binding, by its place in number order: held by open sales, used (settled and premiums),
    // assigned to the wallet. Arrays, not a map of two million bindings to arrays of three.
    long[] seqs = bindings.sortedNumbers();
    BindingState[] byPlace = new BindingState[seqs.length];
    long[] bHeld = new long[seqs.length];
    long[] bUsed = new long[seqs.length];
    long[] bWallet = new long[seqs.length];
    for (int at = 0; at < seqs.length; at++) {
      BindingState b = bindings.get(seqs[at]);
      byPlace[at] = b;
      // Settled sales the writer let go of still count: their part is kept on the binding.
      bUsed[at] = b.premiumFen + b.archivedUsedFen;
      // Ended wallet transfers the writer let go of still count: what they spent is kept on the binding.
      bWallet[at] = b.archivedWalletFen;
    }
    // Per wallet transfer: held by open sales, spent by settled ones.
    Map<WalletGrant, long[]> expectGrant = new HashMap<>();
    for (WalletGrant g : wallets.all()) {
      expectGrant.put(g, new long[] {0, g.archivedSpentFen});
      long earmark = g.amountFen - g.spentFen - g.returnedFen;
      expectHeld[g.binding.authorizer.account] += earmark;
      int gb = place(seqs, g.binding, violations);
      if (gb >= 0) {
        bWallet[gb] += g.amountFen - g.returnedFen;
      }
      if (g.inSaleFen < 0 || g.spentFen < 0 || g.returnedFen < 0 || earmark < g.inSaleFen
          || (!g.open() && earmark != g.inSaleFen) || (g.state == WalletTransferState.PENDING && earmark != g.amountFen)) {
        violations.add("wallet transfer " + g.id + " " + g.state + ": amount/in sale/spent/returned " + g.amountFen + "/"
            + g.inSaleFen + "/" + g.spentFen + "/" + g.returnedFen + " out of bounds");
      }
    }
    for (Txn t : sales.all()) {
      if (t.state == TxnState.AUTHORIZED) {
        for (TxnLeg leg : t.legs) {
          if (leg.grant() != null) {
            expectGrant.get(leg.grant())[0] += leg.amountFen();
          } else {
            expectHeld[leg.owner().account] += leg.amountFen();
            int lb = leg.binding() == null ? -1 : place(seqs, leg.binding(), violations);
            if (lb >= 0) {
              bHeld[lb] += leg.amountFen();
            }
          }
        }
      } else if (t.state == TxnState.SETTLED) {
        for (TxnLeg leg : t.posted) {
          if (leg.grant() != null) {
            expectGrant.get(leg.grant())[1] += leg.amountFen();
          } else if (leg.binding() != null) {
            int lb = place(seqs, leg.binding(), violations);
            if (lb >= 0) {
              bUsed[lb] += leg.amountFen();
            }
          }
        }
      }
    }
    for (Map.Entry<WalletGrant, long[]> e : expectGrant.entrySet()) {
      WalletGrant g = e.getKey();
      if (g.inSaleFen != e.getValue()[0] || g.spentFen != e.getValue()[1]) {
        violations.add("wallet transfer " + g.id + " in sale/spent " + g.inSaleFen + "/" + g.spentFen
            + " but legs say " + e.getValue()[0] + "/" + e.getValue()[1]);
      }
    }
    for (int i = 0; i < count; i++) {
      if (expectHeld[i] != accounts.held(i)) {
        violations.add("account " + i + " held " + accounts.held(i) + " but open legs sum to " + expectHeld[i]);
      }
    }
    for (int at = 0; at < byPlace.length; at++) {
      BindingState b = byPlace[at];
      if (b.heldFen != bHeld[at] || b.usedFen != bUsed[at] || b.walletFen != bWallet[at]) {
        violations.add("binding " + b.id() + " held/used/wallet " + b.heldFen + "/" + b.usedFen + "/" + b.walletFen
            + " but legs and transfers say " + bHeld[at] + "/" + bUsed[at] + "/" + bWallet[at]);
      }
      if (b.quotaFen > 0 && b.drawnFen() > b.quotaFen) {
        violations.add("binding " + b.id() + " over quota: " + b.drawnFen() + " > " + b.quotaFen);
      }
    }
    return violations;
  }

  /** Where a binding a leg or transfer names stands in number order, or -1 (a violation) if it is not kept. */
  private static int place(long[] seqs, BindingState b, List<String> violations) {
    int at = java.util.Arrays.binarySearch(seqs, b.seq);
    if (at < 0) {
      violations.add("binding " + b.id() + " is named by a sale or a transfer but not kept");
    }
    return at;
  }
}
