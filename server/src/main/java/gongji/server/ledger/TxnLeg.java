package gongji.server.ledger;

import gongji.server.domain.Insured;
import gongji.server.domain.Masking;

/**
 * One source of a sale: the own account (no binding), a binding, or wallet quota (a grant and its
 * binding).
 *
 * <p>{@code shownAs} fixes the owner as the sale's replies show them, whatever changes later: their
 * {@link Insured} record at the sale (a change of name is a new record, so this one keeps the old
 * name), or, for a leg read back from a snapshot whose owner changed name since, the masked text
 * the snapshot kept. A reference, not a masked string per leg: the sales of the recent window do
 * not carry a copy of their owners' masked names.
 */
record TxnLeg(PersonState owner, Object shownAs, BindingState binding, WalletGrant grant, long amountFen) {
  TxnLeg {
    if (!(shownAs instanceof Insured) && !(shownAs instanceof String)) {
      throw new IllegalArgumentException("shownAs: " + shownAs + " (expected: an Insured or its masked text)");
    }
  }

  /** The owner as the sale shows them: masked name and number. */
  String ownerMasked() {
    return shownAs instanceof Insured i ? Masking.person(i.name(), i.psnNo()) : (String) shownAs;
  }

  /** Whether the owner is shown otherwise today than at the sale (a change of name). */
  boolean renamed() {
    return shownAs != owner.insured() && !ownerMasked().equals(owner.masked());
  }
}
