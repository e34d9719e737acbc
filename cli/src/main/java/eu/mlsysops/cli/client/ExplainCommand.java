package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mls explain}: why the agents decided what they did. */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    description = "Explains the agents' decisions.",
    subcommands = {ExplainCommand.Placement.class})
public final class ExplainCommand {
  /** {@code explain placement APP COMPONENT [--node N]}. */
  @Command(name = "placement", mixinStandardHelpOptions = true,
      description = {
        "Why a component runs where it does, and why not on node N: the filters N fails, or its"
            + " scores against the best node",
        "(GET /api/v1/apps/{app}/components/{component}/placement?node=N)."
      })
  static final class Placement extends ClientCommand {
    @Parameters(index = "0", paramLabel = "APP", description = "the application name")
    String app;

    @Parameters(index = "1", paramLabel = "COMPONENT", description = "the component name")
    String component;

    @Option(names = "--node", paramLabel = "N", description = "a node to compare with")
    String node;

    @Override
    int run(ApiClient api, Printer p) {
      Map<String, Object> q = new LinkedHashMap<>();
      q.put("node", node);
      JsonNode e = api.get("/api/v1/apps/" + ApiClient.segment(app) + "/components/"
          + ApiClient.segment(component) + "/placement" + ApiClient.query(q)).json();
      if (p.structured(e)) {
        return ExitCode.OK;
      }
      PlacementText.explanation(e, p);
      return ExitCode.OK;
    }
  }
}
