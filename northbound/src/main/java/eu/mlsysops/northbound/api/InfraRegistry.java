package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import eu.mlsysops.agent.tier.ClusterStatus;
import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.DatacenterDescriptor;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.DescriptorKind;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Infrastructure registered through the API: nodes join the running continuum (and are re-added
 * on the next start); cluster and datacenter descriptors are recorded and listed (a cluster
 * without a running agent is {@value #NO_AGENT}).
 */
final class InfraRegistry {
  static final String NO_AGENT = "registered (no agent)";
  private static final Logger LOG = LoggerFactory.getLogger(InfraRegistry.class);
  private static final Pattern FIELD_PREFIX = Pattern.compile("^([a-z_][a-z_0-9.\\[\\]]*): (.*)$",
      Pattern.DOTALL);
  private static final String NODE = DescriptorKind.NODE.wireName();
  private static final String CLUSTER = DescriptorKind.CLUSTER.wireName();
  private static final String DATACENTER = DescriptorKind.DATACENTER.wireName();

  private final ContinuumPort continuum;
  private final NorthboundStore store;
  private final ContinuumViews views;
  private final JoinRoutes join;

  InfraRegistry(ContinuumPort continuum, NorthboundStore store, ContinuumViews views,
      JoinRoutes join) {
    this.join = join;
    this.continuum = continuum;
    this.store = store;
    this.views = views;
  }

  /** Re-adds the nodes registered through the API before a restart; failures are logged. */
  void restoreNodes() {
    store.infra(NODE).forEach((name, json) -> {
      if (continuum.runsNode(name)) {
        return;
      }
      try {
        Descriptor d = parse(json);
        if (d instanceof NodeDescriptor n) {
          continuum.addNode(n);
        }
      } catch (RuntimeException e) {
        LOG.warn("registered node {} not re-added: {}", name, e.getMessage());
      }
    });
  }

  /** Registers a descriptor; returns {@code {id, kind, status}}. */
  synchronized Map<String, Object> register(Descriptor d) {
    return register(d, null);
  }

  /**
   * As {@link #register(Descriptor)}. A node of a continuum whose clusters run as processes runs
   * its own agent on its own host: it is not started here but given a join token for its
   * cluster ({@code status: AwaitingJoin}, {@code join}: the token and the command to run there);
   * the node gets this descriptor when it joins.
   *
   * @param ctx the request, for the address the node should join at
   */
  synchronized Map<String, Object> register(Descriptor d, io.javalin.http.Context ctx) {
    String id;
    if (d instanceof NodeDescriptor n && continuum.remoteClusters() && ctx != null) {
      if (n.clusterId() == null || n.clusterId().isBlank()) {
        throw fieldProblem("cluster_id: required: the cluster the node joins");
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("id", n.name());
      out.put("kind", d.kind().wireName());
      out.put("status", "AwaitingJoin");
      out.put("join", join.issue(ctx, n.clusterId(), n.name(), null, JoinTokens.DEFAULT_TTL,
          Descriptors.toJson(n), "cluster_id"));
      return out;
    }
    if (d instanceof NodeDescriptor n) {
      id = n.name();
      if (continuum.runsNode(id)) {
        throw ApiProblem.conflict("a node named \"" + id + "\" already exists");
      }
      try {
        continuum.addNode(n);
      } catch (IllegalArgumentException e) {
        throw fieldProblem(e.getMessage());
      }
      store.putInfra(NODE, id, Descriptors.toJson(n));
    } else if (d instanceof ClusterDescriptor c) {
      id = c.clusterId();
      if (store.infra(CLUSTER).containsKey(id)) {
        throw ApiProblem.conflict("a cluster \"" + id + "\" is already registered");
      }
      store.putInfra(CLUSTER, id, Descriptors.toJson(c));
    } else if (d instanceof DatacenterDescriptor dc) {
      id = dc.datacenterId();
      if (store.infra(DATACENTER).containsKey(id)) {
        throw ApiProblem.conflict("a datacenter \"" + id + "\" is already registered");
      }
      store.putInfra(DATACENTER, id, Descriptors.toJson(dc));
    } else {
      throw ApiProblem.badRequest(d.kind().wireName() + " cannot be registered here: register an"
          + " MLSysOpsNode, MLSysOpsCluster or MLSysOpsDatacenter"
          + (d.kind() == DescriptorKind.APP ? " (deploy apps with /apps/deploy)" : ""));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", id);
    out.put("kind", d.kind().wireName());
    out.put("status", "Registered");
    return out;
  }

  /** Unregisters a node (its agent stops), or a recorded cluster or datacenter. */
  synchronized Map<String, Object> unregister(String id) {
    boolean done = false;
    if (continuum.runsNode(id)) {
      done = continuum.removeNode(id);
      store.removeInfra(NODE, id);
    } else if (store.removeInfra(NODE, id)) {
      done = true;
    } else if (store.infra(CLUSTER).containsKey(id)) {
      if (runningClusters().contains(id)) {
        throw ApiProblem.conflict("cluster \"" + id + "\" has a running agent; it cannot be"
            + " unregistered while the continuum runs");
      }
      done = store.removeInfra(CLUSTER, id);
    } else if (store.removeInfra(DATACENTER, id)) {
      done = true;
    } else if (runningClusters().contains(id)) {
      throw ApiProblem.conflict("cluster \"" + id + "\" has a running agent; it cannot be"
          + " unregistered while the continuum runs");
    }
    if (!done) {
      throw ApiProblem.notFound("no node, cluster or datacenter \"" + id + "\"");
    }
    return Map.of("id", id, "status", "Unregistered");
  }

  Map<String, Object> list() {
    List<Map<String, Object>> nodes = new ArrayList<>();
    for (Map<String, Object> n : views.nodes()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", n.get("name"));
      m.put("cluster", n.get("cluster"));
      m.put("layer", n.get("layer"));
      m.put("healthy", n.get("healthy"));
      nodes.add(m);
    }
    List<Map<String, Object>> clusters = new ArrayList<>();
    for (Map<String, Object> c : views.clusters()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", c.get("id"));
      m.put("status", c.get("status"));
      m.put("nodes", nodeNames(c));
      clusters.add(m);
    }
    List<Map<String, Object>> dcs = new ArrayList<>();
    store.infra(DATACENTER).forEach((id, json) -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", id);
      if (parse(json) instanceof DatacenterDescriptor dc) {
        m.put("cluster", dc.clusterId());
        m.put("nodes", dc.nodes());
      }
      m.put("status", "Registered");
      dcs.add(m);
    });
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("nodes", nodes);
    out.put("clusters", clusters);
    out.put("datacenters", dcs);
    return out;
  }

  Map<String, Object> node(String id) {
    Map<String, Object> n = views.node(id)
        .orElseThrow(() -> ApiProblem.notFound("no node \"" + id + "\""));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("kind", NODE);
    m.put("cluster", n.get("cluster"));
    m.put("healthy", n.get("healthy"));
    m.put("status", Boolean.TRUE.equals(n.get("healthy")) ? "Healthy" : "Unreachable");
    m.put("descriptor", views.nodeDescriptor(id).map(InfraRegistry::tree).orElse(null));
    return m;
  }

  Map<String, Object> cluster(String id) {
    Map<String, Object> c = views.cluster(id)
        .orElseThrow(() -> ApiProblem.notFound("no cluster \"" + id + "\""));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> nodes = (List<Map<String, Object>>) c.get("nodes");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("kind", CLUSTER);
    m.put("status", c.get("status"));
    m.put("healthy", "running".equals(c.get("status"))
        && nodes.stream().allMatch(n -> Boolean.TRUE.equals(n.get("healthy"))));
    List<Map<String, Object>> health = new ArrayList<>();
    for (Map<String, Object> n : nodes) {
      health.add(Map.of("name", n.get("name"), "healthy", n.get("healthy")));
    }
    m.put("nodes", health);
    String json = store.infra(CLUSTER).get(id);
    if (json != null) {
      m.put("descriptor", tree(parse(json)));
    } else {
      // A cluster of the topology: describe it from what its agent reports.
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put("cluster_id", id);
      spec.put("nodes", nodeNames(c));
      m.put("descriptor", Map.of(CLUSTER, spec));
    }
    return m;
  }

  Map<String, Object> datacenter(String id) {
    String json = store.infra(DATACENTER).get(id);
    if (json == null) {
      throw ApiProblem.notFound("no datacenter \"" + id + "\"");
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("kind", DATACENTER);
    m.put("status", "Registered");
    Descriptor d = parse(json);
    if (d instanceof DatacenterDescriptor dc) {
      List<Map<String, Object>> health = new ArrayList<>();
      for (String n : dc.nodes()) {
        Optional<Map<String, Object>> node = views.node(n);
        health.add(Map.of("name", n, "healthy", node.map(x -> x.get("healthy")).orElse(false)));
      }
      m.put("nodes", health);
    }
    m.put("descriptor", tree(d));
    return m;
  }

  private List<String> runningClusters() {
    return continuum.continuum().clusters().stream().map(ClusterStatus::id).toList();
  }

  @SuppressWarnings("unchecked")
  private static List<Object> nodeNames(Map<String, Object> cluster) {
    return ((List<Map<String, Object>>) cluster.get("nodes")).stream()
        .map(n -> n.get("name")).toList();
  }

  private static Descriptor parse(String json) {
    ParseResult r = Descriptors.parse(json, "northbound.db", ParseOptions.ACCEPTED);
    if (r.descriptors().size() != 1) {
      throw new IllegalStateException("a stored descriptor no longer parses: " + r.problems());
    }
    return r.descriptors().get(0);
  }

  private static JsonNode tree(Descriptor d) {
    try {
      return Json.MAPPER.readTree(Descriptors.toJson(d));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("descriptor JSON does not parse back", e);
    }
  }

  /** A 400 whose error names the field when the message starts with one ("cluster_id: …"). */
  private static ApiProblem fieldProblem(String message) {
    Matcher m = FIELD_PREFIX.matcher(message == null ? "" : message);
    String path = m.matches() ? m.group(1) : "";
    return new ApiProblem(400, message,
        List.of(ApiProblem.entry(path, m.matches() ? m.group(2) : String.valueOf(message), "error")));
  }
}
