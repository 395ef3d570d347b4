package gongji.server.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import java.util.function.Supplier;

/**
 * A refused call as a client sees it: the gRPC code and the rich details the gateway promises
 * (ErrorInfo always, BadRequest for bad input), unpacked with {@link StatusProto#fromThrowable}.
 */
public record Refusal(io.grpc.Status.Code code, String message, ErrorInfo errorInfo, BadRequest badRequest) {

  /** Runs the call, expects it to fail, and unpacks the failure; fails the test if it has no ErrorInfo. */
  public static Refusal of(Supplier<?> call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::get);
    return of(e);
  }

  public static Refusal of(StatusRuntimeException e) {
    Status status = StatusProto.fromThrowable(e);
    if (status == null) {
      fail("no google.rpc.Status details on " + e.getStatus());
    }
    ErrorInfo info = null;
    BadRequest bad = null;
    for (Any any : status.getDetailsList()) {
      try {
        if (any.is(ErrorInfo.class)) {
          info = any.unpack(ErrorInfo.class);
        } else if (any.is(BadRequest.class)) {
          bad = any.unpack(BadRequest.class);
        }
      } catch (InvalidProtocolBufferException ex) {
        throw new AssertionError("undecodable detail " + any.getTypeUrl(), ex);
      }
    }
    if (info == null) {
      fail("no ErrorInfo in " + e.getStatus() + " details " + status.getDetailsList());
    }
    assertEquals("gongji.io", info.getDomain(), "ErrorInfo.domain of " + e.getStatus());
    assertEquals(e.getStatus().getCode().value(), status.getCode(), "Status code vs google.rpc.Status code");
    return new Refusal(e.getStatus().getCode(), status.getMessage(), info, bad);
  }

  /** Runs the call and checks that it is refused with this code and reason. */
  public static Refusal expect(io.grpc.Status.Code code, String reason, Supplier<?> call) {
    Refusal r = of(call);
    assertEquals(code, r.code(), () -> "code of " + r);
    assertEquals(reason, r.reason(), () -> "reason of " + r);
    return r;
  }

  public String reason() {
    return errorInfo.getReason();
  }

  /** The fields named by the BadRequest detail (empty without one). */
  public List<String> violatedFields() {
    return badRequest == null ? List.of()
        : badRequest.getFieldViolationsList().stream().map(BadRequest.FieldViolation::getField).toList();
  }

  /** Checks that this is INVALID_ARGUMENT / FIELD_INVALID with a violation naming {@code field}. */
  public Refusal assertFieldInvalid(String field) {
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, code, () -> "code of " + this);
    assertEquals("FIELD_INVALID", reason(), () -> "reason of " + this);
    assertTrue(violatedFields().contains(field), () -> "expected a violation of " + field + " in " + violatedFields());
    return this;
  }

  /** As {@link #assertFieldInvalid(String)}, and the violation of {@code field} shows {@code value}. */
  public Refusal assertFieldInvalid(String field, String value) {
    assertFieldInvalid(field);
    assertTrue(badRequest.getFieldViolationsList().stream()
            .anyMatch(v -> v.getField().equals(field) && v.getDescription().contains(value)),
        () -> "expected the violation of " + field + " to show " + value + " in " + badRequest.getFieldViolationsList());
    return this;
  }
}
