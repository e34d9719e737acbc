package eu.mlsysops.orchestration;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.SingleNodeGroup;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The nodes one {@link Placer} chooses among, with what is allocated on them and which component
 * instances run where, kept up to date by the caller: place an instance, {@link #commit} it (its
 * requests are allocated for the next placement), {@link #release} it when it stops, {@link
 * #update} a node when it changes (health, utilisation, descriptor, allocations observed).
 *
 * <p>Correct under concurrent events, as Nomad's plan applier is: every method is atomic (one lock
 * per snapshot), and a placement decided earlier is committed only if its node still passes every
 * filter at commit time ({@link #commit} returns false for a stale one); {@link #placeAndCommit}
 * decides and commits in one step. Decisions against a frozen view for a dry run: {@link #copy}.
 *
 * <p>The static facts the filters need are computed once per node, when it is added or its
 * descriptor changes; one placement then costs one pass over the nodes without allocating per node.
 */
public final class PlacementSnapshot {
  private final Placer placer;
  private final NodeTable table;

  /** {@link CompiledRequest#key} → nodes of the running instances, in the order recorded. */
  private final Map<String, List<String>> instances;

  private long version;

  PlacementSnapshot(Placer placer, NodeTable table) {
    this.placer = placer;
    this.table = table;
    this.instances = new HashMap<>();
  }

  private PlacementSnapshot(PlacementSnapshot o) {
    this.placer = o.placer;
    this.table = o.table.copy();
    this.instances = new HashMap<>();
    for (Map.Entry<String, List<String>> e : o.instances.entrySet()) {
      instances.put(e.getKey(), new ArrayList<>(e.getValue()));
    }
    this.version = o.version;
  }

  /** An independent copy, e.g. to try placements without touching this snapshot. */
  public synchronized PlacementSnapshot copy() {
    return new PlacementSnapshot(this);
  }

  /** Incremented by every change; two equal versions mean nothing changed in between. */
  public synchronized long version() {
    return version;
  }

  /** The number of nodes. */
  public synchronized int size() {
    return table.size();
  }

  /** The node's current state, or empty when there is no node of that name. */
  public synchronized Optional<NodeCandidate> node(String name) {
    int i = table.indexOf(name);
    return i < 0 ? Optional.empty() : Optional.of(table.candidate(i));
  }

  /** Every node's current state. */
  public synchronized List<NodeCandidate> nodes() {
    return table.candidates();
  }

  /** Nodes of the instances of {@code component} of {@code app} known to run, in recorded order. */
  public synchronized List<String> instancesOf(String app, String component) {
    return List.copyOf(instances.getOrDefault(CompiledRequest.key(app, component), List.of()));
  }

  /** Decides where one instance would go now; changes nothing. */
  public synchronized Placement place(PlacementRequest request) {
    return placer.evaluate(table, compile(request));
  }

  /**
   * Decides where one instance goes and, if anywhere, allocates its requests there and records the
   * instance, atomically.
   */
  public synchronized Placement placeAndCommit(PlacementRequest request) {
    CompiledRequest r = compile(request);
    Placement p = placer.evaluate(table, r);
    if (p.isPlaced()) {
      apply(r, table.indexOf(p.node().get()), List.of(request.component().name()));
    }
    return p;
  }

  /**
   * Commits an instance of {@code request} to {@code node}, decided earlier (by {@link #place}, or
   * on a copy): only if the node still exists and passes every filter now; then its requests are
   * allocated and the instance recorded.
   *
   * @return false when the decision went stale (node gone, full, unreachable…); place again
   */
  public synchronized boolean commit(PlacementRequest request, String node) {
    CompiledRequest r = compile(request);
    int i = table.indexOf(node);
    if (i < 0 || !placer.feasible(table, r, i)) {
      return false;
    }
    apply(r, i, List.of(request.component().name()));
    return true;
  }

  /**
   * Plans every instance of {@code app} not yet recorded, as {@link #placeApp} would, against a
   * copy of this snapshot at its current version; this snapshot does not change and is not held
   * while the plan is computed. Apply the plan with {@link #commit(PlacementPlan)}.
   */
  public PlacementPlan plan(AppDescriptor app) {
    Objects.requireNonNull(app, "app");
    PlacementSnapshot copy = copy();
    long at = copy.version;
    return new PlacementPlan(at, app, copy.placeApp(app));
  }

  /**
   * Applies {@code plan} (allocates and records every instance it placed) only if this snapshot is
   * still at the version the plan was computed against: any change since (a node's health,
   * utilisation or descriptor, another commit, a release) makes the plan stale, and it is refused
   * whole. Compute a new plan then.
   *
   * @return false, changing nothing, when the plan is stale
   */
  public synchronized boolean commit(PlacementPlan plan) {
    Objects.requireNonNull(plan, "plan");
    if (plan.version() != version) {
      return false;
    }
    Map<String, Component> byName = new HashMap<>();
    for (Component c : plan.app().components()) {
      byName.putIfAbsent(c.name(), c);
    }
    for (AppPlacement.InstancePlacement ip : plan.placement().instances()) {
      Optional<String> node = ip.placement().node();
      Component c = byName.get(ip.component());
      int i = node.isPresent() ? table.indexOf(node.get()) : -1;
      if (c == null || i < 0) {
        continue;
      }
      table.allocate(
          i,
          ComponentRequirements.cpuRequestMillis(c),
          ComponentRequirements.memoryRequestBytes(c));
      instances
          .computeIfAbsent(CompiledRequest.key(plan.app().name(), c.name()), k -> new ArrayList<>())
          .add(table.names[i]);
    }
    version++;
    return true;
  }

  /**
   * Why {@code node} would or would not take one instance of {@code request} now: every filter it
   * fails, or its score breakdown. Changes nothing.
   */
  public synchronized NodeVerdict explain(PlacementRequest request, String node) {
    Objects.requireNonNull(node, "node");
    int i = table.indexOf(node);
    if (i < 0) {
      return new NodeVerdict(node, false, List.of(), Optional.empty());
    }
    return placer.verdict(table, compile(request), i);
  }

  /**
   * Records an instance that already runs (its resources are already in the node's allocations), so
   * that spreading and locality know about it.
   */
  public synchronized void recordRunning(String app, String component, String node) {
    Objects.requireNonNull(node, "node");
    instances
        .computeIfAbsent(CompiledRequest.key(app, component), k -> new ArrayList<>())
        .add(node);
    version++;
  }

  /**
   * An instance of {@code component} stopped on {@code node}: forgets one recorded instance there
   * (committed, or {@link #recordRunning recorded}) and frees its requests. Releasing an instance
   * twice frees once. For allocations the snapshot never recorded as instances, {@link #update} the
   * node instead.
   *
   * @return false, changing nothing, when no such instance is recorded on that node
   */
  public synchronized boolean release(String app, Component component, String node) {
    List<String> where = instances.get(CompiledRequest.key(app, component.name()));
    if (where == null || !where.remove(node)) {
      return false;
    }
    version++;
    int i = table.indexOf(node);
    if (i < 0) {
      return true;
    }
    table.allocate(
        i,
        -ComponentRequirements.cpuRequestMillis(component),
        -ComponentRequirements.memoryRequestBytes(component));
    return true;
  }

  /**
   * Adds a node, or replaces everything about the node of the same name, allocations included (a
   * resync from the ground truth). For one changed fact use {@link #setHealthy} or {@link
   * #setUtilization}, which cannot undo a concurrent commit.
   */
  public synchronized void update(NodeCandidate node) {
    table.put(Objects.requireNonNull(node, "node"));
    version++;
  }

  /**
   * The node answers again, or stopped answering.
   *
   * @return false when there is no such node
   */
  public synchronized boolean setHealthy(String node, boolean healthy) {
    int i = table.indexOf(node);
    if (i < 0) {
      return false;
    }
    table.healthy[i] = healthy;
    table.candidates[i] = null;
    version++;
    return true;
  }

  /**
   * The node's observed CPU utilisation, 0..1 (clamped; NaN counts as 0).
   *
   * @return false when there is no such node
   */
  public synchronized boolean setUtilization(String node, double utilization) {
    int i = table.indexOf(node);
    if (i < 0) {
      return false;
    }
    table.utilization[i] = Double.isNaN(utilization) ? 0 : Math.max(0, Math.min(1, utilization));
    table.candidates[i] = null;
    version++;
    return true;
  }

  /** Removes a node; its recorded instances are forgotten. False when there was none. */
  public synchronized boolean remove(String node) {
    boolean removed = table.remove(node);
    if (removed) {
      for (List<String> where : instances.values()) {
        where.removeIf(node::equals);
      }
      version++;
    }
    return removed;
  }

  /**
   * Places every instance of {@code app} not yet recorded as running, and commits each placed one:
   * components in {@code depends_on} order (so dependants can be placed near what they depend on),
   * {@code instances} of each, the components of a {@code single_node} group together on one node
   * per replica (the group's {@code continuum_layer}, {@code labels}, {@code mobile}, {@code node}
   * and {@code scaling} override the members' own; requests are summed). An instance that cannot be
   * placed is reported and the rest go on. For a dry run, call it on a {@link #copy}.
   */
  public synchronized AppPlacement placeApp(AppDescriptor app) {
    Objects.requireNonNull(app, "app");
    Map<String, Component> byName = new LinkedHashMap<>();
    for (Component c : app.components()) {
      byName.putIfAbsent(c.name(), c);
    }
    Map<String, Integer> groupOf = new HashMap<>();
    List<SingleNodeGroup> groups = app.singleNode();
    for (int g = 0; g < groups.size(); g++) {
      for (String name : groups.get(g).components()) {
        if (byName.containsKey(name)) {
          groupOf.putIfAbsent(name, g);
        }
      }
    }
    List<AppPlacement.InstancePlacement> out = new ArrayList<>();
    Set<Integer> done = new HashSet<>();
    for (Component c : dependencyOrder(app.components())) {
      Integer g = groupOf.get(c.name());
      if (g == null) {
        placeComponent(app, c, out);
      } else if (done.add(g)) {
        List<Component> members = new ArrayList<>();
        for (String name : groups.get(g).components()) {
          if (groupOf.get(name) != null && groupOf.get(name).equals(g)) {
            members.add(byName.get(name));
          }
        }
        placeGroup(app, groups.get(g), members, out);
      }
    }
    return new AppPlacement(app.name(), out);
  }

  private void placeComponent(
      AppDescriptor app, Component c, List<AppPlacement.InstancePlacement> out) {
    ComponentRequirements reqs = ComponentRequirements.of(c);
    int running = running(app.name(), c.name()).size();
    for (int slot = running; slot < reqs.declaredInstances(); slot++) {
      CompiledRequest r =
          placer.compile(
              table,
              reqs,
              app.name(),
              c,
              List.of(c.name()),
              Set.of(),
              app.componentInteractions(),
              OptionalDouble.empty(),
              instances);
      Placement p = placer.evaluate(table, r);
      if (p.isPlaced()) {
        apply(r, table.indexOf(p.node().get()), List.of(c.name()));
      }
      out.add(new AppPlacement.InstancePlacement(c.name(), slot, p));
    }
  }

  private void placeGroup(
      AppDescriptor app,
      SingleNodeGroup g,
      List<Component> members,
      List<AppPlacement.InstancePlacement> out) {
    List<ComponentRequirements> reqs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    int replicas = 1;
    for (Component m : members) {
      ComponentRequirements q = ComponentRequirements.of(m);
      reqs.add(q);
      names.add(m.name());
      replicas = Math.max(replicas, q.declaredInstances());
    }
    boolean groupScaled = g.scaling() != null && g.scaling().instances() != null;
    if (groupScaled) {
      replicas = Math.max(1, g.scaling().instances());
    }
    for (int replica = 0; replica < replicas; replica++) {
      List<ComponentRequirements> needed = new ArrayList<>();
      List<String> neededNames = new ArrayList<>();
      Component first = null;
      String pin = null;
      for (int j = 0; j < members.size(); j++) {
        List<String> where = running(app.name(), names.get(j));
        boolean wanted = groupScaled || replica < reqs.get(j).declaredInstances();
        if (where.size() > replica) {
          // A member of this replica already runs: the others must join it there.
          pin = pin == null ? where.get(replica) : pin;
        } else if (wanted) {
          needed.add(reqs.get(j));
          neededNames.add(names.get(j));
          first = first == null ? members.get(j) : first;
        }
      }
      if (needed.isEmpty()) {
        continue;
      }
      ComponentRequirements merged = ComponentRequirements.group(g, needed);
      if (pin != null) {
        merged = merged.pinnedTo(pin);
      }
      CompiledRequest r =
          placer.compile(
              table,
              merged,
              app.name(),
              first,
              names,
              Set.of(),
              app.componentInteractions(),
              OptionalDouble.empty(),
              instances);
      Placement p = placer.evaluate(table, r);
      if (p.isPlaced()) {
        apply(r, table.indexOf(p.node().get()), neededNames);
      }
      for (String name : neededNames) {
        out.add(new AppPlacement.InstancePlacement(name, replica, p));
      }
    }
  }

  private List<String> running(String app, String component) {
    return instances.getOrDefault(CompiledRequest.key(app, component), List.of());
  }

  private CompiledRequest compile(PlacementRequest request) {
    Objects.requireNonNull(request, "request");
    Component c = request.component();
    return placer.compile(
        table,
        ComponentRequirements.of(c),
        request.app(),
        c,
        c.name() == null ? List.of() : List.of(c.name()),
        request.excludedNodes(),
        request.interactions(),
        request.trustThreshold(),
        instances);
  }

  private void apply(CompiledRequest r, int node, List<String> components) {
    table.allocate(node, r.reqs.cpuRequestMillis(), r.reqs.memoryRequestBytes());
    for (String name : components) {
      instances
          .computeIfAbsent(CompiledRequest.key(r.app, name), k -> new ArrayList<>())
          .add(table.names[node]);
    }
    version++;
  }

  /** Components so that each comes after those it depends on; cycles keep descriptor order. */
  static List<Component> dependencyOrder(List<Component> components) {
    Map<String, Component> byName = new LinkedHashMap<>();
    for (Component c : components) {
      byName.putIfAbsent(c.name(), c);
    }
    List<Component> out = new ArrayList<>();
    Set<String> done = new HashSet<>();
    Set<String> visiting = new HashSet<>();
    for (Component c : byName.values()) {
      visit(c, byName, done, visiting, out);
    }
    return out;
  }

  private static void visit(
      Component c,
      Map<String, Component> byName,
      Set<String> done,
      Set<String> visiting,
      List<Component> out) {
    if (done.contains(c.name()) || !visiting.add(c.name())) {
      return;
    }
    for (String d : c.dependsOn()) {
      Component dep = byName.get(d);
      if (dep != null) {
        visit(dep, byName, done, visiting, out);
      }
    }
    visiting.remove(c.name());
    done.add(c.name());
    out.add(c);
  }
}
