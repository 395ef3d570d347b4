package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gongji.server.gateway.CallsInFlight;
import gongji.server.ledger.DeadlinePassedException;
import gongji.server.ledger.LedgerUnavailableException;
import gongji.server.ledger.Outcome;
import gongji.server.ledger.Result;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The bound on calls in flight, call by call, with gRPC's own unary handler over a call the test
 * drives (message, half-close, cancellation in the order it chooses) and a ledger future the test
 * completes: a call takes its place when its request has all arrived (its half-close), each admitted
 * call gives its place back exactly once, a call gone away before its command reached the ledger at
 * once, one gone away after only when that command has left the writer.
 */
class InFlightBoundTest {
  private final List<Long> held = new ArrayList<>();
  private final AtomicInteger shed = new AtomicInteger();
  private final CallsInFlight calls = new CallsInFlight(2, new CallsInFlight.Observer() {
    @Override
    public void shed(String via) {
      shed.incrementAndGet();
    }

    @Override
    public void held(String via, long heldNanos) {
      held.add(heldNanos);
    }
  });
  private final InFlightBound bound = new InFlightBound(calls);
  private final AtomicInteger refusedAwaitingBody = new AtomicInteger();
  private final AtomicInteger bodyTimeouts = new AtomicInteger();
  private final InFlightBound.BodyObserver bodyObserver = new InFlightBound.BodyObserver() {
    @Override
    public void refusedAwaitingBody() {
      refusedAwaitingBody.incrementAndGet();
    }

    @Override
    public void bodyTimedOut() {
      bodyTimeouts.incrementAndGet();
    }
  };
  private long nowNanos;

  /** A bound of at most {@code maxAwaitingBody} calls awaiting their request, for 1 s each on the test's clock. */
  private InFlightBound timed(int maxAwaitingBody) {
    return new InFlightBound(calls, maxAwaitingBody, Duration.ofSeconds(1), bodyObserver, () -> nowNanos);
  }

  @Test
  void aCallWhoseRequestDoesNotArriveInTime_isEndedUnread_andOneWhoseRequestArrives_isNot() throws Exception {
    InFlightBound timed = timed(8);
    Runnable sweep = timed.timeBodiesOnThisThread();
    Call stalled = start(timed, () -> new CompletableFuture<>());
    nowNanos = 600_000_000L;
    Call later = start(timed, () -> new CompletableFuture<>());
    Call served = start(timed, () -> new CompletableFuture<>());
    served.listener.onMessage("sale");
    served.listener.onHalfClose();
    stalled.listener.onMessage("sale"); // its message, but never its half-close
    assertEquals(2, timed.awaitingBody());

    nowNanos = 999_999_999L;
    sweep.run();
    assertNull(stalled.closed, "within its time");
    nowNanos = 1_000_000_000L;
    sweep.run();

    assertEquals(Status.Code.UNAVAILABLE, stalled.closed.getCode());
    assertEquals("REQUEST_BODY_TIMEOUT", com.google.rpc.ErrorInfo.parseFrom(
        io.grpc.protobuf.StatusProto.fromStatusAndTrailers(stalled.closed, stalled.trailers).getDetails(0).getValue())
        .getReason());
    assertNull(later.closed, "headers 0.6 s ago: not yet");
    assertNull(served.closed, "its request arrived: never ended for it");
    assertEquals(1, timed.awaitingBody());
    assertEquals(1, bodyTimeouts.get());
    stalled.listener.onHalfClose(); // its end of stream, too late
    stalled.listener.onComplete();
    assertEquals(0, stalled.started, "its handler never ran: nothing reached the ledger");
    assertEquals(1, calls.inFlight(), "only the served call holds a place");
    assertEquals(1, stalled.closes);

    nowNanos = 1_600_000_000L;
    sweep.run();
    assertEquals(Status.Code.UNAVAILABLE, later.closed.getCode());
    assertEquals(0, timed.awaitingBody());
    assertEquals(2, bodyTimeouts.get());
  }

  @Test
  void aCallAnsweredBeforeItsRequestArrived_isNotEndedAgainNorCountedAsTimedOut() {
    InFlightBound timed = timed(8);
    Runnable sweep = timed.timeBodiesOnThisThread();
    Call call = new Call(() -> new CompletableFuture<>());
    List<ServerCall<String, String>> inner = new ArrayList<>();
    call.listener = timed.interceptCall(call.call(), new Metadata(), (c, headers) -> {
      inner.add(c);
      return new ServerCall.Listener<>() {};
    });
    inner.get(0).close(Status.RESOURCE_EXHAUSTED, new Metadata()); // as a caller over its rate is answered

    nowNanos = 1_000_000_000L;
    sweep.run();

    assertEquals(1, call.closes, "answered once");
    assertEquals(0, bodyTimeouts.get());
    assertEquals(0, timed.awaitingBody());
    call.listener.onComplete();
    assertEquals(0, timed.awaitingBody());
  }

  @Test
  void overTheBoundOnCallsAwaitingTheirRequest_aCallIsRefusedAtItsHeaders_untilOneStopsWaiting() {
    InFlightBound timed = timed(2);
    Call first = start(timed, () -> new CompletableFuture<>());
    Call second = start(timed, () -> new CompletableFuture<>());

    Call refused = start(timed, () -> new CompletableFuture<>());

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.closed.getCode());
    assertEquals(1, refusedAwaitingBody.get());
    assertEquals(2, timed.awaitingBody(), "the refused call never counted");
    refused.listener.onMessage("sale");
    refused.listener.onHalfClose();
    assertEquals(0, refused.started, "its handler never runs");
    assertEquals(0, calls.inFlight());

    first.listener.onMessage("sale");
    first.listener.onHalfClose();
    assertEquals(1, timed.awaitingBody(), "its request arrived: it awaits it no more");
    Call third = start(timed, () -> new CompletableFuture<>());
    assertNull(third.closed);
    second.listener.onCancel();
    third.listener.onCancel();
    third.listener.onComplete();
    first.listener.onCancel();
    assertEquals(0, timed.awaitingBody(), "each counted out once, however it ended");
  }

  @Test
  void reply_givesThePlaceBackOnce_beforeTheReplyLeaves() {
    CompletableFuture<Result> ledger = new CompletableFuture<>();
    Call call = start(() -> ledger);
    call.listener.onMessage("sale");
    call.listener.onHalfClose();
    assertEquals(1, calls.inFlight());

    ledger.complete(new Result.Done());

    assertEquals(Status.Code.OK, call.closed.getCode());
    assertEquals(0, call.inFlightAtClose, "the place was free when the reply left");
    call.listener.onComplete();
    assertEquals(0, calls.inFlight());
    assertEquals(1, held.size(), "one place given back, timed once");
  }

  @Test
  void aCallWhoseRequestHasNotAllArrived_holdsNoPlace_andGoingAwayThenGivesNothingBack() {
    Call first = start(() -> new CompletableFuture<>());
    Call second = start(() -> new CompletableFuture<>());
    Call third = start(() -> new CompletableFuture<>());
    first.listener.onMessage("sale");
    assertEquals(0, calls.inFlight(), "headers and a message, but no half-close yet: no place taken");

    first.listener.onCancel();
    second.listener.onCancel();

    assertEquals(0, calls.inFlight());
    assertEquals(0, held.size(), "nothing was taken, nothing is given back or timed");
    third.listener.onMessage("sale");
    third.listener.onHalfClose();
    assertEquals(1, calls.inFlight(), "the third, whose request arrived, takes a place then");
  }

  @Test
  void aFullBound_refusesTheCallWhoseRequestArrives_notTheOnesStillArriving() {
    Call[] waiting = {start(() -> new CompletableFuture<>()), start(() -> new CompletableFuture<>()),
        start(() -> new CompletableFuture<>())};
    Call late = start(() -> new CompletableFuture<>());
    for (Call c : waiting) {
      c.listener.onMessage("sale");
      c.listener.onHalfClose();
    }

    assertEquals(2, calls.inFlight());
    assertNull(waiting[0].closed);
    assertNull(waiting[1].closed);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, waiting[2].closed.getCode(), "refused when its request is whole");
    assertEquals(0, waiting[2].started, "its handler never ran: nothing reached the ledger");
    assertNull(late.closed, "a call whose request is still arriving is not refused for it");
    waiting[2].listener.onComplete();
    assertEquals(2, calls.inFlight(), "a refused call gives back nothing");
    assertEquals(1, shed.get());
  }

  @Test
  void cancelledWhileItsCommandIsInTheWriter_keepsThePlace_untilTheCommandLeavesIt() {
    CompletableFuture<Result> ledger = new CompletableFuture<>();
    Call call = start(() -> ledger);
    call.listener.onMessage("sale");
    call.listener.onHalfClose();

    call.listener.onCancel();

    assertEquals(1, calls.inFlight(), "the command still waits in the writer: its place stays taken");
    assertEquals(0, held.size());
    CompletableFuture<Result> otherLedger = new CompletableFuture<>();
    Call other = start(() -> otherLedger);
    Call third = start(() -> new CompletableFuture<>());
    for (Call c : List.of(other, third)) {
      c.listener.onMessage("sale");
      c.listener.onHalfClose();
    }
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, third.closed.getCode(), "the bound counts it");
    otherLedger.complete(new Result.Done());

    ledger.complete(new Result.Done());

    assertEquals(0, calls.inFlight());
    assertEquals(2, held.size(), "the cancelled call and the other one, each once");
    assertEquals(1, shed.get());
  }

  @Test
  void cancelledThenItsDeadlinePassesInTheWriter_placeGivenBackWhenTheWriterRefusesIt() {
    CompletableFuture<Result> ledger = new CompletableFuture<>();
    Call call = start(() -> ledger);
    call.listener.onMessage("sale");
    call.listener.onHalfClose();
    call.listener.onCancel();

    ledger.completeExceptionally(new DeadlinePassedException("late"));

    assertEquals(0, calls.inFlight());
    assertEquals(1, held.size());
  }

  @Test
  void poisonedLedger_failsTheCall_andGivesThePlaceBackOnce_whetherOrNotTheCallWentAway() {
    CompletableFuture<Result> first = new CompletableFuture<>();
    CompletableFuture<Result> second = new CompletableFuture<>();
    Call waiting = start(() -> first);
    Call gone = start(() -> second);
    for (Call c : List.of(waiting, gone)) {
      c.listener.onMessage("sale");
      c.listener.onHalfClose();
    }
    gone.listener.onCancel();

    first.completeExceptionally(new LedgerUnavailableException("poisoned"));
    second.completeExceptionally(new LedgerUnavailableException("poisoned"));

    assertEquals(Status.Code.UNAVAILABLE, waiting.closed.getCode());
    waiting.listener.onComplete();
    assertEquals(0, calls.inFlight());
    assertEquals(2, held.size());
  }

  @Test
  void refusedBeforeTheLedger_repliesAtOnce_andALaterCancellationGivesNothingBackTwice() {
    Call call = start(() -> CompletableFuture.completedFuture(
        new Result.Rejected(Outcome.TERMINAL_NOT_REGISTERED, "terminal_id POS99 is not registered")));
    call.listener.onMessage("sale");
    call.listener.onHalfClose();

    assertEquals(Status.Code.PERMISSION_DENIED, call.closed.getCode());
    call.listener.onCancel();
    call.listener.onComplete();
    assertEquals(0, calls.inFlight());
    assertEquals(1, held.size());
  }

  @Test
  void badInput_orAHandlerThatThrows_givesThePlaceBackOnce() {
    Call bad = start(() -> {
      throw new BadInputException(List.of(com.google.rpc.BadRequest.FieldViolation.newBuilder()
          .setField("request_id").setDescription("empty").build()));
    });
    bad.listener.onMessage("sale");
    bad.listener.onHalfClose();
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.closed.getCode());
    bad.listener.onComplete();

    Call broken = start(null);
    broken.listener.onMessage("sale");
    assertThrows(IllegalStateException.class, broken.listener::onHalfClose);
    // gRPC closes a call whose handler threw, and tells its listener it was cancelled.
    broken.listener.onCancel();

    assertEquals(0, calls.inFlight());
    assertEquals(2, held.size());
  }

  @Test
  void aCallAnsweredBeforeItsRequestArrived_takesNoPlace_andIsNotAnsweredTwice() {
    // As the per-caller rate limit, inside the bound, does: it answers at the call's start.
    ServerCallHandler<String, String> overItsRate = (c, h) -> {
      c.close(Status.RESOURCE_EXHAUSTED.withDescription("RATE_LIMITED"), new Metadata());
      return new ServerCall.Listener<>() {};
    };
    Call call = new Call(null);
    call.listener = bound.interceptCall(call.call(), new Metadata(), overItsRate);

    call.listener.onMessage("sale");
    call.listener.onHalfClose();
    call.listener.onComplete();

    assertEquals(1, call.closes, "answered once, by the rate limit");
    assertEquals("RATE_LIMITED", call.closed.getDescription());
    assertEquals(0, calls.inFlight());
    assertEquals(0, shed.get(), "not counted as shed by the bound");
    assertEquals(0, held.size());
  }

  @Test
  void handlerThatFailsToStart_holdsNothing() {
    ServerCallHandler<String, String> failing = (c, h) -> {
      throw new IllegalStateException("cannot start");
    };

    assertThrows(IllegalStateException.class, () -> bound.interceptCall(new Call(null).call(), new Metadata(), failing));

    assertEquals(0, calls.inFlight());
    assertEquals(0, held.size());
  }

  @Test
  void atLedger_outsideAnAdmittedCall_orWithAFutureAlreadyComplete_holdsNothing() {
    assertNull(InFlightBound.atLedger(new CompletableFuture<>()));
    assertNull(InFlightBound.atLedger(CompletableFuture.completedFuture(null)));
    InFlightBound.release(null);
  }

  /** A unary call through the bound to gRPC's own unary handler, whose method sends what {@code ledger} gives. */
  private Call start(Supplier<CompletableFuture<Result>> ledger) {
    return start(bound, ledger);
  }

  private Call start(InFlightBound bound, Supplier<CompletableFuture<Result>> ledger) {
    Call c = new Call(ledger);
    ServerCallHandler<String, String> handler = ServerCalls.asyncUnaryCall((String req, io.grpc.stub.StreamObserver<String> out) -> {
      c.started++;
      if (c.ledger == null) {
        throw new IllegalStateException("a bug in the handler");
      }
      Replies.send(out, Map.of(), c.ledger, r -> "done");
    });
    c.listener = bound.interceptCall(c.call(), new Metadata(), handler);
    return c;
  }

  private final class Call {
    final Supplier<CompletableFuture<Result>> ledger;
    ServerCall.Listener<String> listener;
    Status closed;
    Metadata trailers;
    int closes;
    int started;
    int inFlightAtClose = -1;
    boolean cancelled;

    Call(Supplier<CompletableFuture<Result>> ledger) {
      this.ledger = ledger;
    }

    ServerCall<String, String> call() {
      return new ServerCall<>() {
        @Override
        public void request(int numMessages) {}

        @Override
        public void sendHeaders(Metadata headers) {}

        @Override
        public void sendMessage(String message) {}

        @Override
        public void close(Status status, Metadata trailers) {
          closes++;
          closed = status;
          Call.this.trailers = trailers;
          inFlightAtClose = calls.inFlight();
        }

        @Override
        public boolean isCancelled() {
          return cancelled;
        }

        @Override
        public MethodDescriptor<String, String> getMethodDescriptor() {
          return METHOD;
        }
      };
    }
  }

  private static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  };

  private static final MethodDescriptor<String, String> METHOD = MethodDescriptor.<String, String>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("test.Test/Sale")
      .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();
}
