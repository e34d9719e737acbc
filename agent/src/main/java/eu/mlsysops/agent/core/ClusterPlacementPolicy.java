package eu.mlsysops.agent.core;

import eu.mlsysops.agent.ClusterAssignment;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.ComponentId;
import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.Policy;
import eu.mlsysops.agent.PolicyContext;
import eu.mlsysops.agent.PolicyView;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.SingleNodeGroup;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.Placement;
import eu.mlsysops.orchestration.PlacementRequest;
import eu.mlsysops.orchestration.PlacementSnapshot;
import eu.mlsysops.orchestration.Placer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Core continuum policy: assigns each component of an app to a cluster. Candidates are the
 * clusters the descriptor allows ({@code cluster_placement.cluster_id}, all when absent); a
 * cluster qualifies when at least one of its nodes passes the component's constraints, and the
 * cluster whose best node scores highest wins. Components of one app may land on different
 * clusters (e.g. a sensor component on the edge, an analytics component in the cloud), except the
 * members of a {@code single_node} group, which follow the first member assigned. A component
 * whose cluster was lost (silent past the continuum's grace period) is assigned again among the
 * others.
 *
 * <p>A component no cluster can take is told to the {@link PlacementObserver} with the placer's
 * summary over the nodes of every allowed cluster, e.g. {@code 0/12 nodes: 7 wrong
 * continuum_layer, 3 insufficient cpu (need 500m), 2 missing sensor camera/d455}.
 */
public final class ClusterPlacementPolicy implements Policy<Changes> {
  public static final String NAME = "cluster-placement";
  static final String MECHANISM = ClusterAssignment.MECHANISM;
  private final Placer placer;
  private final PlacementObserver observer;

  public ClusterPlacementPolicy(Placer placer) {
    this(placer, PlacementObserver.none());
  }

  public ClusterPlacementPolicy(Placer placer, PlacementObserver observer) {
    this.placer = Objects.requireNonNull(placer);
    this.observer = Objects.requireNonNull(observer);
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
  public Optional<Changes> analyze(PolicyView view) {
    AppDescriptor app = view.app().orElse(null);
    if (app == null) {
      return Optional.empty();
    }
    SystemView system = view.system();
    List<NodeCandidate> all = PlacementInputs.candidates(view);
    List<String> allowed = app.clusterPlacement() == null
        ? List.of() : app.clusterPlacement().clusterId();
    Map<String, PlacementSnapshot> byCluster = new LinkedHashMap<>();
    List<NodeCandidate> allowedNodes = new ArrayList<>();
    for (SystemView.ClusterState cl : system.clusters()) {
      if ((!allowed.isEmpty() && !allowed.contains(cl.id())) || !cl.healthy()) {
        continue;
      }
      Set<String> names = new HashSet<>(cl.nodes());
      List<NodeCandidate> mine = all.stream().filter(n -> names.contains(n.node().name())).toList();
      allowedNodes.addAll(mine);
      byCluster.put(cl.id(), placer.snapshot(mine));
    }
    Map<String, String> chosen = new LinkedHashMap<>();
    List<Command> cs = new ArrayList<>();
    List<String> why = new ArrayList<>();
    Map<String, String> in = new LinkedHashMap<>();
    Map<String, String> stuck = new TreeMap<>();
    Map<String, String> lostFrom = new LinkedHashMap<>();
    for (Component c : PlacementInputs.dependencyOrder(app)) {
      system.clusterOf(app.name(), c.name()).ifPresent(cl -> {
        if (cl.healthy()) {
          chosen.put(c.name(), cl.id());
        } else {
          lostFrom.put(c.name(), cl.id());
        }
      });
    }
    // Assignments planned but not applied yet count as made: an analysis woken meanwhile must
    // not plan them again (the continuum applies them on its loop, a moment later).
    PlacementInputs.inFlight(view, MECHANISM, app.name(), c -> c.arg("component", ""),
        c -> c.arg("cluster", "")).forEach(chosen::putIfAbsent);
    for (Component c : PlacementInputs.dependencyOrder(app)) {
      if (chosen.containsKey(c.name())) {
        continue;
      }
      String best = groupCluster(app, c, chosen);
      double bestScore = Double.NEGATIVE_INFINITY;
      if (best == null) {
        for (Map.Entry<String, PlacementSnapshot> e : byCluster.entrySet()) {
          Placement p = e.getValue().place(PlacementRequest.of(app, c));
          if (p.node().isEmpty()) {
            continue;
          }
          double score = p.ranking().get(0).score();
          if (score > bestScore || (score == bestScore && e.getKey().compareTo(best) < 0)) {
            best = e.getKey();
            bestScore = score;
          }
        }
      }
      String blocked = blockedBy(c, stuck);
      if (blocked != null) {
        stuck.put(c.name() + "/-1", "it depends on " + blocked + ", which no cluster can take");
        in.put(c.name() + ".rejected", "depends on " + blocked);
        continue;
      }
      String waitingFor = best == null ? null : dependencyElsewhereNotRunning(app, c, best, chosen,
          system);
      if (waitingFor != null) {
        // depends_on across clusters: a cluster enforces the order only among its own
        // components, so the dependent is assigned once what it needs runs elsewhere.
        in.put(c.name() + ".waiting_for", waitingFor);
        continue;
      }
      if (best != null) {
        chosen.put(c.name(), best);
        cs.add(new ClusterAssignment(new ComponentId(app.name(), c.name()), best).toCommand());
        why.add(c.name() + " → " + best + (lostFrom.containsKey(c.name())
            ? " (cluster " + lostFrom.get(c.name()) + " was lost)" : ""));
        if (bestScore > Double.NEGATIVE_INFINITY) {
          in.put(c.name() + ".score", String.format("%.3f", bestScore));
        }
      } else {
        // One summary over every allowed cluster's nodes: "0/12 nodes: 7 wrong continuum_layer…"
        Placement p = placer.place(PlacementRequest.of(app, c), allowedNodes);
        stuck.put(c.name() + "/-1", p.summary());
        in.put(c.name() + ".rejected", p.summary());
      }
    }
    observer.unschedulable(app.name(), stuck);
    return Changes.of(cs, why, in);
  }

  /** The first component {@code c} depends on that could not be placed this pass, or null. */
  private static String blockedBy(Component c, Map<String, String> stuck) {
    for (String d : c.dependsOn()) {
      if (stuck.containsKey(d + "/-1")) {
        return d;
      }
    }
    return null;
  }

  /**
   * The first component {@code c} depends on that is not yet assigned, or assigned to another
   * cluster than {@code cluster} and without a running instance; null when none.
   */
  private static String dependencyElsewhereNotRunning(AppDescriptor app, Component c,
      String cluster, Map<String, String> chosen, SystemView system) {
    for (String d : c.dependsOn()) {
      if (app.component(d).isEmpty()) {
        continue;
      }
      String there = chosen.get(d);
      if (there == null) {
        return d + " (not placed yet)";
      }
      if (!there.equals(cluster)
          && system.placementsOf(app.name(), d).stream().noneMatch(p -> p.running())) {
        return d + " (on cluster " + there + ", not running yet)";
      }
    }
    return null;
  }

  /** The cluster a member of {@code c}'s {@code single_node} group went to, if any. */
  private static String groupCluster(AppDescriptor app, Component c, Map<String, String> chosen) {
    for (SingleNodeGroup g : app.singleNode()) {
      if (g.components().contains(c.name())) {
        for (String m : g.components()) {
          if (chosen.containsKey(m)) {
            return chosen.get(m);
          }
        }
      }
    }
    return null;
  }

  @Override
  public Plan plan(PolicyView view, Changes changes) {
    return changes.toPlan("assign");
  }
}
