package gongji.client.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client interceptor that fails the first {@code n} calls of one method locally with a status,
 * without sending them (as if the deadline passed before the request left the terminal), and keeps
 * the requests it held back so that a test can send the very same request later.
 */
public final class ClientFault implements ClientInterceptor {
  private final String method;
  private final Status status;
  private final AtomicInteger remaining;
  private final List<Object> withheld = new CopyOnWriteArrayList<>();
  private final Executor callbacks = ForkJoinPool.commonPool();

  private ClientFault(MethodDescriptor<?, ?> method, int n, Status status) {
    this.method = method.getFullMethodName();
    this.status = status;
    this.remaining = new AtomicInteger(n);
  }

  /** The first {@code n} calls of {@code method} fail with DEADLINE_EXCEEDED and are never sent. */
  public static ClientFault deadlineBeforeSending(int n, MethodDescriptor<?, ?> method) {
    return new ClientFault(method, n,
        Status.DEADLINE_EXCEEDED.withDescription("injected: the deadline passed before the request was sent"));
  }

  /** The requests that were failed locally, in order. */
  @SuppressWarnings("unchecked")
  public <Q> List<Q> withheld(MethodDescriptor<Q, ?> method) {
    return (List<Q>) List.copyOf(withheld);
  }

  @Override
  public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> m, CallOptions options, Channel next) {
    if (!m.getFullMethodName().equals(method) || remaining.getAndUpdate(r -> Math.max(0, r - 1)) == 0) {
      return next.newCall(m, options);
    }
    return new ClientCall<Q, A>() {
      private Listener<A> listener;

      @Override
      public void start(Listener<A> responseListener, Metadata headers) {
        this.listener = responseListener;
      }

      @Override
      public void request(int numMessages) {}

      @Override
      public void cancel(String message, Throwable cause) {}

      @Override
      public void halfClose() {
        Listener<A> l = listener;
        callbacks.execute(() -> l.onClose(status, new Metadata()));
      }

      @Override
      public void sendMessage(Q message) {
        withheld.add(message);
      }
    };
  }
}
