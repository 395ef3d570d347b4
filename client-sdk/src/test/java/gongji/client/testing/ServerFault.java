package gongji.client.testing;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server interceptor that injects one fault into the first {@code n} calls of one method, and
 * records the {@code request_id} of every call of that method in the order they arrive (so a test
 * can see what each retry carried).
 */
public final class ServerFault implements ServerInterceptor {
  /** What goes wrong. */
  public enum Kind {
    /** The call fails with UNAVAILABLE before the handler runs: the gateway never sees it. */
    UNAVAILABLE_BEFORE_HANDLER,
    /**
     * The call is refused as the gateway's admission refuses it when the ledger's queue is full
     * (RESOURCE_EXHAUSTED, reason LEDGER_UNAVAILABLE) before the handler runs.
     */
    SHED_BEFORE_HANDLER,
    /**
     * The call is refused as the gateway refuses one over its bound on calls in flight
     * (RESOURCE_EXHAUSTED, reason OVERLOADED, the cashier's text, RetryInfo) before the handler runs.
     */
    OVERLOADED_BEFORE_HANDLER,
    /** As {@link #OVERLOADED_BEFORE_HANDLER}, with a RetryInfo of a minute: longer than any test's deadline. */
    OVERLOADED_FOR_A_MINUTE_BEFORE_HANDLER,
    /**
     * The call is answered as the gateway answers one whose deadline passed before its ledger reached
     * it (DEADLINE_EXCEEDED, reason NOT_APPLIED, RetryInfo) before the handler runs.
     */
    NOT_APPLIED_BEFORE_HANDLER,
    /**
     * The call is ended as the gateway ends one whose request did not arrive whole in time
     * (UNAVAILABLE, reason REQUEST_BODY_TIMEOUT, RetryInfo) before the handler runs.
     */
    BODY_TIMEOUT_BEFORE_HANDLER,
    /** The handler runs (the gateway applies it) but the reply is lost: the client gets UNAVAILABLE. */
    REPLY_LOST_AS_UNAVAILABLE,
    /** The handler runs but its reply is held until the client has given up on the call. */
    REPLY_HELD_UNTIL_CLIENT_GIVES_UP
  }

  private final Kind kind;
  private final String method;
  private final AtomicInteger remaining;
  private final AtomicInteger injected = new AtomicInteger();
  private final List<String> requestIds = new CopyOnWriteArrayList<>();
  private final List<Status> handlerStatuses = new CopyOnWriteArrayList<>();
  private final CountDownLatch handlerReplied = new CountDownLatch(1);

  private ServerFault(Kind kind, MethodDescriptor<?, ?> method, int n) {
    this.kind = kind;
    this.method = method.getFullMethodName();
    this.remaining = new AtomicInteger(n);
  }

  /** {@code kind} for the first {@code n} calls of {@code method}; later calls go through untouched. */
  public static ServerFault firstCalls(int n, MethodDescriptor<?, ?> method, Kind kind) {
    return new ServerFault(kind, method, n);
  }

  /** The request id of every call of the method, in arrival order, faulty or not. */
  public List<String> requestIds() {
    return List.copyOf(requestIds);
  }

  /** How many faults were injected. */
  public int injected() {
    return injected.get();
  }

  /** Waits until at least {@code n} faults were injected; false if that took longer than the timeout. */
  public boolean awaitInjected(int n, long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
    long until = System.nanoTime() + unit.toNanos(timeout);
    synchronized (injected) {
      while (injected.get() < n) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(injected, left);
      }
      return true;
    }
  }

  /** What the handler answered in the calls whose reply was lost or held (the gateway's own outcome). */
  public List<Status> handlerStatuses() {
    return List.copyOf(handlerStatuses);
  }

  /** Waits until the handler of a faulty call answered (so the gateway decided before the fault). */
  public boolean awaitHandlerReplied(long timeout, TimeUnit unit) throws InterruptedException {
    return handlerReplied.await(timeout, unit);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    if (!call.getMethodDescriptor().getFullMethodName().equals(method)) {
      return next.startCall(call, headers);
    }
    if (remaining.getAndUpdate(r -> Math.max(0, r - 1)) == 0) {
      return recording(next.startCall(call, headers));
    }
    injected.incrementAndGet();
    synchronized (injected) {
      injected.notifyAll();
    }
    return switch (kind) {
      case UNAVAILABLE_BEFORE_HANDLER -> failBeforeHandler(call,
          Status.UNAVAILABLE.withDescription("injected: unavailable before the handler ran"), new Metadata());
      case SHED_BEFORE_HANDLER -> failBeforeHandler(call, Status.RESOURCE_EXHAUSTED, shedTrailers());
      case NOT_APPLIED_BEFORE_HANDLER -> failBeforeHandler(call, Status.DEADLINE_EXCEEDED, notAppliedTrailers());
      case BODY_TIMEOUT_BEFORE_HANDLER -> failBeforeHandler(call, Status.UNAVAILABLE, bodyTimeoutTrailers());
      case OVERLOADED_BEFORE_HANDLER -> failBeforeHandler(call, Status.RESOURCE_EXHAUSTED,
          overloadedTrailers(com.google.protobuf.Duration.newBuilder().setNanos(100_000_000).build()));
      case OVERLOADED_FOR_A_MINUTE_BEFORE_HANDLER -> failBeforeHandler(call, Status.RESOURCE_EXHAUSTED,
          overloadedTrailers(com.google.protobuf.Duration.newBuilder().setSeconds(60).build()));
      case REPLY_LOST_AS_UNAVAILABLE -> recording(next.startCall(new LostReply<>(call), headers));
      case REPLY_HELD_UNTIL_CLIENT_GIVES_UP -> recording(next.startCall(new HeldReply<>(call, Context.current()), headers));
    };
  }

  /** The trailers of the gateway's own admission refusal (ErrorInfo LEDGER_UNAVAILABLE, RetryInfo). */
  private static Metadata shedTrailers() {
    return io.grpc.protobuf.StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
        .setMessage("injected: LEDGER_UNAVAILABLE: the gateway is overloaded; nothing was applied")
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.ErrorInfo.newBuilder()
            .setReason("LEDGER_UNAVAILABLE").setDomain("gongji.io").build()))
        .build()).getTrailers();
  }

  /** The trailers of the gateway's refusal over its bound on calls in flight (ErrorInfo OVERLOADED, RetryInfo). */
  private static Metadata overloadedTrailers(com.google.protobuf.Duration retryDelay) {
    return io.grpc.protobuf.StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.RESOURCE_EXHAUSTED.value())
        .setMessage("injected: OVERLOADED: the gateway is serving as many calls as it may at once; nothing was applied")
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.ErrorInfo.newBuilder()
            .setReason(gongji.v1.ErrorReason.OVERLOADED.name()).setDomain("gongji.io")
            .putMetadata("max_in_flight", "2048").build()))
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.LocalizedMessage.newBuilder()
            .setLocale("zh-CN").setMessage("系统繁忙，本次请求未处理，请稍后使用相同请求号重试").build()))
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.RetryInfo.newBuilder()
            .setRetryDelay(retryDelay).build()))
        .build()).getTrailers();
  }

  /** The trailers of the gateway's reply when the deadline passed before the ledger (ErrorInfo NOT_APPLIED, RetryInfo). */
  private static Metadata notAppliedTrailers() {
    return io.grpc.protobuf.StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.DEADLINE_EXCEEDED.value())
        .setMessage("injected: NOT_APPLIED: the call's deadline passed before the ledger reached it")
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.ErrorInfo.newBuilder()
            .setReason(gongji.v1.ErrorReason.NOT_APPLIED.name()).setDomain("gongji.io").build()))
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.LocalizedMessage.newBuilder()
            .setLocale("zh-CN").setMessage("请求超时未处理，未生效，请使用相同请求号重新提交").build()))
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.RetryInfo.newBuilder()
            .setRetryDelay(com.google.protobuf.Duration.newBuilder().setNanos(100_000_000)).build()))
        .build()).getTrailers();
  }

  /** The trailers of the gateway's end of a call whose request did not arrive whole in time. */
  private static Metadata bodyTimeoutTrailers() {
    return io.grpc.protobuf.StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.UNAVAILABLE.value())
        .setMessage("injected: REQUEST_BODY_TIMEOUT: the request did not arrive whole in time")
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.ErrorInfo.newBuilder()
            .setReason(gongji.v1.ErrorReason.REQUEST_BODY_TIMEOUT.name()).setDomain("gongji.io").build()))
        .addDetails(com.google.protobuf.Any.pack(com.google.rpc.RetryInfo.newBuilder()
            .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(1)).build()))
        .build()).getTrailers();
  }

  private <Q, A> ServerCall.Listener<Q> failBeforeHandler(ServerCall<Q, A> call, Status status, Metadata trailers) {
    call.request(2);
    return new ServerCall.Listener<Q>() {
      @Override
      public void onMessage(Q message) {
        requestIds.add(requestId(message));
      }

      @Override
      public void onHalfClose() {
        call.close(status, trailers);
      }
    };
  }

  private <Q> ServerCall.Listener<Q> recording(ServerCall.Listener<Q> delegate) {
    return new SimpleForwardingServerCallListener<Q>(delegate) {
      @Override
      public void onMessage(Q message) {
        requestIds.add(requestId(message));
        super.onMessage(message);
      }
    };
  }

  private static String requestId(Object message) {
    Message m = (Message) message;
    FieldDescriptor f = m.getDescriptorForType().findFieldByName("request_id");
    return f == null ? "" : (String) m.getField(f);
  }

  /** Drops the reply; closes with UNAVAILABLE and no headers, which a client may retry. */
  private final class LostReply<Q, A> extends SimpleForwardingServerCall<Q, A> {
    LostReply(ServerCall<Q, A> delegate) {
      super(delegate);
    }

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(A message) {}

    @Override
    public void close(Status status, Metadata trailers) {
      handlerStatuses.add(status);
      handlerReplied.countDown();
      super.close(status.isOk() ? Status.UNAVAILABLE.withDescription("injected: the reply was lost") : status,
          status.isOk() ? new Metadata() : trailers);
    }
  }

  /** Holds the reply until the call's context is cancelled (the client's deadline passed), then sends it. */
  private final class HeldReply<Q, A> extends SimpleForwardingServerCall<Q, A> {
    private final List<Runnable> held = new ArrayList<>();
    private boolean released;

    HeldReply(ServerCall<Q, A> delegate, Context context) {
      super(delegate);
      context.addListener(cancelled -> release(), Runnable::run);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      hold(() -> super.sendHeaders(headers));
    }

    @Override
    public void sendMessage(A message) {
      hold(() -> super.sendMessage(message));
    }

    @Override
    public void close(Status status, Metadata trailers) {
      handlerStatuses.add(status);
      handlerReplied.countDown();
      hold(() -> super.close(status, trailers));
    }

    private void hold(Runnable action) {
      synchronized (this) {
        if (!released) {
          held.add(action);
          return;
        }
      }
      runQuietly(action);
    }

    private void release() {
      List<Runnable> actions;
      synchronized (this) {
        released = true;
        actions = new ArrayList<>(held);
        held.clear();
      }
      actions.forEach(ServerFault::runQuietly);
    }
  }

  private static void runQuietly(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException callAlreadyOver) {
      // The client is gone; the transport may refuse what is sent now. That is the point.
    }
  }

  @Override
  public String toString() {
    return kind + " x" + injected.get() + " on " + method + ", request ids " + Collections.unmodifiableList(requestIds);
  }
}
