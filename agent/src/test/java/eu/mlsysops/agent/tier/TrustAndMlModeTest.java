package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.core.CpuFrequencyPolicy;
import eu.mlsysops.agent.core.MlCpuFrequencyPolicy;
import eu.mlsysops.agent.engine.PolicyStatus;
import eu.mlsysops.agent.plan.PlanQuery;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanRequest;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.security.NodeTrust;
import eu.mlsysops.security.TrustLevel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trust fed by the real cluster agents, filtering real placements; the ML mode switch. */
class TrustAndMlModeTest {
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
        .tick(java.time.Duration.ofMillis(50)).events(e -> {
          events.add(e);
          System.out.println(e);
        }).build().start();
    await().atMost(10, TimeUnit.SECONDS).until(() -> continuum.trust().all().size() == 8);
  }

  /** Submits plans that the node's cpu_frequency mechanism refuses: real failed plans. */
  private void failPlansOn(String node, int n) {
    NodeAgent a = continuum.nodes().get(node);
    for (int i = 0; i < n; i++) {
      a.scheduler().submit(new PlanRequest(null, "broken-policy", "", false, Plan.of(
          Command.of("cpu_frequency", "set", "ghz", "fast"), "test", Map.of())));
    }
  }

  @Test
  void registeredNodesAreTrustedAndFailedPlansLowerTrustWithEvents() {
    start();
    assertThat(continuum.trust().all().values()).allSatisfy(t -> {
      assertThat(t.identity()).isEqualTo(1.0);
      assertThat(t.level()).isEqualTo(TrustLevel.HIGH);
    });
    failPlansOn("edge-2", 14);
    await().atMost(10, TimeUnit.SECONDS).until(() ->
        continuum.trust().trust("edge-2").orElseThrow().level() == TrustLevel.LOW);
    NodeTrust t = continuum.trust().trust("edge-2").orElseThrow();
    assertThat(t.explain()).contains("14 failed plans in the last 1 min (latest: broken-policy:"
        + " cpu_frequency set: ghz: \"fast\" is not a number)");
    assertThat(events).filteredOn(e -> e.kind().equals("trust")).extracting(AgentEvent::message)
        .anyMatch(m -> m.startsWith("node edge-2 trust high → medium: "))
        .anyMatch(m -> m.startsWith("node edge-2 trust medium → low: "));
  }

  @Test
  void placementAvoidsNodesBelowTheTrustThreshold() {
    start();
    failPlansOn("edge-2", 14);
    failPlansOn("edge-3", 14);
    await().atMost(10, TimeUnit.SECONDS).until(() ->
        continuum.trust().trust("edge-2").orElseThrow().score() < 0.5
            && continuum.trust().trust("edge-3").orElseThrow().score() < 0.5);
    continuum.continuum().deploy(EmbeddedContinuumTest.demoApp());
    // Without the trust filter the detector would go to the least allocated edge node, which is
    // not edge-1 (camera-ingest runs there).
    await().atMost(20, TimeUnit.SECONDS).until(() -> running("detector") != null);
    assertThat(running("detector")).isEqualTo("edge-1");
    assertThat(continuum.trustThreshold()).isEqualTo(0.5);
  }

  private String running(String component) {
    return continuum.continuum().app("smart-camera").orElseThrow().components().stream()
        .filter(c -> c.name().equals(component)).flatMap(c -> c.instances().stream())
        .filter(r -> r.state().equals("RUNNING")).map(Message.InstanceReport::node)
        .findFirst().orElse(null);
  }

  private long analyses(NodeAgent a, String policy) {
    return a.engine().status().stream().filter(s -> s.name().equals(policy))
        .mapToLong(PolicyStatus::analyses).sum();
  }

  @Test
  void mlModePausesTheHeuristicAndRunsTheLearnedPolicy() throws Exception {
    start();
    NodeAgent node = continuum.nodes().get("cloud-1");
    await().atMost(10, TimeUnit.SECONDS)
        .until(() -> analyses(node, CpuFrequencyPolicy.NAME) > 0);
    assertThat(analyses(node, MlCpuFrequencyPolicy.NAME)).isZero();

    continuum.setMode(PolicyContext.Mode.ML);
    long heuristicAtSwitch = analyses(node, CpuFrequencyPolicy.NAME);
    await().atMost(20, TimeUnit.SECONDS).until(() -> !mlPlans().isEmpty());
    PlanRecord p = mlPlans().get(0);
    assertThat(p.explanation()).startsWith("Q-learning (").contains("Q(down)=").contains("Q(up)=");
    assertThat(p.inputs()).containsKeys("q_down", "q_stay", "q_up");
    // Analyses of the heuristic stop (one may have been in flight at the switch).
    assertThat(analyses(node, CpuFrequencyPolicy.NAME)).isLessThanOrEqualTo(heuristicAtSwitch + 1);
    await().atMost(10, TimeUnit.SECONDS).until(() -> Files.isRegularFile(
        dataDir.resolve("models/cloud-1/ml-cpu-frequency.q")));

    continuum.setMode(PolicyContext.Mode.HEURISTIC);
    long mlAtSwitch = analyses(node, MlCpuFrequencyPolicy.NAME);
    await().atMost(10, TimeUnit.SECONDS)
        .until(() -> analyses(node, CpuFrequencyPolicy.NAME) > heuristicAtSwitch + 1);
    assertThat(analyses(node, MlCpuFrequencyPolicy.NAME)).isLessThanOrEqualTo(mlAtSwitch + 1);
  }

  private List<PlanRecord> mlPlans() {
    return continuum.planLog().query(PlanQuery.recent(20).withPolicy(MlCpuFrequencyPolicy.NAME)
        .withStatus(PlanStatus.COMPLETED));
  }
}
