package gongji.client;

/**
 * Why the gateway refused a call: the stable reasons of {@code google.rpc.ErrorInfo}. Branch on
 * these, never on messages. {@link #UNKNOWN} stands for a reason this SDK version does not know.
 */
public enum RejectionReason {
  /** A field is missing or malformed; see {@link GongjiException#fieldViolations()}. */
  FIELD_INVALID,
  /**
   * No valid credential was sent: configure a client certificate that names the terminal
   * ({@code ClientOptions.Builder#clientCertificate}) or a bearer token
   * ({@code ClientOptions.Builder#bearerToken}); a token needs TLS unless the gateway is on this host.
   */
  UNAUTHENTICATED,
  /**
   * The credential does not allow this call: the request names another institution or terminal than
   * the credential's, or the credential is not one for this service. Recorded on the gateway.
   */
  PERMISSION_DENIED,
  /** No institution with that code. */
  INSTITUTION_NOT_FOUND,
  /** The terminal is not registered with the institution. */
  TERMINAL_NOT_REGISTERED,
  /** No insured person has that credential or person number. */
  PATIENT_NOT_FOUND,
  /** The credential belongs to someone else (冒名就医); the attempt was recorded. */
  IMPERSONATION,
  /** The patient's insurance is not in normal status. */
  INSURED_NOT_ACTIVE,
  /** No such transaction for this institution. */
  TRANSACTION_NOT_FOUND,
  /** The transaction is not in a state that allows this call. */
  TRANSACTION_STATE_CONFLICT,
  /** The final total is above the authorized total. */
  AMOUNT_EXCEEDS_AUTHORIZED,
  /** The request id was used before for a different request. */
  REQUEST_ID_REUSED,
  /** The request id was reversed. */
  REQUEST_ID_REVERSED,
  /** No request with that id is known. */
  REQUEST_NOT_FOUND,
  /** A refund or reversal cannot take the money back: what it returned was spent again. */
  INSUFFICIENT_FUNDS,
  /** The ledger is overloaded or stopping: retry the same request. */
  LEDGER_UNAVAILABLE,
  /** No such binding. */
  BINDING_NOT_FOUND,
  /** The binding is not allowed. */
  BINDING_NOT_ALLOWED,
  /** The account is frozen. */
  ACCOUNT_FROZEN,
  /** The person has no personal account. */
  NO_PERSONAL_ACCOUNT,
  /** The credential is registered to another person. */
  CREDENTIAL_IN_USE,
  /** Mutual aid would exceed the beneficiary's daily limit; pay without mutual aid. Recorded. */
  MUTUAL_AID_LIMIT_EXCEEDED,
  /** The heirs' shares do not add up to the deceased person's balance. */
  PAYOUT_MISMATCH,
  /** The beneficiary has not opened a medical-insurance wallet. */
  WALLET_NOT_OPEN,
  /** A wallet transfer would exceed the authorizer's region limits (transfers a day, or one transfer's amount). */
  WALLET_TRANSFER_LIMIT_EXCEEDED,
  /** No wallet transfers in the night window (22:00 to 06:00 by default); the message says when they open. */
  WALLET_TRANSFER_WINDOW_CLOSED,
  /** A transfer into this wallet still waits for acceptance; it blocks another until answered or returned. */
  WALLET_TRANSFER_PENDING,
  /** No wallet transfer with that id. */
  WALLET_TRANSFER_NOT_FOUND,
  /** The call works only on a sandbox gateway ({@code serve --demo}), e.g. moving its clock. */
  SANDBOX_ONLY,
  /** History (usage records, reconciliation, alerts) cannot be read now; payments are not affected: retry later. */
  HISTORY_UNAVAILABLE,
  /**
   * This terminal (or its institution) sent more calls a second than it is allowed: shed at
   * admission, nothing applied; send the same request again after the RetryInfo delay.
   */
  RATE_LIMITED,
  /**
   * The gateway was serving as many calls as it may at once, from all callers: shed before its
   * ledger, nothing applied; send the same request again after the RetryInfo delay.
   */
  OVERLOADED,
  /**
   * The request did not arrive whole at the gateway within its body timeout after its headers (a
   * stalled or broken connection): the call was ended unread, nothing applied; send the same request
   * again.
   */
  REQUEST_BODY_TIMEOUT,
  /** A bug in the gateway; the request was not applied. */
  INTERNAL_ERROR,
  /**
   * The amount is above what the authorizer can share now (balance above the region's retained floor,
   * within the binding's quota): a premium or a wallet transfer.
   */
  SHAREABLE_BALANCE_EXCEEDED,
  /**
   * The person named as acting is not the party who may do this (dissolving, changing a quota,
   * accepting or declining a wallet transfer).
   */
  NOT_A_PARTY,
  /** The binding's state does not allow this call (a review of one not requested, a quota change of one ended). */
  BINDING_STATE_CONFLICT,
  /** A binding between the two people is already requested or active. */
  BINDING_EXISTS,
  /** No active binding lets the authorizer pay a premium for, or assign wallet quota to, the beneficiary. */
  BINDING_NOT_ACTIVE,
  /** The authorizer's region does not allow a per-beneficiary quota. */
  QUOTA_NOT_ALLOWED,
  /** The new quota is below what the binding has already drawn, holds or assigned to the wallet. */
  QUOTA_BELOW_DRAWN,
  /** The wallet transfer is no longer pending, so it cannot be accepted or declined. */
  WALLET_TRANSFER_STATE_CONFLICT,
  /** Only a resident's basic insurance premium can be paid for a relative. */
  PREMIUM_NOT_PAYABLE,
  /** The account cannot be paid out now (not deceased, empty, or open authorizations hold part of it). */
  PAYOUT_NOT_ALLOWED,
  /** The call did not finish in time, or the connection was lost: the outcome is unknown. */
  OUTCOME_UNKNOWN,
  /**
   * The request did not take effect. As a {@link GongjiRetryableException}: it never reached the
   * gateway's ledger (connection refused, no route, shed at admission) or the gateway said so (its
   * deadline passed before the ledger reached it): send it again, the same request id is safe. As a {@link GongjiRejectedException}: the outcome was unknown, the client
   * looked it up and, finding it had not taken effect, reversed it: it did not happen and never will;
   * send the sale again with a new request id. Either way {@link GongjiException#notApplied()}.
   */
  NOT_APPLIED,
  /** A reason this SDK version does not know. */
  UNKNOWN;

  static RejectionReason of(String reason) {
    try {
      return valueOf(reason);
    } catch (IllegalArgumentException | NullPointerException e) {
      return UNKNOWN;
    }
  }
}
