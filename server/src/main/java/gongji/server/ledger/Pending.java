package gongji.server.ledger;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * A command queued for the {@link Sequencer}: its caller's future (null for the sequencer's own
 * ticks), the executor its result is completed on, how many times it was looked up again in history,
 * and its caller's deadline in {@link System#nanoTime} terms ({@link Long#MAX_VALUE}: none).
 */
record Pending(Command command, CompletableFuture<Result> future, Executor replyOn, int recalls,
    long deadlineNanos) {}
