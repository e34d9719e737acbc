package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.plan.PlanLog;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.protocol.InProcessLink;
import eu.mlsysops.protocol.Message;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's failure detector on an injected clock: a node is unreachable only once the clock
 * passes the missed heartbeats, and each app's instances are lost after that app's own
 * {@code lost_after}. The node is played by the test over a real in-process link.
 */
class ClusterFailureDetectionTest {
  /** Time only moves when the test says so. */
  static final class ManualClock extends Clock {
    private volatile long millis = 1_000_000;

    void advance(long ms) {
      millis += ms;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1);
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>() {
    @Override
    public boolean add(AgentEvent e) {
      System.out.println(e); // kept in target/surefire-reports for diagnosis
      return super.add(e);
    }
  };
  private final List<Message> toNode = new CopyOnWriteArrayList<>();
  private InProcessLink nodeLink;
  private InProcessLink up;
  private ClusterAgent cluster;

  @BeforeEach
  void setUp() {
    AgentEnvironment env = new AgentEnvironment(clock, timers, workers, events::add,
        PlanLog.discarding(), dir);
    up = InProcessLink.create(workers);
    // 200 ms heartbeats, 15 missed (3 s), 2 s grace; the detector runs every 50 ms of real time.
    cluster = new ClusterAgent(new eu.mlsysops.model.ClusterDescriptor("cloud", "cloud", null,
        List.of("cloud-1")), up.childSide(), env,
        new ClusterSettings(Duration.ofMillis(200), 15, Duration.ofSeconds(2),
            Duration.ofSeconds(30)), Placer.withDefaults());
    nodeLink = InProcessLink.create(workers);
    cluster.attach(nodeLink.parentSide());
    // The node's side of the protocol: whatever it is asked to run, it runs.
    nodeLink.childSide().onReceive(m -> {
      toNode.add(m);
      if (m instanceof Message.DesiredState ds) {
        nodeLink.childSide().send(new Message.StatusReport("cloud-1", ds.instances().stream()
            .map(a -> new Message.InstanceReport(a.instanceId(), a.app(), a.component().name(),
                "cloud-1", "RUNNING", "", clock.millis())).toList(), true));
      }
    });
    cluster.start();
    nodeLink.childSide().send(new Message.Register("cloud-1", Message.Tier.NODE, cloud1(), null,
        List.of()));
    await().atMost(5, TimeUnit.SECONDS).until(() -> cluster.nodeHealth().containsKey("cloud-1"));
  }

  @AfterEach
  void tearDown() {
    cluster.close();
    timers.shutdownNow();
    workers.shutdownNow();
  }

  private static NodeDescriptor cloud1() {
    return Topologies.defaultTopology().stream()
        .filter(d -> d instanceof NodeDescriptor n && n.name().equals("cloud-1"))
        .map(NodeDescriptor.class::cast).findFirst().orElseThrow();
  }

  private boolean saw(String prefix) {
    return events.stream().anyMatch(e -> e.message().startsWith(prefix));
  }

  @Test
  void nodeIsUnreachableOnlyOnceTheClockPassesTheMissedHeartbeatsAndBackOnItsNextHeartbeat() {
    // 15 missed × 200 ms = 3 s of silence by the injected clock.
    clock.advance(2_900);
    await().during(300, TimeUnit.MILLISECONDS).atMost(2, TimeUnit.SECONDS)
        .until(() -> cluster.nodeHealth().get("cloud-1"));

    clock.advance(200);
    await().atMost(5, TimeUnit.SECONDS).until(() -> !cluster.nodeHealth().get("cloud-1"));
    assertThat(saw("node cloud-1 is unreachable (no heartbeat for 3100 ms)")).isTrue();

    nodeLink.childSide().send(new Message.Heartbeat("cloud-1", clock.millis()));
    await().atMost(5, TimeUnit.SECONDS).until(() -> cluster.nodeHealth().get("cloud-1"));
    assertThat(saw("node cloud-1 is back")).isTrue();
  }

  @Test
  void eachAppsInstancesAreLostAfterItsOwnLostAfter() {
    AppDescriptor quick = TierFixture.web("quick", null);
    AppDescriptor patient = TierFixture.web("patient", "{lost_after: 10s}");
    up.parentSide().send(new Message.DesiredState("continuum", 1, List.of(),
        List.of(quick, patient)));
    // Both apps' replicas run on the only node.
    await().atMost(10, TimeUnit.SECONDS).until(() -> cluster.placementCount() == 4);

    clock.advance(3_100);
    await().atMost(5, TimeUnit.SECONDS).until(() -> !cluster.nodeHealth().get("cloud-1"));
    clock.advance(2_100);
    await().atMost(5, TimeUnit.SECONDS).until(() -> saw("node cloud-1 lost for app quick"));
    assertThat(saw("node cloud-1 lost for app patient")).isFalse();

    clock.advance(8_100);
    await().atMost(5, TimeUnit.SECONDS).until(() -> saw(
        "node cloud-1 lost for app patient after 10000 ms: its instances will be placed"));
  }
}
