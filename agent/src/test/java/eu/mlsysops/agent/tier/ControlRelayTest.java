package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.kernel.AgentLoop;
import eu.mlsysops.protocol.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ControlRelayTest {
  private final ForwardedRequestsTest.Recording up = new ForwardedRequestsTest.Recording();
  /** Runs each event at once on the caller's thread, as the loop's owner. */
  private final AgentLoop loop = new AgentLoop("c1", Runnable::run);
  private final ControlRelay relay = new ControlRelay("c1", up, loop);

  @Test
  void aNodeSpeaksOnlyForItself() {
    assertThat(relay.fromNode(new Message.ControlReport("n1", "n2", Message.Tier.NODE, "d",
        Map.of()))).isTrue();
    assertThat(relay.fromNode(new Message.Records("n1", "c1", 1, 1, List.of(), List.of(), 0)))
        .isTrue();
    assertThat(up.sent).as("a report for n2 and records of c1, both from n1").isEmpty();

    relay.fromNode(new Message.ControlReport("n1", "n1", Message.Tier.NODE, "d", Map.of()));
    assertThat(up.sent).singleElement().isEqualTo(
        new Message.ControlReport("c1", "n1", Message.Tier.NODE, "d", Map.of()));
  }

  @Test
  void aSetThatCameBeforeAnyoneListenedIsHandedToTheListener() {
    ForwardedRequestsTest.Recording node = new ForwardedRequestsTest.Recording();
    Message.Control c = new Message.Control("k", "d1", "ml", List.of());
    loop.execute(() -> relay.fromParent(c, () -> List.of(node)));
    List<Message.Control> applied = new CopyOnWriteArrayList<>();

    relay.onControl(applied::add);

    assertThat(applied).extracting(Message.Control::digest).containsExactly("d1");
    assertThat(node.sent).singleElement().isEqualTo(new Message.Control("c1", "d1", "ml",
        List.of()));
  }
}
