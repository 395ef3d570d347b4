package gongji.server.ledger;

import gongji.server.domain.InsuranceType;
import gongji.server.domain.Insured;
import gongji.server.domain.InsuredStatus;
import gongji.server.domain.Masking;
import gongji.server.ledger.Result.Rejected;

/**
 * What happens in an insured person's life that the ledger must follow: a change of their insurance
 * (termination, a move to another region, the loss of their personal account) ends bindings and
 * returns wallet quota; death also freezes the account, which is then paid out to heirs; and a
 * relative may pay a resident's premium from their account through a binding.
 */
final class LifeEvents {
  private final Identities identities;
  private final Accounts accounts;
  private final Registry registry;
  private final Funding funding;
  private final Bindings bindings;
  private final Wallets wallets;
  private final Records records;
  private final LedgerTime time;

  LifeEvents(Accounts accounts, Registry registry, Funding funding, Bindings bindings, Wallets wallets,
      Records records, LedgerTime time, Identities identities) {
    this.identities = identities;
    this.accounts = accounts;
    this.registry = registry;
    this.funding = funding;
    this.bindings = bindings;
    this.wallets = wallets;
    this.records = records;
    this.time = time;
  }

  /** Registers a person or changes their record, and follows what the change means. */
  Result upsertInsured(Command.UpsertInsured c) {
    Insured insured = c.insured();
    Rejected conflict = registry.credentialConflict(insured, c.olderForms());
    if (conflict != null) {
      return conflict;
    }
    Insured before = registry.put(insured);
    PersonState p = registry.person(insured.psnNo());
    changed(p, before);
    registry.notifyChanged(before, insured);
    return new Result.Done();
  }

  Result recordDeath(String psnNo) {
    PersonState p = registry.person(psnNo);
    if (p == null) {
      return Registry.patientNotFound(psnNo);
    }
    Insured before = p.insured();
    registry.replace(p, new Insured(before.psnNo(), before.name(), before.insuranceType(), InsuredStatus.DECEASED,
        before.admdvs(), before.credentials()));
    changed(p, before);
    registry.notifyChanged(before, p.insured());
    return new Result.Done();
  }

  /**
   * What a change of a person's insurance does to their bindings and account: termination and death
   * dissolve every binding (death also freezes the account); an authorizer who moves to another
   * region, or loses their personal account, ends the bindings they authorized.
   */
  private void changed(PersonState p, Insured before) {
    identities.person(p);
    Insured now = p.insured();
    if (now.status() == InsuredStatus.DECEASED) {
      p.frozen = true;
    }
    if (before == null) {
      return;
    }
    String reason = null;
    if (now.status() == InsuredStatus.TERMINATED && before.status() != InsuredStatus.TERMINATED) {
      reason = "the insurance of " + Masking.psnNo(now.psnNo()) + " ended";
    } else if (now.status() == InsuredStatus.DECEASED && before.status() != InsuredStatus.DECEASED) {
      reason = "death of " + Masking.psnNo(now.psnNo());
    }
    if (reason != null) {
      for (BindingState b = p.firstAsAuthorizer; b != null; b = b.nextOfAuthorizer) {
        bindings.end(b, reason);
      }
      for (BindingState b = p.firstAsBeneficiary; b != null; b = b.nextOfBeneficiary) {
        bindings.end(b, reason);
      }
      return;
    }
    if (!now.admdvs().equals(before.admdvs())) {
      String moved = "insurance moved from " + before.admdvs() + " to " + now.admdvs();
      for (BindingState b = p.firstAsAuthorizer; b != null; b = b.nextOfAuthorizer) {
        bindings.end(b, "the authorizer's " + moved);
      }
      // A beneficiary who moves keeps their bindings, but quota assigned to their wallet returns.
      wallets.closeAllInto(p, "the beneficiary's " + moved);
    }
    if (!now.hasPersonalAccount()) {
      for (BindingState b = p.firstAsAuthorizer; b != null; b = b.nextOfAuthorizer) {
        bindings.end(b, "the authorizer no longer has employee insurance");
      }
    }
  }

  Result payOut(Command.PayOutToHeirs c) {
    PersonState p = registry.person(c.psnNo());
    if (p == null) {
      return Registry.patientNotFound(c.psnNo());
    }
    if (p.insured().status() != InsuredStatus.DECEASED || p.account < 0) {
      return new Rejected(Outcome.PAYOUT_NOT_ALLOWED,
          "only the account of a deceased person is paid out to heirs (status: " + p.insured().status() + ")");
    }
    long balance = accounts.balance(p.account);
    if (balance == 0) {
      return new Rejected(Outcome.PAYOUT_NOT_ALLOWED, "the account of " + c.psnNo() + " holds nothing to pay out"
          + (p.payouts.isEmpty() ? "" : " (it was paid out before; a later refund would be paid out again)"));
    }
    if (accounts.held(p.account) > 0) {
      return new Rejected(Outcome.PAYOUT_NOT_ALLOWED,
          accounts.held(p.account) + " fen are still held by open authorizations; pay out after they settle or expire");
    }
    long total = 0;
    for (Command.Heir h : c.heirs()) {
      total = Math.addExact(total, h.amountFen());
    }
    if (total != balance) {
      return new Rejected(Outcome.PAYOUT_MISMATCH,
          "the heirs' shares add up to " + total + " fen but the balance is " + balance + " fen");
    }
    accounts.transfer(p.account, Accounts.PAYOUTS, total);
    Result.Payout payout = new Result.Payout(c.psnNo(), total, c.heirs(), time.nowMillis());
    p.addPayout(payout);
    return payout;
  }

  Result payPremium(Command.PayPremium c) {
    PersonState payer = registry.person(c.payerPsnNo());
    PersonState beneficiary = registry.person(c.beneficiaryPsnNo());
    if (payer == null || beneficiary == null) {
      return Registry.patientNotFound(payer == null ? c.payerPsnNo() : c.beneficiaryPsnNo());
    }
    BindingState binding = null;
    for (BindingState b = beneficiary.firstAsBeneficiary; b != null; b = b.nextOfBeneficiary) {
      if (b.authorizer == payer && b.pays()) {
        binding = b;
        break;
      }
    }
    if (binding == null) {
      return new Rejected(Outcome.BINDING_NOT_ACTIVE,
          "no active mutual-aid binding lets " + c.payerPsnNo() + " pay for " + c.beneficiaryPsnNo());
    }
    if (beneficiary.insured().insuranceType() != InsuranceType.RESIDENT_BASIC) {
      return new Rejected(Outcome.PREMIUM_NOT_PAYABLE,
          "only a resident's basic insurance premium can be paid for a relative (the beneficiary is "
              + beneficiary.insured().insuranceType() + ")");
    }
    long share = funding.shareable(binding);
    if (c.amountFen() > share) {
      return new Rejected(Outcome.SHAREABLE_BALANCE_EXCEEDED, "the premium of " + c.amountFen() + " fen is above the "
          + share + " fen the payer can share (balance above the retained floor, within the quota)");
    }
    accounts.transfer(payer.account, Accounts.PREMIUMS, c.amountFen());
    binding.usedFen += c.amountFen();
    identities.binding(binding);
    records.premium(payer, beneficiary, binding, c.amountFen());
    binding.premiumFen += c.amountFen();
    return new Result.Premium(c.payerPsnNo(), c.beneficiaryPsnNo(), c.amountFen(), c.year(),
        accounts.available(payer.account));
  }
}
