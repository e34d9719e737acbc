package eu.mlsysops.cli.client;

import eu.mlsysops.cli.TextTable;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mls agent}: the policies (and, in the reference, the configs) of the agents. */
@Command(
    name = "agent",
    mixinStandardHelpOptions = true,
    description = "Agent management: the policies each tier runs; and running one agent per"
        + " process (continuum, cluster, node).",
    subcommands = {
      eu.mlsysops.cli.agents.RunAgentCommand.Continuum.class,
      eu.mlsysops.cli.agents.RunAgentCommand.Cluster.class,
      eu.mlsysops.cli.agents.RunAgentCommand.Node.class,
      AgentCommand.SetPolicy.class,
      AgentCommand.DeletePolicy.class,
      AgentCommand.ListPolicies.class,
      AgentCommand.SetConfig.class,
      AgentCommand.DeleteConfig.class
    })
public final class AgentCommand {
  /** The agent tiers, as the reference's {@code --agent} choice. */
  enum Tier { continuum, cluster, node }

  /** {@code agent set-policy --agent T --file F}: PUT /api/v1/policies/{tier}/{file}. */
  @Command(name = "set-policy", aliases = "sp", mixinStandardHelpOptions = true,
      description = "Adds or replaces a policy on every agent of a tier"
          + " (PUT /api/v1/policies/{tier}/{file}); the server compiles it and says what loaded.")
  static final class SetPolicy extends ClientCommand {
    @Option(names = "--agent", required = true, paramLabel = "TIER",
        description = "continuum, cluster or node")
    Tier tier;

    @Option(names = "--file", required = true, paramLabel = "FILE",
        description = "the policy source, e.g. policy-foo.groovy")
    Path file;

    @Override
    int run(ApiClient api, Printer p) throws DescriptorSource.LocalFailure {
      String source = readText("--file", file);
      String name = file.getFileName().toString();
      JsonNode r = api.put("/api/v1/policies/" + tier + "/" + ApiClient.segment(name), source,
          "text/plain; charset=utf-8").json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      p.println(or(r, "file", name) + " on " + or(r, "tier", tier.name()) + " agents: loaded "
          + Fields.orDash(InfraCommand.join(r.path("loaded"))));
      return ExitCode.OK;
    }
  }

  /** {@code agent delete-policy --agent T --name FILE}: DELETE /api/v1/policies/{tier}/{file}. */
  @Command(name = "delete-policy", aliases = "dp", mixinStandardHelpOptions = true,
      description = "Removes a policy file from every agent of a tier"
          + " (DELETE /api/v1/policies/{tier}/{file}).")
  static final class DeletePolicy extends ClientCommand {
    @Option(names = "--agent", required = true, paramLabel = "TIER",
        description = "continuum, cluster or node")
    Tier tier;

    @Option(names = {"--name", "--file"}, paramLabel = "FILE",
        description = "the policy file name (as given to set-policy --file)")
    String option;

    @Parameters(paramLabel = "FILE", arity = "0..1",
        description = "the same, as the reference CLI takes it")
    String positional;

    @Override
    int run(ApiClient api, Printer p) {
      if (option != null && positional != null && !option.equals(positional)) {
        throw usage("give the policy file once, as FILE or --name");
      }
      String name = option != null ? option : positional;
      if (name == null) {
        throw usage("Missing required option: '--name=FILE'");
      }
      ApiResponse r = api.delete("/api/v1/policies/" + tier + "/" + ApiClient.segment(name));
      if (p.structured(r.json().isMissingNode() ? deleted(tier, name) : r.json())) {
        return ExitCode.OK;
      }
      p.println("deleted " + name + " from " + tier + " agents");
      return ExitCode.OK;
    }

    private static JsonNode deleted(Tier tier, String name) {
      return com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
          .put("tier", tier.name()).put("file", name).put("deleted", true);
    }
  }

  /** {@code agent list-policies}: GET /api/v1/policies. */
  @Command(name = "list-policies", mixinStandardHelpOptions = true,
      description = "Lists the policies of every tier with their counters (GET /api/v1/policies).")
  static final class ListPolicies extends ClientCommand {
    @Override
    int run(ApiClient api, Printer p) {
      JsonNode r = api.get("/api/v1/policies").json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      TextTable t = new TextTable("TIER", "POLICY", "STATE", "SOURCE", "SCOPE", "CORE", "INSTANCES",
          "ANALYSES", "PLANS", "ERRORS", "LAST_ERROR");
      TextTable broken = new TextTable("TIER", "FILE", "ERROR");
      for (Map.Entry<String, JsonNode> e : r.path("tiers").properties()) {
        for (JsonNode pol : e.getValue().path("policies")) {
          t.row(e.getKey(), Fields.text(pol, "name"),
              // The server's word (paused by the mode, say); an older server sends only this.
              pol.hasNonNull("state") ? Fields.text(pol, "state")
                  : pol.path("disabled").asBoolean() ? "disabled" : "enabled",
              Fields.orDash(Fields.text(pol, "source")),
              Fields.orDash(Fields.text(pol, "scope")), Fields.bool(pol.path("core")),
              Fields.orDash(Fields.text(pol, "instances")),
              Fields.orDash(Fields.text(pol, "analyses")), Fields.orDash(Fields.text(pol, "plans")),
              Fields.orDash(Fields.text(pol, "errors")),
              Fields.cut(Fields.text(pol, "last_error"), 60));
        }
        e.getValue().path("errors").properties().forEach(f ->
            broken.row(e.getKey(), f.getKey(), Fields.cut(f.getValue().asText(), 100)));
      }
      if (t.isEmpty()) {
        p.println("no policies loaded");
      } else {
        p.print(t);
      }
      String digest = Fields.text(r.path("remote"), "control_digest");
      TextTable remote = new TextTable("AGENT", "TIER", "CONTROL", "CURRENT", "ERRORS");
      for (JsonNode a : r.path("remote").path("agents")) {
        StringBuilder errors = new StringBuilder();
        a.path("errors").properties().forEach(f -> {
          errors.append(errors.length() == 0 ? "" : "; ").append(f.getKey()).append(": ")
              .append(f.getValue().asText());
          broken.row(Fields.text(a, "tier") + " " + Fields.text(a, "agent"), f.getKey(),
              Fields.cut(f.getValue().asText(), 100));
        });
        remote.row(Fields.text(a, "agent"), Fields.text(a, "tier"),
            Fields.cut(Fields.text(a, "digest"), 12), a.path("current").asBoolean() ? "yes" : "NO",
            Fields.orDash(Fields.cut(errors.toString(), 60)));
      }
      if (!remote.isEmpty()) {
        p.println("");
        p.println("remote agents (control set " + Fields.cut(digest, 12) + "):");
        p.print(remote);
      }
      if (!broken.isEmpty()) {
        p.println("");
        p.println("files that did not load:");
        p.print(broken);
      }
      return ExitCode.OK;
    }
  }

  /** {@code agent set-config}: PUT /api/v1/agents/{tier}/config. */
  @Command(name = "set-config", aliases = "sc", mixinStandardHelpOptions = true,
      description = {"Sets the live configuration of every agent of a tier from a YAML or JSON file,"
          + " e.g. `disabled_policies: [qos-relocation]` (PUT /api/v1/agents/{tier}/config).",
          "It is applied at once and kept across restarts."})
  static final class SetConfig extends ClientCommand {
    @Option(names = "--agent", required = true, paramLabel = "TIER",
        description = "continuum, cluster or node")
    Tier tier;

    @Option(names = "--file", required = true, paramLabel = "FILE",
        description = "the configuration, YAML or JSON")
    Path file;

    @Override
    int run(ApiClient api, Printer p) throws DescriptorSource.LocalFailure {
      String text = readText("--file", file);
      String type = file.toString().endsWith(".json") ? "application/json" : "application/yaml";
      JsonNode r = api.put("/api/v1/agents/" + tier + "/config", text, type).json();
      if (p.structured(r)) {
        return ExitCode.OK;
      }
      r.path("warnings").forEach(w -> p.println("warning: " + w.asText()));
      p.println(tier + " agents: disabled policies "
          + Fields.orDash(InfraCommand.join(r.path("disabled_policies"))));
      return ExitCode.OK;
    }
  }

  /** {@code agent delete-config}: DELETE /api/v1/agents/{tier}/config. */
  @Command(name = "delete-config", aliases = "dc", mixinStandardHelpOptions = true,
      description = "Resets the configuration of a tier's agents to the defaults"
          + " (DELETE /api/v1/agents/{tier}/config).")
  static final class DeleteConfig extends ClientCommand {
    @Option(names = "--agent", required = true, paramLabel = "TIER",
        description = "continuum, cluster or node")
    Tier tier;

    @Parameters(paramLabel = "KEY", arity = "0..1",
        description = "the key to reset (the only key today is disabled_policies); all when absent")
    String key;

    @Override
    int run(ApiClient api, Printer p) {
      if (key != null && !key.equals("disabled_policies")) {
        return fail("KEY: \"" + key + "\" is not a configuration key (disabled_policies)");
      }
      api.delete("/api/v1/agents/" + tier + "/config");
      p.println(tier + " agents: configuration reset to the defaults");
      return ExitCode.OK;
    }
  }
}
