package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.ClusterAssignment;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The continuum's {@code cluster_placement} mechanism: action {@code assign} with {@code app},
 * {@code component}, {@code cluster} hands a component to a cluster agent (which places it on
 * nodes). Persisted before the cluster is told, so a restart re-sends the same assignment.
 */
final class ClusterPlacementMechanism implements Mechanism {
  static final String NAME = "cluster_placement";
  private final ContinuumAgent continuum;

  ClusterPlacementMechanism(ContinuumAgent continuum) {
    this.continuum = continuum;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Map<String, Object> options() {
    return Map.of("actions", List.of("assign"));
  }

  @Override
  public Map<String, Object> state() {
    return Map.of();
  }

  @Override
  public boolean exclusive() {
    return false;
  }

  @Override
  public String conflictKey(Command c) {
    return c.arg("app", "") + "/" + c.arg("component", "");
  }

  @Override
  public CompletionStage<ApplyResult> apply(Command c) {
    ClusterAssignment a;
    try {
      a = ClusterAssignment.from(c);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(ApplyResult.failure(e.getMessage()));
    }
    return continuum.assign(a.component().app(), a.component().component(), a.cluster());
  }
}
