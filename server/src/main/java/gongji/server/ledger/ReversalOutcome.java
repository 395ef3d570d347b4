package gongji.server.ledger;

/** What a reversal did. */
public enum ReversalOutcome {
  /** The original had been applied and is now undone. */
  REVERSED,
  /** The original had not arrived; its id is now refused. */
  NOT_RECEIVED,
  /** The original had been refused; there was nothing to undo. */
  ORIGINAL_FAILED
}
