package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.plan.PlanLog;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.protocol.InProcessLink;
import eu.mlsysops.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
 * An app that cannot start (a port already taken) fails on every node it is put on: it backs off,
 * then gives up, and its failures do not count against the nodes' trust unless other apps fail
 * there too. Three nodes are played by the test over real in-process links; time is the test's.
 */
class CrashLoopTest {
  @TempDir Path dir;
  private final ClusterFailureDetectionTest.ManualClock clock =
      new ClusterFailureDetectionTest.ManualClock();
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(1);
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>() {
    @Override
    public boolean add(AgentEvent e) {
      System.out.println(e); // kept in target/surefire-reports for diagnosis
      return super.add(e);
    }
  };
  /** Every instance id a node was asked to run. */
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  /** Failures the cluster held against a node. */
  private final List<String> blamedNodes = new CopyOnWriteArrayList<>();
  private InProcessLink up;
  private final java.util.Map<String, InProcessLink> links = new ConcurrentHashMap<>();
  private ClusterAgent cluster;

  @BeforeEach
  void setUp() {
    AgentEnvironment env = new AgentEnvironment(clock, timers, workers, events::add,
        PlanLog.discarding(), dir);
    up = InProcessLink.create(workers);
    // Nodes never look silent here: this test is about instances, not heartbeats.
    cluster = new ClusterAgent(new ClusterDescriptor("cloud", "cloud", null,
        List.of("cloud-1", "cloud-2", "cloud-3")), up.childSide(), env,
        new ClusterSettings(Duration.ofSeconds(1), 1_000_000, Duration.ofSeconds(2),
            Duration.ofSeconds(30)), Placer.withDefaults());
    cluster.observeNodes(new NodeObserver() {
      @Override
      public void instanceFailed(String node, String instanceId, String reason) {
        blamedNodes.add(node + " " + instanceId);
      }
    });
    cluster.start();
    for (String name : List.of("cloud-1", "cloud-2", "cloud-3")) {
      InProcessLink link = InProcessLink.create(workers);
      cluster.attach(link.parentSide());
      // Apps whose name starts with "bad", and images tagged "broken", cannot start anywhere.
      links.put(name, link);
      link.childSide().onReceive(m -> {
        if (m instanceof Message.DesiredState ds) {
          // Each instance is started once, from the spec it came with; a running one stays.
          List<Message.InstanceAssignment> fresh = ds.instances().stream()
              .filter(a -> started.add(a.instanceId())).toList();
          link.childSide().send(new Message.StatusReport(name, fresh.stream()
              .map(a -> {
                boolean fails = a.app().startsWith("bad")
                    || a.component().containers().get(0).image().endsWith(":broken");
                return new Message.InstanceReport(a.instanceId(), a.app(),
                    a.component().name(), name, fails ? "FAILED" : "RUNNING",
                    fails ? "listen :8080: address already in use" : "", clock.millis());
              }).toList(), false));
        }
      });
      link.childSide().send(new Message.Register(name, Message.Tier.NODE, node(name), null,
          List.of()));
    }
    await().atMost(30, TimeUnit.SECONDS).until(() -> cluster.nodeHealth().size() == 3);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
    timers.shutdownNow();
    workers.shutdownNow();
  }

  private static NodeDescriptor node(String name) {
    return Topologies.defaultTopology().stream()
        .filter(d -> d instanceof NodeDescriptor n && n.name().equals(name))
        .map(NodeDescriptor.class::cast).findFirst().orElseThrow();
  }

  private void assign(AppDescriptor... apps) {
    up.parentSide().send(new Message.DesiredState("continuum", clock.millis(), List.of(),
        List.of(apps)));
  }

  private long startedOf(String app) {
    return started.stream().filter(id -> id.startsWith(app + "/")).count();
  }

  private boolean saw(String text) {
    return events.stream().anyMatch(e -> e.message().contains(text));
  }

  @Test
  void aComponentThatKeepsFailingBacksOffThenGivesUpUntilTheAppChanges() {
    AppDescriptor bad = TierFixture.web("bad", null); // two instances of web
    assign(bad);
    await().atMost(30, TimeUnit.SECONDS).until(() -> saw("bad/web#0: failure 1 in a row")
        && saw("bad/web#1: failure 1 in a row"));
    // Until the clock passes the back-off, nothing is placed again (it used to be at once).
    await().during(1, TimeUnit.SECONDS).atMost(30, TimeUnit.SECONDS)
        .until(() -> startedOf("bad") == 2);

    long[] waits = {1_000, 2_000, 4_000, 8_000};
    for (int i = 0; i < waits.length; i++) {
      clock.advance(waits[i] + 100);
      int failures = i + 2;
      await().atMost(30, TimeUnit.SECONDS).until(() -> startedOf("bad") == 2L * failures);
    }
    await().atMost(30, TimeUnit.SECONDS).until(() -> saw("bad/web#0: gave up after 5 failures")
        && saw("bad/web#1: gave up after 5 failures"));
    clock.advance(600_000);
    await().during(1, TimeUnit.SECONDS).atMost(30, TimeUnit.SECONDS)
        .until(() -> startedOf("bad") == 10);
    assertThat(events).noneMatch(e -> e.message().contains("failure 6 in a row"));

    // A new descriptor may fix it: the component is placed again, with a clean slate.
    assign(TierFixture.app("MLSysOpsApp:\n  name: bad\n  cluster_placement: {cluster_id: [cloud]}\n"
        + "  components:\n    - metadata: {name: web}\n"
        + "      node_placement: {scaling: {scaling_mode: manual, instances: 1}}\n"
        + "      containers:\n        - image: registry.local/web:2\n"));
    await().atMost(30, TimeUnit.SECONDS).until(() -> events.stream()
        .filter(e -> e.message().contains("bad/web#0: failure 1 in a row")).count() == 2);
    // ...and backs off again: neither placement nor the spec rollout retries at once.
    long placed = startedOf("bad");
    assertThat(placed).isGreaterThan(10);
    await().during(1, TimeUnit.SECONDS).atMost(30, TimeUnit.SECONDS)
        .until(() -> startedOf("bad") == placed);
  }

  @Test
  void failuresOfOneAppAreTheAppsButTwoAppsFailingOnANodeCountAgainstIt() {
    assign(TierFixture.web("bad", null), TierFixture.web("good", null));
    await().atMost(30, TimeUnit.SECONDS).until(() -> startedOf("good") == 2
        && saw("bad/web#1: failure 1 in a row"));
    clock.advance(1_100);
    await().atMost(30, TimeUnit.SECONDS).until(() -> startedOf("bad") == 4);
    assertThat(blamedNodes).isEmpty();

    // Another app failing where the first one failed: now the node is suspect.
    assign(TierFixture.web("bad", null), TierFixture.web("good", null),
        TierFixture.web("bad-too", null));
    await().atMost(30, TimeUnit.SECONDS).until(() -> !blamedNodes.isEmpty());
    assertThat(blamedNodes).allMatch(b -> b.contains("bad-too/"));
  }

  private static AppDescriptor web(String name, String image) {
    return TierFixture.app("MLSysOpsApp:\n  name: " + name
        + "\n  cluster_placement: {cluster_id: [cloud]}\n  components:\n"
        + "    - metadata: {name: web}\n"
        + "      node_placement: {scaling: {scaling_mode: manual, instances: 2}}\n"
        + "      containers:\n        - image: " + image + "\n");
  }

  @Test
  void aNewSpecThatCannotStartBacksOffPerSlotWhileTheOldInstancesKeepRunning() {
    assign(web("roll", "registry.local/web:1"));
    await().atMost(30, TimeUnit.SECONDS).until(() -> saw("roll/web/0 running")
        && saw("roll/web/1 running"));
    assign(web("roll", "registry.local/web:broken"));
    await().atMost(30, TimeUnit.SECONDS).until(() -> saw("roll/web#0: its new spec failure 1")
        && saw("roll/web#1: its new spec failure 1"));
    // Neither slot is rolled again before its back-off ends (it used to be at once, forever).
    await().during(1, TimeUnit.SECONDS).atMost(30, TimeUnit.SECONDS)
        .until(() -> startedOf("roll") == 4);
    assertThat(events).anyMatch(e -> e.message().contains("roll/web/0 keeps running"));
    clock.advance(1_100);
    await().atMost(30, TimeUnit.SECONDS).until(() -> saw("roll/web#0: its new spec failure 2")
        && saw("roll/web#1: its new spec failure 2"));
    await().during(1, TimeUnit.SECONDS).atMost(30, TimeUnit.SECONDS)
        .until(() -> startedOf("roll") == 6);

    // Later the old instance itself crashes: that is its first failure, not the rollout's third.
    String nodeName = events.stream().map(AgentEvent::message)
        .filter(m -> m.startsWith("roll/web/0 running on ")).findFirst().orElseThrow()
        .substring("roll/web/0 running on ".length());
    links.get(nodeName).childSide().send(new Message.StatusReport(nodeName, List.of(
        new Message.InstanceReport("roll/web/0", "roll", "web", nodeName, "FAILED", "OOM killed",
            clock.millis())), false));
    await().atMost(30, TimeUnit.SECONDS)
        .until(() -> saw("roll/web#0: failure 1 in a row (OOM killed)"));
  }
}
