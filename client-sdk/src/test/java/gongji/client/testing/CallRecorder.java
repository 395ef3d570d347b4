package gongji.client.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Deadline;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client interceptor that records every call the client starts (its method and the deadline in
 * its {@link CallOptions}) and every request message it sends.
 */
public final class CallRecorder implements ClientInterceptor {
  /** One call as the client started it. */
  public record Call(String method, Deadline deadline) {
    /** The method's short name, e.g. "Settle". */
    public String shortName() {
      return method.substring(method.lastIndexOf('/') + 1);
    }
  }

  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<Object> requests = new CopyOnWriteArrayList<>();

  /** Every call started so far, in order. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** Every request message sent so far, in order. */
  public List<Object> requests() {
    return List.copyOf(requests);
  }

  @Override
  public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
    calls.add(new Call(method.getFullMethodName(), options.getDeadline()));
    return new SimpleForwardingClientCall<Q, A>(next.newCall(method, options)) {
      @Override
      public void sendMessage(Q message) {
        requests.add(message);
        super.sendMessage(message);
      }
    };
  }
}
