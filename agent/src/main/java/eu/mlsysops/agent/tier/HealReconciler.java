package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.Placement;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.telemetry.TelemetryQuery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code best_score} choice of {@code disconnect.reconcile}: when a lost node comes back and
 * both the original instance and its replacement run, the one on the node the placer ranks higher
 * now stays. Both nodes carry the component already, so the comparison is fair; a tie keeps the
 * original (no churn for nothing).
 */
final class HealReconciler {
  private static final Duration UTILISATION_WINDOW = Duration.ofSeconds(5);

  private HealReconciler() {}

  static boolean originalScoresHigher(
      Placer placer, SystemView system, TelemetryQuery telemetry, AppDescriptor app,
      String component, String originalNode, String replacementNode) {
    Component c = app == null ? null : app.component(component).orElse(null);
    if (c == null) {
      return true;
    }
    List<NodeCandidate> candidates = new ArrayList<>();
    for (SystemView.NodeState n : system.nodes()) {
      if (n.name().equals(originalNode) || n.name().equals(replacementNode)) {
        double util = telemetry.avgOverWindow("node_cpu_utilization", Map.of("node", n.name()),
            UTILISATION_WINDOW).orElse(0);
        // Both run the component now; score each as if it were the one to keep.
        long cpu = Math.max(0, n.cpuAllocatedMillis() - c.cpuRequests().millis());
        long mem = Math.max(0, n.memoryAllocatedBytes() - c.memoryRequests().longValue());
        candidates.add(new NodeCandidate(n.descriptor(), cpu, mem, util, true));
      }
    }
    Placement p = placer.place(app.name(), c, candidates, Set.of());
    double original = score(p, originalNode);
    double replacement = score(p, replacementNode);
    return original >= replacement;
  }

  private static double score(Placement p, String node) {
    return p.ranking().stream().filter(r -> r.node().equals(node)).mapToDouble(
        Placement.CandidateScore::score).findFirst().orElse(Double.NEGATIVE_INFINITY);
  }
}
