package eu.mlsysops.protocol.grpc;

import eu.mlsysops.protocol.tls.AgentCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/** Turns agent credentials into grpc-netty TLS contexts for mutual authentication. */
final class TlsContexts {
  private TlsContexts() {}

  /** A server context that requires a client certificate signed by the agent's CA. */
  static SslContext server(AgentCredentials c) {
    try {
      return GrpcSslContexts.configure(
              SslContextBuilder.forServer(c.privateKey(), c.certificate()))
          .trustManager(c.trustedCa())
          .clientAuth(ClientAuth.REQUIRE)
          .build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot set up TLS for " + c.name() + ": " + e.getMessage(), e);
    }
  }

  /** A client context that presents the agent's certificate and trusts only its CA. */
  static SslContext client(AgentCredentials c) {
    try {
      return GrpcSslContexts.forClient()
          .keyManager(c.privateKey(), c.certificate())
          .trustManager(c.trustedCa())
          .build();
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot set up TLS for " + c.name() + ": " + e.getMessage(), e);
    }
  }
}
