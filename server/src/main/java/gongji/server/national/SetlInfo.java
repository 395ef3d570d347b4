package gongji.server.national;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import gongji.server.ledger.Result;
import java.io.IOException;

/**
 * Writes {@code setlinfo}, the split of a sale in yuan, in the province's convention for whether
 * {@code acct_pay} includes {@code acct_mulaid_pay}: with the streaming generator on the hot path
 * (2101, 2102), as a tree where a transaction adds to it.
 */
final class SetlInfo {
  private final boolean mulaidInAcctPay;

  /** @param mulaidInAcctPay whether {@code acct_pay} includes {@code acct_mulaid_pay} */
  SetlInfo(boolean mulaidInAcctPay) {
    this.mulaidInAcctPay = mulaidInAcctPay;
  }

  /** {@link #write} as a tree. */
  ObjectNode of(Result.TxnView txn, Result.Breakdown b, String setlId, String psnNo, String medType,
      String insutype, String certType, String medinsSetlId, int sign) {
    return (ObjectNode) Json.tree(g -> write(g, txn, b, setlId, psnNo, medType, insutype, certType, medinsSetlId, sign));
  }

  /**
   * {@code setlinfo}: the split in yuan. We settle personal accounts, mutual aid and cash only:
   * fund payments are 0 and {@code psn_part_amt} is the whole bill. {@code sign} -1 shows money
   * given back (2103). The time is the sale's, so that a replay answers the same. A null text is
   * written as null.
   */
  void write(JsonGenerator g, Result.TxnView txn, Result.Breakdown b, String setlId, String psnNo, String medType,
      String insutype, String certType, String medinsSetlId, int sign) throws IOException {
    g.writeStartObject();
    g.writeStringField("setl_id", setlId);
    g.writeStringField("mdtrt_id", txn.txnId());
    g.writeStringField("psn_no", psnNo);
    g.writeStringField("insutype", insutype);
    g.writeStringField("med_type", medType);
    g.writeStringField("mdtrt_cert_type", certType);
    g.writeStringField("setl_time", Times.readable(txn.createdAtMillis()));
    yuan(g, "medfee_sumamt", sign * b.totalFen());
    yuan(g, "fulamt_ownpay_amt", sign * (b.totalFen() - b.inScopeFen()));
    yuan(g, "overlmt_selfpay", 0);
    yuan(g, "preselfpay_amt", 0);
    yuan(g, "inscp_scp_amt", sign * b.inScopeFen());
    yuan(g, "act_pay_dedc", 0);
    yuan(g, "hifp_pay", 0);
    yuan(g, "pool_prop_selfpay", 0);
    yuan(g, "cvlserv_pay", 0);
    yuan(g, "hifes_pay", 0);
    yuan(g, "hifmi_pay", 0);
    yuan(g, "hifob_pay", 0);
    yuan(g, "maf_pay", 0);
    yuan(g, "oth_pay", 0);
    yuan(g, "fund_pay_sumamt", 0);
    yuan(g, "psn_part_amt", sign * b.totalFen());
    long acctFen = mulaidInAcctPay ? b.accountPayFen() + b.mutualAidPayFen() : b.accountPayFen();
    yuan(g, "acct_pay", sign * acctFen);
    yuan(g, "psn_cash_pay", sign * b.cashPayFen());
    yuan(g, "hosp_part_amt", 0);
    yuan(g, "balc", b.balanceAfterFen());
    yuan(g, "acct_mulaid_pay", sign * b.mutualAidPayFen());
    g.writeStringField("medins_setl_id", medinsSetlId);
    g.writeNullField("clr_optins");
    g.writeNullField("clr_way");
    g.writeNullField("clr_type");
    g.writeStringField("gongji_state", txn.state().name());
    yuan(g, "gongji_acct_own_pay", sign * b.accountPayFen());
    g.writeArrayFieldStart("gongji_legs");
    for (Result.Leg leg : b.legs()) {
      g.writeStartObject();
      g.writeStringField("fund_source", leg.source().name());
      g.writeStringField("owner_name", leg.ownerMasked());
      g.writeStringField("binding_id", leg.bindingId());
      g.writeStringField("wallet_transfer_id", leg.walletTransferId());
      yuan(g, "amount", sign * leg.amountFen());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void yuan(JsonGenerator g, String field, long fen) throws IOException {
    g.writeFieldName(field);
    g.writeNumber(Yuan.text(fen));
  }
}
