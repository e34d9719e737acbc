package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.protocol.InProcessLink;
import eu.mlsysops.protocol.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a node sends while its cluster cannot hear it, over a real in-process link. */
class UplinkBufferTest {
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final InProcessLink link = InProcessLink.create(executor);
  private final List<Message> received = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  private static Message.StatusReport report(int n) {
    return new Message.StatusReport("n1", List.of(new Message.InstanceReport(
        "web/web/" + n, "web", "web", "n1", "RUNNING", "", n)), false);
  }

  private List<String> receivedIds() {
    return received.stream().filter(m -> m instanceof Message.StatusReport)
        .map(m -> ((Message.StatusReport) m).instances().get(0).instanceId()).toList();
  }

  @Test
  void messagesRefusedWhileCutGoOutInOrderWhenTheLinkReturns() {
    link.parentSide().onReceive(received::add);
    UplinkBuffer up = new UplinkBuffer(link.childSide(), 10);
    up.send(report(0));
    link.cut();
    up.send(report(1));
    up.send(new Message.Heartbeat("n1", 5));
    up.send(report(2));
    assertThat(up.buffered()).isEqualTo(2);

    link.restore();
    up.flush();
    up.send(report(3));

    await().atMost(5, TimeUnit.SECONDS).until(() -> receivedIds().size() == 4);
    assertThat(receivedIds()).containsExactly("web/web/0", "web/web/1", "web/web/2", "web/web/3");
    // A heartbeat from the past says nothing true: it was not kept.
    assertThat(received).noneMatch(m -> m instanceof Message.Heartbeat);
    assertThat(up.buffered()).isZero();
    assertThat(up.dropped()).isZero();
  }

  @Test
  void whenFullTheOldestAreDroppedAndCounted() {
    link.parentSide().onReceive(received::add);
    UplinkBuffer up = new UplinkBuffer(link.childSide(), 3);
    link.cut();
    for (int i = 0; i < 5; i++) {
      up.send(report(i));
    }
    assertThat(up.buffered()).isEqualTo(3);
    assertThat(up.dropped()).isEqualTo(2);

    link.restore();
    up.flush();

    await().atMost(5, TimeUnit.SECONDS).until(() -> receivedIds().size() == 3);
    assertThat(receivedIds()).containsExactly("web/web/2", "web/web/3", "web/web/4");
  }
}
