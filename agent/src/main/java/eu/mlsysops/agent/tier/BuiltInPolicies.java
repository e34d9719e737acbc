package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.core.MlCpuFrequencyPolicy;
import eu.mlsysops.agent.core.MlQosRelocationPolicy;
import eu.mlsysops.ml.online.OnlineLogisticModel;
import eu.mlsysops.ml.rl.QLearner;
import eu.mlsysops.orchestration.Placer;
import java.nio.file.Path;
import java.util.Optional;

/** The built-in ML-mode policies of each tier, with their models kept under the data dir. */
final class MlPolicies {
  private MlPolicies() {}

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

  /** Where a cluster keeps its QoS model: {@code <data-dir>/models/<cluster>/qos.model}. */
  static Path qosModelFile(Path dataDir, String cluster) {
    return dataDir.resolve("models").resolve(cluster).resolve("qos.model");
  }

  /**
   * A cluster's QoS model, one per cluster agent and shared by its apps' relocation policies;
   * loaded from {@code file} when it exists (a bad file is reported and ignored).
   */
  static OnlineLogisticModel qosModel(Path file) {
    OnlineLogisticModel m = MlQosRelocationPolicy.newModel();
    if (java.nio.file.Files.isRegularFile(file)) {
      try {
        m.load(file);
      } catch (java.io.IOException | RuntimeException e) {
        System.getLogger(MlPolicies.class.getName()).log(System.Logger.Level.WARNING,
            "ignoring the model file " + file + ": " + e.getMessage());
        return MlQosRelocationPolicy.newModel();
      }
    }
    return m;
  }

  /** The cluster's learned relocation, choosing among {@code placer}'s feasible nodes. */
  static MlQosRelocationPolicy qosRelocation(Placer placer, OnlineLogisticModel model, Path file) {
    return new MlQosRelocationPolicy(placer, model, Optional.of(file),
        java.time.Duration.ofSeconds(3), java.time.Duration.ofSeconds(15));
  }
}
