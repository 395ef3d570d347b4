package gongji.server.ledger;

import static com.google.common.base.Verify.verify;

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
 *
 * <p>History. Every transfer that is assigned or changes (answered, drawn on or given back by a
 * sale, returned, ended) is handed to history as it is after the command
 * ({@link HistoryRecord.WalletTransfer}): history answers {@code ListWalletTransfers}. A transfer
 * that was declined or returned (never accepted, so no sale ever drew on it, and nothing can change
 * it any more) is kept only until the local day it was made is over (the day's count of transfers
 * into a wallet counts it) and a sweep with {@code transfers} lets go of it. A command that names
 * it later (an answer) brings its record back ({@link Recall#transfer}); the answer is the one the
 * kept transfer gave.
 *
 * <p>A transfer that ended (its binding or the beneficiary's insurance did; the state a transfer
 * reaches after acceptance, besides staying accepted) is let go of the same way once its day is
 * over and nothing but a sale in history can change it: no open sale holds its quota and no sale
 * the writer keeps names it ({@link #reconsider}), so what it spent is what sales in history hold.
 * A refund or reversal of such a sale changes it (what it spent goes back to the authorizer): the
 * look-up brings the transfer's record with the sale's image, the writer makes it anew exactly as
 * it would have kept it ({@link #named}), re-checking the record against its bindings, and takes
 * it back with the sale ({@link #readmit}); it goes again once the sale does. What it spent stays
 * in its binding's wallet amount, archived for the audit ({@link BindingState#archivedWalletFen}).
 * An accepted transfer stays kept even when used up: a refund makes it spendable again, and the
 * end of its binding must still end it.
 */
final class Wallets {
  private final Identities identities;
  private final Accounts accounts;
  private final Registry registry;
  private final Funding funding;
  private final LedgerTime time;
  private final Recall recall;
  private final Map<String, WalletGrant> grants = new HashMap<>();
  /**
   * Declined and returned transfers still kept, by number (so by when they were made): a sweep lets
   * go of them from the head, up to the first made today.
   */
  private final PriorityQueue<WalletGrant> closed =
      new PriorityQueue<>((a, b) -> Long.compare(a.seq, b.seq));
  /**
   * Ended transfers that no open or kept sale names any more, by number: a sweep with {@code ended}
   * lets go of them from the head, up to the first made today. It holds exactly the kept transfers
   * {@link #reconsider} finds ready.
   */
  private final PriorityQueue<WalletGrant> ended =
      new PriorityQueue<>((a, b) -> Long.compare(a.seq, b.seq));
  /** Transfers let go of that the command being applied brought back for its sale's legs, by id. */
  private final Map<String, WalletGrant> recalledNow = new HashMap<>();
  /** Transfers changed since the last {@link #takeChanged}, in the order they first changed. */
  private final List<WalletGrant> changed = new ArrayList<>();
  /** Pending wallet transfers by the time they return unless accepted. */
  private final PriorityQueue<WalletGrant> returns =
      new PriorityQueue<>((a, b) -> Long.compare(a.acceptByMillis, b.acceptByMillis));
  private long nextGrant = 1;

  Wallets(Accounts accounts, Registry registry, Funding funding, LedgerTime time, Recall recall,
      Identities identities) {
    this.identities = identities;
    this.accounts = accounts;
    this.registry = registry;
    this.funding = funding;
    this.time = time;
    this.recall = recall;
  }

  /** The transfer if the writer keeps it, or null. */
  WalletGrant grant(String id) {
    return grants.get(id);
  }

  /** How many transfers the writer keeps. */
  int kept() {
    return grants.size();
  }

  /** Notes that a transfer changed: its record goes to history after the command. */
  void changed(WalletGrant g) {
    identities.grant(g);
    if (!g.changed) {
      g.changed = true;
      changed.add(g);
    }
    reconsider(g);
  }

  /**
   * Queues a kept transfer for letting go, or takes it out of the queue, by whether nothing can
   * change it but a sale brought back from history: ended, no open sale holding its quota, no kept
   * sale naming it (every settled sale that drew on it in history, so what it spent is what they
   * hold). Called whenever one of these may have changed.
   */
  void reconsider(WalletGrant g) {
    boolean ready = g.state == WalletTransferState.ENDED && g.inSaleFen == 0 && g.keptSales == 0
        && g.archivedSpentFen == g.spentFen && grants.get(g.id) == g;
    if (ready != g.endedQueued) {
      if (ready) {
        ended.add(g);
      } else {
        ended.remove(g);
      }
      g.endedQueued = ready;
    }
  }

  /** After a snapshot is loaded (its sales counted on the transfers they name): queues the ended ones ready. */
  void afterRestore() {
    for (WalletGrant g : grants.values()) {
      reconsider(g);
    }
  }

  /** Whether transfers changed since the last {@link #takeChanged} (by the passing of time, say). */
  boolean hasChanged() {
    return !changed.isEmpty();
  }

  /** Hands the record of each transfer changed since the last call to {@code records}, in order. */
  void takeChanged(Records records) {
    if (changed.isEmpty()) {
      return;
    }
    List<HistoryRecord> out = new ArrayList<>(changed.size());
    for (WalletGrant g : changed) {
      g.changed = false;
      out.add(new HistoryRecord.WalletTransfer(g.view()));
    }
    changed.clear();
    records.addAll(out);
  }

  /**
   * Whether a sweep with transfers at {@code nowMillis} would let go of one declined or returned
   * before that day, or (with {@code ended}) one ended and ready.
   */
  boolean letGoDue(long nowMillis, boolean ended) {
    long day = LedgerTime.localDay(nowMillis);
    WalletGrant head = closed.peek();
    WalletGrant end = ended ? this.ended.peek() : null;
    return head != null && LedgerTime.localDay(head.createdAtMillis) < day
        || end != null && LedgerTime.localDay(end.createdAtMillis) < day;
  }

  /**
   * Hands the declined and returned transfers made before today to history and forgets them, then
   * (with {@code ended}) the ended ones ready ({@link #reconsider}), at most {@code max}; returns how
   * many. Nothing names a declined or returned one any more but an answer (no sale drew on them),
   * which brings the record back; their quota went back to the authorizer when they closed. An
   * ended one is named besides by the sales in history that drew on it: a command that needs such
   * a sale brings the transfer's record back with it ({@link #named}).
   */
  int evict(List<HistoryRecord> out, int max, boolean ended) {
    long today = time.today();
    int n = 0;
    WalletGrant g;
    while (n < max && (g = closed.peek()) != null && LedgerTime.localDay(g.createdAtMillis) < today) {
      closed.poll();
      verify(!g.open() && g.state != WalletTransferState.ENDED && g.inSaleFen == 0 && g.spentFen == 0
          && g.archivedSpentFen == 0 && g.returnedFen == g.amountFen,
          "wallet transfer %s let go of while a command may still change it", g.id);
      letGo(g, out);
      n++;
    }
    while (ended && n < max && (g = this.ended.peek()) != null && LedgerTime.localDay(g.createdAtMillis) < today) {
      this.ended.poll();
      g.endedQueued = false;
      verify(g.state == WalletTransferState.ENDED && g.inSaleFen == 0 && g.keptSales == 0
          && g.archivedSpentFen == g.spentFen && g.spentFen + g.returnedFen == g.amountFen,
          "wallet transfer %s let go of while a command may still change it", g.id);
      // What it spent stays in the binding's wallet amount: the audit finds it there, archived.
      g.binding.archivedWalletFen += g.amountFen - g.returnedFen;
      letGo(g, out);
      n++;
    }
    return n;
  }

  private void letGo(WalletGrant g, List<HistoryRecord> out) {
    out.add(new HistoryRecord.WalletTransfer(g.view()));
    grants.remove(g.id);
    g.binding.removeGrant(g);
    g.binding.beneficiary.removeGrantIn(g);
    identities.grant(g);
    g.binding.authorizer.removeGrantOut(g);
    recall.lettingGoTransfer(g.id);
  }

  /**
   * The transfer a leg of a sale brought back from history names: the kept one, or else the one let
   * go of, made anew from the record the command brought with the sale ({@link Recall#namedTransfer})
   * exactly as the writer would have kept it (ended, nothing in sales, what it spent all held by
   * sales in history). Not kept unless {@link #readmit}ted: the same object for every leg of the command.
   */
  WalletGrant named(String id) {
    WalletGrant g = grants.get(id);
    if (g == null) {
      g = recalledNow.get(id);
    }
    if (g != null) {
      return g;
    }
    byte[] image = recall.namedTransfer(id);
    if (image == null) {
      throw new IllegalArgumentException("a sale brought from history names wallet transfer " + id
          + ", let go of, and its record did not come with it");
    }
    Result.WalletTransferView v = transferRecord(id, image);
    if (v.state() != WalletTransferState.ENDED || v.remainingFen() != 0 || v.spentFen() < 0
        || v.spentFen() > v.amountFen() || Ledger.number(id) >= nextGrant) {
      throw new IllegalArgumentException("the record recalled for wallet transfer " + id + " is not one let go of: " + v);
    }
    PersonState beneficiary = registry.person(v.beneficiaryPsnNo());
    BindingState binding = null;
    for (BindingState b = beneficiary == null ? null : beneficiary.firstAsBeneficiary; b != null; b = b.nextOfBeneficiary) {
      if (b.id().equals(v.bindingId())) {
        binding = b;
      }
    }
    if (binding == null || !binding.authorizer.psnNo().equals(v.authorizerPsnNo())) {
      throw new IllegalArgumentException("the record recalled for wallet transfer " + id + " names binding "
          + v.bindingId() + " of parties the writer does not know");
    }
    g = new WalletGrant(id, binding, v.amountFen(), v.createdAtMillis(), v.acceptByMillis());
    g.state = WalletTransferState.ENDED;
    g.endReason = v.endReason();
    g.spentFen = v.spentFen();
    g.returnedFen = v.amountFen() - v.spentFen();
    g.archivedSpentFen = v.spentFen();
    recalledNow.put(id, g);
    return g;
  }

  /**
   * Keeps again a transfer {@link #named} made anew: a mutating command takes back a sale that
   * names it. No-op for one kept.
   */
  void readmit(WalletGrant g) {
    if (grants.get(g.id) != null) {
      return;
    }
    grants.put(g.id, g);
    g.binding.insertGrant(g);
    g.binding.beneficiary.insertGrantIn(g);
    identities.grant(g);
    g.binding.authorizer.insertGrantOut(g);
    g.binding.archivedWalletFen -= g.amountFen - g.returnedFen;
  }

  /** The command is applied: transfers made anew for it and not kept are forgotten. */
  void endCommand() {
    if (!recalledNow.isEmpty()) {
      recalledNow.clear();
    }
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
      if (!p.insured().active()) {
        return new Rejected(Outcome.INSURED_NOT_ACTIVE,
            "the insured status of " + psnNo + " is " + p.insured().status() + " (expected: NORMAL)");
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
    for (BindingState x = b.firstAsBeneficiary; x != null; x = x.nextOfBeneficiary) {
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
          "the authorizer's account cannot be shared now (status " + a.insured().status() + (a.frozen ? ", frozen)" : ")"));
    }
    if (!b.insured().active()) {
      return new Rejected(Outcome.INSURED_NOT_ACTIVE,
          "the beneficiary's insured status is " + b.insured().status() + " (expected: NORMAL)");
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
    changed(g);
    return g.view();
  }

  /**
   * Accepts or declines a pending transfer. A transfer the writer let go of (declined or returned
   * before today) is answered from the record the command brought back: as it would be if kept.
   */
  Result answer(Command.AnswerWalletTransfer c) {
    WalletGrant g = grants.get(c.transferId());
    Result.WalletTransferView v = g != null ? g.view() : recalled(c.transferId());
    if (v == null) {
      return new Rejected(Outcome.WALLET_TRANSFER_NOT_FOUND, "transfer_id " + c.transferId() + " is not known");
    }
    boolean byBeneficiary = v.beneficiaryPsnNo().equals(c.byPsnNo());
    boolean byAuthorizer = v.authorizerPsnNo().equals(c.byPsnNo());
    if (c.accept() ? !byBeneficiary : !byBeneficiary && !byAuthorizer) {
      return new Rejected(Outcome.NOT_A_PARTY, "psn_no " + c.byPsnNo() + " is not "
          + (c.accept() ? "the beneficiary" : "a party") + " of wallet transfer " + v.transferId());
    }
    WalletTransferState answered = c.accept() ? WalletTransferState.ACCEPTED : WalletTransferState.DECLINED;
    if (v.state() == answered) {
      return v;
    }
    if (v.state() != WalletTransferState.PENDING) {
      return new Rejected(Outcome.WALLET_TRANSFER_STATE_CONFLICT, "wallet transfer " + v.transferId() + " is "
          + v.state() + (v.endReason().isEmpty() ? "" : " (" + v.endReason() + ")") + "; expected: PENDING");
    }
    if (g == null) {
      // Only a kept transfer is pending: one let go of was declined or returned.
      throw new IllegalArgumentException("the image recalled for wallet transfer " + c.transferId() + " is pending");
    }
    if (c.accept()) {
      g.state = WalletTransferState.ACCEPTED;
      changed(g);
    } else {
      close(g, WalletTransferState.DECLINED, byBeneficiary ? "declined by the beneficiary" : "withdrawn by the authorizer");
    }
    return g.view();
  }

  /** The transfer the command brought back from history, or null (see {@link Recall#transfer}). */
  private Result.WalletTransferView recalled(String transferId) {
    byte[] image = recall.transfer(transferId);
    return image == null ? null : transferRecord(transferId, image);
  }

  /** The transfer a record from history holds; throws if it is not the record of {@code transferId}. */
  private static Result.WalletTransferView transferRecord(String transferId, byte[] image) {
    if (!(HistoryCodec.decode(image) instanceof HistoryRecord.WalletTransfer w)
        || !w.transfer().transferId().equals(transferId)) {
      throw new IllegalArgumentException("the image recalled for wallet transfer " + transferId + " is not its record");
    }
    return w.transfer();
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
    changed(g);
    if (state == WalletTransferState.DECLINED || state == WalletTransferState.RETURNED) {
      closed.add(g);
    }
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
      changed(g);
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
      } else if (g.state == WalletTransferState.DECLINED || g.state == WalletTransferState.RETURNED) {
        closed.add(g); // a snapshot written before they went to history holds them: the next sweeps let go of them
      }
    }
  }
}
