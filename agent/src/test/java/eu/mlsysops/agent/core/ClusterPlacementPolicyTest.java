package eu.mlsysops.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.telemetry.MetricStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The continuum's assignment of components to clusters. */
class ClusterPlacementPolicyTest {
  private final MetricStore store = MetricStore.withDefaults(Clock.systemUTC());
  private final PolicyDriver<?> driver =
      new PolicyDriver<>(new ClusterPlacementPolicy(Placer.withDefaults()));

  /** {@code source} runs at the edge and needs {@code sink}, which runs in the cloud. */
  private static AppDescriptor app(String sinkLayer) {
    return Descriptors.parseApp("""
        MLSysOpsApp:
          name: flow
          components:
            - metadata: {name: source}
              depends_on: [sink]
              node_placement: {continuum_layer: [edge]}
              containers: [{image: s}]
            - metadata: {name: sink}
              node_placement: {continuum_layer: [%s]}
              containers: [{image: k}]
        """.formatted(sinkLayer));
  }

  private static NodeDescriptor node(String name, String layer) {
    return Descriptors.parse("""
        MLSysOpsNode:
          name: %s
          continuum_layer: %s
          environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
          hardware: {cpu: {cores: 4}, memory: 4Gi}
        """.formatted(name, layer), name, ParseOptions.DEFAULT)
        .ofType(NodeDescriptor.class).get(0);
  }

  private TestView view(AppDescriptor app, List<String> edgeAssigned, List<String> cloudAssigned,
      List<SystemView.InstancePlacement> running) {
    SystemView system = new SystemView("continuum",
        List.of(new SystemView.NodeState(node("e1", "edge"), true, 0, 0),
            new SystemView.NodeState(node("c1", "cloud"), true, 0, 0)),
        running,
        List.of(new SystemView.ClusterState("edge", true, List.of("e1"), edgeAssigned),
            new SystemView.ClusterState("cloud", true, List.of("c1"), cloudAssigned)));
    return new TestView(store, Map.of(), system, app, 1_000);
  }

  private static List<String> assigned(Plan p) {
    return p.commands().stream().map(c -> c.args().get("component") + "→" + c.args().get("cluster"))
        .toList();
  }

  @Test
  void aDependentOnAnotherClusterIsAssignedOnlyOnceWhatItNeedsRuns() {
    AppDescriptor app = app("cloud");

    assertThat(driver.turn(view(app, List.of(), List.of(), List.of()))).isTrue();
    assertThat(assigned(driver.last())).containsExactly("sink→cloud");
    assertThat(driver.last().inputs())
        .containsEntry("source.waiting_for", "sink (on cluster cloud, not running yet)");

    // Assigned, not running yet: the source still waits.
    assertThat(driver.turn(view(app, List.of(), List.of("flow/sink"), List.of()))).isFalse();

    assertThat(driver.turn(view(app, List.of(), List.of("flow/sink"), List.of(
        new SystemView.InstancePlacement("flow", "sink", "flow/sink/0", "c1",
            InstancePhase.RUNNING))))).isTrue();
    assertThat(assigned(driver.last())).containsExactly("source→edge");
  }

  @Test
  void aDependencyOnTheSameClusterIsLeftToThatCluster() {
    AppDescriptor app = app("edge");

    assertThat(driver.turn(view(app, List.of(), List.of(), List.of()))).isTrue();
    assertThat(assigned(driver.last())).containsExactly("sink→edge", "source→edge");
  }

  @Test
  void aDependentOfAComponentNoClusterCanTakeIsUnschedulableNamingIt() {
    AppDescriptor app = app("far_edge"); // no far-edge node: the sink cannot be placed
    java.util.Map<String, String> said = new java.util.HashMap<>();
    PolicyDriver<?> watched = new PolicyDriver<>(new ClusterPlacementPolicy(Placer.withDefaults(),
        (a, byInstance) -> said.putAll(byInstance)));

    assertThat(watched.turn(view(app, List.of(), List.of(), List.of()))).isFalse();
    assertThat(said).containsKeys("sink/-1")
        .containsEntry("source/-1", "it depends on sink, which no cluster can take");
  }
}
