package eu.mlsysops.agent.core;

import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.ml.online.OnlineLogisticModel;
import eu.mlsysops.model.Component;
import eu.mlsysops.orchestration.MlScorer;
import eu.mlsysops.orchestration.NodeCandidate;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The placer's learned scorer in ML mode: the cluster's QoS model (the one {@code
 * ml-qos-relocation} trains from every QoS observation) predicts how likely a component with QoS
 * targets is to meet them on a node, so first placements already prefer nodes where components
 * did well, not only later relocations. In heuristic mode, and for components without QoS
 * targets, every node gets the same neutral 0.5, which changes no ranking.
 */
public final class QosModelScorer implements MlScorer {
  /** What every node scores when the model has no say. */
  static final double NEUTRAL = 0.5;

  private final OnlineLogisticModel model;
  private final Supplier<PolicyContext.Mode> mode;

  /**
   * @param model the cluster's QoS model (features {@link MlQosRelocationPolicy#FEATURES})
   * @param mode the agent's current mode
   */
  public QosModelScorer(OnlineLogisticModel model, Supplier<PolicyContext.Mode> mode) {
    this.model = Objects.requireNonNull(model, "model");
    this.mode = Objects.requireNonNull(mode, "mode");
  }

  @Override
  public String name() {
    return "ml_qos";
  }

  @Override
  public double score(Component component, NodeCandidate node) {
    if (mode.get() != PolicyContext.Mode.ML || component.qosMetrics().isEmpty()) {
      return NEUTRAL;
    }
    return model.predict(MlQosRelocationPolicy.features(component, node, false));
  }
}
