package gongji.server.ledger;

import gongji.server.domain.Insured;
import gongji.server.domain.Masking;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** An insured person as the ledger keeps them: the reference data, the account and what hangs off it. */
final class PersonState {
  Insured insured;
  /** Where the person stands in registration order ({@link Registry#persons}): how a snapshot names them. */
  int ordinal = -1;
  /** The index of the personal account in {@link Accounts}, or -1 without one. */
  int account = -1;
  boolean frozen;
  // The bindings on each side, in creation order, as arrays of the exact length: bindings change
  // rarely and are read on every sale, and two million of them in ArrayLists cost 60 MB more.
  BindingState[] asBeneficiary = NO_BINDINGS;
  BindingState[] asAuthorizer = NO_BINDINGS;
  // The lists are empty and shared until something is added (most people have no payouts or
  // wallet transfers): a million people do not carry millions of empty lists.
  List<Result.Payout> payouts = List.of();
  /** Wallet transfers received and assigned, oldest first. */
  List<WalletGrant> grantsIn = List.of();
  List<WalletGrant> grantsOut = List.of();
  /** When the wallet was opened; 0 while it is not. */
  long walletOpenedAtMillis;
  /** Today's mutual-aid velocity counters: the local day they count, uses and fen. */
  long aidDay;
  int aidUsesToday;
  long aidFenToday;
  /** The policy of the person's region, resolved once (see {@link Registry#policyOf}). */
  final PolicyCache policy = new PolicyCache();

  PersonState(Insured insured) {
    setInsured(insured);
  }

  void setInsured(Insured insured) {
    this.insured = insured;
    this.policy.forget();
  }

  String psnNo() {
    return insured.psnNo();
  }

  /**
   * How the person is shown on payment legs and offers: masked name and number. Made when asked,
   * not kept: a leg keeps the one it was made with, and a million people carry no masked copies.
   */
  String masked() {
    return Masking.person(insured.name(), insured.psnNo());
  }

  String maskedPsnNo() {
    return Masking.psnNo(insured.psnNo());
  }

  void addAsBeneficiary(BindingState b) {
    asBeneficiary = appended(asBeneficiary, b);
  }

  void addAsAuthorizer(BindingState b) {
    asAuthorizer = appended(asAuthorizer, b);
  }

  private static final BindingState[] NO_BINDINGS = {};

  private static BindingState[] appended(BindingState[] bindings, BindingState b) {
    BindingState[] grown = Arrays.copyOf(bindings, bindings.length + 1);
    grown[bindings.length] = b;
    return grown;
  }

  void addPayout(Result.Payout payout) {
    payouts = grown(payouts);
    payouts.add(payout);
  }

  void addGrantIn(WalletGrant g) {
    grantsIn = grown(grantsIn);
    grantsIn.add(g);
  }

  void addGrantOut(WalletGrant g) {
    grantsOut = grown(grantsOut);
    grantsOut.add(g);
  }

  /** Takes back a transfer into their wallet the writer let go of, in number order among the others. */
  void insertGrantIn(WalletGrant g) {
    grantsIn = grown(grantsIn);
    insertBySeq(grantsIn, g);
  }

  /** Takes back a transfer from their account the writer let go of, in number order among the others. */
  void insertGrantOut(WalletGrant g) {
    grantsOut = grown(grantsOut);
    insertBySeq(grantsOut, g);
  }

  /** Inserts {@code g} into a list of transfers in number order, where its number puts it. */
  static void insertBySeq(List<WalletGrant> list, WalletGrant g) {
    int at = list.size();
    while (at > 0 && list.get(at - 1).seq > g.seq) {
      at--;
    }
    list.add(at, g);
  }

  void removeGrantIn(WalletGrant g) {
    grantsIn = without(grantsIn, g);
  }

  void removeGrantOut(WalletGrant g) {
    grantsOut = without(grantsOut, g);
  }

  /** The list without {@code item}: the shared empty one once nothing is left. */
  static <T> List<T> without(List<T> list, T item) {
    list.remove(item);
    return list.isEmpty() ? List.of() : list;
  }

  /** The list itself once it holds something; a new one in place of the shared empty one. */
  static <T> List<T> grown(List<T> list) {
    return list.isEmpty() && !(list instanceof ArrayList) ? new ArrayList<>(2) : list;
  }
}
