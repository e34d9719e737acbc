package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import eu.mlsysops.cli.TextTable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mls ml deployments|deploy|undeploy}: the reference ML Connector's model deployments. */
final class DeploymentCommands {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeploymentCommands() {}

  /** {@code ml deployments}. */
  @Command(name = "deployments", mixinStandardHelpOptions = true,
      description = "Lists model deployments with their status (GET /deployment/all).")
  static final class List extends ClientCommand {
    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.get("/deployment/all?limit=1000").json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      if (r.isEmpty()) {
        p.println("no model deployments");
        return ExitCode.OK;
      }
      TextTable t = new TextTable("ID", "MODEL", "OWNER", "PLACEMENT", "STATUS", "REASON");
      for (JsonNode d : r) {
        t.row(Fields.text(d, "deployment_id"), Fields.text(d, "modelid"),
            Fields.text(d, "ownerid"), placement(d.path("placement")), Fields.text(d, "status"),
            Fields.orDash(Fields.text(d, "reason")));
      }
      p.print(t);
      return ExitCode.OK;
    }

    private static String placement(JsonNode pl) {
      if (pl.path("continuum").asBoolean(false)) {
        return "continuum";
      }
      String cluster = pl.path("clusterID").asText("");
      String node = pl.path("node").asText("");
      return (cluster.isEmpty() ? "*" : cluster) + "/" + (node.isEmpty() ? "*" : node);
    }
  }

  /** {@code ml deploy MODEL}. */
  @Command(name = "deploy", mixinStandardHelpOptions = true,
      description = "Deploys a model where it is meant to serve (POST /deployment/add); it answers"
          + " at /deployment/{id}/prediction.")
  static final class Deploy extends ClientCommand {
    @Parameters(paramLabel = "MODEL", description = "the model's id") String model;

    @Option(names = "--owner", required = true,
        description = "who deploys it (the reference's ownerid, e.g. an agent's name)")
    String owner;

    @Option(names = "--cluster", description = "a cluster, or * for any") String cluster;

    @Option(names = "--node", description = "a node, or * for any") String node;

    @Option(names = "--continuum", description = "at the continuum level") boolean continuum;

    @Option(names = "--id", description = "the deployment's id (default: a new UUID)") String id;

    @Override
    int run(ApiClient api, Printer p) {
      ObjectNode b = JSON.createObjectNode();
      b.put("modelid", model);
      b.put("ownerid", owner);
      if (id != null) {
        b.put("deployment_id", id);
      }
      b.put("inference_data", 0);
      ObjectNode pl = b.putObject("placement");
      if (cluster != null) {
        pl.put("clusterID", cluster);
      }
      if (node != null) {
        pl.put("node", node);
      }
      pl.put("continuum", continuum);
      JsonNode d = api.post("/deployment/add", b.toString(), "application/json").json();
      if (p.structured(d)) {
        return ExitCode.OK;
      }
      p.println("deployment " + Fields.text(d, "deployment_id") + " of model "
          + Fields.text(d, "modelid") + ": " + Fields.text(d, "status")
          + (Fields.text(d, "reason").isEmpty() ? "" : " (" + Fields.text(d, "reason") + ")"));
      p.println("predictions: POST " + Fields.text(d, "endpoint"));
      return ExitCode.OK;
    }
  }

  /** {@code ml undeploy ID}. */
  @Command(name = "undeploy", mixinStandardHelpOptions = true,
      description = "Removes a model deployment; the model stays (DELETE /deployment/{id}).")
  static final class Undeploy extends ClientCommand {
    @Parameters(paramLabel = "ID", description = "the deployment's id") String id;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.delete("/deployment/" + ApiClient.segment(id)).json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println("deployment " + id + " removed");
      return ExitCode.OK;
    }
  }
}
