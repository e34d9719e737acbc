package eu.mlsysops.agent.tier;

import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.engine.PolicyStatus;
import eu.mlsysops.agent.plan.PlanScheduler;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.protocol.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The {@link ContinuumPort} views over every agent: the agents in this process read directly,
 * the agents in other processes through what their reports said. Internal to {@link
 * EmbeddedContinuum}.
 */
final class ContinuumReadouts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ContinuumAgent continuum;
  private final Map<String, ClusterAgent> clusters;
  private final Map<String, NodeAgent> nodes;
  private final Supplier<RemoteAgents> remote;
  private final Function<String, eu.mlsysops.telemetry.UnionQuery> telemetry;

  ContinuumReadouts(ContinuumAgent continuum, Map<String, ClusterAgent> clusters,
      Map<String, NodeAgent> nodes, Supplier<RemoteAgents> remote,
      Function<String, eu.mlsysops.telemetry.UnionQuery> telemetry) {
    this.continuum = continuum;
    this.clusters = clusters;
    this.nodes = nodes;
    this.remote = remote;
    this.telemetry = telemetry;
  }

  List<ContinuumPort.NodeSummary> nodes() {
    List<ContinuumPort.NodeSummary> out = new ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (ClusterStatus c : continuum.clusters()) {
      for (ClusterStatus.NodeStatus n : c.nodes()) {
        out.add(new ContinuumPort.NodeSummary(n.name(), c.id(), n.layer(), n.healthy()));
        seen.add(n.name());
      }
    }
    for (NodeAgent a : nodes.values()) {
      if (!seen.contains(a.name())) {
        NodeDescriptor d = a.descriptor();
        out.add(new ContinuumPort.NodeSummary(a.name(), d.clusterId(),
            d.continuumLayer().wireName(), a.isRunning()));
      }
    }
    return out;
  }

  Optional<NodeDescriptor> nodeDescriptor(String node) {
    return Optional.ofNullable(nodes.get(node)).map(NodeAgent::descriptor)
        .or(() -> continuum.nodeDescriptor(node));
  }

  /**
   * Per-node summaries live at the cluster tier; the node's own store is the fallback, and the
   * continuum's per-node copy where the cluster runs in another process.
   */
  OptionalDouble nodeMetric(String node, String metric) {
    OptionalDouble v = telemetry.apply("cluster").latest(metric, Map.of("node", node));
    NodeAgent agent = nodes.get(node);
    if (v.isEmpty() && agent != null) {
      v = agent.telemetry().latest(metric, Map.of());
    }
    if (v.isEmpty()) {
      v = continuum.telemetry().latest(metric, Map.of("node", node));
    }
    return v;
  }

  List<PolicyStatus> policyStatuses(String tier) {
    List<PolicyStatus> all = new ArrayList<>();
    switch (tier) {
      case "continuum" -> all.addAll(continuum.engine().status());
      case "cluster" -> clusters.values().forEach(c -> all.addAll(c.engine().status()));
      case "node" -> nodes.values().forEach(n -> all.addAll(n.engine().status()));
      default -> {
        return List.of();
      }
    }
    remote.get().statuses().values().stream()
        .filter(a -> a.tier().name().equalsIgnoreCase(tier))
        .forEach(a -> a.policies().forEach(p -> all.add(new PolicyStatus(p.name(),
            p.source() == null ? "" : p.source(), p.scope() == null ? "" : p.scope(),
            p.core(), p.instances(), p.analyses(), p.plans(), p.errors(),
            p.lastError() == null ? "" : p.lastError(), p.enabled(), 0, p.pausedByMode()))));
    return all;
  }

  List<ContinuumPort.MechanismView> mechanisms() {
    Map<String, PlanScheduler> schedulers = new LinkedHashMap<>();
    schedulers.put(continuum.id(), continuum.scheduler());
    clusters.values().forEach(c -> schedulers.put(c.id(), c.scheduler()));
    nodes.values().forEach(n -> schedulers.put(n.name(), n.scheduler()));
    List<ContinuumPort.MechanismView> out = new ArrayList<>();
    schedulers.forEach((id, s) -> {
      for (Mechanism m : s.mechanisms().values()) {
        out.add(new ContinuumPort.MechanismView(id, m.name(), read(m::options), read(m::state)));
      }
    });
    remote.get().statuses().forEach((id, status) -> {
      for (Message.MechanismState m : status.mechanisms()) {
        out.add(new ContinuumPort.MechanismView(id, m.name(), parse(m.optionsJson()),
            parse(m.stateJson())));
      }
    });
    return out;
  }

  /** A mechanism's map, or its failure as {@code {error: …}}: one broken knob hides no other. */
  private static Object read(Supplier<Map<String, Object>> f) {
    try {
      return f.get();
    } catch (RuntimeException e) {
      return Map.of("error", String.valueOf(e.getMessage()));
    }
  }

  private static Object parse(String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return JSON.readValue(json, Object.class);
    } catch (java.io.IOException e) {
      return Map.of("error", "unreadable report: " + e.getMessage());
    }
  }
}
