package gongji.server.grpc;

import gongji.server.ledger.Result;
import gongji.server.ledger.Result.Rejected;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/** Sends the outcome of a call: the translated result, or the mapped error. */
final class Replies {
  private Replies() {}

  /**
   * Runs {@code call} (which translates and validates the request, then returns the gateway's
   * future) and sends what it completes with. Bad input thrown while translating becomes
   * INVALID_ARGUMENT; nothing escapes as an unmapped exception.
   */
  static <T> void send(StreamObserver<T> out, Map<String, String> metadata, Supplier<CompletableFuture<Result>> call,
      Function<Result, T> translate) {
    CompletableFuture<Result> future;
    try {
      future = call.get();
    } catch (RuntimeException e) {
      fail(out, Errors.failure(e, metadata));
      return;
    }
    // A command still in the ledger keeps the call's place until it leaves the writer, even if the
    // call goes away first (InFlightBound); given back below at the latest, whatever the reply did.
    InFlightBound.Place<?, ?> place = InFlightBound.atLedger(future);
    future.whenComplete((result, error) -> {
      try {
        reply(out, metadata, result, error, translate);
      } finally {
        InFlightBound.release(place);
      }
    });
  }

  private static <T> void reply(StreamObserver<T> out, Map<String, String> metadata, Result result, Throwable error,
      Function<Result, T> translate) {
    if (error != null) {
      fail(out, Errors.failure(error, metadata));
    } else if (result instanceof Rejected r) {
      fail(out, Errors.rejected(r, metadata));
    } else {
      T reply;
      try {
        reply = translate.apply(result);
      } catch (RuntimeException e) {
        fail(out, Errors.failure(e, metadata));
        return;
      }
      try {
        out.onNext(reply);
        out.onCompleted();
      } catch (StatusRuntimeException cancelled) {
        // The client went away; the outcome stays recorded under its request id.
      }
    }
  }

  private static void fail(StreamObserver<?> out, StatusRuntimeException e) {
    try {
      out.onError(e);
    } catch (StatusRuntimeException cancelled) {
      // The client went away.
    }
  }
}
