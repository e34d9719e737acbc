package eu.mlsysops.protocol.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.LinkContract;
import eu.mlsysops.protocol.Message;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
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

/**
 * The link contract over real loopback sockets with mutual TLS (a node {@code n1} under a cluster
 * {@code c1}), with a TCP proxy in between to cut the network, plus what only the gRPC link does:
 * reconnecting, buffering, noticing a dead peer.
 */
class GrpcLinkTest extends LinkContract {
  private static TestPki pki;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();

  @BeforeAll
  static void certificates() {
    pki = TestPki.create("test-ca");
  }

  @AfterAll
  static void removeCertificates() {
    pki.close();
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

  private GrpcLinkServer server(int port, Consumer<Link> onChild) {
    try {
      return closeLater(
          GrpcLinkServer.builder()
              .bindAddress("127.0.0.1")
              .port(port)
              .tls(pki.agent("c1"))
              .keepAlive(Duration.ofSeconds(1), Duration.ofSeconds(1))
              .onChild(onChild)
              .start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private GrpcLink.Builder child(int port) {
    return GrpcLink.builder("localhost", port)
        .tls(pki.agent("n1"))
        .backoff(Duration.ofMillis(50), Duration.ofMillis(300));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Message.StatusReport report(int i) {
    return new Message.StatusReport(
        "n1",
        List.of(new Message.InstanceReport("i-" + i, "app", "c", "n1", "RUNNING", null, i)),
        false);
  }

  @Override
  protected Pair connect() {
    AtomicReference<Link> parent = new AtomicReference<>();
    GrpcLinkServer server = server(0, parent::set);
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    GrpcLink child = closeLater(child(proxy.port()).connect());
    await().atMost(10, TimeUnit.SECONDS)
        .until(() -> child.isConnected() && parent.get() != null && parent.get().isConnected());
    Link parentSide = parent.get();
    return new Pair() {
      @Override
      public Link child() {
        return child;
      }

      @Override
      public Link parent() {
        return parentSide;
      }

      @Override
      public void cut() {
        proxy.cut();
        await().atMost(15, TimeUnit.SECONDS)
            .until(() -> !child.isConnected() && !parentSide.isConnected());
      }

      @Override
      public void restore() {
        proxy.restore();
        await().atMost(15, TimeUnit.SECONDS)
            .until(() -> child.isConnected() && parentSide.isConnected());
      }
    };
  }

  @Test
  void reconnectsToARestartedParentAndDeliversTheBufferInOrderAfterTheRegister() {
    int port = freePort();
    List<Message> atFirst = new CopyOnWriteArrayList<>();
    server(port, l -> l.onReceive(atFirst::add));
    GrpcLinkServer first = resources.peek() instanceof GrpcLinkServer s ? s : null;
    GrpcLink child = closeLater(child(port).connect());
    List<Boolean> changes = new CopyOnWriteArrayList<>();
    Message.Register register = new Message.Register("n1", Message.Tier.NODE, null, null, List.of());
    child.onConnectionChange(up -> {
      changes.add(up);
      if (up) {
        child.send(register); // what an agent does on every (re)connect
      }
    });
    await().atMost(10, TimeUnit.SECONDS).until(() -> atFirst.equals(List.of(register)));

    first.close();
    await().atMost(15, TimeUnit.SECONDS).until(() -> changes.equals(List.of(true, false)));
    for (int i = 1; i <= 5; i++) {
      assertThat(child.send(report(i))).isTrue();
    }
    assertThat(child.send(new Message.Heartbeat("n1", 1))).isFalse();
    assertThat(child.send(register)).isFalse();
    assertThat(child.buffered()).isEqualTo(5);

    List<Message> atSecond = new CopyOnWriteArrayList<>();
    List<Link> links = new CopyOnWriteArrayList<>();
    server(port, l -> {
      links.add(l);
      l.onReceive(atSecond::add);
    });

    await().atMost(10, TimeUnit.SECONDS).until(() -> atSecond.size() == 6);
    assertThat(atSecond)
        .containsExactly(register, report(1), report(2), report(3), report(4), report(5));
    assertThat(changes).containsExactly(true, false, true);
    assertThat(links).hasSize(1);
    assertThat(child.buffered()).isZero();
    assertThat(child.dropped()).isZero();
  }

  @Test
  void aFullBufferDropsTheOldestCountsThemAndLogsTheOutageOnce() {
    int port = freePort(); // nobody listens yet
    try (LogCapture log = new LogCapture(GrpcLink.class)) {
      GrpcLink child = closeLater(child(port).bufferCapacity(3).connect());
      for (int i = 1; i <= 5; i++) {
        assertThat(child.send(report(i))).isTrue();
      }
      assertThat(child.dropped()).isEqualTo(2);
      assertThat(child.buffered()).isEqualTo(3);
      // Several attempts fail, but the outage is announced once.
      await().atMost(10, TimeUnit.SECONDS).until(() -> log.at(Level.FINE).size() >= 2);
      assertThat(log.at(Level.WARNING))
          .filteredOn(m -> m.startsWith("cannot reach parent at localhost:" + port))
          .singleElement()
          .satisfies(m -> assertThat(m).containsPattern("\\(UNAVAILABLE.*\\); retrying in \\d"));
      assertThat(log.at(Level.WARNING)).anyMatch(m -> m.startsWith("link buffer full (3 messages)"));
      assertThat(child.lastFailure()).get().asString().startsWith("UNAVAILABLE");

      List<Message> received = new CopyOnWriteArrayList<>();
      server(port, l -> {
        l.onReceive(received::add);
        l.send(new Message.TelemetryDemand("parent", 1000)); // as a parent answers a registration
      });
      await().atMost(10, TimeUnit.SECONDS).until(() -> received.size() == 3);
      assertThat(received).containsExactly(report(3), report(4), report(5));
      assertThat(child.dropped()).isEqualTo(2);
      await().atMost(10, TimeUnit.SECONDS).until(() -> log.at(Level.INFO).stream()
          .anyMatch(m -> m.startsWith("connected to parent at localhost:" + port + " as n1 after ")));
    }
  }

  @Test
  void aPeerThatDiesSilentlyIsNoticedOnBothSidesWithinSeconds() {
    AtomicReference<Link> parent = new AtomicReference<>();
    GrpcLinkServer server = server(0, parent::set);
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    GrpcLink child = closeLater(child(proxy.port()).connect());
    await().atMost(10, TimeUnit.SECONDS).until(() -> child.isConnected() && parent.get() != null);

    proxy.freeze(); // sockets stay open, nothing gets through

    long start = System.nanoTime();
    await().atMost(8, TimeUnit.SECONDS)
        .until(() -> !child.isConnected() && !parent.get().isConnected());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    assertThat(child.lastFailure()).get().asString().contains("no frame from the parent");

    proxy.restore();
    await().atMost(10, TimeUnit.SECONDS)
        .until(() -> child.isConnected() && parent.get().isConnected());
  }

  @Test
  void aChildThatReconnectsKeepsOneLinkAtTheParent() {
    List<Link> links = new CopyOnWriteArrayList<>();
    GrpcLinkServer server = server(0, links::add);
    TcpProxy proxy = closeLater(new TcpProxy(server.port()));
    GrpcLink child = closeLater(child(proxy.port()).connect());
    await().atMost(10, TimeUnit.SECONDS).until(() -> server.children().equals(java.util.Set.of("n1")));

    proxy.cut();
    await().atMost(15, TimeUnit.SECONDS).until(() -> server.children().isEmpty());
    proxy.restore();
    await().atMost(15, TimeUnit.SECONDS).until(() -> server.children().equals(java.util.Set.of("n1")));

    assertThat(links).hasSize(1);
    assertThat(server.child("n1")).containsSame(links.get(0));
    // The parent knows the child from its first frame; the child, from the parent's answer.
    await().atMost(15, TimeUnit.SECONDS).until(child::isConnected);
  }
}
