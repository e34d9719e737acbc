package eu.mlsysops.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The heuristic relocation: a violated QoS target moves the instance to a clearly less loaded
 * node, but only after its own node had the chance to raise its frequency.
 */
class QosRelocationPolicyTest {
  private static final long NOW = 10_000_000;
  private static final AppDescriptor APP = Descriptors.parseApp("""
      MLSysOpsApp:
        name: cam
        components:
          - metadata: {name: detector}
            containers:
              - image: det:1
                platform_requirements: {cpu: {requests: "500m"}}
            qos_metrics:
              - application_metric_id: detector_latency_ms
                target: 100
                relation: lower_or_equal
      """);

  private final MetricStore store = MetricStore.withDefaults(
      Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC));
  private final PolicyDriver<?> driver =
      new PolicyDriver<>(new QosRelocationPolicy(Placer.withDefaults()));

  private static NodeDescriptor node(String name) {
    return Descriptors.parse("""
        MLSysOpsNode:
          name: %s
          cluster_id: c
          continuum_layer: edge
          environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
          hardware:
            cpu: {cores: 4, frequency: [0.6, 1.2, 1.8]}
            memory: 4Gi
        """.formatted(name), name, ParseOptions.DEFAULT).ofType(NodeDescriptor.class).get(0);
  }

  /** The detector on edge-1 (running at {@code ghz}, 60 % busy) misses its target; edge-2 idles. */
  private TestView slowDetectorOnEdge1At(double ghz) {
    for (int i = 60; i >= 0; i--) { // oldest first: a store takes each series in time order
      long t = NOW - 1000L * i;
      store.append(new Sample("detector_latency_ms", Labels.of("app", "cam", "component",
          "detector", "instance", "cam/detector/0", "node", "edge-1"), t, 150));
      store.append(new Sample("node_cpu_utilization", Labels.of("node", "edge-1"), t, 0.6));
      store.append(new Sample("node_cpu_utilization", Labels.of("node", "edge-2"), t, 0.1));
      store.append(new Sample("node_cpu_scaling_frequency_hertz", Labels.of("node", "edge-1"), t,
          ghz * 1e9));
    }
    SystemView system = new SystemView("c", List.of(
        new SystemView.NodeState(node("edge-1"), true, 500, 0),
        new SystemView.NodeState(node("edge-2"), true, 0, 0)),
        List.of(new SystemView.InstancePlacement("cam", "detector", "cam/detector/0", "edge-1",
            InstancePhase.RUNNING)));
    return new TestView(store, Map.of(), system, APP, NOW);
  }

  @Test
  void aNodeBelowItsTopFrequencyGetsTheGraceToRaiseItBeforeTheInstanceMoves() {
    TestView view = slowDetectorOnEdge1At(0.6);

    assertThat(driver.turn(view)).as("edge-1 can still raise its frequency").isFalse();
    view.now = NOW + 19_000;
    assertThat(driver.turn(view)).isFalse();
    view.now = NOW + 20_000;
    assertThat(driver.turn(view)).isTrue();

    assertThat(driver.last().explanation()).startsWith("detector_latency_ms of detector#0"
        + " averages 150.0 over 3 s, violating lower_or_equal 100 (edge-1, below its top"
        + " frequency, did not meet it in 20 s); edge-1 runs at 60% cpu: move to edge-2");
  }

  @Test
  void aNodeAtItsTopFrequencyHasNothingLeftToTryAndTheInstanceMovesAtOnce() {
    TestView view = slowDetectorOnEdge1At(1.8);

    assertThat(driver.turn(view)).isTrue();
    assertThat(driver.last().explanation()).startsWith("detector_latency_ms of detector#0"
        + " averages 150.0 over 3 s, violating lower_or_equal 100; edge-1 runs at 60% cpu");
  }
}
