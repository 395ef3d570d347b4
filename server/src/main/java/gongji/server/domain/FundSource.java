package gongji.server.domain;

/** Where the money of one payment leg comes from. */
public enum FundSource {
  OWN_ACCOUNT,
  MUTUAL_AID,
  CASH,
  /** Quota a relative assigned to the patient's wallet, drawn from the relative's account. */
  WALLET
}
