package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;

/** {@code mls status}: the continuum as a tree. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = "Shows the continuum as a tree: clusters, their nodes (layer, health) and the"
        + " instances on each node (GET /api/v1/continuum).")
public final class StatusCommand extends ClientCommand {
  @Override
  int run(ApiClient api, Printer p) {
    JsonNode c = api.get("/api/v1/continuum").json();
    if (p.structured(c)) {
      return ExitCode.OK;
    }
    p.out().print(ContinuumTree.render(c, ContinuumTree.unicode(env)
        ? ContinuumTree.Glyphs.UNICODE : ContinuumTree.Glyphs.ASCII));
    return ExitCode.OK;
  }
}
