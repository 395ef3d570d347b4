package gongji.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gongji.server.DemoData;
import gongji.server.GatewayConfig;
import gongji.server.GatewayServer;
import gongji.server.Node;
import gongji.server.ledger.Journal;
import gongji.server.testing.Refusal;
import gongji.server.testing.Sales;
import gongji.v1.SettlementServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status.Code;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bytes that are no valid request, sent to the real server (Netty, 127.0.0.1:0): INVALID_ARGUMENT
 * with FIELD_INVALID, one log line per kind of fault however often it comes, no stack trace.
 */
class MalformedRequestsEndToEndTest {
  /** Field 1 (request_id, a string) of length 2 holding bytes that are not UTF-8. */
  private static final byte[] INVALID_UTF8 = {0x0a, 0x02, (byte) 0xc3, 0x28};
  /** A tag whose varint never ends. */
  private static final byte[] TRUNCATED_VARINT = {(byte) 0x80};

  private GatewayServer server;
  private ManagedChannel channel;
  private final List<LogRecord> records = Collections.synchronizedList(new ArrayList<>());
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      records.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void start() throws Exception {
    Logger.getLogger("").addHandler(capture);
    GatewayConfig config = GatewayConfig.forTests();
    Node node = new Node(config, InstantSource.system(), Journal.NONE);
    try {
      DemoData.load(node.gateway());
      server = GatewayServer.startNetty(node, config);
    } catch (Exception e) {
      node.close();
      throw e;
    }
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    Logger.getLogger("").removeHandler(capture);
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.close();
  }

  @Test
  void malformedBytes_manyTimes_invalidArgumentAndOneLinePerFaultWithoutStackTraces() {
    for (int i = 0; i < 25; i++) {
      for (byte[] bad : new byte[][] {INVALID_UTF8, TRUNCATED_VARINT}) {
        Refusal r = Refusal.of(() -> raw("Authorize", bad));
        assertEquals(Code.INVALID_ARGUMENT, r.code(), () -> "code of " + r);
        assertEquals("FIELD_INVALID", r.reason());
      }
      Refusal.expect(Code.INVALID_ARGUMENT, "FIELD_INVALID", () -> raw("Settle", INVALID_UTF8));
    }

    // The gateway still serves well-formed calls.
    assertEquals(DemoData.LI_NA, SettlementServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .identify(Sales.identify(Sales.terminal(DemoData.PHARMACY, "POS01"), Sales.card("SSC-LINA"))).getPsnNo());
    List<LogRecord> logged = new ArrayList<>(records);
    assertTrue(logged.stream().allMatch(r -> r.getThrown() == null),
        () -> "stack traces logged: " + logged.stream().filter(r -> r.getThrown() != null).map(LogRecord::getMessage).toList());
    List<String> malformed = logged.stream().map(LogRecord::getMessage).filter(m -> m.startsWith("malformed request")).toList();
    assertEquals(3, malformed.size(), () -> "one line per method and kind of fault: " + malformed);
  }

  private Object raw(String method, byte[] body) {
    MethodDescriptor<byte[], byte[]> m = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("gongji.v1.SettlementService", method))
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
    return ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), body);
  }

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
}
