package gongji.server.ledger;

/**
 * One source of a sale: the own account (no binding), a binding, or wallet quota (a grant and its
 * binding); {@code ownerMasked} is the owner as the sale's replies show them (fixed at the sale).
 */
record TxnLeg(PersonState owner, String ownerMasked, BindingState binding, WalletGrant grant, long amountFen) {}
