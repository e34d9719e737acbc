package eu.mlsysops.cli.client;

import eu.mlsysops.cli.TextTable;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code mls plans}: recent decisions of the agents, newest first. */
@Command(name = "plans", mixinStandardHelpOptions = true,
    description = "Shows recent decisions, newest first: which agent and policy, its status, why"
        + " and what came of it (GET /api/v1/plans).")
public final class PlansCommand extends ClientCommand {
  @Option(names = "--status", paramLabel = "STATUS", description = "only plans in this status,"
      + " e.g. Completed, Failed")
  String status;

  @Option(names = "--policy", paramLabel = "POLICY", description = "only this policy's plans")
  String policy;

  @Option(names = "--app", paramLabel = "APP", description = "only plans about this app")
  String app;

  @Option(names = "--agent", paramLabel = "AGENT", description = "only this agent's plans")
  String agent;

  @Option(names = "--tier", paramLabel = "TIER",
      description = "only plans of agents of this tier: continuum, cluster or node")
  String tier;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
      description = "at most N plans (default: ${DEFAULT-VALUE})")
  int limit;

  @Override
  int run(ApiClient api, Printer p) {
    if (limit < 1) {
      throw usage("--limit: must be at least 1, not " + limit);
    }
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("status", status);
    q.put("policy", policy);
    q.put("app", app);
    q.put("agent", agent);
    q.put("tier", tier);
    q.put("limit", limit);
    JsonNode page = api.get("/api/v1/plans" + ApiClient.query(q)).json();
    if (p.structured(page)) {
      return ExitCode.OK;
    }
    List<JsonNode> plans = Fields.items(page);
    if (plans.isEmpty()) {
      boolean filtered =
          status != null || policy != null || app != null || agent != null || tier != null;
      p.println(filtered ? "no plans match" : "no plans yet");
      return ExitCode.OK;
    }
    TextTable t = new TextTable("TIME", "AGENT", "POLICY", "STATUS", "EXPLANATION", "OUTCOME");
    for (JsonNode plan : plans) {
      t.row(Fields.time(Fields.first(plan, "updated", "created")), Fields.text(plan, "agent"),
          Fields.text(plan, "policy"), Fields.text(plan, "status"),
          Fields.cut(Fields.orDash(Fields.text(plan, "explanation")), 70), outcome(plan));
    }
    p.print(t);
    long total = page.path("total").asLong(plans.size());
    if (total > plans.size()) {
      p.println("(" + plans.size() + " of " + total + "; --limit N for more)");
    }
    return ExitCode.OK;
  }

  /** The reason the plan ended as it did, else what it asked the mechanisms to do. */
  static String outcome(JsonNode plan) {
    String reason = Fields.text(plan, "reason");
    if (!reason.isEmpty()) {
      return Fields.cut(reason, 60);
    }
    List<String> cmds = new ArrayList<>();
    for (JsonNode c : plan.path("commands")) {
      cmds.add((Fields.text(c, "mechanism") + " " + Fields.text(c, "action")).trim());
    }
    return cmds.isEmpty() ? "-" : Fields.cut(String.join("; ", cmds), 60);
  }
}
