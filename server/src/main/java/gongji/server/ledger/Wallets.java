package gongji.server.ledger;

import gongji.server.domain.RegionPolicy;
import gongji.server.ledger.Result.Rejected;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The medical-insurance wallet (医保钱包): quota a relative assigns to a beneficiary's wallet is an
 * earmark (a hold) on the relative's account; the beneficiary accepts it (then spends it at any
 * institution the binding reaches) or declines it; unaccepted quota returns at the end of the quiet
 * hours of the next day; it returns too when the binding ends. Sales spend it through {@link Sales}.
 */
final class Wallets {
  private final Accounts accounts;
  private final Registry registry;
  private final Funding funding;
  private final LedgerTime time;
  private final Map<String, WalletGrant> grants = new HashMap<>();
  /** Pending wallet transfers by the time they return unless accepted. */
  private final PriorityQueue<WalletGrant> returns =
      new PriorityQueue<>((a, b) -> Long.compare(a.acceptByMillis, b.acceptByMillis));
  private long nextGrant = 1;

  Wallets(Accounts accounts, Registry registry, Funding funding, LedgerTime time) {
    this.accounts = accounts;
    this.registry = registry;
    this.funding = funding;
    this.time = time;
  }

  WalletGrant grant(String id) {
    return grants.get(id);
  }

  Iterable<WalletGrant> all() {
    return grants.values();
  }

  /** When the earliest pending transfer returns, or {@link Long#MAX_VALUE}. */
  long nextReturnMillis() {
    WalletGrant g = returns.peek();
    return g == null ? Long.MAX_VALUE : g.acceptByMillis;
  }

  /** Returns the pending transfers not accepted in time. */
  void returnDue() {
    WalletGrant g;
    while ((g = returns.peek()) != null && g.acceptByMillis <= time.nowMillis()) {
      returns.poll();
      if (g.state == WalletTransferState.PENDING) {
        close(g, WalletTransferState.RETURNED, "not accepted by " + LedgerTime.localTime(g.acceptByMillis));
      }
    }
  }

  Result open(String psnNo) {
    PersonState p = registry.person(psnNo);
    if (p == null) {
      return Registry.patientNotFound(psnNo);
    }
    if (p.walletOpenedAtMillis == 0) {
      if (!p.insured.active()) {
        return new Rejected(Outcome.INSURED_NOT_ACTIVE,
            "the insured status of " + psnNo + " is " + p.insured.status() + " (expected: NORMAL)");
      }
      p.walletOpenedAtMillis = Math.max(1, time.nowMillis());
    }
    return view(p);
  }

  Result get(String psnNo) {
    PersonState p = registry.person(psnNo);
    return p == null ? Registry.patientNotFound(psnNo) : view(p);
  }

  /**
   * Earmarks quota on the authorizer's account for a relative's wallet. The checks, in order: both
   * insured, the wallet open, an active binding between them, the night window, the amount cap, no
   * transfer pending into the wallet, the day's count, and enough above the floor within the quota.
   * The limits are the authorizer's region's: it is their account the quota is earmarked on.
   */
  Result assign(Command.AssignWalletQuota c) {
    PersonState a = registry.person(c.authorizerPsnNo());
    PersonState b = registry.person(c.beneficiaryPsnNo());
    if (a == null || b == null) {
      return Registry.patientNotFound(a == null ? c.authorizerPsnNo() : c.beneficiaryPsnNo());
    }
    if (b.walletOpenedAtMillis == 0) {
      return new Rejected(Outcome.WALLET_NOT_OPEN, "the wallet of " + c.beneficiaryPsnNo() + " is not open");
    }
    BindingState binding = null;
    for (BindingState x : b.asBeneficiary) {
      if (x.authorizer == a && x.status == BindingStatus.ACTIVE) {
        binding = x;
        break;
      }
    }
    if (binding == null) {
      return new Rejected(Outcome.BINDING_NOT_ACTIVE, "no active mutual-aid binding lets " + c.authorizerPsnNo()
          + " assign quota to the wallet of " + c.beneficiaryPsnNo());
    }
    if (!binding.pays()) {
      return new Rejected(a.frozen ? Outcome.ACCOUNT_FROZEN : Outcome.INSURED_NOT_ACTIVE,
          "the authorizer's account cannot be shared now (status " + a.insured.status() + (a.frozen ? ", frozen)" : ")"));
    }
    if (!b.insured.active()) {
      return new Rejected(Outcome.INSURED_NOT_ACTIVE,
          "the beneficiary's insured status is " + b.insured.status() + " (expected: NORMAL)");
    }
    RegionPolicy policy = registry.policyOf(a);
    RegionPolicy.WalletRules rules = policy.wallet();
    if (rules.quiet(time.localHour())) {
      return new Rejected(Outcome.WALLET_TRANSFER_WINDOW_CLOSED, String.format(
          "no wallet transfers from %02d:00 to %02d:00 in region %s (it is %s); try again after %02d:00",
          rules.quietFromHour(), rules.quietUntilHour(), policy.admdvs(), LedgerTime.localTime(time.nowMillis()),
          rules.quietUntilHour()));
    }
    if (c.amountFen() > rules.maxTransferFen()) {
      return new Rejected(Outcome.WALLET_TRANSFER_LIMIT_EXCEEDED, "amount_fen " + c.amountFen()
          + " is above the most one wallet transfer may assign in region " + policy.admdvs() + ": "
          + rules.maxTransferFen() + " fen");
    }
    long today = time.today();
    int todayCount = 0;
    for (int i = b.grantsIn.size() - 1; i >= 0; i--) {
      WalletGrant g = b.grantsIn.get(i);
      if (g.state == WalletTransferState.PENDING) {
        return new Rejected(Outcome.WALLET_TRANSFER_PENDING, "wallet transfer " + g.id + " to " + c.beneficiaryPsnNo()
            + " waits for acceptance (until " + LedgerTime.localTime(g.acceptByMillis) + "); it blocks another");
      }
      if (LedgerTime.localDay(g.createdAtMillis) == today) {
        todayCount++;
      }
    }
    if (todayCount >= rules.maxTransfersPerDay()) {
      return new Rejected(Outcome.WALLET_TRANSFER_LIMIT_EXCEEDED, "the wallet of " + c.beneficiaryPsnNo() + " had "
          + todayCount + " transfers today; region " + policy.admdvs() + " allows " + rules.maxTransfersPerDay() + " a day");
    }
    long share = funding.shareable(binding);
    if (c.amountFen() > share) {
      return new Rejected(Outcome.SHAREABLE_BALANCE_EXCEEDED, "amount_fen " + c.amountFen() + " is above the " + share
          + " fen the authorizer can share (balance above the retained floor, within the quota)");
    }
    // After this point the transfer must succeed: earmark the quota.
    accounts.hold(a.account, c.amountFen());
    binding.walletFen += c.amountFen();
    long acceptBy = LedgerTime.startOfDay(today + 1) + rules.quietUntilHour() * LedgerTime.HOUR_MILLIS;
    WalletGrant g = new WalletGrant(Ledger.id('W', nextGrant++), binding, c.amountFen(), time.nowMillis(), acceptBy);
    grants.put(g.id, g);
    binding.addGrant(g);
    b.addGrantIn(g);
    a.addGrantOut(g);
    returns.add(g);
    return g.view();
  }

  Result answer(Command.AnswerWalletTransfer c) {
    WalletGrant g = grants.get(c.transferId());
    if (g == null) {
      return new Rejected(Outcome.WALLET_TRANSFER_NOT_FOUND, "transfer_id " + c.transferId() + " is not known");
    }
    boolean byBeneficiary = g.binding.beneficiary.psnNo().equals(c.byPsnNo());
    boolean byAuthorizer = g.binding.authorizer.psnNo().equals(c.byPsnNo());
    if (c.accept() ? !byBeneficiary : !byBeneficiary && !byAuthorizer) {
      return new Rejected(Outcome.NOT_A_PARTY, "psn_no " + c.byPsnNo() + " is not "
          + (c.accept() ? "the beneficiary" : "a party") + " of wallet transfer " + g.id);
    }
    WalletTransferState answered = c.accept() ? WalletTransferState.ACCEPTED : WalletTransferState.DECLINED;
    if (g.state == answered) {
      return g.view();
    }
    if (g.state != WalletTransferState.PENDING) {
      return new Rejected(Outcome.WALLET_TRANSFER_STATE_CONFLICT, "wallet transfer " + g.id + " is " + g.state
          + (g.endReason.isEmpty() ? "" : " (" + g.endReason + ")") + "; expected: PENDING");
    }
    if (c.accept()) {
      g.state = WalletTransferState.ACCEPTED;
    } else {
      close(g, WalletTransferState.DECLINED, byBeneficiary ? "declined by the beneficiary" : "withdrawn by the authorizer");
    }
    return g.view();
  }

  Result list(Command.ListWalletTransfers c) {
    PersonState p = registry.person(c.psnNo());
    if (p == null) {
      return Registry.patientNotFound(c.psnNo());
    }
    // Both lists are oldest first: walk them from their ends, newest first, without copying them.
    List<WalletGrant> out = c.role() == Command.BindingRole.BENEFICIARY ? List.of() : p.grantsOut;
    List<WalletGrant> in = c.role() == Command.BindingRole.AUTHORIZER ? List.of() : p.grantsIn;
    int i = out.size() - 1;
    int j = in.size() - 1;
    List<Result.WalletTransferView> page = new ArrayList<>(Math.min(c.limit(), i + j + 2));
    while ((i >= 0 || j >= 0) && page.size() < c.limit()) {
      WalletGrant g = j < 0 || (i >= 0 && out.get(i).seq > in.get(j).seq) ? out.get(i--) : in.get(j--);
      if (g.seq < c.beforeNumber()) {
        page.add(g.view());
      }
    }
    return new Result.WalletTransfers(List.copyOf(page), i >= 0 || j >= 0);
  }

  /** Ends a pending or accepted transfer: the unspent quota not held by open sales returns to the authorizer. */
  void close(WalletGrant g, WalletTransferState state, String reason) {
    long unspent = g.amountFen - g.spentFen - g.inSaleFen - g.returnedFen;
    g.state = state;
    g.endReason = reason;
    accounts.release(g.binding.authorizer.account, unspent);
    g.returnedFen += unspent;
    g.binding.walletFen -= unspent;
  }

  /** Ends every open transfer into a person's wallet (the beneficiary moved away, say). */
  void closeAllInto(PersonState p, String reason) {
    for (WalletGrant g : p.grantsIn) {
      if (g.open()) {
        close(g, WalletTransferState.ENDED, reason);
      }
    }
  }

  /** Ends every open transfer made through a binding that ends. */
  void closeAllThrough(BindingState b, String reason) {
    for (WalletGrant g : b.grants) {
      if (g.open()) {
        close(g, WalletTransferState.ENDED, reason);
      }
    }
  }

  /** Quota a sale no longer draws: back in the wallet while it is accepted, else back to the authorizer. */
  void unearmarkIfClosed(WalletGrant g, long amountFen) {
    if (amountFen > 0 && g.state != WalletTransferState.ACCEPTED) {
      accounts.release(g.binding.authorizer.account, amountFen);
      g.returnedFen += amountFen;
      g.binding.walletFen -= amountFen;
    }
  }

  private Result.WalletView view(PersonState p) {
    long available = 0;
    long pending = 0;
    int today = 0;
    long day = time.today();
    List<Result.WalletTransferView> open = new ArrayList<>();
    for (WalletGrant g : p.grantsIn) {
      if (g.state == WalletTransferState.PENDING) {
        pending += g.amountFen;
        open.add(g.view());
      } else if (g.remainingFen() > 0) {
        available += g.remainingFen();
        open.add(g.view());
      }
      today += LedgerTime.localDay(g.createdAtMillis) == day ? 1 : 0;
    }
    return new Result.WalletView(p.psnNo(), p.walletOpenedAtMillis != 0, p.walletOpenedAtMillis, available,
        pending, today, List.copyOf(open));
  }

  // ---- snapshot section ---------------------------------------------------------------------

  void write(CommandCodec.Output out) {
    List<WalletGrant> ordered = new ArrayList<>(grants.values());
    ordered.sort((x, y) -> Long.compare(x.seq, y.seq));
    out.varlong(nextGrant).varint(ordered.size());
    for (WalletGrant g : ordered) {
      out.str(g.id).str(g.binding.id()).varlong(g.amountFen).i64(g.createdAtMillis).i64(g.acceptByMillis)
          .u8(g.state.code()).varlong(g.inSaleFen).varlong(g.spentFen).varlong(g.returnedFen).str(g.endReason);
    }
  }

  void read(ByteBuffer in, Bindings bindings) {
    nextGrant = CommandCodec.varlong(in);
    for (int n = CommandCodec.varint(in); n > 0; n--) {
      String id = CommandCodec.str(in);
      String bindingId = CommandCodec.str(in);
      BindingState binding = LedgerSnapshot.known(bindings.binding(bindingId), "binding", bindingId);
      WalletGrant g = new WalletGrant(id, binding, CommandCodec.varlong(in), in.getLong(), in.getLong());
      g.state = WalletTransferState.ofCode(in.get() & 0xff);
      g.inSaleFen = CommandCodec.varlong(in);
      g.spentFen = CommandCodec.varlong(in);
      g.returnedFen = CommandCodec.varlong(in);
      g.endReason = CommandCodec.str(in);
      grants.put(id, g);
      binding.addGrant(g);
      binding.beneficiary.addGrantIn(g);
      binding.authorizer.addGrantOut(g);
      if (g.state == WalletTransferState.PENDING) {
        returns.add(g);
      }
    }
  }
}
