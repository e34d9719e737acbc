package eu.mlsysops.agent.core;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.Placement;
import eu.mlsysops.orchestration.Placer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Core continuum policy: assigns each component of an app to a cluster. Candidates are the
 * clusters the descriptor allows ({@code cluster_placement.cluster_id}, all when absent); a
 * cluster qualifies when at least one of its nodes passes the component's constraints, and the
 * cluster whose best node scores highest wins. A component whose cluster was lost (silent past
 * the continuum's grace period) is assigned again among the others. Components of one app may
 * land on different clusters (e.g. a sensor component on the edge, an analytics component in the
 * cloud).
 */
public final class ClusterPlacementPolicy implements Policy {
  public static final String NAME = "cluster-placement";
  static final String MECHANISM = "cluster_placement";
  private final Placer placer;
  private List<Command> commands = List.of();
  private List<String> reasons = List.of();
  private Map<String, String> inputs = Map.of();

  public ClusterPlacementPolicy(Placer placer) {
    this.placer = Objects.requireNonNull(placer);
  }

  @Override
  public PolicyContext initialize() {
    return PolicyContext.builder(NAME)
        .scope(PolicyContext.Scope.APPLICATION)
        .core(true)
        .analyzeInterval(Duration.ofSeconds(5))
        .mechanisms(MECHANISM)
        .build();
  }

  @Override
  public boolean analyze(PolicyView view) {
    AppDescriptor app = view.app().orElse(null);
    if (app == null) {
      return false;
    }
    SystemView system = view.system();
    List<NodeCandidate> all = PlacementInputs.candidates(view);
    List<String> allowed = app.clusterPlacement() == null
        ? List.of() : app.clusterPlacement().clusterId();
    List<Command> cs = new ArrayList<>();
    List<String> why = new ArrayList<>();
    Map<String, String> in = new LinkedHashMap<>();
    for (Component c : app.components()) {
      SystemView.ClusterState current = system.clusterOf(app.name(), c.name()).orElse(null);
      if (current != null && current.healthy()) {
        continue;
      }
      String best = null;
      double bestScore = Double.NEGATIVE_INFINITY;
      List<String> rejected = new ArrayList<>();
      for (SystemView.ClusterState cl : system.clusters()) {
        if ((!allowed.isEmpty() && !allowed.contains(cl.id())) || !cl.healthy()) {
          continue;
        }
        List<NodeCandidate> mine = all.stream()
            .filter(n -> cl.nodes().contains(n.node().name())).toList();
        Placement p = placer.place(app.name(), c, mine, Set.of());
        if (p.node().isEmpty()) {
          rejected.add(cl.id() + ": " + p.explanation());
          continue;
        }
        double score = p.ranking().get(0).score();
        if (score > bestScore || (score == bestScore && cl.id().compareTo(best) < 0)) {
          best = cl.id();
          bestScore = score;
        }
      }
      if (best != null) {
        cs.add(Command.of(MECHANISM, "assign", "app", app.name(), "component", c.name(),
            "cluster", best));
        why.add(c.name() + " → " + best
            + (current == null ? "" : " (cluster " + current.id() + " was lost)"));
        in.put(c.name() + ".score", String.format("%.3f", bestScore));
      } else if (!rejected.isEmpty()) {
        in.put(c.name() + ".rejected", String.join("; ", rejected));
      }
    }
    commands = cs;
    reasons = why;
    inputs = in;
    return !cs.isEmpty();
  }

  @Override
  public Plan plan(PolicyView view) {
    return new Plan(commands, "assign " + String.join(", ", reasons), inputs);
  }
}
