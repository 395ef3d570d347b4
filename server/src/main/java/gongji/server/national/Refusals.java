package gongji.server.national;

import gongji.server.ledger.Outcome;

/**
 * What a cashier reads when the gateway refuses: the Chinese {@code err_msg} of each outcome. The
 * stable reason (the outcome's name) travels next to it in {@code gongji_reason}, for software.
 */
final class Refusals {
  private Refusals() {}

  static String errMsg(Outcome outcome) {
    return switch (outcome) {
      case OK -> "成功";
      case INSTITUTION_NOT_FOUND -> "定点医药机构编号未在本网关登记，请核对fixmedins_code";
      case TERMINAL_NOT_REGISTERED -> "操作员或终端未在本机构登记，请核对opter";
      case PATIENT_NOT_FOUND -> "未查询到参保人信息，请核对就诊凭证";
      case IMPERSONATION -> "就诊凭证与参保人不一致，疑似冒名就医，已拒绝并记录";
      case INSURED_NOT_ACTIVE -> "参保人参保状态异常（暂停、终止或死亡），不能结算";
      case ACCOUNT_FROZEN -> "参保人个人账户已冻结，不能使用";
      case NO_PERSONAL_ACCOUNT -> "参保人没有个人账户";
      case TRANSACTION_NOT_FOUND -> "未找到该结算记录，请核对setl_id/mdtrt_id";
      case TRANSACTION_STATE_CONFLICT -> "该笔结算的当前状态不允许此操作（可能已结算、已撤销或已过期）";
      case AMOUNT_EXCEEDS_AUTHORIZED -> "结算金额超过预结算金额，请重新预结算";
      case REQUEST_ID_REUSED -> "报文ID（msgid）已用于内容不同的交易，请使用新的msgid";
      case REQUEST_ID_REVERSED -> "该报文ID（msgid）对应的交易已冲正，不能再使用";
      case REQUEST_NOT_FOUND -> "未找到原交易，请核对原报文ID";
      case INSUFFICIENT_FUNDS -> "账户余额不足";
      case BINDING_NOT_FOUND -> "未找到共济绑定关系";
      case BINDING_NOT_ALLOWED -> "共济绑定关系不符合规定";
      case CREDENTIAL_IN_USE -> "该凭证已登记给其他参保人";
      case LEDGER_UNAVAILABLE -> "系统繁忙，请稍后使用相同msgid重试";
      case MUTUAL_AID_LIMIT_EXCEEDED -> "已超出当日共济支付次数或金额上限，超出部分请现金支付";
      case PAYOUT_MISMATCH -> "继承支付金额与账户余额不符";
      case WALLET_NOT_OPEN -> "医保钱包未开通";
      case WALLET_TRANSFER_LIMIT_EXCEEDED -> "已超出医保钱包转账限额";
      case WALLET_TRANSFER_WINDOW_CLOSED -> "当前时段不能进行医保钱包转账";
      case WALLET_TRANSFER_PENDING -> "有待接收的医保钱包转账";
      case WALLET_TRANSFER_NOT_FOUND -> "未找到医保钱包转账记录";
      case SANDBOX_ONLY -> "仅限沙箱环境";
      case SHAREABLE_BALANCE_EXCEEDED -> "金额超过共济人可共济的余额（保留额度以上、限额以内）";
      case NOT_A_PARTY -> "操作人不是该共济关系中有权办理此业务的一方";
      case BINDING_STATE_CONFLICT -> "共济绑定关系的当前状态不允许此操作";
      case BINDING_EXISTS -> "双方已有申请中或有效的共济绑定关系";
      case BINDING_NOT_ACTIVE -> "双方没有有效的共济绑定关系";
      case QUOTA_NOT_ALLOWED -> "共济人参保地不允许设置共济限额";
      case QUOTA_BELOW_DRAWN -> "新限额低于已使用、冻结或已划入钱包的金额";
      case WALLET_TRANSFER_STATE_CONFLICT -> "该医保钱包转账已不是待接收状态";
      case PREMIUM_NOT_PAYABLE -> "仅可为亲属代缴城乡居民基本医疗保险费";
      case PAYOUT_NOT_ALLOWED -> "该账户当前不能办理继承支付";
    };
  }
}
