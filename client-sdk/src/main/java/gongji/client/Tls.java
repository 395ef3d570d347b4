package gongji.client;

import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/** Builds a TLS channel from PEM material: a private CA to trust, a client certificate (mTLS). */
final class Tls {
  private Tls() {}

  static ManagedChannelBuilder<?> channelBuilder(ClientOptions options) {
    try {
      SslContextBuilder ssl = GrpcSslContexts.forClient();
      if (options.trustCertificates() != null) {
        ssl.trustManager(options.trustCertificates());
      }
      if (options.clientCertificateChain() != null) {
        ssl.keyManager(options.clientCertificateChain(), options.clientPrivateKey());
      }
      return NettyChannelBuilder.forTarget(options.target()).sslContext(ssl.build());
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("TLS material could not be loaded: " + e.getMessage(), e);
    }
  }
}
