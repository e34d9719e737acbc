package eu.mlsysops.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.protocol.grpc.proto.Envelope;
import eu.mlsysops.protocol.tls.AgentCredentials;
import eu.mlsysops.protocol.tls.CertificateAuthority;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who may connect and under which name. */
class GrpcLinkSecurityTest {
  private static TestPki pki;
  private static TestPki otherPki;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  @BeforeAll
  static void certificates() {
    pki = TestPki.create("test-ca");
    otherPki = TestPki.create("other-ca");
  }

  @AfterAll
  static void removeCertificates() {
    pki.close();
    otherPki.close();
  }

  @AfterEach
  void closeAll() throws Exception {
    while (!resources.isEmpty()) {
      resources.pop().close();
    }
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    resources.push(resource);
    return resource;
  }

  private GrpcLinkServer tlsServer(Consumer<Link> onChild) throws IOException {
    return closeLater(
        GrpcLinkServer.builder()
            .bindAddress("127.0.0.1")
            .tls(pki.agent("c1"))
            .onChild(onChild)
            .start());
  }

  private GrpcLink.Builder child(int port, AgentCredentials credentials) {
    return GrpcLink.builder("localhost", port)
        .tls(credentials)
        .backoff(Duration.ofMillis(50), Duration.ofMillis(300));
  }

  /** A bare TierService.Connect call, to see exactly how the server answers. */
  private static final class RawCall implements StreamObserver<Envelope> {
    final List<Envelope> received = new CopyOnWriteArrayList<>();
    final AtomicReference<Status> closed = new AtomicReference<>();
    final StreamObserver<Envelope> out;

    RawCall(ManagedChannel channel) {
      out =
          ClientCalls.asyncBidiStreamingCall(
              channel.newCall(TierServiceDefinition.CONNECT, CallOptions.DEFAULT), this);
    }

    @Override
    public void onNext(Envelope e) {
      received.add(e);
    }

    @Override
    public void onError(Throwable t) {
      closed.set(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      closed.set(Status.OK);
    }
  }

  private ManagedChannel channel(int port, SslContext ssl) {
    ManagedChannel ch =
        NettyChannelBuilder.forAddress("localhost", port).sslContext(ssl).build();
    resources.push(ch::shutdownNow);
    return ch;
  }

  @Test
  void aNodeCannotSendUnderAnotherNodesName() throws IOException {
    List<Link> children = new CopyOnWriteArrayList<>();
    GrpcLinkServer server = tlsServer(children::add);
    RawCall call = new RawCall(channel(server.port(), TlsContexts.client(pki.agent("n1"))));

    call.out.onNext(
        MessageCodec.encode(
            new Message.Register("n2", Message.Tier.NODE, null, null, List.of())));

    await().atMost(15, TimeUnit.SECONDS).until(() -> call.closed.get() != null);
    Status status = call.closed.get();
    assertThat(status.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(status.getDescription())
        .isEqualTo("agent 'n1' (its certificate's name) cannot send as 'n2'");
    assertThat(call.received.get(0).getAccepted().getPeerIdentity()).isEqualTo("n1");
    assertThat(server.refusedIdentities()).isEqualTo(1);
    assertThat(server.child("n2")).isEmpty();
    assertThat(server.children()).isEmpty();
  }

  @Test
  void aMalformedMessageIsDroppedAndCountedAndTheStreamGoesOn() throws IOException {
    List<Message> atParent = new CopyOnWriteArrayList<>();
    GrpcLinkServer server = tlsServer(l -> l.onReceive(atParent::add));
    RawCall call = new RawCall(channel(server.port(), TlsContexts.client(pki.agent("n1"))));

    call.out.onNext(
        Envelope.newBuilder()
            .setFrom("n1")
            .setInventory(
                eu.mlsysops.protocol.grpc.proto.Inventory.newBuilder().addNodesJson("{not json"))
            .build());
    call.out.onNext(MessageCodec.encode(new Message.Heartbeat("n1", 2)));

    await().atMost(15, TimeUnit.SECONDS).until(() -> atParent.size() == 1);
    assertThat(atParent).containsExactly(new Message.Heartbeat("n1", 2));
    assertThat(server.undecodable()).isEqualTo(1);
    assertThat(call.closed.get()).isNull();
  }

  @Test
  void theServiceIsTheOneInTheProto() {
    var method = TierServiceDefinition.SERVICE.findMethodByName("Connect");
    assertThat(TierServiceDefinition.CONNECT.getFullMethodName())
        .isEqualTo("mlsysops.v1.TierService/Connect");
    assertThat(method.isClientStreaming()).isTrue();
    assertThat(method.isServerStreaming()).isTrue();
    assertThat(method.getInputType().getFullName()).isEqualTo("mlsysops.v1.Envelope");
    assertThat(method.getOutputType().getFullName()).isEqualTo("mlsysops.v1.Envelope");
  }

  @Test
  void aGrpcLinkRegisteringUnderAnotherNameIsRefusedAndSaysSo() throws IOException {
    GrpcLinkServer server = tlsServer(l -> {});
    try (LogCapture log = new LogCapture(GrpcLink.class)) {
      GrpcLink impostor = closeLater(child(server.port(), pki.agent("n1")).connect());
      impostor.onConnectionChange(up -> {
        if (up) {
          impostor.send(new Message.Register("n2", Message.Tier.NODE, null, null, List.of()));
        }
      });

      await().atMost(15, TimeUnit.SECONDS).until(() -> server.refusedIdentities() >= 1);
      await().atMost(15, TimeUnit.SECONDS).until(() -> impostor.lastFailure().isPresent());
      assertThat(impostor.lastFailure())
          .contains(
              "PERMISSION_DENIED: agent 'n1' (its certificate's name) cannot send as 'n2'");
      // It keeps trying (backing off), but says so once.
      await().atMost(15, TimeUnit.SECONDS).until(() -> server.refusedIdentities() >= 3);
      assertThat(log.at(Level.SEVERE))
          .singleElement()
          .asString()
          .startsWith("parent at localhost:" + server.port() + " refused this agent"
              + " (PERMISSION_DENIED: agent 'n1' (its certificate's name) cannot send as 'n2');"
              + " retrying in ");
      // Each retry opens a stream that is refused at its first message: between them none stays.
      await().atMost(15, TimeUnit.SECONDS).until(() -> server.children().isEmpty());
      // The stream opened each time, but the agent was never admitted: it never says connected.
      assertThat(log.at(Level.INFO)).noneMatch(m -> m.startsWith("connected to parent"));
    }
  }

  @Test
  void theServerRefusesAClientCertificateFromAnotherCa() throws IOException {
    List<Link> children = new CopyOnWriteArrayList<>();
    GrpcLinkServer server = tlsServer(children::add);
    // The client trusts the server, but its own certificate (named n1) is signed by another CA.
    AgentCredentials forged = otherPki.agent("n1");
    SslContext ssl =
        GrpcSslContexts.forClient()
            .keyManager(forged.privateKey(), forged.certificate())
            .trustManager(pki.agent("c1").trustedCa())
            .build();
    RawCall call = new RawCall(channel(server.port(), ssl));
    call.out.onNext(
        MessageCodec.encode(new Message.Register("n1", Message.Tier.NODE, null, null, List.of())));

    await().atMost(15, TimeUnit.SECONDS).until(() -> call.closed.get() != null);
    assertThat(call.closed.get().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(call.received).isEmpty();
    assertThat(children).isEmpty();
    assertThat(server.refusedIdentities()).isZero(); // refused by TLS, before the service
  }

  @Test
  void aChildWithACertificateFromAnotherCaIsRefused() throws IOException {
    List<Link> children = new CopyOnWriteArrayList<>();
    GrpcLinkServer server = tlsServer(children::add);
    // Same name, wrong CA: the name means nothing without the signature.
    GrpcLink stranger = closeLater(child(server.port(), otherPki.agent("n1")).connect());
    List<Boolean> changes = new CopyOnWriteArrayList<>();
    stranger.onConnectionChange(changes::add);

    await().atMost(15, TimeUnit.SECONDS).until(() -> stranger.lastFailure().isPresent());
    assertThat(stranger.lastFailure()).get().asString().startsWith("UNAVAILABLE");
    assertThat(stranger.isConnected()).isFalse();
    assertThat(changes).isEmpty();
    assertThat(children).isEmpty();
    assertThat(server.children()).isEmpty();
  }

  @Test
  void aJoinedNodesCertificateCannotServeAsAParent() throws IOException {
    // A node that joined holds a certificate of this CA, but one for a client only: a child that
    // is pointed at it (say by whoever answered its join) refuses the handshake.
    var request = eu.mlsysops.protocol.tls.JoinRequest.create("rogue");
    java.security.cert.X509Certificate cert = pki.ca.signJoin("rogue", request.csrPem(), "c1");
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("joined");
    AgentCredentials rogue = request.save(dir, CertificateAuthority.pem(cert),
        pki.ca.certificatePem(), eu.mlsysops.protocol.tls.JoinRequest.caHash(pki.ca.certificate()));
    List<Link> children = new CopyOnWriteArrayList<>();
    GrpcLinkServer server = closeLater(GrpcLinkServer.builder().bindAddress("127.0.0.1")
        .tls(rogue).onChild(children::add).start());
    GrpcLink child = closeLater(child(server.port(), pki.agent("n7")).expectedParent("rogue")
        .connect());

    await().atMost(15, TimeUnit.SECONDS).until(() -> child.lastFailure().isPresent());
    assertThat(child.isConnected()).isFalse();
    assertThat(children).isEmpty();
  }


  @Test
  void aPeerWithoutACertificateIsRefused() throws IOException {
    List<Link> children = new CopyOnWriteArrayList<>();
    GrpcLinkServer server = tlsServer(children::add);
    SslContext noClientCertificate =
        GrpcSslContexts.forClient().trustManager(pki.agent("c1").trustedCa()).build();
    RawCall anonymous = new RawCall(channel(server.port(), noClientCertificate));
    anonymous.out.onNext(MessageCodec.encode(new Message.Heartbeat("n1", 1)));

    GrpcLink plaintext =
        closeLater(
            GrpcLink.builder("localhost", server.port())
                .insecure()
                .backoff(Duration.ofMillis(50), Duration.ofMillis(300))
                .connect());

    await().atMost(15, TimeUnit.SECONDS).until(() -> anonymous.closed.get() != null);
    assertThat(anonymous.closed.get().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(anonymous.received).isEmpty();
    await().atMost(15, TimeUnit.SECONDS).until(() -> plaintext.lastFailure().isPresent());
    assertThat(plaintext.isConnected()).isFalse();
    assertThat(children).isEmpty();
  }

  @Test
  void aChildChecksItsParentsName() throws IOException {
    GrpcLinkServer server = tlsServer(l -> {});
    GrpcLink expectsC2 =
        closeLater(child(server.port(), pki.agent("n1")).expectedParent("c2").connect());
    GrpcLink expectsC1 =
        closeLater(child(server.port(), pki.agent("n2")).expectedParent("c1").connect());

    await().atMost(15, TimeUnit.SECONDS).until(expectsC1::isConnected);
    await().atMost(15, TimeUnit.SECONDS).until(() -> expectsC2.lastFailure().isPresent());
    assertThat(expectsC2.isConnected()).isFalse();
    assertThat(server.children()).containsExactly("n2");
  }

  @Test
  void insecureModeWorksWarnsAndHoldsAStreamToItsFirstName() throws IOException {
    try (LogCapture serverLog = new LogCapture(GrpcLinkServer.class);
        LogCapture childLog = new LogCapture(GrpcLink.class)) {
      List<Message> atParent = new CopyOnWriteArrayList<>();
      AtomicReference<Link> parent = new AtomicReference<>();
      GrpcLinkServer server =
          closeLater(
              GrpcLinkServer.builder()
                  .bindAddress("127.0.0.1")
                  .insecure()
                  .onChild(l -> {
                    parent.set(l);
                    l.onReceive(atParent::add);
                  })
                  .start());
      GrpcLink child =
          closeLater(
              GrpcLink.builder("127.0.0.1", server.port())
                  .insecure()
                  .backoff(Duration.ofMillis(50), Duration.ofMillis(300))
                  .connect());
      List<Message> atChild = new CopyOnWriteArrayList<>();
      child.onReceive(atChild::add);

      assertThat(serverLog.at(Level.WARNING)).anyMatch(m -> m.contains("INSECURE"));
      assertThat(childLog.at(Level.WARNING)).anyMatch(m -> m.contains("INSECURE"));
      await().atMost(15, TimeUnit.SECONDS).until(child::isConnected);
      Message.Register register =
          new Message.Register("n7", Message.Tier.NODE, null, null, List.of());
      assertThat(child.send(register)).isTrue();
      await().atMost(15, TimeUnit.SECONDS).until(() -> atParent.equals(List.of(register)));
      assertThat(server.children()).containsExactly("n7");
      assertThat(parent.get().send(new Message.Registered("c1", 3))).isTrue();
      await().atMost(15, TimeUnit.SECONDS)
          .until(() -> atChild.equals(List.of(new Message.Registered("c1", 3))));

      // Once named, a stream cannot speak for anyone else, TLS or not.
      child.send(new Message.Heartbeat("n8", 1));
      await().atMost(15, TimeUnit.SECONDS).until(() -> server.refusedIdentities() == 1);
      assertThat(server.child("n8")).isEmpty();
    }
  }
}
