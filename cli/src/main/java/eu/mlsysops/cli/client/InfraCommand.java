package eu.mlsysops.cli.client;

import eu.mlsysops.cli.TextTable;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mls infra}: the infrastructure (nodes, clusters, datacenters). */
@Command(
    name = "infra",
    mixinStandardHelpOptions = true,
    description = "Infrastructure: register and inspect nodes, clusters and datacenters.",
    subcommands = {
      InfraCommand.Register.class,
      InfraCommand.ListInfra.class,
      InfraCommand.GetNode.class,
      InfraCommand.GetCluster.class,
      InfraCommand.GetDatacenter.class,
      InfraCommand.Unregister.class,
      InfraCommand.JoinToken.class
    })
public final class InfraCommand {
  /** {@code infra register}: POST /infra/register. */
  @Command(name = "register", mixinStandardHelpOptions = true,
      description = "Registers an MLSysOpsNode (joins a running cluster), MLSysOpsCluster or"
          + " MLSysOpsDatacenter (POST /infra/register).")
  static final class Register extends ClientCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    DescriptorSource source;

    @Override
    int run(ApiClient api, Printer p) throws Exception {
      DescriptorSource.Document doc = source.read(api);
      JsonNode r = Registration.send(api, "/infra/register", doc);
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println(or(r, "kind", "descriptor") + " " + or(r, "id", "?") + ": "
          + or(r, "status", "Registered"));
      if (r.has("join")) {
        // Clusters in other processes: the node runs its own agent, and joins with this.
        JsonNode j = r.get("join");
        p.println("on the node's host, within " + Fields.time(Fields.text(j, "expires"))
            + " (the token works once):");
        p.println("  " + Fields.text(j, "command"));
      }
      return ExitCode.OK;
    }
  }

  /** {@code infra join-token}: POST /api/v1/infra/join-tokens. */
  @Command(name = "join-token", mixinStandardHelpOptions = true,
      description = {"Creates a one-time, expiring token for a node to join a cluster and prints"
          + " the command to run on the node (POST /api/v1/infra/join-tokens). The node's key"
          + " never leaves it: it sends a certificate request and gets its certificate, the CA"
          + " (checked against --ca-hash) and where its cluster listens.",
          "Clusters that run as processes only (mls up --processes, mls agent cluster)."})
  static final class JoinToken extends ClientCommand {
    @Option(names = "--cluster", required = true, paramLabel = "CLUSTER",
        description = "the cluster the node joins")
    String cluster;

    @Option(names = "--node", paramLabel = "NAME",
        description = "the only name the node may take (default: any name not taken)")
    String node;

    @Option(names = "--ttl", paramLabel = "DURATION",
        description = "how long the token is valid (default 15m, at most 24h)")
    String ttl;

    @Option(names = "--parent", paramLabel = "HOST:PORT",
        description = "where the cluster listens for node agents, when the continuum does not"
            + " know it")
    String parent;

    @Override
    int run(ApiClient api, Printer p) {
      com.fasterxml.jackson.databind.node.ObjectNode body =
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
              .put("cluster", cluster);
      if (node != null) {
        body.put("node", node);
      }
      if (ttl != null) {
        body.put("ttl", ttl);
      }
      if (parent != null) {
        body.put("parent", parent);
      }
      JsonNode r = api.post("/api/v1/infra/join-tokens", body.toString(), "application/json")
          .json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println(Fields.text(r, "command")); // alone on stdout: what to run on the node
      spec.commandLine().getErr().println("join token for cluster " + cluster
          + (node == null ? " (the node takes its host's name; add --name NAME for another)"
              : ", node " + node) + ": works once, until "
          + Fields.time(Fields.text(r, "expires")) + "; the node connects to "
          + Fields.text(r, "parent"));
      return ExitCode.OK;
    }
  }

  /** {@code infra list-infra}: GET /infra/list/. */
  @Command(name = "list-infra", aliases = "list", mixinStandardHelpOptions = true,
      description = "Lists nodes, clusters and datacenters (GET /infra/list/).")
  static final class ListInfra extends ClientCommand {
    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "All",
        description = "Node, Cluster, Datacenter, Continuum or All (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--name", paramLabel = "NAME", description = "only the item with this id")
    String name;

    @Override
    int run(ApiClient api, Printer p) {
      String kind = type.toLowerCase(Locale.ROOT);
      if (!List.of("all", "node", "cluster", "datacenter", "continuum").contains(kind)) {
        throw usage("--type: \"" + type + "\" is not one of Node, Cluster, Datacenter, Continuum,"
            + " All");
      }
      JsonNode d = api.get("/infra/list/").json();
      if (p.structured(d)) {
        return ExitCode.OK;
      }
      TextTable t = new TextTable("KIND", "ID", "CLUSTER", "HEALTH", "STATUS");
      for (Map.Entry<String, JsonNode> e : d.properties()) {
        String k = singular(e.getKey());
        if (!kind.equals("all") && !kind.equals(k)) {
          continue;
        }
        JsonNode list = e.getValue();
        if (!list.isArray()) {
          if (!list.isNull()) {
            t.row(k, list.isValueNode() ? list.asText() : Fields.first(list, "id", "name"), "", "",
                "");
          }
          continue;
        }
        for (JsonNode item : list) {
          String id = item.isValueNode() ? item.asText()
              : Fields.first(item, "id", "name", "cluster_id", "datacenter_id", "continuum_id");
          if (name != null && !name.equals(id)) {
            continue;
          }
          t.row(k, id, item.isObject() ? Fields.orDash(Fields.text(item, "cluster")) : "-",
              item.isObject() ? Fields.health(item) : "-",
              item.isObject() ? Fields.orDash(Fields.first(item, "status", "phase")) : "-");
        }
      }
      if (t.isEmpty()) {
        p.println("no infrastructure" + (kind.equals("all") ? "" : " of type " + type)
            + (name == null ? "" : " named " + name));
        return name == null ? ExitCode.OK : ExitCode.REFUSED;
      }
      p.print(t);
      return ExitCode.OK;
    }

    private static String singular(String key) {
      String k = key.toLowerCase(Locale.ROOT);
      return k.endsWith("s") ? k.substring(0, k.length() - 1) : k;
    }
  }

  /** {@code infra get-node ID}: GET /api/v1/nodes/{name}. */
  @Command(name = "get-node", mixinStandardHelpOptions = true,
      description = "Shows a node: hardware, health, telemetry and instances"
          + " (GET /api/v1/nodes/{name}).")
  static final class GetNode extends ClientCommand {
    @Parameters(paramLabel = "ID", description = "the node name")
    String node;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode n = api.get("/api/v1/nodes/" + ApiClient.segment(node)).json();
      if (p.structured(n)) {
        return ExitCode.OK;
      }
      JsonNode cpu = n.path("cpu");
      JsonNode tel = n.path("telemetry");
      TextTable kv = new TextTable("FIELD", "VALUE");
      kv.row("name", or(n, "name", node));
      kv.row("cluster", Fields.orDash(Fields.text(n, "cluster")));
      kv.row("layer", Fields.orDash(Fields.text(n, "layer")));
      kv.row("health", Fields.health(n));
      String cores = Fields.text(cpu, "cores");
      String cpuText = String.join(" ", java.util.stream.Stream.of(
              cores.isEmpty() ? "" : cores + " cores", Fields.text(cpu, "architecture"),
              frequencies(cpu.path("frequencies_ghz")))
          .filter(x -> x != null && !x.isBlank()).toList());
      kv.row("cpu", Fields.orDash(cpuText));
      kv.row("memory", Fields.bytes(n.path("memory_bytes")));
      kv.row("sensors", Fields.orDash(join(n.path("sensors"))));
      kv.row("labels", Fields.orDash(labels(n.path("labels"))));
      kv.row("cpu use", Fields.number(tel.path("node_cpu_utilization"), 100, 1) + " %");
      kv.row("frequency", Fields.number(tel.path("node_cpu_scaling_frequency_hertz"), 1e-9, 2)
          + " GHz");
      kv.row("power", Fields.number(tel.path("node_power_watts"), 1, 1) + " W");
      p.print(kv);
      if (!n.path("instances").isEmpty()) {
        p.println("");
        TextTable t = new TextTable("INSTANCE", "APP", "COMPONENT", "STATE");
        for (JsonNode i : n.path("instances")) {
          t.row(Fields.text(i, "id"), Fields.text(i, "app"), Fields.text(i, "component"),
              Fields.text(i, "state"));
        }
        p.print(t);
      }
      return ExitCode.OK;
    }

    private static String frequencies(JsonNode f) {
      if (!f.isArray() || f.isEmpty()) {
        return "";
      }
      double min = Double.MAX_VALUE;
      double max = 0;
      for (JsonNode v : f) {
        min = Math.min(min, v.asDouble());
        max = Math.max(max, v.asDouble());
      }
      return min == max ? String.format(Locale.ROOT, "%.2f GHz", max)
          : String.format(Locale.ROOT, "%.2f-%.2f GHz", min, max);
    }
  }

  /** {@code infra get-cluster ID}: GET /api/v1/clusters/{id}. */
  @Command(name = "get-cluster", mixinStandardHelpOptions = true,
      description = "Shows a cluster and its nodes (GET /api/v1/clusters/{id}).")
  static final class GetCluster extends ClientCommand {
    @Parameters(paramLabel = "ID", description = "the cluster id")
    String cluster;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode c = api.get("/api/v1/clusters/" + ApiClient.segment(cluster)).json();
      if (p.structured(c)) {
        return ExitCode.OK;
      }
      p.println("cluster " + or(c, "id", cluster) + ": " + c.path("nodes").size() + " node(s)");
      if (!c.path("nodes").isEmpty()) {
        p.print(NodeTable.of(Fields.items(c.path("nodes"))));
      }
      return ExitCode.OK;
    }
  }

  /** {@code infra get-datacenter ID}: GET /infra/datacenter/{id}. */
  @Command(name = "get-datacenter", mixinStandardHelpOptions = true,
      description = "Shows a datacenter's descriptor and health (GET /infra/datacenter/{id}).")
  static final class GetDatacenter extends ClientCommand {
    @Parameters(paramLabel = "ID", description = "the datacenter id")
    String datacenter;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode d = api.get("/infra/datacenter/" + ApiClient.segment(datacenter)).json();
      if (!p.structured(d)) {
        // The reference route returns the descriptor itself: YAML is its human form.
        p.out().print(Printer.yaml(d));
      }
      return ExitCode.OK;
    }
  }

  /** {@code infra unregister ID}: DELETE /infra/unregister/{id}. */
  @Command(name = "unregister", mixinStandardHelpOptions = true,
      description = "Unregisters a node, cluster or datacenter (DELETE /infra/unregister/{id}).")
  static final class Unregister extends ClientCommand {
    @Parameters(paramLabel = "ID", description = "the node, cluster or datacenter id")
    String id;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.delete("/infra/unregister/" + ApiClient.segment(id)).json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println(or(r, "id", id) + ": " + or(r, "status", "Unregistered"));
      return ExitCode.OK;
    }
  }

  static String join(JsonNode arr) {
    StringBuilder b = new StringBuilder();
    for (JsonNode v : arr) {
      b.append(b.length() == 0 ? "" : ", ").append(v.asText());
    }
    return b.toString();
  }

  static String labels(JsonNode obj) {
    if (obj.isArray()) {
      return join(obj);
    }
    StringBuilder b = new StringBuilder();
    obj.properties().forEach(e -> b.append(b.length() == 0 ? "" : ", ")
        .append(e.getKey()).append('=').append(e.getValue().asText()));
    return b.toString();
  }
}
