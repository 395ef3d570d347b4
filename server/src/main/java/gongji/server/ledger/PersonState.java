package gongji.server.ledger;

import gongji.server.domain.Insured;
import gongji.server.domain.Masking;
import java.util.ArrayList;
import java.util.List;

/** An insured person as the ledger keeps them: the reference data, the account and what hangs off it. */
final class PersonState {
  Insured insured;
  /** How the person is shown on payment legs and views: masked once, not on every sale. */
  String masked;
  String maskedPsnNo;
  /** The index of the personal account in {@link Accounts}, or -1 without one. */
  int account = -1;
  boolean frozen;
  final List<BindingState> asBeneficiary = new ArrayList<>(2);
  final List<BindingState> asAuthorizer = new ArrayList<>(2);
  final List<Result.Payout> payouts = new ArrayList<>(0);
  /** Wallet transfers received and assigned, oldest first. */
  final List<WalletGrant> grantsIn = new ArrayList<>(0);
  final List<WalletGrant> grantsOut = new ArrayList<>(0);
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
    this.masked = Masking.person(insured.name(), insured.psnNo());
    this.maskedPsnNo = Masking.psnNo(insured.psnNo());
  }

  String psnNo() {
    return insured.psnNo();
  }
}
