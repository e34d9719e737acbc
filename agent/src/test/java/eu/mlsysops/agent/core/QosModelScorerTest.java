package eu.mlsysops.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.ml.online.OnlineLogisticModel;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.Placement;
import eu.mlsysops.orchestration.PlacementRequest;
import eu.mlsysops.orchestration.Placer;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** In ML mode the cluster's QoS model scores first placements; otherwise it changes nothing. */
class QosModelScorerTest {
  private static final AppDescriptor APP = Descriptors.parseApp("""
      MLSysOpsApp:
        name: svc
        components:
          - metadata: {name: api}
            containers:
              - image: registry.local/api:1
                platform_requirements:
                  cpu: {requests: "500m"}
            qos_metrics:
              - application_metric_id: api_latency_ms
                target: 100
                relation: lower_or_equal
          - metadata: {name: batch}
            containers:
              - image: registry.local/batch:1
                platform_requirements:
                  cpu: {requests: "500m"}
      """);

  private static NodeDescriptor node(String name) {
    return Descriptors.parse("""
        MLSysOpsNode:
          name: %s
          cluster_id: c
          continuum_layer: edge
          environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
          hardware: {cpu: {cores: 4, frequency: [1.8]}, memory: 4Gi}
        """.formatted(name), name, ParseOptions.DEFAULT).ofType(NodeDescriptor.class).get(0);
  }

  private final Component api = APP.component("api").orElseThrow();
  private final Component batch = APP.component("batch").orElseThrow();
  // "busy" has less allocated (least_allocated prefers it) but runs hot; QoS failed there.
  private final NodeCandidate busy = new NodeCandidate(node("busy"), 0, 0, 0.95, true);
  private final NodeCandidate calm = new NodeCandidate(node("calm"), 1000, 0, 0.10, true);
  private final AtomicReference<PolicyContext.Mode> mode =
      new AtomicReference<>(PolicyContext.Mode.HEURISTIC);

  private OnlineLogisticModel trained() {
    OnlineLogisticModel model = MlQosRelocationPolicy.newModel();
    for (int i = 0; i < 400; i++) {
      model.update(MlQosRelocationPolicy.features(api, busy, true), 0);
      model.update(MlQosRelocationPolicy.features(api, calm, true), 1);
    }
    return model;
  }

  @Test
  void scoresByPredictedQosOnlyInMlModeAndOnlyForComponentsWithTargets() {
    QosModelScorer scorer = new QosModelScorer(trained(), mode::get);

    assertThat(scorer.score(api, busy)).isEqualTo(0.5);
    assertThat(scorer.score(api, calm)).isEqualTo(0.5);
    mode.set(PolicyContext.Mode.ML);
    assertThat(scorer.score(api, calm)).isGreaterThan(scorer.score(api, busy) + 0.3);
    assertThat(scorer.score(batch, busy)).isEqualTo(0.5);
  }

  @Test
  void aPlacerWithTheScorerPlacesTheFirstInstanceWhereQosWasMetInMlMode() {
    // A cluster that weighs allocation only: it prefers the emptier, hot node.
    Placer placer = Placer.builder().weight("low_utilization", 0).build()
        .withScorer(new QosModelScorer(trained(), mode::get), 1.0);
    PlacementRequest request = PlacementRequest.of(APP, api);

    Placement heuristic = placer.place(request, List.of(busy, calm));
    mode.set(PolicyContext.Mode.ML);
    Placement learned = placer.place(request, List.of(busy, calm));

    assertThat(heuristic.node()).contains("busy");
    assertThat(learned.node()).contains("calm");
    assertThat(learned.ranking().get(0).scores()).containsKey("ml_qos");
  }
}
