package gongji.server.national;

import com.fasterxml.jackson.databind.JsonNode;
import gongji.server.ledger.Result;
import gongji.server.ledger.Result.Rejected;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * What one transaction answers: its {@code output}, or the gateway's refusal, which
 * {@link NationalService} writes as {@code infcode -1}. Exactly one of the two is set.
 */
record Reply(Output output, Rejected refused) {

  static Reply of(JsonNode output) {
    return new Reply(Output.of(output), null);
  }

  static Reply of(Output output) {
    return new Reply(output, null);
  }

  static Reply refused(Rejected refused) {
    return new Reply(null, refused);
  }

  static CompletableFuture<Reply> refusedNow(Rejected refused) {
    return CompletableFuture.completedFuture(refused(refused));
  }

  /** A gateway result as a reply: a refusal as it is, anything else through {@code out}. */
  static CompletableFuture<Reply> translate(CompletableFuture<Result> f, Function<Result, JsonNode> out) {
    return f.thenApply(r -> r instanceof Rejected x ? refused(x) : of(out.apply(r)));
  }

  /** The same, for an output that writes itself. */
  static CompletableFuture<Reply> stream(CompletableFuture<Result> f, Function<Result, Output> out) {
    return f.thenApply(r -> r instanceof Rejected x ? refused(x) : of(out.apply(r)));
  }

  /** Turns a {@link RefusedException} met in a chain of calls back into a refusal reply. */
  static CompletableFuture<Reply> refusalsAsReplies(CompletableFuture<Reply> f) {
    return f.exceptionallyCompose(e -> {
      Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
      return c instanceof RefusedException r ? refusedNow(r.rejected) : CompletableFuture.failedFuture(c);
    });
  }

  /** A refusal met in the middle of a chain of calls; it ends the chain and becomes the reply. */
  static final class RefusedException extends RuntimeException {
    final transient Rejected rejected;

    RefusedException(Rejected rejected) {
      super(rejected.detail(), null, false, false);
      this.rejected = rejected;
    }
  }
}
