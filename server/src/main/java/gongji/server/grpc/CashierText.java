package gongji.server.grpc;

import com.google.rpc.Code;

/**
 * What the cashier's screen shows for a refusal: the zh-CN {@code google.rpc.LocalizedMessage} of
 * each {@code gongji.v1.ErrorReason}, written for the person at the counter (what happened, what to
 * do), not for the integrator (the status message says which field and value). Made only when a call
 * is refused. A reason without its own text (one added later) falls back to the text of its status
 * code, so a refusal never goes without one.
 */
final class CashierText {
  /** The locale of every text here (BCP-47). */
  static final String LOCALE = "zh-CN";

  private CashierText() {}

  /** The text for {@code reason}, or for {@code code} when the reason has none of its own. */
  static String of(String reason, Code code) {
    String text = ofReason(reason);
    return text != null ? text : ofCode(code);
  }

  /** The text of a reason, or null when it has none. */
  static String ofReason(String reason) {
    return switch (reason) {
      case "FIELD_INVALID" -> "请求内容有误，请核对后重新提交";
      case "INSTITUTION_NOT_FOUND" -> "定点医药机构编号未登记，请核对机构编号";
      case "TERMINAL_NOT_REGISTERED" -> "本终端未在该机构登记，请联系医保经办机构";
      case "PATIENT_NOT_FOUND" -> "未查询到参保人信息，请核对就诊凭证";
      case "IMPERSONATION" -> "就诊凭证与参保人不一致，疑似冒名就医，已拒绝并记录";
      case "INSURED_NOT_ACTIVE" -> "参保人参保状态异常（暂停、终止或死亡），不能结算";
      case "TRANSACTION_NOT_FOUND" -> "未找到该笔交易，请核对交易号";
      case "TRANSACTION_STATE_CONFLICT" -> "该笔交易的当前状态不允许此操作（可能已结算、已撤销或已过期）";
      case "AMOUNT_EXCEEDS_AUTHORIZED" -> "结算金额超过预结算金额，请重新预结算";
      case "REQUEST_ID_REUSED" -> "请求号已用于内容不同的交易，请使用新的请求号";
      case "REQUEST_ID_REVERSED" -> "该请求号对应的交易已冲正，不能再使用";
      case "REQUEST_NOT_FOUND" -> "未找到原交易，请核对原请求号";
      case "INSUFFICIENT_FUNDS" -> "退回的资金已被再次使用，无法收回";
      case "LEDGER_UNAVAILABLE" -> "系统繁忙，请稍后使用相同请求号重试";
      case "BINDING_NOT_FOUND" -> "未找到共济绑定关系";
      case "BINDING_NOT_ALLOWED" -> "共济绑定关系不符合规定（亲属范围、参保类型或参保状态）";
      case "ACCOUNT_FROZEN" -> "个人账户已冻结，不能使用";
      case "NO_PERSONAL_ACCOUNT" -> "参保人没有个人账户";
      case "INTERNAL_ERROR" -> "系统内部错误，本次请求未生效，请联系技术支持";
      case "CREDENTIAL_IN_USE" -> "该凭证已登记给其他参保人";
      case "MUTUAL_AID_LIMIT_EXCEEDED" -> "已超出当日共济支付次数或金额上限，请不使用共济支付";
      case "PAYOUT_MISMATCH" -> "继承人份额合计与账户余额不符";
      case "WALLET_NOT_OPEN" -> "医保钱包未开通";
      case "WALLET_TRANSFER_LIMIT_EXCEEDED" -> "已超出医保钱包转账次数或单笔金额上限";
      case "WALLET_TRANSFER_WINDOW_CLOSED" -> "夜间（默认22:00至次日06:00）不能进行医保钱包转账，请稍后再试";
      case "WALLET_TRANSFER_PENDING" -> "有待接收的医保钱包转账，接收或退回后才能再次转账";
      case "WALLET_TRANSFER_NOT_FOUND" -> "未找到医保钱包转账记录";
      case "HISTORY_UNAVAILABLE" -> "查询服务暂不可用，结算不受影响，请稍后再查";
      case "UNAUTHENTICATED" -> "终端身份认证失败，请检查终端证书或令牌";
      case "PERMISSION_DENIED" -> "无权办理此业务";
      case "SANDBOX_ONLY" -> "仅限沙箱环境";
      case "SHAREABLE_BALANCE_EXCEEDED" -> "金额超过共济人可共济的余额（保留额度以上、限额以内）";
      case "NOT_A_PARTY" -> "办理人不是该共济关系中有权办理此业务的一方";
      case "BINDING_STATE_CONFLICT" -> "共济绑定关系的当前状态不允许此操作";
      case "BINDING_EXISTS" -> "双方已有申请中或有效的共济绑定关系";
      case "BINDING_NOT_ACTIVE" -> "双方没有有效的共济绑定关系";
      case "QUOTA_NOT_ALLOWED" -> "共济人参保地不允许设置共济限额";
      case "QUOTA_BELOW_DRAWN" -> "新限额低于已使用、冻结或已划入钱包的金额";
      case "WALLET_TRANSFER_STATE_CONFLICT" -> "该医保钱包转账已不是待接收状态";
      case "PREMIUM_NOT_PAYABLE" -> "仅可为亲属代缴城乡居民基本医疗保险费";
      case "PAYOUT_NOT_ALLOWED" -> "该账户当前不能办理继承支付";
      case "NOT_APPLIED" -> "请求超时未处理，未生效，请使用相同请求号重新提交";
      case "OVERLOADED" -> "系统繁忙，本次请求未处理，请稍后使用相同请求号重试";
      case "REQUEST_BODY_TIMEOUT" -> "网络传输中断，请求未完整送达，未生效，请使用相同请求号重新提交";
      case "RATE_LIMITED" -> "本终端或本机构请求过于频繁，本次未处理，请稍后使用相同请求号重试";
      default -> null;
    };
  }

  private static String ofCode(Code code) {
    return switch (code) {
      case INVALID_ARGUMENT, OUT_OF_RANGE -> "请求内容有误，请核对后重新提交";
      case NOT_FOUND -> "未找到相关记录";
      case ALREADY_EXISTS -> "记录已存在";
      case PERMISSION_DENIED -> "无权办理此业务";
      case UNAUTHENTICATED -> "终端身份认证失败";
      case FAILED_PRECONDITION -> "当前状态不允许此操作";
      case RESOURCE_EXHAUSTED, UNAVAILABLE -> "系统繁忙，请稍后重试";
      case DEADLINE_EXCEEDED -> "请求超时，请查询交易结果后再处理";
      default -> "系统错误，请联系技术支持";
    };
  }
}
