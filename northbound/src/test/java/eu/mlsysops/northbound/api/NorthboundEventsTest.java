package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.tier.AgentEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class NorthboundEventsTest {
  static AgentEvent event(String kind, String message) {
    return new AgentEvent(1_000, "agent", kind, message);
  }

  @Test
  void findsTheAppOfEachAgentMessageFormat() {
    assertThat(NorthboundEvents.appOf(event("app", "app cam accepted (3 components)"))).isEqualTo("cam");
    assertThat(NorthboundEvents.appOf(event("app", "app cam removed"))).isEqualTo("cam");
    assertThat(NorthboundEvents.appOf(event("plan",
        "Completed: static-placement [cam] — place it → done"))).isEqualTo("cam");
    assertThat(NorthboundEvents.appOf(event("instance", "cam/detector/0 running on edge-1")))
        .isEqualTo("cam");
    assertThat(NorthboundEvents.appOf(event("plan", "Completed: cpu-frequency — raise"))).isNull();
    assertThat(NorthboundEvents.appOf(event("placement",
        "cam/detector unschedulable: no cluster can take it: 0/8 nodes: 8 unreachable")))
        .isEqualTo("cam");
    assertThat(NorthboundEvents.appOf(event("placement",
        "cam/detector/1 unschedulable in cluster edge: 0/5 nodes: 5 insufficient cpu (need 2)")))
        .isEqualTo("cam");
    assertThat(NorthboundEvents.appOf(event("node", "node edge-1 joined (edge)"))).isNull();
    assertThat(NorthboundEvents.appOf(event("ml",
        "model latency [cam]: its inputs drifted from its training data: cpu (PSI 3.21, …)")))
        .isEqualTo("cam");
    assertThat(NorthboundEvents.appOf(event("ml", "model fleet-power: not retrained (…)")))
        .as("a framework model's events are not a developer's").isNull();
  }

  @Test
  void forwardsKeepsBoundedHistoryAndForgets() {
    List<AgentEvent> printed = new CopyOnWriteArrayList<>();
    NorthboundEvents hub = NorthboundEvents.forwardingTo(printed::add);
    for (int i = 0; i < NorthboundEvents.PER_APP + 10; i++) {
      hub.publish(event("instance", "cam/detector/" + i + " running on edge-1"));
    }
    hub.publish(event("node", "node edge-1 joined"));

    assertThat(printed).hasSize(NorthboundEvents.PER_APP + 11);
    assertThat(hub.history("cam")).hasSize(NorthboundEvents.PER_APP);
    assertThat(hub.history("cam").get(0).message()).startsWith("cam/detector/10 ");
    assertThat(hub.recent()).hasSize(NorthboundEvents.PER_APP + 11);
    hub.forget("cam");
    assertThat(hub.history("cam")).isEmpty();
  }

  @Test
  void recentEventsAreBounded() {
    NorthboundEvents hub = NorthboundEvents.create();
    for (int i = 0; i < NorthboundEvents.RECENT + 5; i++) {
      hub.publish(event("node", "n" + i));
    }
    assertThat(hub.recent()).hasSize(NorthboundEvents.RECENT);
    assertThat(hub.recent().get(0).message()).isEqualTo("n5");
  }

  @Test
  void slowSubscriberLosesEventsCountedWithoutBlockingPublish() throws Exception {
    NorthboundEvents hub = NorthboundEvents.create();
    NorthboundEvents.Subscription slow = hub.subscribe();
    NorthboundEvents.Subscription fast = hub.subscribe();
    int n = NorthboundEvents.CLIENT_QUEUE + 40;
    int fastSeen = 0;
    for (int i = 0; i < n; i++) {
      hub.publish(event("node", "n" + i));
      if (fast.poll(0) != null) {
        fastSeen++;
      }
    }
    assertThat(fastSeen).isEqualTo(n);
    assertThat(fast.dropped()).isZero();
    assertThat(slow.dropped()).isEqualTo(40);
    assertThat(hub.droppedEvents()).isEqualTo(40);
    assertThat(slow.poll(0).message()).isEqualTo("n0");
    slow.close();
    fast.close();
    assertThat(hub.subscriberCount()).isZero();
  }

  @Test
  void aFailingDownstreamDoesNotStopTheHub() {
    NorthboundEvents hub = NorthboundEvents.forwardingTo(e -> {
      throw new IllegalStateException("printer broke");
    });
    hub.publish(event("app", "app cam accepted"));
    assertThat(hub.history("cam")).hasSize(1);
  }
}
