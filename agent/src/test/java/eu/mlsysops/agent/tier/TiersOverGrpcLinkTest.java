package eu.mlsysops.agent.tier;

import static org.awaitility.Awaitility.await;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.GrpcLink;
import eu.mlsysops.protocol.grpc.GrpcLinkServer;
import eu.mlsysops.protocol.tls.AgentCredentials;
import eu.mlsysops.protocol.tls.CertificateAuthority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The contract over loopback gRPC with mutual TLS, children admitted as a cluster agent process
 * admits them; a cut is the parent's port closing, a restore a new server on the same port.
 */
class TiersOverGrpcLinkTest extends TiersOverLinkContract {
  @Override
  boolean nodeInAnotherProcess() {
    return true;
  }

  @Override
  NodeLink connect(Consumer<Link> attach, Path dir) throws Exception {
    CertificateAuthority ca = CertificateAuthority.init(dir.resolve("pki"));
    AgentCredentials cluster = ca.issue("c1");
    AgentCredentials node = ca.issue("n1");
    ChildAdmission admission = new ChildAdmission(Message.Tier.NODE);
    GrpcLinkServer[] server = {start(cluster, 0, admission.admitting(attach))};
    int port = server[0].port();
    GrpcLink child =
        GrpcLink.builder("127.0.0.1", port)
            .tls(node)
            .expectedParent("c1")
            .backoff(Duration.ofMillis(50), Duration.ofMillis(300))
            .connect();
    return new NodeLink() {
      @Override
      public Link child() {
        return child;
      }

      @Override
      public void cut() {
        server[0].close();
        await().atMost(10, TimeUnit.SECONDS).until(() -> !child.isConnected());
      }

      @Override
      public void restore() {
        server[0] = start(cluster, port, admission.admitting(attach));
        await().atMost(10, TimeUnit.SECONDS).until(child::isConnected);
      }

      @Override
      public void close() {
        child.close();
        server[0].close();
      }
    };
  }

  private static GrpcLinkServer start(AgentCredentials c, int port, Consumer<Link> onChild) {
    try {
      return GrpcLinkServer.builder()
          .bindAddress("127.0.0.1")
          .port(port)
          .tls(c)
          .onChild(onChild)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
