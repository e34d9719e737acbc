package eu.mlsysops.agent.tier;

import eu.mlsysops.agent.InstancePhase;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.protocol.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The continuum agent's state as its loop last published it, immutable, and what readers on other
 * threads (the API, policies, dry runs) compute from it: app statuses, clusters, the system view.
 *
 * @param apps accepted apps by name, in the order they were accepted
 * @param assignments app → component → cluster
 * @param instances the latest report of every instance, by id
 * @param unassignable app → component → why no cluster can take it
 * @param clusters the registered clusters, in the order they registered
 */
record ContinuumSnapshot(
    String continuum,
    Map<String, ContinuumStore.StoredApp> apps,
    Map<String, Map<String, String>> assignments,
    Map<String, Message.InstanceReport> instances,
    Map<String, Map<String, String>> unassignable,
    List<Cluster> clusters) {

  /** A cluster as its latest inventory and the continuum's failure detection describe it. */
  record Cluster(String id, boolean healthy, boolean lost, List<NodeDescriptor> nodes,
      List<String> unhealthy) {}

  static ContinuumSnapshot empty(String continuum) {
    return new ContinuumSnapshot(continuum, Map.of(), Map.of(), Map.of(), Map.of(), List.of());
  }

  List<AppDescriptor> descriptors() {
    return apps.values().stream().map(ContinuumStore.StoredApp::descriptor).toList();
  }

  Optional<AppDescriptor> descriptor(String name) {
    return Optional.ofNullable(apps.get(name)).map(ContinuumStore.StoredApp::descriptor);
  }

  List<AppStatus> statuses() {
    return apps.keySet().stream().map(this::statusOf).toList();
  }

  Optional<AppStatus> status(String name) {
    return apps.containsKey(name) ? Optional.of(statusOf(name)) : Optional.empty();
  }

  List<ClusterStatus> clusterStatuses() {
    List<ClusterStatus> out = new ArrayList<>();
    for (Cluster c : clusters) {
      List<ClusterStatus.NodeStatus> ns = new ArrayList<>();
      for (NodeDescriptor n : sortedByName(c.nodes())) {
        ns.add(new ClusterStatus.NodeStatus(n.name(), n.continuumLayer().wireName(),
            !c.unhealthy().contains(n.name())));
      }
      out.add(new ClusterStatus(c.id(), c.healthy(), ns));
    }
    return out;
  }

  Optional<NodeDescriptor> node(String name) {
    return clusters.stream().flatMap(c -> c.nodes().stream())
        .filter(n -> n.name().equals(name)).findFirst();
  }

  boolean clusterHasNode(String cluster, String node) {
    return clusters.stream().anyMatch(c -> c.id().equals(cluster)
        && c.nodes().stream().anyMatch(n -> n.name().equals(node)));
  }

  /** Nodes register in whatever order their agents start; people read them sorted. */
  static List<NodeDescriptor> sortedByName(List<NodeDescriptor> nodes) {
    List<NodeDescriptor> sorted = new ArrayList<>(nodes);
    sorted.sort(Comparator.comparing(NodeDescriptor::name));
    return sorted;
  }

  private AppStatus statusOf(String name) {
    ContinuumStore.StoredApp a = apps.get(name);
    Map<String, String> assigned = assignments.getOrDefault(name, Map.of());
    List<AppStatus.ComponentStatus> cs = new ArrayList<>();
    int desiredTotal = 0;
    int runningTotal = 0;
    boolean broken = false;
    for (Component c : a.descriptor().components()) {
      List<Message.InstanceReport> rs = new ArrayList<>();
      for (Message.InstanceReport r : instances.values()) {
        if (r.app().equals(name) && r.component().equals(c.name())) {
          rs.add(r);
        }
      }
      int running = (int) rs.stream().filter(r -> InstancePhase.RUNNING.is(r.state())).count();
      String stuck = unassignable.getOrDefault(name, Map.of()).get(c.name());
      if (stuck == null) {
        stuck = String.join("; ", rs.stream().map(ContinuumSnapshot::unschedulableReason)
            .filter(r -> !r.isEmpty()).distinct().toList());
      }
      broken |= rs.stream().anyMatch(r -> InstancePhase.LOST.is(r.state())
          || InstancePhase.FAILED.is(r.state()) || InstancePhase.UNKNOWN.is(r.state()));
      desiredTotal += c.instances();
      runningTotal += Math.min(running, c.instances());
      cs.add(new AppStatus.ComponentStatus(c.name(), assigned.getOrDefault(c.name(), ""),
          c.instances(), running, rs, stuck));
    }
    String phase;
    if (assigned.isEmpty()) {
      phase = "Pending";
    } else if (runningTotal >= desiredTotal) {
      phase = "Running";
    } else if (broken) {
      phase = "Degraded";
    } else {
      phase = "Deploying";
    }
    return new AppStatus(name, a.submittedMillis(), phase, cs);
  }

  /** Why an instance cannot be placed (or replaced), from its report; empty when it can. */
  private static String unschedulableReason(Message.InstanceReport r) {
    if (UnschedulableInstances.STATE.equals(r.state())) {
      return r.reason();
    }
    int at = r.reason().indexOf(UnschedulableInstances.MARKER);
    return at < 0 ? "" : r.reason().substring(at + UnschedulableInstances.MARKER.length());
  }

  /**
   * Every cluster's nodes with their health and what is allocated on them, and where instances
   * run: what the cluster placement policy, dry runs and explanations read.
   */
  SystemView system() {
    Map<String, long[]> alloc = new HashMap<>();
    List<SystemView.InstancePlacement> placements = new ArrayList<>();
    for (Message.InstanceReport r : instances.values()) {
      placements.add(new SystemView.InstancePlacement(r.app(), r.component(), r.instanceId(),
          r.node(), InstancePhase.of(r.state())));
      ContinuumStore.StoredApp a = apps.get(r.app());
      Component c = a == null ? null : a.descriptor().component(r.component()).orElse(null);
      if (c != null && !InstancePhase.LOST.is(r.state()) && !r.node().isEmpty()) {
        long[] x = alloc.computeIfAbsent(r.node(), k -> new long[2]);
        x[0] += c.cpuRequests().millis();
        x[1] += c.memoryRequests().longValue();
      }
    }
    List<SystemView.NodeState> nodes = new ArrayList<>();
    List<SystemView.ClusterState> cs = new ArrayList<>();
    for (Cluster c : clusters) {
      List<String> names = new ArrayList<>();
      for (NodeDescriptor n : sortedByName(c.nodes())) {
        long[] x = alloc.getOrDefault(n.name(), new long[2]);
        nodes.add(new SystemView.NodeState(n, !c.unhealthy().contains(n.name()), x[0], x[1]));
        names.add(n.name());
      }
      List<String> assigned = new ArrayList<>();
      assignments.forEach((app, m) -> m.forEach((comp, cl) -> {
        if (cl.equals(c.id())) {
          assigned.add(app + "/" + comp);
        }
      }));
      // Placement sees a cluster as gone only once it is lost, not at the first silence.
      cs.add(new SystemView.ClusterState(c.id(), !c.lost(), names, assigned));
    }
    return new SystemView(continuum, nodes, placements, cs);
  }

  /** A deep, ordered, immutable copy of app → component → value maps. */
  static Map<String, Map<String, String>> copy(Map<String, Map<String, String>> m) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(v))));
    return java.util.Collections.unmodifiableMap(out);
  }
}
