package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import gongji.server.cache.RateBuckets;
import gongji.server.text.SafeText;
import gongji.v1.AuthorizeRequest;
import gongji.v1.CancelRequest;
import gongji.v1.GetTransactionRequest;
import gongji.v1.IdentifyRequest;
import gongji.v1.RefundRequest;
import gongji.v1.ReverseRequest;
import gongji.v1.SettleRequest;
import gongji.v1.Terminal;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Admission per caller: each settlement call takes a token from its terminal's bucket and from its
 * institution's ({@link RateBuckets}), on the event loop that read it, before the service sees it.
 * A call that finds a bucket empty is answered RESOURCE_EXHAUSTED (reason {@code RATE_LIMITED},
 * a RetryInfo of when the bucket admits the next call) and never reaches the gateway or the ledger,
 * so nothing is applied and its request id stays unused. A burst from one terminal is thus shed
 * while the institution's other terminals, and other institutions, go on.
 *
 * <p>Whose bucket: the credential's. A terminal credential is charged to its own terminal whatever
 * the body names (a body naming another is refused later anyway), so no caller can empty another's
 * bucket; an institution-wide credential (an HIS) to the terminal its body names within its own
 * institution. A body whose terminal is malformed is left to validation, which refuses it before the
 * gateway. Without a credential ({@code auth.required=false}: loopback development and the load
 * generator) there is no caller to charge: a body's claim is no identity, and a bucket per claim
 * would stop nobody who rotates claims. The global bound on queued commands still holds there.
 */
public final class Admission implements ServerInterceptor {
  private static final Logger log = Logger.getLogger(Admission.class.getName());
  private static final RateLimitedLog SHED_LOG = RateLimitedLog.perMinute(log);

  /** Told of every call shed, by the bucket that refused it. Must not block. */
  public interface Observer {
    Observer NONE = scope -> {};

    /** {@code scope}: "terminal" or "institution". */
    void shed(String scope);
  }

  private final RateBuckets terminals;
  private final RateBuckets institutions;
  private final Observer observer;

  /** Admission by {@code terminals} and {@code institutions} (either null: no limit of that kind). */
  public Admission(RateBuckets terminals, RateBuckets institutions, Observer observer) {
    this.terminals = terminals;
    this.institutions = institutions;
    this.observer = requireNonNull(observer, "observer");
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
      private boolean shed;

      @Override
      public void onMessage(Q message) {
        StatusRuntimeException refused = admit(message);
        if (refused == null) {
          super.onMessage(message);
          return;
        }
        shed = true;
        call.close(refused.getStatus(), requireNonNull(refused.getTrailers()));
      }

      @Override
      public void onHalfClose() {
        if (!shed) {
          super.onHalfClose();
        }
      }
    };
  }

  /** Takes the call's tokens: null when admitted, else the refusal to answer. */
  private StatusRuntimeException admit(Object message) {
    Terminal body = terminalOf(message);
    if (body == null || !(CallerAuth.PRINCIPAL.get() instanceof Principal.Terminal t)) {
      return null;
    }
    String institution = t.institution();
    String terminalId = t.terminalId() != null ? t.terminalId() : body.getTerminalId();
    if (!Validator.TERMINAL_ID.matches(terminalId)) {
      return null;
    }
    String terminal = institution + "/" + terminalId;
    long wait = terminals == null ? 0 : terminals.take(terminal);
    if (wait > 0) {
      return refuse("terminal", terminal, wait);
    }
    wait = institutions == null ? 0 : institutions.take(institution);
    if (wait > 0) {
      if (terminals != null) {
        terminals.giveBack(terminal);
      }
      return refuse("institution", institution, wait);
    }
    return null;
  }

  private StatusRuntimeException refuse(String scope, String caller, long waitNanos) {
    observer.shed(scope);
    SHED_LOG.log(Level.WARNING, scope + ":" + caller,
        () -> "RATE_LIMITED " + scope + " " + SafeText.escape(caller) + ": calls shed over its rate (admission."
            + scope + ".rate)");
    return Errors.rateLimited(scope, waitNanos, Map.of("scope", scope, "caller", caller));
  }

  /** The terminal a settlement request names, or null for a message that names none. */
  static Terminal terminalOf(Object message) {
    if (message instanceof AuthorizeRequest r) {
      return r.getTerminal();
    } else if (message instanceof SettleRequest r) {
      return r.getTerminal();
    } else if (message instanceof IdentifyRequest r) {
      return r.getTerminal();
    } else if (message instanceof GetTransactionRequest r) {
      return r.getTerminal();
    } else if (message instanceof CancelRequest r) {
      return r.getTerminal();
    } else if (message instanceof RefundRequest r) {
      return r.getTerminal();
    } else if (message instanceof ReverseRequest r) {
      return r.getTerminal();
    }
    return null;
  }
}
