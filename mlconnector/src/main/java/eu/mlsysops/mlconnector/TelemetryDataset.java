package eu.mlsysops.mlconnector;

import eu.mlsysops.telemetry.SeriesSource;
import eu.mlsysops.telemetry.query.QueryEngine;
import eu.mlsysops.telemetry.query.QueryException;
import eu.mlsysops.telemetry.query.QueryResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Training data taken from telemetry: each input and the target a PromQL expression, evaluated
 * over a window at a step (a range query); a row for every step at which all of them have a
 * value. Each expression must give one series (aggregate it, e.g. {@code avg(…)}, if it gives
 * more). The rows become a CSV upload of the model, so the version's lineage names them.
 *
 * @param level whose telemetry: {@code continuum}, {@code cluster} or {@code node}
 * @param features an expression per input of the model, by the input's name
 * @param target the expression of the model's target (for a classifier, its labels: e.g. {@code
 *     detector_latency_ms <= bool 100} gives 1 where a QoS target is met, 0 where not)
 * @param window how far back from now
 * @param step the time between rows
 * @param readableBy the token name whose view of telemetry the queries read (a developer sees only
 *     its own apps' series), or null for everything; retraining reads through the same view
 */
public record TelemetryDataset(String level, Map<String, String> features, String target,
    Duration window, Duration step, String readableBy) {
  /** The longest window. */
  public static final Duration MAX_WINDOW = Duration.ofDays(1);

  public TelemetryDataset {
    Objects.requireNonNull(level, "level");
    features = Map.copyOf(features);
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(step, "step");
    if (window.isNegative() || window.isZero() || window.compareTo(MAX_WINDOW) > 0) {
      throw new IllegalArgumentException("window: must be positive and at most 24h");
    }
    if (step.isNegative() || step.isZero()) {
      throw new IllegalArgumentException("step: must be positive");
    }
  }

  /** The same queries over the last {@code w} (at least one step). */
  TelemetryDataset within(Duration w) {
    return new TelemetryDataset(level, features, target, w.compareTo(step) < 0 ? step : w, step,
        readableBy);
  }

  /** As JSON, to be kept with the model (continual learning trains on it again). */
  String toJson() {
    var o = JSON.createObjectNode();
    o.put("level", level);
    var f = o.putObject("features");
    new java.util.TreeMap<>(features).forEach(f::put);
    o.put("target", target);
    o.put("window_ms", window.toMillis());
    o.put("step_ms", step.toMillis());
    if (readableBy != null) {
      o.put("readable_by", readableBy);
    }
    return o.toString();
  }

  /** What {@link #toJson} wrote. */
  static TelemetryDataset fromJson(String json) {
    try {
      var o = JSON.readTree(json);
      Map<String, String> f = new LinkedHashMap<>();
      o.path("features").properties().forEach(e -> f.put(e.getKey(), e.getValue().asText()));
      return new TelemetryDataset(o.path("level").asText(), f, o.path("target").asText(),
          Duration.ofMillis(o.path("window_ms").asLong()),
          Duration.ofMillis(o.path("step_ms").asLong()),
          o.hasNonNull("readable_by") ? o.get("readable_by").asText() : null);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("a stored telemetry source does not read back", e);
    }
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * The rows at {@code endMillis} from {@code source}, as the CSV a data upload holds (inputs in
   * the model's order, then the target).
   *
   * @throws IllegalArgumentException naming the feature whose expression is wrong, gives no series
   *     or more than one, or when no step has every value
   */
  byte[] csv(ModelSpec spec, SeriesSource source, long endMillis) {
    List<String> inputs = spec.inputs();
    for (String name : features.keySet()) {
      if (!inputs.contains(name)) {
        throw new IllegalArgumentException("telemetry.features: \"" + name + "\" is not an input"
            + " of model " + spec.name() + " " + inputs);
      }
    }
    QueryEngine engine = new QueryEngine(source);
    long start = endMillis - window.toMillis();
    Map<String, TreeMap<Long, Double>> columns = new LinkedHashMap<>();
    for (String input : inputs) {
      String expr = features.get(input);
      if (expr == null) {
        throw new IllegalArgumentException("telemetry.features: no expression for the input \""
            + input + "\"");
      }
      columns.put(input, column(engine, expr, start, endMillis, "telemetry.features." + input));
    }
    TreeMap<Long, Double> y = column(engine, target, start, endMillis, "telemetry.target");
    StringBuilder csv = new StringBuilder(String.join(",", inputs)).append(',')
        .append(spec.target()).append('\n');
    int rows = 0;
    for (Map.Entry<Long, Double> e : y.entrySet()) {
      StringBuilder row = new StringBuilder();
      boolean complete = true;
      for (String input : inputs) {
        Double v = columns.get(input).get(e.getKey());
        if (v == null) {
          complete = false;
          break;
        }
        row.append(v).append(',');
      }
      if (complete) {
        double t = e.getValue();
        csv.append(row).append(spec.kind() == ModelKind.CLASSIFICATION && t == Math.rint(t)
            ? Long.toString((long) t) : Double.toString(t)).append('\n');
        rows++;
      }
    }
    if (rows == 0) {
      throw new IllegalArgumentException("telemetry: no step of the last " + text(window)
          + " has a value of every feature and of the target");
    }
    return csv.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** {@code 30m}, {@code 90s}, {@code 2h}: as durations are written to the API. */
  static String text(Duration d) {
    long s = d.toSeconds();
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + "ms";
    }
    return s % 3600 == 0 ? s / 3600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  private TreeMap<Long, Double> column(QueryEngine engine, String expr, long start, long end,
      String field) {
    QueryResult.Matrix m;
    try {
      m = engine.range(expr, start, end, step.toMillis());
    } catch (QueryException e) {
      throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
    }
    if (m.series().isEmpty()) {
      throw new IllegalArgumentException(field + ": \"" + expr + "\" gives no series over the last "
          + text(window));
    }
    if (m.series().size() > 1) {
      throw new IllegalArgumentException(field + ": \"" + expr + "\" gives " + m.series().size()
          + " series; aggregate them to one (e.g. avg(…))");
    }
    TreeMap<Long, Double> out = new TreeMap<>();
    for (QueryResult.Point p : m.series().get(0).points()) {
      if (Double.isFinite(p.value())) {
        out.put(p.timestampMillis(), p.value());
      }
    }
    return out;
  }
}
