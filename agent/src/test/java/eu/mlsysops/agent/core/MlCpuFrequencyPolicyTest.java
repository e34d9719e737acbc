package eu.mlsysops.agent.core;

import eu.mlsysops.agent.InstancePhase;
import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.ml.rl.QLearner;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.orchestration.InstanceSpec;
import eu.mlsysops.orchestration.Simulation;
import eu.mlsysops.telemetry.MetricStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ML DVFS policy in a closed loop with the simulated node: its decisions change the node's
 * frequency, the simulation turns that into power and latency telemetry, and the policy learns
 * from it. On this node 0.6 GHz starves the service (latency over its 1 s target), 1.8 GHz meets
 * it at the highest power, and 1.2 GHz meets it for less: the policy must find 1.2 GHz.
 */
class MlCpuFrequencyPolicyTest {
  private static final String NODE = """
      MLSysOpsNode:
        name: n1
        cluster_id: c
        continuum_layer: edge
        environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
        hardware:
          cpu: {cores: 4, frequency: [0.6, 1.2, 1.8]}
          memory: 4Gi
      """;
  private static final String APP = """
      MLSysOpsApp:
        name: svc
        components:
          - metadata: {name: api}
            containers:
              - image: registry.local/api:1
                platform_requirements:
                  cpu: {requests: "1", limits: "1"}
            qos_metrics:
              - application_metric_id: api_latency_ms
                target: 1000
                relation: lower_or_equal
      """;

  @TempDir Path dir;

  private static final class ManualClock extends Clock {
    long millis = 1_000_000;

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

  /** Runs the loop for {@code epochs} decisions; returns the GHz after each. */
  private static double[] run(MlCpuFrequencyPolicy policy, int epochs, List<Plan> plans) {
    ManualClock clock = new ManualClock();
    MetricStore store = MetricStore.withDefaults(clock);
    Simulation sim = Simulation.builder().clock(clock).seed(1)
        .telemetry((node, s) -> store.append(s)).build();
    NodeDescriptor node = Descriptors.parse(NODE, "node", ParseOptions.DEFAULT)
        .ofType(NodeDescriptor.class).get(0);
    AppDescriptor app = Descriptors.parseApp(APP);
    sim.addNode(node);
    sim.runtime("n1")
        .start(new InstanceSpec("svc", "svc-api-0", app.components().get(0), Map.of()));
    CpuFrequencyMechanism mech = new CpuFrequencyMechanism(sim.frequencyControl("n1"));
    SystemView system = new SystemView("n1", List.of(),
        List.of(new SystemView.InstancePlacement("svc", "api", "svc-api-0", "n1", InstancePhase.RUNNING)));
    TestView view = new TestView(store, Map.of(CpuFrequencyMechanism.NAME, mech), system, app, 0);
    double[] ghz = new double[epochs];
    PolicyDriver<?> driver = new PolicyDriver<>(policy);
    for (int e = 0; e < epochs; e++) {
      for (int t = 0; t < 8; t++) {
        clock.millis += 250;
        sim.step();
      }
      view.now = clock.millis;
      if (driver.turn(view)) {
        Plan p = driver.last();
        plans.add(p);
        mech.apply(p.commands().get(0)).toCompletableFuture().join();
      }
      ghz[e] = sim.frequencyControl("n1").currentGhz();
    }
    return ghz;
  }

  @Test
  void learnsTheLowestFrequencyThatMeetsQosFromSimulatedTelemetry() {
    MlCpuFrequencyPolicy policy = new MlCpuFrequencyPolicy();
    List<Plan> plans = new java.util.ArrayList<>();
    double[] ghz = run(policy, 600, plans);
    long at12 = java.util.Arrays.stream(ghz, 500, 600).filter(g -> g == 1.2).count();
    assertThat(at12).as("epochs at 1.2 GHz among the last 100").isGreaterThanOrEqualTo(85);
    int settled = MlCpuFrequencyPolicy.state(0.225, 1);
    assertThat(policy.learner().greedy(settled)).isEqualTo(1); // stay
    assertThat(policy.learner().updates()).isGreaterThan(500);
  }

  @Test
  void explainsEachDecisionWithQValues() {
    List<Plan> plans = new java.util.ArrayList<>();
    run(new MlCpuFrequencyPolicy(), 40, plans);
    assertThat(plans).isNotEmpty();
    Plan last = plans.get(plans.size() - 1);
    assertThat(last.explanation())
        .startsWith("Q-learning (")
        .containsPattern("Q\\(down\\)=-?\\d\\.\\d{3} Q\\(stay\\)=-?\\d\\.\\d{3} Q\\(up\\)=")
        .contains("last reward")
        .contains("QoS violated");
    assertThat(last.inputs()).containsKeys("q_down", "q_stay", "q_up", "state", "explored");
  }

  @Test
  void keepsItsModelAcrossRestartsInTheModelFile() {
    Path file = dir.resolve("models/n1/ml-cpu-frequency.q");
    MlCpuFrequencyPolicy first =
        new MlCpuFrequencyPolicy(QLearner.builder(MlCpuFrequencyPolicy.states(), 3).build(),
            Optional.of(file));
    run(first, 50, new java.util.ArrayList<>());
    MlCpuFrequencyPolicy second =
        new MlCpuFrequencyPolicy(QLearner.builder(MlCpuFrequencyPolicy.states(), 3).build(),
            Optional.of(file));
    assertThat(second.learner().updates()).isEqualTo(first.learner().updates()).isPositive();
    int s = MlCpuFrequencyPolicy.state(0.225, 1);
    assertThat(second.learner().qValues(s)).containsExactly(first.learner().qValues(s));
  }

  @Test
  void runsOnlyInMlMode() {
    assertThat(new MlCpuFrequencyPolicy().initialize().mode()).isEqualTo(PolicyContext.Mode.ML);
    assertThat(new CpuFrequencyPolicy().initialize().mode())
        .isEqualTo(PolicyContext.Mode.HEURISTIC);
  }
}
