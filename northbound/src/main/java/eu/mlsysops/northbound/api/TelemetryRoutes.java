package eu.mlsysops.northbound.api;

import eu.mlsysops.agent.tier.ContinuumPort;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.UnionQuery;
import eu.mlsysops.telemetry.prometheus.PrometheusExposition;
import eu.mlsysops.telemetry.query.QueryEngine;
import eu.mlsysops.telemetry.query.QueryException;
import eu.mlsysops.telemetry.query.QueryResult;
import io.javalin.http.Context;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Telemetry queries in PromQL and the Prometheus text exposition. The query routes answer in the
 * Prometheus HTTP API's shape, so tools written for Prometheus read them; they are served under
 * {@code /api/v1/telemetry/} and, for tools that append {@code /api/v1/query} to a base URL (such
 * as Grafana's Prometheus data source), under {@code /prometheus/}.
 *
 * <p>Every route takes {@code level} ({@code continuum}, {@code cluster} or {@code node}; default
 * continuum): which tier's stores to read.
 */
final class TelemetryRoutes {
  /** Range queries longer than this are refused (the longest retention is six hours). */
  static final Duration MAX_RANGE = Duration.ofDays(1);

  private final ContinuumPort continuum;
  private final ContinuumViews views;

  TelemetryRoutes(ContinuumPort continuum, ContinuumViews views) {
    this.continuum = continuum;
    this.views = views;
  }

  void register(RouteTable r) {
    for (String base : List.of("/api/v1/telemetry", "/prometheus/api/v1")) {
      r.get(base + "/query", Role.VIEWER, this::instant);
      r.post(base + "/query", Role.VIEWER, this::instant);
      r.get(base + "/query_range", Role.VIEWER, this::range);
      r.post(base + "/query_range", Role.VIEWER, this::range);
    }
    r.get("/metrics", Role.VIEWER, this::exposition);
  }

  private void instant(Context ctx, Principal who) {
    String expr = required(ctx, "query");
    long at = time(ctx, "time", continuum.clock().millis());
    UnionQuery store = store(ctx);
    QueryResult result = evaluate(expr, engine(store, who), e -> e.instant(expr, at));
    Json.send(ctx, 200, success(result, store.warnings()));
  }

  private void range(Context ctx, Principal who) {
    String expr = required(ctx, "query");
    long start = time(ctx, "start", null);
    long end = time(ctx, "end", null);
    long step = step(ctx);
    if (end < start) {
      throw ApiProblem.badRequest("end: must not be before start");
    }
    if (end - start > MAX_RANGE.toMillis()) {
      throw ApiProblem.badRequest("end: the range is longer than " + MAX_RANGE.toHours() + "h");
    }
    UnionQuery store = store(ctx);
    QueryResult result = evaluate(expr, engine(store, who),
        e -> e.range(expr, start, end, step));
    Json.send(ctx, 200, success(result, store.warnings()));
  }

  private void exposition(Context ctx, Principal who) {
    String text;
    try {
      text = PrometheusExposition.of(new VisibleTelemetry(store(ctx), views.visibility(who)))
          .render();
    } catch (QueryException e) { // a remote store's limit
      throw ApiProblem.badRequest("level: " + e.getMessage());
    } catch (eu.mlsysops.telemetry.StoreUnavailable e) {
      throw new ApiProblem(503, e.getMessage());
    }
    ctx.status(200).contentType(PrometheusExposition.CONTENT_TYPE).result(text);
  }

  private UnionQuery store(Context ctx) {
    String level = param(ctx, "level");
    if (level == null) {
      level = "continuum";
    }
    if (!ContinuumPort.TIERS.contains(level)) {
      throw ApiProblem.badRequest(
          "level: \"" + level + "\" is not a tier (continuum, cluster, node)");
    }
    return continuum.telemetry(level);
  }

  /** An engine over the tier's telemetry without other tenants' series. */
  private QueryEngine engine(UnionQuery store, Principal who) {
    Visibility v = views.visibility(who);
    return new QueryEngine(v.all() ? store : new VisibleTelemetry(store, v));
  }

  private interface Evaluation {
    QueryResult run(QueryEngine engine);
  }

  private static QueryResult evaluate(String expr, QueryEngine engine, Evaluation evaluation) {
    try {
      return evaluation.run(engine);
    } catch (QueryException e) {
      throw ApiProblem.badRequest("query: " + e.getMessage());
    } catch (eu.mlsysops.telemetry.StoreUnavailable e) {
      throw new ApiProblem(503, e.getMessage());
    }
  }

  // ------------------------------------------------------------------ parameters

  private static String param(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null && isForm(ctx)) {
      v = ctx.formParam(name);
    }
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static boolean isForm(Context ctx) {
    String type = ctx.contentType();
    return type != null
        && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  private static String required(Context ctx, String name) {
    String v = param(ctx, name);
    if (v == null) {
      throw ApiProblem.badRequest(name + ": required");
    }
    return v;
  }

  /** A Unix time in seconds (fractions allowed) or an RFC 3339 time, as Prometheus accepts. */
  private static long time(Context ctx, String name, Long fallback) {
    String v = param(ctx, name);
    if (v == null) {
      if (fallback == null) {
        throw ApiProblem.badRequest(name + ": required");
      }
      return fallback;
    }
    try {
      return new BigDecimal(v).movePointRight(3).setScale(0, RoundingMode.HALF_UP)
          .longValueExact();
    } catch (NumberFormatException | ArithmeticException notNumber) {
      try {
        return OffsetDateTime.parse(v).toInstant().toEpochMilli();
      } catch (DateTimeParseException notRfc3339) {
        throw ApiProblem.badRequest(
            name + ": \"" + v + "\" is neither Unix seconds nor an RFC 3339 time");
      }
    }
  }

  /** Seconds (fractions allowed) or a duration such as {@code 15s}, {@code 1m}. */
  private static long step(Context ctx) {
    String v = required(ctx, "step");
    long millis;
    try {
      millis = new BigDecimal(v).movePointRight(3).longValue();
    } catch (NumberFormatException notNumber) {
      try {
        millis = SystemRoutes.window(v).toMillis();
      } catch (ApiProblem bad) {
        throw ApiProblem.badRequest("step: \"" + v + "\" is neither seconds nor a duration");
      }
    }
    if (millis <= 0) {
      throw ApiProblem.badRequest("step: must be positive, got \"" + v + "\"");
    }
    return millis;
  }

  // ------------------------------------------------------------------ response shape

  /**
   * The Prometheus HTTP API's success body; {@code warnings} (agents in other processes that did
   * not answer) as Prometheus returns them.
   */
  private static Map<String, Object> success(QueryResult result, List<String> warnings) {
    Map<String, Object> data = new LinkedHashMap<>();
    if (result instanceof QueryResult.Scalar s) {
      data.put("resultType", "scalar");
      data.put("result", point(s.timestampMillis(), s.value()));
    } else if (result instanceof QueryResult.Vector v) {
      data.put("resultType", "vector");
      List<Map<String, Object>> out = new ArrayList<>();
      for (QueryResult.Element e : v.elements()) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", metric(e.metric(), e.labels()));
        m.put("value", point(v.timestampMillis(), e.value()));
        out.add(m);
      }
      data.put("result", out);
    } else if (result instanceof QueryResult.Matrix x) {
      data.put("resultType", "matrix");
      List<Map<String, Object>> out = new ArrayList<>();
      for (QueryResult.RangeSeries s : x.series()) {
        List<List<Object>> values = new ArrayList<>();
        for (QueryResult.Point p : s.points()) {
          values.add(point(p.timestampMillis(), p.value()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metric", metric(s.metric(), s.labels()));
        m.put("values", values);
        out.add(m);
      }
      data.put("result", out);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "success");
    body.put("data", data);
    if (!warnings.isEmpty()) {
      body.put("warnings", warnings);
    }
    return body;
  }

  private static Map<String, String> metric(String name, Labels labels) {
    Map<String, String> m = new LinkedHashMap<>();
    if (!name.isEmpty()) {
      m.put("__name__", name);
    }
    m.putAll(labels.map());
    return m;
  }

  /** {@code [seconds, "value"]}: Prometheus writes values as strings so NaN and ±Inf survive. */
  private static List<Object> point(long millis, double value) {
    return List.of(BigDecimal.valueOf(millis).movePointLeft(3),
        PrometheusExposition.formatValue(value));
  }
}
