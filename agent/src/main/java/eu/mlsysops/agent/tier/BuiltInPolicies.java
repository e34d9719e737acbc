package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.core.AutoScalingPolicy;
import eu.mlsysops.agent.core.DynamicPlacementPolicy;
import eu.mlsysops.agent.core.MlCpuFrequencyPolicy;
import eu.mlsysops.agent.core.MlQosRelocationPolicy;
import eu.mlsysops.agent.core.PlacementObserver;
import eu.mlsysops.agent.core.QosRelocationPolicy;
import eu.mlsysops.agent.core.StaticPlacementPolicy;
import eu.mlsysops.agent.engine.PolicyEngine;
import eu.mlsysops.ml.online.OnlineLogisticModel;
import eu.mlsysops.ml.rl.QLearner;
import eu.mlsysops.orchestration.Placer;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The built-in policies of the tiers; the ML-mode ones keep their models under the data dir.
 */
final class BuiltInPolicies {
  private static final String ORIGIN = "built-in";

  private BuiltInPolicies() {}

  /** A cluster's QoS model and the file it is kept in. */
  record QosModel(OnlineLogisticModel model, Path file) {}

  /**
   * The cluster's policies: static and dynamic placement, autoscaling, and QoS relocation
   * (heuristic, and learned from {@code qos}).
   *
   * @param scored the cluster's placer, with its scorers
   * @param unschedulable told what dynamic placement could not place
   */
  static void addClusterPolicies(PolicyEngine engine, Placer scored, QosModel qos,
      PlacementObserver unschedulable) {
    engine.add(StaticPlacementPolicy::new, ORIGIN);
    engine.add(() -> new DynamicPlacementPolicy(scored, unschedulable), ORIGIN);
    engine.add(() -> new AutoScalingPolicy(AutoScalingPolicy.Settings.defaults()), ORIGIN);
    engine.add(() -> new QosRelocationPolicy(scored), ORIGIN);
    engine.add(() -> qosRelocation(scored, qos.model(), qos.file()), ORIGIN);
  }

  /**
   * The node's learned DVFS policy; its Q-table lives in {@code
   * <data-dir>/models/<node>/ml-cpu-frequency.q}. Seeded by the node's name: nodes explore
   * differently, and the same node explores the same way on every run.
   */
  static MlCpuFrequencyPolicy cpuFrequency(String node, Path dataDir) {
    QLearner learner = QLearner.builder(MlCpuFrequencyPolicy.states(), 3)
        .seed(node.hashCode())
        .build();
    Path file = dataDir.resolve("models").resolve(node).resolve(MlCpuFrequencyPolicy.NAME + ".q");
    return new MlCpuFrequencyPolicy(learner, Optional.of(file));
  }

  /**
   * A cluster's QoS model, one per cluster agent and shared by its apps' relocation policies; kept
   * in {@code <data-dir>/models/<cluster>/qos.model} and loaded from there when the file exists (a
   * bad file is reported and ignored).
   */
  static QosModel qosModel(Path dataDir, String cluster) {
    Path file = dataDir.resolve("models").resolve(cluster).resolve("qos.model");
    OnlineLogisticModel m = MlQosRelocationPolicy.newModel();
    if (java.nio.file.Files.isRegularFile(file)) {
      try {
        m.load(file);
      } catch (java.io.IOException | RuntimeException e) {
        System.getLogger(BuiltInPolicies.class.getName()).log(System.Logger.Level.WARNING,
            "ignoring the model file " + file + ": " + e.getMessage());
        return new QosModel(MlQosRelocationPolicy.newModel(), file);
      }
    }
    return new QosModel(m, file);
  }

  /** The cluster's learned relocation, choosing among {@code placer}'s feasible nodes. */
  private static MlQosRelocationPolicy qosRelocation(Placer placer, OnlineLogisticModel model, Path file) {
    return new MlQosRelocationPolicy(placer, model, Optional.of(file),
        java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(15));
  }
}
