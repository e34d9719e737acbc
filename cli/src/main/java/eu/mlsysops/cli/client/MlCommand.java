package eu.mlsysops.cli.client;

import eu.mlsysops.cli.TextTable;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mls ml}: the ML Connector's models, their deployments, and ML deployments (apps serving a
 * model).
 */
@Command(
    name = "ml",
    mixinStandardHelpOptions = true,
    description = "The ML Connector: models (registry, training, prediction, explanation) and ML"
        + " deployments (MLSysOpsApps that serve a model).",
    subcommands = {
      ModelCommands.Models.class,
      ModelCommands.Add.class,
      ModelCommands.Upload.class,
      ModelCommands.Train.class,
      ModelCommands.Versions.class,
      ModelCommands.Promote.class,
      ModelCommands.Rollback.class,
      ModelCommands.Predict.class,
      ModelCommands.Explain.class,
      ModelCommands.Delete.class,
      DeploymentCommands.List.class,
      DeploymentCommands.Deploy.class,
      DeploymentCommands.Undeploy.class,
      MlCommand.DeployMl.class,
      MlCommand.ListAll.class,
      MlCommand.GetStatus.class,
      MlCommand.Remove.class
    })
public final class MlCommand {
  /** {@code ml deploy-ml}: POST /ml/deploy_ml. */
  @Command(name = "deploy-ml", mixinStandardHelpOptions = true,
      description = "Deploys an ML model as described by an MLSysOpsApp (POST /ml/deploy_ml).")
  static final class DeployMl extends ClientCommand {
    @ArgGroup(exclusive = true, multiplicity = "1")
    DescriptorSource source;

    @Override
    int run(ApiClient api, Printer p) throws Exception {
      DescriptorSource.Document doc = source.read(api);
      JsonNode r = Registration.send(api, "/ml/deploy_ml", doc);
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println("deployment " + Fields.orDash(Fields.first(r, "deployment_id", "app_id")) + ": "
          + or(r, "status", "Queued"));
      return ExitCode.OK;
    }
  }

  /** {@code ml list-all}: GET /ml/list_all/. */
  @Command(name = "list-all", mixinStandardHelpOptions = true,
      description = "Lists the ML deployments with their status (GET /ml/list_all/).")
  static final class ListAll extends ClientCommand {
    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.get("/ml/list_all/").json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      return StatusMap.print(r, "DEPLOYMENT", "no ML deployments", p);
    }
  }

  /** {@code ml get-status ID}: GET /ml/status/{id}. */
  @Command(name = "get-status", mixinStandardHelpOptions = true,
      description = "Shows an ML deployment's status (GET /ml/status/{id}).")
  static final class GetStatus extends ClientCommand {
    @Parameters(paramLabel = "ID", description = "the deployment id")
    String id;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.get("/ml/status/" + ApiClient.segment(id)).json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println(Fields.orDash(Fields.first(r, "deployment_id", "app_id", "id")) + ": "
          + or(r, "status", "?"));
      if (!r.path("endpoints").isEmpty()) {
        TextTable t = new TextTable("COMPONENT", "INSTANCE", "NODE", "PORTS");
        for (JsonNode e : r.path("endpoints")) {
          java.util.List<String> ports = new java.util.ArrayList<>();
          e.path("ports").forEach(x -> ports.add(x.asText()));
          t.row(Fields.text(e, "component"), Fields.text(e, "instance"), Fields.text(e, "node"),
              ports.isEmpty() ? "-" : String.join(",", ports));
        }
        p.print(t);
      }
      return ExitCode.OK;
    }
  }

  /** {@code ml remove ID}: DELETE /ml/remove/{id}. */
  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Removes an ML deployment (DELETE /ml/remove/{id}).")
  static final class Remove extends ClientCommand {
    @Parameters(paramLabel = "ID", description = "the deployment id")
    String id;

    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.delete("/ml/remove/" + ApiClient.segment(id)).json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println(Fields.orDash(Fields.first(r, "deployment_id", "app_id", "id")) + ": "
          + or(r, "message", "removal requested"));
      return ExitCode.OK;
    }
  }

  /** Renders the reference's {@code {"System_status": {id: phase}}} list answers. */
  static final class StatusMap {
    private StatusMap() {}

    static int print(JsonNode r, String idHeader, String none, Printer p) {
      JsonNode map = r.path("System_status");
      if (!map.isObject() || map.isEmpty()) {
        p.println(r.has("status") ? Fields.text(r, "status") : none);
        return ExitCode.OK;
      }
      TextTable t = new TextTable(idHeader, "STATUS");
      for (Map.Entry<String, JsonNode> e : map.properties()) {
        t.row(e.getKey(), e.getValue().isValueNode() ? e.getValue().asText()
            : Fields.first(e.getValue(), "status", "phase"));
      }
      p.print(t);
      return ExitCode.OK;
    }
  }
}
