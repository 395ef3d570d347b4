package gongji.server.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.Code;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Bytes that are not a valid request message (a string field that is not UTF-8, a truncated varint,
 * a wrong wire type) answer INVALID_ARGUMENT with {@code FIELD_INVALID}, and are logged once a
 * minute per method and kind of fault, without a stack trace. Left to grpc-java, the parse failure
 * escapes the call listener: the caller gets UNKNOWN and the log a stack trace per call.
 *
 * <p>How: each method's request marshaller is wrapped. Where the protobuf parser fails, the wrapper
 * leaves the failure in a thread-local and hands on the empty message; grpc-java parses a request
 * and delivers it to the listeners on the same thread, so the interceptor's listener, which
 * receives it next, takes the failure and closes the call instead of passing the message on. Every
 * parse sets the thread-local (null when it succeeded), so a failure cannot reach another call.
 * The method descriptors keep their message types: other interceptors see typed messages as before.
 */
public final class MalformedRequests implements ServerInterceptor {
  private static final Logger log = Logger.getLogger(MalformedRequests.class.getName());
  private static final MalformedRequests INSTANCE = new MalformedRequests(RateLimitedLog.perMinute(log));
  /** The failure of the last parse on this thread, or null when it succeeded. */
  private static final ThreadLocal<InvalidProtocolBufferException> LAST_FAILURE = new ThreadLocal<>();

  private final RateLimitedLog rateLimitedLog;

  MalformedRequests(RateLimitedLog rateLimitedLog) {
    this.rateLimitedLog = rateLimitedLog;
  }

  /** {@code service}, answering malformed requests as described above. */
  public static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServerServiceDefinition intercepted = ServerInterceptors.intercept(service, INSTANCE);
    ServiceDescriptor old = intercepted.getServiceDescriptor();
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(old.getName())
        .setSchemaDescriptor(old.getSchemaDescriptor());
    for (ServerMethodDefinition<?, ?> m : intercepted.getMethods()) {
      ServerMethodDefinition<?, ?> guarded = guarded(m);
      methods.add(guarded);
      descriptor.addMethod(guarded.getMethodDescriptor());
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    for (ServerMethodDefinition<?, ?> m : methods) {
      b.addMethod(m);
    }
    return b.build();
  }

  private static <Q, A> ServerMethodDefinition<Q, A> guarded(ServerMethodDefinition<Q, A> m) {
    MethodDescriptor<Q, A> d = m.getMethodDescriptor();
    if (!(d.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<Q> proto)) {
      return m;
    }
    return ServerMethodDefinition.create(
        d.toBuilder(new Guarded<>(proto), d.getResponseMarshaller()).build(), m.getServerCallHandler());
  }

  /** A protobuf marshaller whose parse failure is left for the listener instead of thrown. */
  private static final class Guarded<T> implements MethodDescriptor.PrototypeMarshaller<T> {
    private final MethodDescriptor.PrototypeMarshaller<T> delegate;

    Guarded(MethodDescriptor.PrototypeMarshaller<T> delegate) {
      this.delegate = delegate;
    }

    @Override
    public InputStream stream(T value) {
      return delegate.stream(value);
    }

    @Override
    public T parse(InputStream stream) {
      try {
        T message = delegate.parse(stream);
        if (LAST_FAILURE.get() != null) {
          LAST_FAILURE.remove();
        }
        return message;
      } catch (StatusRuntimeException e) {
        InvalidProtocolBufferException bad = malformation(e);
        if (bad == null) {
          throw e;
        }
        LAST_FAILURE.set(bad);
        return delegate.getMessagePrototype();
      }
    }

    @Override
    public T getMessagePrototype() {
      return delegate.getMessagePrototype();
    }

    @Override
    public Class<T> getMessageClass() {
      return delegate.getMessageClass();
    }
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    return new SimpleForwardingServerCallListener<Q>(next.startCall(call, headers)) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        InvalidProtocolBufferException bad = LAST_FAILURE.get();
        if (bad != null) {
          LAST_FAILURE.remove();
          if (!refused) {
            refused = true;
            refuse(call, bad);
          }
          return;
        }
        if (!refused) {
          super.onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  /** The parse failure behind {@code e}, or null when {@code e} is something else. */
  private static InvalidProtocolBufferException malformation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InvalidProtocolBufferException bad) {
        return bad;
      }
    }
    return null;
  }

  private void refuse(ServerCall<?, ?> call, InvalidProtocolBufferException bad) {
    String method = call.getMethodDescriptor().getFullMethodName();
    String fault = String.valueOf(bad.getMessage());
    rateLimitedLog.log(Level.WARNING, method + ":" + bad.getClass().getSimpleName() + ":" + cause(fault),
        () -> "malformed request to " + method + " from " + call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)
            + ": " + fault + " (answered INVALID_ARGUMENT)");
    StatusRuntimeException e = Errors.exception(Code.INVALID_ARGUMENT, "FIELD_INVALID",
        "FIELD_INVALID: the request is not a valid message for " + method + ": " + fault, java.util.Map.of("method", method));
    call.close(e.getStatus(), e.getTrailers());
  }

  /** A short key for the kind of fault: the message up to its first period (protobuf's are fixed text). */
  private static String cause(String fault) {
    int end = fault.indexOf('.');
    return fault.substring(0, Math.min(end < 0 ? fault.length() : end, 80));
  }
}
