package eu.mlsysops.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import eu.mlsysops.cli.TextTable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mls query}: a PromQL instant query over one tier's telemetry, as a table. */
@Command(name = "query", mixinStandardHelpOptions = true,
    description = {
      "Evaluates a PromQL expression over the telemetry of one tier"
          + " (GET /api/v1/telemetry/query) and shows one row per series.",
      "Examples:",
      "  mls query 'avg by (node) (node_cpu_utilization)' --level cluster",
      "  mls query 'topk(3, node_power_watts)' --level node",
      "  mls query 'sum(rate(mls_plans_total[5m])) by (status)'"
    })
public final class QueryCommand extends ClientCommand {
  @Parameters(index = "0", paramLabel = "PROMQL", description = "the expression")
  String expression;

  @Option(names = "--level", paramLabel = "TIER", defaultValue = "continuum",
      description = "whose stores: continuum (per-cluster summaries), cluster (per-node"
          + " summaries) or node (raw) (default: ${DEFAULT-VALUE})")
  String level;

  @Option(names = "--time", paramLabel = "TIME",
      description = "evaluation time, Unix seconds or RFC 3339 (default: now)")
  String time;

  @Override
  int run(ApiClient api, Printer p) {
    if (!List.of("continuum", "cluster", "node").contains(level)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--level: \"" + level
          + "\" is not a tier (continuum, cluster or node)");
    }
    if (time != null && !isTime(time)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--time: \"" + time
          + "\" is neither Unix seconds (1764331200.5) nor RFC 3339 (2026-12-06T16:00:00Z)");
    }
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("query", expression);
    q.put("level", level);
    q.put("time", time);
    JsonNode body = api.get("/api/v1/telemetry/query" + ApiClient.query(q)).json();
    if (p.structured(body)) {
      return ExitCode.OK;
    }
    // Agents in other processes that did not answer: said on stderr, so a partial table is
    // never taken for a whole one (and scripts reading stdout still get the table).
    body.path("warnings").forEach(w -> spec.commandLine().getErr().println("mls: warning: "
        + w.asText()));
    JsonNode data = body.path("data");
    JsonNode result = data.path("result");
    if ("scalar".equals(data.path("resultType").asText())) {
      p.println(result.path(1).asText());
      return ExitCode.OK;
    }
    if (result.isEmpty()) {
      p.println("no series");
      return ExitCode.OK;
    }
    TreeSet<String> labels = new TreeSet<>();
    for (JsonNode series : result) {
      series.path("metric").fieldNames().forEachRemaining(labels::add);
    }
    labels.remove("__name__");
    boolean named = false;
    for (JsonNode series : result) {
      named |= series.path("metric").has("__name__");
    }
    List<String> headers = new ArrayList<>();
    if (named) {
      headers.add("METRIC");
    }
    labels.forEach(l -> headers.add(l.toUpperCase(java.util.Locale.ROOT)));
    headers.add(matrix(data) ? "VALUES (newest last)" : "VALUE");
    TextTable t = new TextTable(headers.toArray(String[]::new));
    for (JsonNode series : result) {
      List<Object> row = new ArrayList<>();
      JsonNode metric = series.path("metric");
      if (named) {
        row.add(Fields.orDash(metric.path("__name__").asText("")));
      }
      for (String l : labels) {
        row.add(Fields.orDash(metric.path(l).asText("")));
      }
      row.add(matrix(data) ? values(series.path("values"))
          : readable(series.path("value").path(1).asText()));
      t.row(row.toArray());
    }
    p.print(t);
    return ExitCode.OK;
  }

  private static boolean matrix(JsonNode data) {
    return "matrix".equals(data.path("resultType").asText());
  }

  /**
   * A sample value as people read it: at most 6 significant digits ({@code 0.14}, not {@code
   * 0.13999999999999999}); {@code -o json} keeps the exact text.
   */
  static String readable(String value) {
    try {
      double d = Double.parseDouble(value);
      if (!Double.isFinite(d) || d == Math.rint(d) && Math.abs(d) < 1e15) {
        return value.endsWith(".0") ? value.substring(0, value.length() - 2) : value;
      }
      return new java.math.BigDecimal(d).round(new java.math.MathContext(6))
          .stripTrailingZeros().toPlainString();
    } catch (NumberFormatException e) {
      return value;
    }
  }

  /** The last few points of a range selector's series. */
  private static String values(JsonNode points) {
    List<String> out = new ArrayList<>();
    for (Iterator<JsonNode> it = points.elements(); it.hasNext(); ) {
      out.add(readable(it.next().path(1).asText()));
    }
    int from = Math.max(0, out.size() - 5);
    return (from > 0 ? "… " : "") + String.join(" ", out.subList(from, out.size()));
  }

  private static boolean isTime(String t) {
    try {
      double seconds = Double.parseDouble(t);
      return Double.isFinite(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        java.time.OffsetDateTime.parse(t);
        return true;
      } catch (java.time.format.DateTimeParseException notRfc3339) {
        return false;
      }
    }
  }
}
