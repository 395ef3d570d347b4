package gongji.server.grpc;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.ErrorInfo;
import gongji.server.audit.AuditLog;
import gongji.server.domain.Masking;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Writes an audit record ({@link AuditLog}) for every call that changes something: every method of
 * the {@code gongji.v1} services but the reads ({@code Get*}, {@code List*}, {@code Identify},
 * {@code Reconcile*}). A record says who (the principal the credential proved, and how: a token's
 * hash prefix or a certificate's serial), from where, when, what (the method, and the request's
 * ids, codes, amounts and enums), the result (the status code, the {@code ErrorInfo} reason) and,
 * on success, the reply's ids and amounts. Person numbers, credential numbers and names appear
 * masked only; other free text is left out.
 */
public final class AuditInterceptor implements ServerInterceptor {
  private static final List<String> READS = List.of("Get", "List", "Identify", "Reconcile");

  private final AuditLog audit;
  private final InstantSource clock;

  public AuditInterceptor(AuditLog audit, InstantSource clock) {
    this.audit = requireNonNull(audit, "audit");
    this.clock = requireNonNull(clock, "clock");
  }

  /** Whether calls of {@code method} are audited. */
  static boolean audited(MethodDescriptor<?, ?> method) {
    String service = method.getServiceName();
    String name = method.getBareMethodName();
    if (service == null || !service.startsWith("gongji.v1.") || name == null) {
      return false;
    }
    for (String read : READS) {
      if (name.startsWith(read)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    if (!audited(call.getMethodDescriptor())) {
      return next.startCall(call, headers);
    }
    Instant at = clock.instant();
    Principal who = CallerAuth.PRINCIPAL.get();
    SocketAddress peer = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    Object[] request = new Object[1];
    Object[] reply = new Object[1];
    ServerCall<Q, R> recorded = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void sendMessage(R message) {
        reply[0] = message;
        super.sendMessage(message);
      }

      @Override
      public void close(Status status, Metadata trailers) {
        try {
          // Only what the trailers say is read here (the transport changes them once closed); the
          // record's JSON is written on the audit log's thread.
          audit.write(new Call(at, who, peer, call.getMethodDescriptor().getFullMethodName(), request[0],
              status.isOk() ? reply[0] : null, status.getCode(), status.isOk() ? null : reason(status, trailers)));
        } finally {
          super.close(status, trailers);
        }
      }
    };
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(recorded, headers)) {
      @Override
      public void onMessage(Q message) {
        request[0] = message;
        super.onMessage(message);
      }
    };
  }

  /**
   * What the audit record of one call holds, as the event loop saw it (the messages are immutable);
   * written out, masked, on the audit log's thread.
   */
  private record Call(Instant at, Principal who, SocketAddress peer, String method, Object request, Object reply,
      Status.Code result, String reason) implements AuditLog.Entry {
    @Override
    public void writeTo(JsonGenerator out) throws IOException {
      out.writeStartObject();
      out.writeStringField("time", at.toString());
      out.writeStringField("who", who == null ? "unauthenticated" : who.toString());
      if (who != null) {
        out.writeStringField("via", who.source());
      }
      if (peer instanceof InetSocketAddress a) {
        out.writeStringField("peer", a.getAddress().getHostAddress() + ":" + a.getPort());
      }
      out.writeStringField("what", method);
      if (request instanceof Message m) {
        out.writeFieldName("request");
        fields(out, m, false);
      }
      out.writeStringField("result", result.name());
      if (reason != null) {
        out.writeStringField("reason", reason);
      }
      if (reply instanceof Message m) {
        out.writeFieldName("reply");
        fields(out, m, false);
      }
      out.writeEndObject();
    }
  }

  /**
   * The record of a call refused before it reached a service (no valid credential, a credential
   * that may not call it): {@code leftOut} more like it were refused since the last such record.
   */
  static ObjectNode refusal(AuditLog audit, Instant at, SocketAddress peer, String method, Status.Code code,
      String reason, String why, long leftOut) {
    ObjectNode r = audit.record();
    r.put("time", at.toString());
    r.put("who", "refused");
    if (peer instanceof InetSocketAddress a) {
      r.put("peer", a.getAddress().getHostAddress() + ":" + a.getPort());
    }
    r.put("what", method);
    r.put("result", code.name());
    r.put("reason", reason);
    r.put("why", gongji.server.text.SafeText.cut(why, 200));
    if (leftOut > 0) {
      r.put("left_out", leftOut);
    }
    return r;
  }

  private static String reason(Status status, Metadata trailers) {
    com.google.rpc.Status details = StatusProto.fromStatusAndTrailers(status, trailers);
    for (Any d : details.getDetailsList()) {
      if (d.is(ErrorInfo.class)) {
        try {
          return d.unpack(ErrorInfo.class).getReason();
        } catch (InvalidProtocolBufferException e) {
          return null;
        }
      }
    }
    return null;
  }

  /**
   * The fields of a message an audit record keeps: ids and codes, numbers, enums and flags as they
   * are; person numbers, credential numbers and names masked; repeated fields as a count; other
   * text left out. In field-number order, only the fields set (as {@code getAllFields} gives them).
   */
  static void fields(JsonGenerator out, Message m, boolean insideCredential) throws IOException {
    out.writeStartObject();
    for (Kept k : Kept.of(m.getDescriptorForType())) {
      FieldDescriptor f = k.field;
      if (f.isRepeated()) {
        int count = m.getRepeatedFieldCount(f);
        if (count > 0) {
          out.writeFieldName(k.name);
          out.writeNumber(count);
        }
        continue;
      }
      if (k.text == null && f.getJavaType() == FieldDescriptor.JavaType.STRING && !insideCredential) {
        continue; // text left out outside a credential: not read
      }
      Object v;
      if (f.hasPresence()) {
        if (!m.hasField(f)) {
          continue;
        }
        v = m.getField(f);
      } else {
        v = m.getField(f); // one reflective read: without presence, the default value is "not set"
        if (isDefault(v)) {
          continue;
        }
      }
      if (v instanceof Message sub) {
        out.writeFieldName(k.name);
        fields(out, sub, insideCredential || k.credential);
      } else if (v instanceof EnumValueDescriptor ev) {
        out.writeFieldName(k.name);
        out.writeString(ev.getName());
      } else if (v instanceof Long l) {
        out.writeFieldName(k.name);
        out.writeNumber(l);
      } else if (v instanceof Integer i) {
        out.writeFieldName(k.name);
        out.writeNumber(i);
      } else if (v instanceof Boolean b) {
        out.writeFieldName(k.name);
        out.writeBoolean(b);
      } else if (v instanceof String text) {
        String kept = insideCredential ? Masking.psnNo(text) : k.text.apply(text);
        if (kept != null) {
          out.writeFieldName(k.name);
          out.writeString(kept);
        }
      }
    }
    out.writeEndObject();
  }

  /** Whether a value read from a field without presence is its default, which is "not set". */
  private static boolean isDefault(Object v) {
    return v instanceof Long l ? l == 0
        : v instanceof Integer i ? i == 0
        : v instanceof Boolean b ? !b
        : v instanceof String text ? text.isEmpty()
        : v instanceof EnumValueDescriptor ev && ev.getNumber() == 0;
  }

  /**
   * What a record keeps of one field of a message type, worked out once per type: its JSON name
   * (with {@code _count} for a repeated field), whether a message under it is a credential, and what
   * is kept of its text outside a credential ({@code text}; null: left out). Fields of no kind a
   * record keeps (bytes, floating point) are not listed, and text left out is not read. Before, each
   * record built the message's {@code getAllFields} map, which reads every field by reflection and
   * sorts those set: a third of the audit thread's time for the sale.
   */
  private record Kept(FieldDescriptor field, SerializedString name, boolean credential,
      UnaryOperator<String> text) {
    private static final Map<Descriptor, Kept[]> BY_TYPE = new ConcurrentHashMap<>();

    static Kept[] of(Descriptor type) {
      Kept[] kept = BY_TYPE.get(type);
      return kept != null ? kept : BY_TYPE.computeIfAbsent(type, Kept::shape);
    }

    private static Kept[] shape(Descriptor type) {
      List<Kept> kept = new ArrayList<>();
      for (FieldDescriptor f : type.getFields()) {
        String name = f.getName();
        if (f.isRepeated()) {
          kept.add(new Kept(f, new SerializedString(name + "_count"), false, null));
          continue;
        }
        switch (f.getJavaType()) {
          case MESSAGE -> kept.add(new Kept(f, new SerializedString(name), name.contains("credential"), null));
          case ENUM, LONG, INT, BOOLEAN -> kept.add(new Kept(f, new SerializedString(name), false, null));
          // Listed even when left out: inside a credential every text is kept, masked.
          case STRING -> kept.add(new Kept(f, new SerializedString(name), false, textRule(name)));
          default -> { } // bytes, float, double: not kept
        }
      }
      kept.sort(Comparator.comparingInt(k -> k.field.getNumber()));
      return kept.toArray(Kept[]::new);
    }

    private static UnaryOperator<String> textRule(String name) {
      if (name.contains("psn_no") || name.contains("number") || name.contains("id_no") || name.contains("cert")) {
        return Masking::psnNo;
      }
      if (name.endsWith("name")) {
        return Masking::name;
      }
      if (name.endsWith("_id") || name.endsWith("_code") || name.equals("reason")) {
        return value -> value;
      }
      return null; // left out
    }
  }
}
