package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.SingleNodeGroup;
import eu.mlsysops.orchestration.AppPlacement;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.NodeVerdict;
import eu.mlsysops.orchestration.Placement;
import eu.mlsysops.orchestration.PlacementRequest;
import eu.mlsysops.orchestration.PlacementSnapshot;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.orchestration.Rejection;
import eu.mlsysops.orchestration.TrustSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Answers placement questions without changing anything: where each component of an app would go
 * and how every candidate node scores (a dry run), and why a deployed component is where it is and
 * not on some other node. Decides the way the agents do: a cluster per component as the continuum
 * assigns them, then nodes within the cluster with {@link PlacementSnapshot#placeApp} (depends_on
 * order, instances, single_node groups, mobility), against the continuum's current view of every
 * node and what is allocated on it, with the continuum's placer and no ranking limit, and the
 * cluster agents' trust filter: a node they would refuse as untrusted is refused here too.
 */
public final class PlacementAdvisor {
  private final ContinuumAgent continuum;
  private final Placer placer;

  /**
   * @param trust node trust as the cluster agents judge it
   * @param trustThreshold the trust below which they place nothing new on a node
   */
  public PlacementAdvisor(ContinuumAgent continuum, TrustSource trust, double trustThreshold) {
    this.continuum = Objects.requireNonNull(continuum);
    this.placer = continuum.placer().withTrust(trust, trustThreshold)
        .withRankingLimit(Integer.MAX_VALUE);
  }

  /**
   * An advisor for {@code port}'s continuum. Trust is the continuum's trust engine's for the
   * nodes it observes (agents in this process), otherwise the score the node's cluster last sent
   * up ({@code mlsysops_node_trust{facet="score"}}, agents in other processes), otherwise
   * unknown and not held against the node.
   */
  public static PlacementAdvisor of(ContinuumPort port) {
    ContinuumAgent continuum = port.continuum();
    TrustSource trust = node -> port.trust().trust(node.name())
        .map(eu.mlsysops.security.NodeTrust::score)
        .orElseGet(() -> continuum.telemetry().latest(ClusterTrust.METRIC,
            Map.of("node", node.name(), "facet", "score")).orElse(1.0));
    return new PlacementAdvisor(continuum, trust, port.trustThreshold());
  }

  /** A feasible node and its score, with each scorer's part. */
  public record Candidate(String node, String cluster, double score, Map<String, Double> scores) {}

  /**
   * One instance of a dry run.
   *
   * @param slot the instance's index
   * @param node where it would go; empty when nowhere
   * @param score the chosen node's score
   * @param explanation the placer's one line ({@link Placement#explanation()})
   * @param candidates the best feasible nodes, best first (as many as asked for)
   * @param feasible how many nodes are feasible in all
   * @param rejected nodes rejected, counted per reason (first failing filter)
   */
  public record InstancePlan(int slot, String node, double score, String explanation,
      List<Candidate> candidates, int feasible, Map<String, Integer> rejected) {}

  /**
   * One component of a dry run.
   *
   * @param component its name
   * @param cluster the cluster it would be assigned to; empty when none can take it
   * @param unschedulable why no cluster (or no node) can take it, per constraint; empty otherwise
   * @param instances its instances
   */
  public record ComponentPlan(String component, String cluster, String unschedulable,
      List<InstancePlan> instances) {}

  /** A dry run: every component, in placement order. */
  public record DryRun(String app, List<ComponentPlan> components) {
    /** True when every instance found a node. */
    public boolean placeable() {
      return components.stream().allMatch(c -> c.unschedulable().isEmpty());
    }
  }

  /**
   * What one node would say to one more instance of the component.
   *
   * @param node the node asked about
   * @param known whether the continuum knows such a node
   * @param cluster the node's cluster, or empty
   * @param feasible whether it passes every filter
   * @param failed every filter it fails, as text
   * @param score its score when feasible
   * @param verdict one line for people
   */
  public record NodeAnswer(String node, boolean known, String cluster, boolean feasible,
      List<String> failed, Optional<Candidate> score, String verdict) {}

  /**
   * Why a component is where it is.
   *
   * @param app the app
   * @param component the component
   * @param cluster the cluster it is assigned to, or empty
   * @param currentNodes the nodes its instances are on (lost and failed ones excluded)
   * @param summary the placer's summary for one more instance now
   * @param best the node the placer prefers now, or empty
   * @param ranking every feasible node, best first
   * @param rejected every rejected node with the first filter it failed
   * @param node the answer about the node asked about, when one was
   */
  public record Explanation(String app, String component, String cluster,
      List<String> currentNodes, String summary, String best, List<Candidate> ranking,
      Map<String, String> rejected, Optional<NodeAnswer> node) {}

  // ---- dry run ----

  /**
   * Where each component of {@code app} would go now. Deploys nothing. An app of that name that
   * runs already is placed as if it were not there (its instances and their requests left out),
   * so the answer is where it would go if deployed afresh. Every feasible node of each instance
   * is listed.
   */
  public DryRun dryRun(AppDescriptor app) {
    return dryRun(app, Integer.MAX_VALUE);
  }

  /**
   * As {@link #dryRun(AppDescriptor)}, listing at most {@code candidates} of each instance's
   * feasible nodes (the rest are counted): what an answer over thousands of nodes can hold.
   */
  public DryRun dryRun(AppDescriptor app, int candidates) {
    Objects.requireNonNull(app, "app");
    if (candidates < 1) {
      throw new IllegalArgumentException("candidates must be at least 1, got " + candidates);
    }
    Placer placer = this.placer.withRankingLimit(candidates);
    SystemView view = continuum.systemView();
    Map<String, String> clusterOfNode = clusterOfNode(view);
    Map<String, List<NodeCandidate>> nodesByCluster = allowedNodes(view, app);
    Map<String, PlacementSnapshot> byCluster = new LinkedHashMap<>();
    List<NodeCandidate> all = new ArrayList<>();
    nodesByCluster.forEach((cl, listed) -> {
      List<NodeCandidate> ns = withoutApp(listed, view, app);
      PlacementSnapshot s = placer.snapshot(ns);
      recordOthers(s, view, app.name(), null);
      byCluster.put(cl, s);
      all.addAll(ns);
    });
    Map<String, String> chosen = new LinkedHashMap<>();
    Map<String, String> stuck = new HashMap<>();
    for (Component c : dependencyOrder(app)) {
      String best = groupCluster(app, c, chosen);
      double bestScore = Double.NEGATIVE_INFINITY;
      if (best == null) {
        for (Map.Entry<String, PlacementSnapshot> e : byCluster.entrySet()) {
          Placement p = e.getValue().place(PlacementRequest.of(app, c));
          if (p.isPlaced() && (p.ranking().get(0).score() > bestScore
              || (p.ranking().get(0).score() == bestScore && e.getKey().compareTo(best) < 0))) {
            best = e.getKey();
            bestScore = p.ranking().get(0).score();
          }
        }
      }
      if (best == null) {
        PlacementSnapshot everywhere = placer.snapshot(all);
        recordOthers(everywhere, view, app.name(), null);
        stuck.put(c.name(), everywhere.place(PlacementRequest.of(app, c)).summary());
      } else {
        chosen.put(c.name(), best);
      }
    }
    Map<String, List<AppPlacement.InstancePlacement>> placed = new HashMap<>();
    for (Map.Entry<String, PlacementSnapshot> e : byCluster.entrySet()) {
      List<Component> mine = app.components().stream()
          .filter(c -> e.getKey().equals(chosen.get(c.name()))).toList();
      if (mine.isEmpty()) {
        continue;
      }
      AppPlacement ap = e.getValue().copy().placeApp(AppDescriptors.withComponents(app, mine));
      for (AppPlacement.InstancePlacement ip : ap.instances()) {
        placed.computeIfAbsent(ip.component(), k -> new ArrayList<>()).add(ip);
      }
    }
    List<ComponentPlan> out = new ArrayList<>();
    for (Component c : dependencyOrder(app)) {
      List<InstancePlan> instances = new ArrayList<>();
      List<String> why = new ArrayList<>();
      for (AppPlacement.InstancePlacement ip : placed.getOrDefault(c.name(), List.of())) {
        Placement p = ip.placement();
        if (!p.isPlaced()) {
          why.add(p.summary());
        }
        instances.add(new InstancePlan(ip.slot(), p.node().orElse(""),
            p.isPlaced() ? p.ranking().get(0).score() : 0, p.explanation(),
            candidates(p, clusterOfNode), p.feasibleCount(), p.reasonCounts()));
      }
      String unschedulable = stuck.containsKey(c.name()) ? stuck.get(c.name())
          : String.join("; ", why.stream().distinct().toList());
      out.add(new ComponentPlan(c.name(), chosen.getOrDefault(c.name(), ""), unschedulable,
          instances));
    }
    return new DryRun(app.name(), out);
  }

  // ---- explain ----

  /**
   * Why {@code component} of the deployed {@code app} is where it is, and, when {@code node} is
   * given, why it is not there (the filters that node fails, or its scores against the best).
   *
   * @throws java.util.NoSuchElementException naming what is unknown: the app or the component
   */
  public Explanation explain(String appName, String componentName, String node) {
    AppDescriptor app = continuum.descriptor(appName).orElseThrow(
        () -> new java.util.NoSuchElementException("no app named \"" + appName + "\""));
    Component c = app.component(componentName).orElseThrow(
        () -> new java.util.NoSuchElementException("app " + appName + " has no component \""
            + componentName + "\""));
    SystemView view = continuum.systemView();
    Map<String, String> clusterOfNode = clusterOfNode(view);
    String cluster = view.clusterOf(appName, componentName).map(SystemView.ClusterState::id)
        .orElse("");
    Map<String, List<NodeCandidate>> allowed = allowedNodes(view, app);
    List<NodeCandidate> pool = new ArrayList<>();
    allowed.forEach((cl, ns) -> {
      if (cluster.isEmpty() || cl.equals(cluster)) {
        pool.addAll(ns);
      }
    });
    // Judge one more instance as if this component's own instances were not there, so that
    // "why there" is not answered by "because it is already there".
    List<String> current = new ArrayList<>();
    Map<String, Integer> own = new HashMap<>();
    for (SystemView.InstancePlacement p : view.placementsOf(appName, componentName)) {
      if (!p.node().isEmpty() && !p.phase().isGone()) {
        current.add(p.node());
        own.merge(p.node(), 1, Integer::sum);
      }
    }
    PlacementSnapshot s = placer.snapshot(released(pool, own, c));
    recordOthers(s, view, appName, componentName);
    PlacementRequest request = PlacementRequest.of(app, c);
    Placement p = s.place(request);
    Optional<NodeAnswer> answer = Optional.empty();
    if (node != null && !node.isBlank()) {
      answer = Optional.of(answer(node, request, s, p, placer, view, app, c, own, clusterOfNode,
          cluster));
    }
    return new Explanation(appName, componentName, cluster, current, p.summary(),
        p.node().orElse(""), candidates(p, clusterOfNode), p.rejections(), answer);
  }

  private NodeAnswer answer(String node, PlacementRequest request, PlacementSnapshot s,
      Placement p, Placer placer, SystemView view, AppDescriptor app, Component c,
      Map<String, Integer> own, Map<String, String> clusterOfNode, String cluster) {
    String nodeCluster = clusterOfNode.getOrDefault(node, "");
    NodeVerdict v = s.explain(request, node);
    String note = "";
    if (!v.known() && !nodeCluster.isEmpty()) {
      // A node of another cluster: judge it on its own cluster's nodes, and say so.
      List<NodeCandidate> theirs = new ArrayList<>();
      for (SystemView.NodeState n : view.nodes()) {
        if (nodeCluster.equals(clusterOfNode.get(n.name()))) {
          theirs.add(candidate(n));
        }
      }
      PlacementSnapshot other = placer.snapshot(released(theirs, own, c));
      recordOthers(other, view, app.name(), c.name());
      v = other.explain(request, node);
      note = cluster.isEmpty() ? "" : "; it is in cluster " + nodeCluster + ", the component is"
          + " assigned to cluster " + cluster;
      if (app.clusterPlacement() != null && !app.clusterPlacement().clusterId().isEmpty()
          && !app.clusterPlacement().clusterId().contains(nodeCluster)) {
        note = "; cluster " + nodeCluster + " is not in the app's cluster_placement "
            + app.clusterPlacement().clusterId();
      }
    }
    Optional<Candidate> score = v.score().map(sc -> new Candidate(sc.node(),
        clusterOfNode.getOrDefault(sc.node(), ""), sc.score(), sc.scores()));
    String verdict;
    if (!v.known()) {
      verdict = node + ": no such node";
    } else if (!v.feasible()) {
      verdict = node + " fails " + String.join(", ",
          v.failed().stream().map(Rejection::text).toList()) + note;
    } else if (p.node().isPresent() && p.node().get().equals(node)) {
      verdict = String.format(Locale.ROOT, "%s is the best node now (score %.3f)%s", node,
          score.get().score(), note);
    } else if (p.isPlaced()) {
      Placement.CandidateScore best = p.ranking().get(0);
      List<String> parts = new ArrayList<>();
      for (Map.Entry<String, Double> e : best.scores().entrySet()) {
        double mine = score.get().scores().getOrDefault(e.getKey(), 0.0);
        parts.add(String.format(Locale.ROOT, "%s %.3f vs %.3f", e.getKey(), mine, e.getValue()));
      }
      int here = s.instancesOf(app.name(), c.name()).stream()
          .filter(node::equals).toList().size() + own.getOrDefault(node, 0);
      int there = own.getOrDefault(best.node(), 0);
      String spread = here > there ? "; it already runs " + here + " instance(s) of "
          + c.name() + " and spreading prefers nodes with fewer" : "";
      verdict = String.format(Locale.ROOT,
          "%s is feasible but scores %.3f against %.3f for %s (%s)%s%s", node,
          score.get().score(), best.score(), best.node(), String.join(", ", parts), spread, note);
    } else {
      verdict = String.format(Locale.ROOT, "%s is feasible (score %.3f)%s", node,
          score.get().score(), note);
    }
    return new NodeAnswer(node, v.known(), nodeCluster, v.feasible(),
        v.failed().stream().map(Rejection::text).toList(), score, verdict);
  }

  // ---- helpers ----

  private static Map<String, String> clusterOfNode(SystemView view) {
    Map<String, String> out = new HashMap<>();
    for (SystemView.ClusterState c : view.clusters()) {
      for (String n : c.nodes()) {
        out.put(n, c.id());
      }
    }
    return out;
  }

  /** The nodes of each cluster the app allows, as candidates, cluster by cluster. */
  private static Map<String, List<NodeCandidate>> allowedNodes(SystemView view,
      AppDescriptor app) {
    List<String> allowed = app.clusterPlacement() == null ? List.of()
        : app.clusterPlacement().clusterId();
    Map<String, SystemView.NodeState> byName = new HashMap<>();
    view.nodes().forEach(n -> byName.put(n.name(), n));
    Map<String, List<NodeCandidate>> out = new LinkedHashMap<>();
    for (SystemView.ClusterState c : view.clusters()) {
      if (!allowed.isEmpty() && !allowed.contains(c.id())) {
        continue;
      }
      List<NodeCandidate> ns = new ArrayList<>();
      for (String n : c.nodes()) {
        SystemView.NodeState st = byName.get(n);
        if (st != null) {
          ns.add(candidate(st));
        }
      }
      out.put(c.id(), ns);
    }
    return out;
  }

  private static NodeCandidate candidate(SystemView.NodeState n) {
    return new NodeCandidate(n.descriptor(), n.cpuAllocatedMillis(), n.memoryAllocatedBytes(), 0,
        n.healthy());
  }

  /**
   * Records running instances for spreading and locality, except those of one component of
   * {@code app} ({@code component} null: of the whole app).
   */
  private static void recordOthers(PlacementSnapshot s, SystemView view, String app,
      String component) {
    Set<String> known = new HashSet<>();
    s.nodes().forEach(n -> known.add(n.name()));
    for (SystemView.InstancePlacement p : view.placements()) {
      boolean self = p.app().equals(app) && (component == null || p.component().equals(component));
      if (!self && known.contains(p.node()) && !p.phase().isGone()) {
        s.recordRunning(p.app(), p.component(), p.node());
      }
    }
  }

  /** Candidates without the requests of the running instances of {@code app}. */
  private List<NodeCandidate> withoutApp(List<NodeCandidate> nodes, SystemView view,
      AppDescriptor app) {
    // What runs holds what the deployed descriptor asked for, not what the new one asks.
    AppDescriptor deployed = continuum.descriptor(app.name()).orElse(app);
    Map<String, long[]> held = new HashMap<>();
    for (SystemView.InstancePlacement p : view.placements()) {
      Component c = p.app().equals(app.name()) && !p.phase().isGone()
          ? deployed.component(p.component()).orElse(null) : null;
      if (c != null) {
        long[] h = held.computeIfAbsent(p.node(), k -> new long[2]);
        h[0] += c.cpuRequests().millis();
        h[1] += c.memoryRequests().longValue();
      }
    }
    if (held.isEmpty()) {
      return nodes;
    }
    List<NodeCandidate> out = new ArrayList<>(nodes.size());
    for (NodeCandidate n : nodes) {
      long[] h = held.get(n.name());
      out.add(h == null ? n : new NodeCandidate(n.node(),
          Math.max(0, n.cpuAllocatedMillis() - h[0]), Math.max(0, n.memoryAllocatedBytes() - h[1]),
          n.cpuUtilization(), n.healthy()));
    }
    return out;
  }

  /** Candidates without the requests of {@code c}'s own instances. */
  private static List<NodeCandidate> released(List<NodeCandidate> nodes, Map<String, Integer> own,
      Component c) {
    List<NodeCandidate> out = new ArrayList<>(nodes.size());
    for (NodeCandidate n : nodes) {
      int k = own.getOrDefault(n.name(), 0);
      out.add(k == 0 ? n : new NodeCandidate(n.node(),
          Math.max(0, n.cpuAllocatedMillis() - k * c.cpuRequests().millis()),
          Math.max(0, n.memoryAllocatedBytes() - k * c.memoryRequests().longValue()),
          n.cpuUtilization(), n.healthy()));
    }
    return out;
  }

  private static List<Candidate> candidates(Placement p, Map<String, String> clusterOfNode) {
    return p.ranking().stream().map(r -> new Candidate(r.node(),
        clusterOfNode.getOrDefault(r.node(), ""), r.score(), r.scores())).toList();
  }

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

  private static List<Component> dependencyOrder(AppDescriptor app) {
    Map<String, Component> byName = new LinkedHashMap<>();
    app.components().forEach(c -> byName.putIfAbsent(c.name(), c));
    List<Component> out = new ArrayList<>();
    Set<String> done = new HashSet<>();
    for (Component c : byName.values()) {
      visit(c, byName, done, new HashSet<>(), out);
    }
    return out;
  }

  private static void visit(Component c, Map<String, Component> byName, Set<String> done,
      Set<String> visiting, List<Component> out) {
    if (done.contains(c.name()) || !visiting.add(c.name())) {
      return;
    }
    for (String d : c.dependsOn()) {
      Component dep = byName.get(d);
      if (dep != null) {
        visit(dep, byName, done, visiting, out);
      }
    }
    done.add(c.name());
    out.add(c);
  }
}
