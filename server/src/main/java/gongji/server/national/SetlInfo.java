package gongji.server.national;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.ledger.Result;

/**
 * Writes {@code setlinfo}, the split of a sale in yuan, in the province's convention for whether
 * {@code acct_pay} includes {@code acct_mulaid_pay}.
 */
final class SetlInfo {
  private final boolean mulaidInAcctPay;

  /** @param mulaidInAcctPay whether {@code acct_pay} includes {@code acct_mulaid_pay} */
  SetlInfo(boolean mulaidInAcctPay) {
    this.mulaidInAcctPay = mulaidInAcctPay;
  }

  /**
   * {@code setlinfo}: the split in yuan. We settle personal accounts, mutual aid and cash only:
   * fund payments are 0 and {@code psn_part_amt} is the whole bill. {@code sign} -1 shows money
   * given back (2103). The time is the sale's, so that a replay answers the same.
   */
  ObjectNode of(Result.TxnView txn, Result.Breakdown b, String setlId, String psnNo, String medType,
      String insutype, String certType, String medinsSetlId, int sign) {
    ObjectNode o = Json.object();
    o.put("setl_id", setlId);
    o.put("mdtrt_id", txn.txnId());
    o.put("psn_no", psnNo);
    o.put("insutype", insutype);
    o.put("med_type", medType);
    o.put("mdtrt_cert_type", certType);
    o.put("setl_time", Times.readable(txn.createdAtMillis()));
    o.put("medfee_sumamt", Yuan.of(sign * b.totalFen()));
    o.put("fulamt_ownpay_amt", Yuan.of(sign * (b.totalFen() - b.inScopeFen())));
    o.put("overlmt_selfpay", Yuan.of(0));
    o.put("preselfpay_amt", Yuan.of(0));
    o.put("inscp_scp_amt", Yuan.of(sign * b.inScopeFen()));
    o.put("act_pay_dedc", Yuan.of(0));
    o.put("hifp_pay", Yuan.of(0));
    o.put("pool_prop_selfpay", Yuan.of(0));
    o.put("cvlserv_pay", Yuan.of(0));
    o.put("hifes_pay", Yuan.of(0));
    o.put("hifmi_pay", Yuan.of(0));
    o.put("hifob_pay", Yuan.of(0));
    o.put("maf_pay", Yuan.of(0));
    o.put("oth_pay", Yuan.of(0));
    o.put("fund_pay_sumamt", Yuan.of(0));
    o.put("psn_part_amt", Yuan.of(sign * b.totalFen()));
    long acctFen = mulaidInAcctPay ? b.accountPayFen() + b.mutualAidPayFen() : b.accountPayFen();
    o.put("acct_pay", Yuan.of(sign * acctFen));
    o.put("psn_cash_pay", Yuan.of(sign * b.cashPayFen()));
    o.put("hosp_part_amt", Yuan.of(0));
    o.put("balc", Yuan.of(b.balanceAfterFen()));
    o.put("acct_mulaid_pay", Yuan.of(sign * b.mutualAidPayFen()));
    o.put("medins_setl_id", medinsSetlId);
    o.putNull("clr_optins");
    o.putNull("clr_way");
    o.putNull("clr_type");
    o.put("gongji_state", txn.state().name());
    o.put("gongji_acct_own_pay", Yuan.of(sign * b.accountPayFen()));
    ArrayNode legs = o.putArray("gongji_legs");
    for (Result.Leg leg : b.legs()) {
      ObjectNode l = legs.addObject();
      l.put("fund_source", leg.source().name());
      l.put("owner_name", leg.ownerMasked());
      l.put("binding_id", leg.bindingId());
      l.put("wallet_transfer_id", leg.walletTransferId());
      l.put("amount", Yuan.of(sign * leg.amountFen()));
    }
    return o;
  }
}
