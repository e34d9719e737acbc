package eu.mlsysops.agent.core;

import eu.mlsysops.agent.InstancePhase;
import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.ml.online.OnlineLogisticModel;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learned relocation: instances on a saturated node miss their latency target, those on an
 * idle one meet it. The untrained model has no preference and moves nothing; once it has learned
 * from these observations it moves the violating instance to the idle node and says why.
 */
class MlQosRelocationPolicyTest {
  private static final String APP = """
      MLSysOpsApp:
        name: svc
        components:
          - metadata: {name: api}
            node_placement: {scaling: {scaling_mode: manual, instances: 2}}
            containers:
              - image: registry.local/api:1
                platform_requirements:
                  cpu: {requests: "500m"}
            qos_metrics:
              - application_metric_id: api_latency_ms
                target: 100
                relation: lower_or_equal
      """;

  private static NodeDescriptor node(String name) {
    String yaml = """
        MLSysOpsNode:
          name: %s
          cluster_id: c
          continuum_layer: edge
          environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
          hardware:
            cpu: {cores: 4, frequency: [1.8]}
            memory: 4Gi
        """.formatted(name);
    return Descriptors.parse(yaml, name, ParseOptions.DEFAULT).ofType(NodeDescriptor.class).get(0);
  }

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

  @TempDir Path dir;

  @Test
  void movesTheViolatingInstanceOnlyOnceTheModelHasLearnedWhy() throws Exception {
    ManualClock clock = new ManualClock();
    MetricStore store = MetricStore.withDefaults(clock);
    AppDescriptor app = Descriptors.parseApp(APP);
    SystemView system = new SystemView("c", List.of(
        new SystemView.NodeState(node("busy"), true, 3500, 0),
        new SystemView.NodeState(node("idle"), true, 500, 0)),
        List.of(
            new SystemView.InstancePlacement("svc", "api", "svc/api/0", "busy", InstancePhase.RUNNING),
            new SystemView.InstancePlacement("svc", "api", "svc/api/1", "idle", InstancePhase.RUNNING)));
    TestView view = new TestView(store, Map.of(), system, app, clock.millis);
    OnlineLogisticModel model = MlQosRelocationPolicy.newModel();
    Path file = dir.resolve("models/c/qos.model");
    MlQosRelocationPolicy policy = new MlQosRelocationPolicy(Placer.withDefaults(), model,
        Optional.of(file), Duration.ofSeconds(3), Duration.ofSeconds(15));
    assertThat(policy.initialize().mode()).isEqualTo(PolicyContext.Mode.ML);

    Plan plan = Plan.empty();
    PolicyDriver<?> driver = new PolicyDriver<>(policy);
    int round = 0;
    for (; round < 200 && plan.isEmpty(); round++) {
      clock.millis += 3000;
      view.now = clock.millis;
      append(store, clock, "node_cpu_utilization", Labels.of("node", "busy"), 0.97);
      append(store, clock, "node_cpu_utilization", Labels.of("node", "idle"), 0.12);
      append(store, clock, "api_latency_ms", instance("svc/api/0", "busy"), 450);
      append(store, clock, "api_latency_ms", instance("svc/api/1", "idle"), 30);
      driver.turn(view);
      plan = driver.last();
      if (round == 0) {
        assertThat(plan.isEmpty()).as("an untrained model prefers no node").isTrue();
      }
    }
    assertThat(plan.isEmpty()).as("moved within 200 rounds").isFalse();
    assertThat(round).isGreaterThan(1);
    assertThat(plan.commands().get(0).args()).containsEntry("to", "idle")
        .containsEntry("slot", "0");
    assertThat(plan.explanation())
        .startsWith("ML relocation (logistic model, ")
        .contains("api_latency_ms of api#0 averages 450.0 over 3 s, violating lower_or_equal 100"
            + " on busy; P(QoS met) ")
        .contains("P(QoS met) ").contains(" on idle: node_utilization +");
    assertThat(plan.inputs()).containsKeys("p_qos.busy", "p_qos.idle", "attribution");
    assertThat(Double.parseDouble(plan.inputs().get("p_qos.idle")))
        .isGreaterThan(Double.parseDouble(plan.inputs().get("p_qos.busy")) + 0.1);

    // What it learned survives a restart: the model file holds the same weights.
    assertThat(Files.isRegularFile(file)).isTrue();
    OnlineLogisticModel reloaded = MlQosRelocationPolicy.newModel();
    reloaded.load(file);
    assertThat(reloaded.updates()).isPositive().isLessThanOrEqualTo(model.updates());
  }

  private static Labels instance(String id, String node) {
    return Labels.of("app", "svc", "component", "api", "instance", id, "node", node);
  }

  private static void append(MetricStore s, ManualClock c, String metric, Labels l, double v) {
    s.append(new Sample(metric, l, c.millis - 500, v));
  }
}
