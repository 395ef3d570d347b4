package gongji.server.ledger;

/**
 * What the ledger did with a command: {@link #OK}, or why it refused. Business outcomes of a valid
 * request are values, not exceptions. The names are the stable reasons clients see in ErrorInfo.
 */
public enum Outcome {
  OK,
  INSTITUTION_NOT_FOUND,
  TERMINAL_NOT_REGISTERED,
  PATIENT_NOT_FOUND,
  IMPERSONATION,
  INSURED_NOT_ACTIVE,
  ACCOUNT_FROZEN,
  NO_PERSONAL_ACCOUNT,
  TRANSACTION_NOT_FOUND,
  TRANSACTION_STATE_CONFLICT,
  AMOUNT_EXCEEDS_AUTHORIZED,
  REQUEST_ID_REUSED,
  REQUEST_ID_REVERSED,
  REQUEST_NOT_FOUND,
  INSUFFICIENT_FUNDS,
  BINDING_NOT_FOUND,
  BINDING_NOT_ALLOWED,
  CREDENTIAL_IN_USE,
  LEDGER_UNAVAILABLE,
  MUTUAL_AID_LIMIT_EXCEEDED,
  PAYOUT_MISMATCH
}
