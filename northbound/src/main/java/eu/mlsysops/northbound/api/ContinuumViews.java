package eu.mlsysops.northbound.api;

import eu.mlsysops.agent.tier.AgentEvent;
import eu.mlsysops.agent.tier.AppStatus;
import eu.mlsysops.agent.tier.ClusterStatus;
import eu.mlsysops.agent.tier.ClusterTrust;
import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.CpuHardware;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.QosMetric;
import eu.mlsysops.model.Sensor;
import eu.mlsysops.protocol.Message;
import eu.mlsysops.security.TrustLevel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/** The continuum's state as the API's JSON shapes (plain maps and lists, see docs/api.md). */
final class ContinuumViews {
  static final List<String> NODE_METRICS =
      List.of("node_cpu_utilization", "node_power_watts", "node_cpu_scaling_frequency_hertz");

  private final ContinuumPort continuum;
  private final NorthboundStore store;
  private final NorthboundEvents events;

  ContinuumViews(ContinuumPort continuum, NorthboundStore store, NorthboundEvents events) {
    this.continuum = continuum;
    this.store = store;
    this.events = events;
  }

  String mode() {
    return continuum.mode().name().toLowerCase(Locale.ROOT);
  }

  String owner(String app) {
    return store.app(app).map(NorthboundStore.AppRecord::owner).orElse(null);
  }

  // ---- apps ----

  Map<String, Object> appSummary(AppStatus s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("phase", s.phase());
    m.put("owner", owner(s.name()));
    m.put("submitted", Json.iso(s.submittedMillis()));
    m.put("components", s.components().size());
    m.put("running", s.components().stream().mapToInt(c -> Math.min(c.running(), c.desired())).sum());
    m.put("desired", s.components().stream().mapToInt(AppStatus.ComponentStatus::desired).sum());
    return m;
  }

  Map<String, Object> appDetail(AppStatus s) {
    Optional<AppDescriptor> d = continuum.continuum().descriptor(s.name());
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("phase", s.phase());
    m.put("owner", owner(s.name()));
    m.put("submitted", Json.iso(s.submittedMillis()));
    m.put("qos_warmup", eu.mlsysops.model.DisconnectPolicy.formatDuration(
        d.map(AppDescriptor::qosWarmupOrDefault).orElse(AppDescriptor.DEFAULT_QOS_WARMUP)));
    List<Map<String, Object>> comps = new ArrayList<>();
    for (AppStatus.ComponentStatus c : s.components()) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("name", c.name());
      cm.put("cluster", c.cluster());
      cm.put("desired", c.desired());
      cm.put("running", c.running());
      cm.put("unschedulable", c.unschedulable());
      List<Map<String, Object>> is = new ArrayList<>();
      for (Message.InstanceReport r : c.instances()) {
        Map<String, Object> im = new LinkedHashMap<>();
        im.put("id", r.instanceId());
        im.put("node", r.node());
        im.put("state", r.state());
        im.put("reason", r.reason());
        im.put("since", Json.iso(r.sinceMillis()));
        is.add(im);
      }
      cm.put("instances", is);
      d.ifPresent(a -> a.component(c.name()).ifPresent(comp -> cm.put("qos_warmup",
          eu.mlsysops.model.DisconnectPolicy.formatDuration(comp.qosWarmupIn(a)))));
      cm.put("qos", qos(s.name(), d.flatMap(a -> a.component(c.name())).orElse(null)));
      comps.add(cm);
    }
    m.put("components", comps);
    List<Map<String, Object>> history = new ArrayList<>();
    for (AgentEvent e : events.history(s.name())) {
      history.add(Map.of("time", Json.iso(e.timeMillis()), "message", e.message()));
    }
    m.put("history", history);
    return m;
  }

  /** QoS targets of a component with their current values. */
  List<Map<String, Object>> qos(String app, Component c) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (c == null) {
      return out;
    }
    for (QosMetric q : c.qosMetrics()) {
      OptionalDouble v = continuum.continuum().telemetry()
          .latest(q.applicationMetricId(), Map.of("app", app, "component", c.name()));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("metric", q.applicationMetricId());
      m.put("relation", q.relation() == null ? null : q.relation().wireName());
      m.put("target", q.target());
      m.put("current", v.isPresent() ? v.getAsDouble() : null);
      m.put("met", v.isPresent() ? q.isMet(v.getAsDouble()) : null);
      out.add(m);
    }
    return out;
  }

  // ---- topology ----

  /** Every known node: reported by a cluster, or running an agent. */
  List<Map<String, Object>> nodes() {
    return nodes(Visibility.everything());
  }

  /** Every known node, with other tenants' instances hidden from {@code v}. */
  List<Map<String, Object>> nodes(Visibility v) {
    Map<String, List<Map<String, Object>>> instances = instancesByNode(v);
    List<Map<String, Object>> out = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    for (ContinuumPort.NodeSummary n : continuum.knownNodes()) {
      out.add(node(n.name(), n.cluster(), n.layer(), n.healthy(), instances));
    }
    return out;
  }

  Optional<Map<String, Object>> node(String name) {
    return node(name, Visibility.everything());
  }

  Optional<Map<String, Object>> node(String name, Visibility v) {
    return nodes(v).stream().filter(n -> name.equals(n.get("name"))).findFirst();
  }

  /** What {@code who} may see. */
  Visibility visibility(Principal who) {
    return new Visibility(who, this::owner);
  }

  /** The node's descriptor: from its agent here, else as its cluster reported it. */
  Optional<NodeDescriptor> nodeDescriptor(String name) {
    return continuum.nodeDescriptor(name);
  }

  private Map<String, Object> node(String name, String cluster, String layer, boolean healthy,
      Map<String, List<Map<String, Object>>> instances) {
    NodeDescriptor d = nodeDescriptor(name).orElse(null);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("cluster", cluster);
    m.put("layer", layer);
    m.put("healthy", healthy);
    CpuHardware cpu = d == null || d.hardware() == null ? null : d.hardware().cpu();
    Map<String, Object> cm = new LinkedHashMap<>();
    cm.put("cores", cpu == null ? null : cpu.cores());
    cm.put("architecture", cpu == null ? null : cpu.architecture());
    cm.put("frequencies_ghz", cpu == null ? List.of() : cpu.frequencyGhz());
    m.put("cpu", cm);
    m.put("memory_bytes", d == null || d.hardware() == null ? null : d.hardware().memoryBytes());
    List<String> sensors = new ArrayList<>();
    if (d != null) {
      for (Sensor s : d.sensors()) {
        sensors.add(s.model() == null ? s.type() : s.type() + "/" + s.model());
      }
    }
    m.put("sensors", sensors);
    m.put("labels", d == null ? List.of() : d.labels());
    m.put("instances", instances.getOrDefault(name, List.of()));
    Map<String, Object> t = new LinkedHashMap<>();
    for (String metric : NODE_METRICS) {
      OptionalDouble v = continuum.nodeMetric(name, metric);
      t.put(metric, v.isPresent() ? v.getAsDouble() : null);
    }
    m.put("telemetry", t);
    m.put("trust", trust(name));
    return m;
  }

  /**
   * {@code {score, level, identity, behaviour, capability, reasons, explanation}} from the trust
   * engine, or null for a node it has not seen (nothing to say yet).
   */
  Map<String, Object> trust(String node) {
    return continuum.trust().trust(node).map(t -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("score", t.score());
      m.put("level", t.level().wireName());
      m.put("identity", t.identity());
      m.put("behaviour", t.behaviour());
      m.put("capability", t.capability());
      m.put("reasons", t.reasons());
      m.put("explanation", t.explain());
      m.put("placement_threshold", continuum.trustThreshold());
      return m;
    }).orElseGet(() -> reportedTrust(node));
  }

  /**
   * The trust a cluster agent in another process judges the node at, from the figures it sends
   * up ({@link ClusterTrust#METRIC}); its reasons are in that agent's log. Null when none came.
   */
  private Map<String, Object> reportedTrust(String node) {
    var store = continuum.continuum().telemetry();
    OptionalDouble score = store.latest(ClusterTrust.METRIC, Map.of("node", node, "facet", "score"));
    if (score.isEmpty()) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("score", score.getAsDouble());
    m.put("level", TrustLevel.of(score.getAsDouble()).wireName());
    for (String facet : List.of("identity", "behaviour", "capability")) {
      OptionalDouble v = store.latest(ClusterTrust.METRIC, Map.of("node", node, "facet", facet));
      m.put(facet, v.isPresent() ? v.getAsDouble() : null);
    }
    m.put("reasons", List.of());
    m.put("explanation", String.format(Locale.ROOT,
        "%.2f as judged by the node's cluster agent (its log says why)", score.getAsDouble()));
    OptionalDouble threshold =
        store.latest(ClusterTrust.METRIC, Map.of("node", node, "facet", "threshold"));
    m.put("placement_threshold", threshold.isPresent() ? threshold.getAsDouble() : null);
    return m;
  }

  private Map<String, List<Map<String, Object>>> instancesByNode(Visibility v) {
    Map<String, List<Map<String, Object>>> out = new LinkedHashMap<>();
    for (AppStatus a : continuum.continuum().apps()) {
      for (AppStatus.ComponentStatus c : a.components()) {
        for (Message.InstanceReport r : c.instances()) {
          Map<String, Object> im = new LinkedHashMap<>();
          im.put("id", r.instanceId());
          im.put("app", r.app());
          im.put("component", r.component());
          im.put("state", r.state());
          out.computeIfAbsent(r.node(), k -> new ArrayList<>()).add(v.instance(im));
        }
      }
    }
    return out;
  }

  /** Clusters with running agents, then clusters only registered through the API. */
  List<Map<String, Object>> clusters() {
    return clusters(Visibility.everything());
  }

  /** Clusters as {@code v} may see them. */
  List<Map<String, Object>> clusters(Visibility v) {
    List<Map<String, Object>> nodes = nodes(v);
    List<Map<String, Object>> out = new ArrayList<>();
    List<String> running = new ArrayList<>();
    for (ClusterStatus c : continuum.continuum().clusters()) {
      running.add(c.id());
      out.add(cluster(c.id(), "running", nodes));
    }
    for (String id : store.infra("MLSysOpsCluster").keySet()) {
      if (!running.contains(id)) {
        out.add(cluster(id, InfraRegistry.NO_AGENT, nodes));
      }
    }
    return out;
  }

  Optional<Map<String, Object>> cluster(String id) {
    return cluster(id, Visibility.everything());
  }

  Optional<Map<String, Object>> cluster(String id, Visibility v) {
    return clusters(v).stream().filter(c -> id.equals(c.get("id"))).findFirst();
  }

  private static Map<String, Object> cluster(String id, String status,
      List<Map<String, Object>> nodes) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("status", status);
    m.put("nodes", nodes.stream().filter(n -> id.equals(n.get("cluster"))).toList());
    return m;
  }

  /** The topology tree of {@code GET /api/v1/continuum}. */
  Map<String, Object> continuumTree(Visibility v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", continuum.continuum().id());
    m.put("mode", mode());
    List<Map<String, Object>> cs = new ArrayList<>();
    for (Map<String, Object> c : clusters(v)) {
      Map<String, Object> cm = new LinkedHashMap<>();
      cm.put("id", c.get("id"));
      cm.put("status", c.get("status"));
      List<Map<String, Object>> ns = new ArrayList<>();
      @SuppressWarnings("unchecked")
      List<Map<String, Object>> nodes = (List<Map<String, Object>>) c.get("nodes");
      for (Map<String, Object> n : nodes) {
        Map<String, Object> nm = new LinkedHashMap<>();
        nm.put("name", n.get("name"));
        nm.put("layer", n.get("layer"));
        nm.put("healthy", n.get("healthy"));
        nm.put("trust", n.get("trust"));
        nm.put("instances", n.get("instances"));
        ns.add(nm);
      }
      cm.put("nodes", ns);
      cs.add(cm);
    }
    m.put("clusters", cs);
    return m;
  }
}
