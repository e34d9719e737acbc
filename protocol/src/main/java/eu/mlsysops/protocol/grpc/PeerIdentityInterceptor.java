package eu.mlsysops.protocol.grpc;

import eu.mlsysops.protocol.tls.AgentCredentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Puts the common name of the client's certificate into the call's {@link Context} under {@link
 * #PEER}. TLS has already verified the certificate against the CA; a call without a verified
 * certificate (which client auth REQUIRE should make impossible) is closed UNAUTHENTICATED.
 */
final class PeerIdentityInterceptor implements ServerInterceptor {
  static final Context.Key<String> PEER = Context.key("mlsysops-peer-identity");
  /** The cluster a joined node's certificate confines it to; null for other certificates. */
  static final Context.Key<String> PEER_CLUSTER = Context.key("mlsysops-peer-cluster");

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    String name = null;
    String cluster = null;
    if (session != null) {
      try {
        Certificate[] chain = session.getPeerCertificates();
        if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
          name = AgentCredentials.commonName(leaf);
          cluster = AgentCredentials.joinedCluster(leaf);
        }
      } catch (SSLPeerUnverifiedException e) {
        name = null;
      }
    }
    if (name == null || name.isEmpty()) {
      call.close(
          Status.UNAUTHENTICATED.withDescription(
              "a client certificate with a common name is required"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(
        Context.current().withValue(PEER, name).withValue(PEER_CLUSTER, cluster), call, headers,
        next);
  }
}
