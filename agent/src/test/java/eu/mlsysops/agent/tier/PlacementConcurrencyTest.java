package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanRequest;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Placement on the built-in topology under concurrent events: plans are committed against the
 * cluster's placement version, a stale one is refused and recomputed, nothing is over-committed,
 * and what cannot go anywhere says why.
 */
class PlacementConcurrencyTest {
  @TempDir Path dataDir;
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
  private EmbeddedContinuum continuum;

  @AfterEach
  void tearDown() {
    if (continuum != null) {
      continuum.close();
    }
  }

  private void start() {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).events(events::add).build().start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
  }

  static AppDescriptor edgeApp(String name, String cpu, int instances) {
    String yaml = "MLSysOpsApp:\n  name: " + name + "\n  cluster_placement: {cluster_id: [edge]}\n"
        + "  components:\n    - metadata: {name: w}\n"
        + "      node_placement: {continuum_layer: [edge], scaling: {scaling_mode: manual,"
        + " instances: " + instances + "}}\n"
        + "      containers:\n        - image: w\n          platform_requirements:\n"
        + "            cpu: {requests: \"" + cpu + "\"}\n";
    return Descriptors.parse(yaml, name + ".yaml", ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
  }

  private List<Message.InstanceReport> instances() {
    List<Message.InstanceReport> out = new ArrayList<>();
    for (AppStatus a : continuum.continuum().apps()) {
      for (AppStatus.ComponentStatus c : a.components()) {
        out.addAll(c.instances());
      }
    }
    return out;
  }

  @Test
  void aPlanComputedAgainstAnOlderVersionIsRefusedNotApplied() {
    start();
    continuum.continuum().deploy(edgeApp("solo", "500m", 1));
    await().atMost(20, TimeUnit.SECONDS).until(() -> instances().stream()
        .anyMatch(r -> r.state().equals("RUNNING")));

    PlanRecord stale = continuum.clusters().get("edge").scheduler().submit(new PlanRequest(
        "stale-1", "test", "solo", true, Plan.of(Command.of("placement", "deploy", "app", "solo",
            "component", "w", "slot", "7", "node", "edge-3", "version", "1", "plan", "t"),
            "computed long ago", Map.of())));

    await().atMost(10, TimeUnit.SECONDS).until(() -> continuum.clusters().get("edge").scheduler()
        .get(stale.id()).map(r -> r.status().isTerminal()).orElse(false));
    PlanRecord r = continuum.clusters().get("edge").scheduler().get(stale.id()).orElseThrow();
    // Not applied and nothing of it took effect: discarded (its policy plans again), not failed.
    assertThat(r.status()).isEqualTo(PlanStatus.DISCARDED);
    assertThat(r.reason()).startsWith("stale plan: computed against placement version 1,");
    assertThat(instances()).noneMatch(i -> i.instanceId().equals("solo/w/7"));
  }

  @Test
  void concurrentDeploysAndANodeFailureNeverOverCommitAndTheRestExplainsItself()
      throws Exception {
    start();
    Map<String, Long> capacity = Map.of("edge-1", 4000L, "edge-2", 4000L, "edge-3", 8000L);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> deploys = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        String name = "app" + i;
        deploys.add(pool.submit(() -> continuum.continuum().deploy(edgeApp(name, "1500m", 2))));
      }
      for (Future<?> f : deploys) {
        f.get(10, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdown();
    }
    List<String> violations = new CopyOnWriteArrayList<>();
    await().atMost(20, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> {
      checkCapacity(capacity, violations);
      return instances().stream().filter(r -> r.state().equals("RUNNING")).count() >= 8;
    });
    continuum.failNode("edge-2");

    // edge-1 holds two instances of 1.5 cores and edge-3 five: seven in all, whatever the order.
    await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(50)).until(() -> {
      checkCapacity(capacity, violations);
      return instances().stream().filter(r -> r.state().equals("RUNNING")
          && !r.node().equals("edge-2")).count() == 7;
    });
    assertThat(violations).isEmpty();
    List<String> why = continuum.continuum().apps().stream()
        .flatMap(a -> a.components().stream()).map(AppStatus.ComponentStatus::unschedulable)
        .filter(s -> !s.isEmpty()).toList();
    assertThat(why).isNotEmpty().allSatisfy(s -> assertThat(s)
        .matches("0/\\d+ nodes: .*insufficient cpu \\(need 1500m\\).*"));
    assertThat(events).anyMatch(e -> e.kind().equals("placement")
        && e.message().contains("/w/") && e.message().contains("unschedulable in cluster edge"));
  }

  private void checkCapacity(Map<String, Long> capacity, List<String> violations) {
    Map<String, Long> used = new HashMap<>();
    for (Message.InstanceReport r : instances()) {
      if (!r.node().isEmpty() && !r.state().equals("LOST") && !r.state().equals("FAILED")) {
        used.merge(r.node(), 1500L, Long::sum);
      }
    }
    used.forEach((node, millis) -> {
      if (millis > capacity.getOrDefault(node, 0L)) {
        violations.add(node + " holds " + millis + "m of " + capacity.get(node) + "m");
      }
    });
  }
}
