package eu.mlsysops.northbound.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import eu.mlsysops.agent.engine.PolicyStatus;
import eu.mlsysops.agent.tier.AgentConfig;
import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.telemetry.pipeline.AggregationRule;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Agent configuration per tier ({@code mls agent set-config} / {@code delete-config}): a small
 * YAML or JSON document applied live to every agent of the tier and kept across restarts. Keys:
 * {@code disabled_policies} (policies that stay loaded but do not run) and {@code
 * telemetry_export} (what the tier's agents send up, as aggregation rules such as {@code
 * "node_*: avg by (node)"}).
 */
final class ConfigRoutes {
  private static final Set<String> KEYS = Set.of("disabled_policies", "telemetry_export");
  private final ContinuumPort continuum;
  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());

  ConfigRoutes(ContinuumPort continuum) {
    this.continuum = continuum;
  }

  void register(RouteTable r) {
    r.get("/api/v1/agents/{tier}/config", Role.VIEWER,
        (ctx, who) -> Json.send(ctx, 200, view(tier(ctx), List.of())));
    r.put("/api/v1/agents/{tier}/config", Role.ADMIN, this::put);
    r.delete("/api/v1/agents/{tier}/config", Role.ADMIN, (ctx, who) -> {
      continuum.configure(tier(ctx), AgentConfig.DEFAULT);
      ctx.status(204);
    });
  }

  private String tier(Context ctx) {
    String tier = ctx.pathParam("tier");
    if (!ContinuumPort.TIERS.contains(tier)) {
      throw ApiProblem.notFound("no tier \"" + tier + "\" (continuum, cluster, node)");
    }
    return tier;
  }

  private void put(Context ctx, Principal who) {
    String tier = tier(ctx);
    RequestBodies.requireMediaType(ctx, RequestBodies.YAML_OR_JSON);
    String text = RequestBodies.text(ctx);
    JsonNode doc;
    try {
      doc = yaml.readTree(text); // YAML is a superset of JSON
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw ApiProblem.badRequest("the configuration is not YAML or JSON: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw ApiProblem.badRequest("the configuration cannot be read: " + e.getMessage());
    }
    if (doc == null || !doc.isObject()) {
      throw ApiProblem.badRequest("the configuration must be a mapping, e.g."
          + " {\"disabled_policies\": [\"qos-relocation\"]}");
    }
    List<Map<String, String>> errors = new ArrayList<>();
    for (Iterator<String> it = doc.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!KEYS.contains(key)) {
        errors.add(ApiProblem.entry(key, "unknown configuration key (known: "
            + String.join(", ", new TreeSet<>(KEYS)) + ")", "error"));
      }
    }
    Set<String> disabled = new TreeSet<>();
    JsonNode list = doc.path("disabled_policies");
    if (!list.isMissingNode() && !list.isNull()) {
      if (!list.isArray()) {
        errors.add(ApiProblem.entry("disabled_policies", "expected a list of policy names",
            "error"));
      } else {
        for (int i = 0; i < list.size(); i++) {
          JsonNode v = list.get(i);
          if (!v.isTextual() || v.asText().isBlank()) {
            errors.add(ApiProblem.entry("disabled_policies[" + i + "]",
                "expected a policy name", "error"));
          } else {
            disabled.add(v.asText());
          }
        }
      }
    }
    List<AggregationRule> rules = new ArrayList<>();
    JsonNode export = doc.path("telemetry_export");
    if (!export.isMissingNode() && !export.isNull()) {
      if (!export.isArray()) {
        errors.add(ApiProblem.entry("telemetry_export",
            "expected a list of rules like \"node_*: avg by (node)\"", "error"));
      } else {
        for (int i = 0; i < export.size(); i++) {
          JsonNode v = export.get(i);
          try {
            if (!v.isTextual()) {
              throw new IllegalArgumentException(
                  "expected a rule like \"node_*: avg by (node)\"");
            }
            rules.add(AggregationRule.parse(v.asText()));
          } catch (IllegalArgumentException e) {
            errors.add(ApiProblem.entry("telemetry_export[" + i + "]", e.getMessage(), "error"));
          }
        }
      }
    }
    if (!errors.isEmpty()) {
      throw new ApiProblem(400, "the configuration has " + errors.size() + " problem(s)", errors);
    }
    Set<String> loaded = loadedPolicies(tier);
    List<String> warnings = new ArrayList<>();
    for (String name : disabled) {
      if (!loaded.contains(name)) {
        warnings.add("no policy named \"" + name + "\" runs on the " + tier
            + " tier now; it will be disabled if one is loaded");
      }
    }
    if (tier.equals("continuum") && !rules.isEmpty()) {
      warnings.add("the continuum has no parent: telemetry_export applies to node and cluster");
    }
    continuum.configure(tier, new AgentConfig(disabled, rules));
    Json.send(ctx, 200, view(tier, warnings));
  }

  private Set<String> loadedPolicies(String tier) {
    Set<String> names = new TreeSet<>();
    // Every agent of the tier, in this process or in others (their latest status report).
    for (PolicyStatus s : continuum.policyStatuses(tier)) {
      names.add(s.name());
    }
    return names;
  }

  private Map<String, Object> view(String tier, List<String> warnings) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tier", tier);
    out.put("disabled_policies", continuum.configuration(tier).disabledSorted());
    out.put("telemetry_export", continuum.configuration(tier).telemetryExportText());
    if (!warnings.isEmpty()) {
      out.put("warnings", warnings);
    }
    return out;
  }
}
