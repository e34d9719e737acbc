package eu.mlsysops.telemetry.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.PromNames;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.query.QueryResult.Element;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Side by side with Prometheus 2.42 (Debian's, installed by {@code scripts/install-prometheus.sh}):
 * the same series go into our store and into {@code promtool test rules}, every expression is
 * evaluated by both, and the answers (label sets and values) must agree. promtool is given an
 * expectation no answer meets, so that it prints what Prometheus computed ("got: …").
 */
class PrometheusParityIT {
  /**
   * Between samples: a range here is left-open, (t - r, t], as in Prometheus 3; 2.42 also takes a
   * sample exactly at t - r. Off the 10 s grid, both see the same samples.
   */
  private static final long EVAL_SECONDS = 305;

  /** Series in promtool's notation: a sample every 10 s from t = 0, {@code start+step x count}. */
  private static final Map<String, double[]> SERIES = new LinkedHashMap<>();

  static {
    // name{labels} → start, step, count (count + 1 samples)
    SERIES.put("http_requests_total{job=\"api\",node=\"a\"}", new double[] {0, 3, 30});
    SERIES.put("http_requests_total{job=\"api\",node=\"b\"}", new double[] {100, 7, 30});
    SERIES.put("http_requests_total{job=\"db\",node=\"a\"}", new double[] {5, 1, 30});
    SERIES.put("temp_celsius{node=\"a\",zone=\"eu-1\"}", new double[] {21.5, 0.25, 30});
    SERIES.put("temp_celsius{node=\"b\",zone=\"eu-2\"}", new double[] {-3.75, -0.5, 30});
    SERIES.put("queue_depth{node=\"a\"}", new double[] {100, 2, 30});
    SERIES.put("flat{node=\"a\"}", new double[] {0.1, 0, 30});
    SERIES.put("latency_bucket{le=\"0.1\",node=\"a\"}", new double[] {0, 5, 30});
    SERIES.put("latency_bucket{le=\"0.5\",node=\"a\"}", new double[] {0, 9, 30});
    SERIES.put("latency_bucket{le=\"+Inf\",node=\"a\"}", new double[] {0, 10, 30});
  }

  private static final List<String> EXPRESSIONS = List.of(
      "rate(http_requests_total[1m])",
      "irate(http_requests_total[1m])",
      "increase(http_requests_total[2m])",
      "delta(temp_celsius[1m])",
      "deriv(queue_depth[2m])",
      "deriv(flat[2m])",
      "predict_linear(flat[2m], 60)",
      "log2(queue_depth * 0 + 1024)",
      "absent(nothing_here{job=\"x\", job=~\"x.*\", zone=\"\"})",
      "predict_linear(queue_depth[2m], 600)",
      "sum by (job) (rate(http_requests_total[1m]))",
      "avg without (node) (rate(http_requests_total[1m]))",
      "max(temp_celsius)",
      "count(http_requests_total)",
      "stddev(temp_celsius)",
      "topk(2, http_requests_total)",
      "bottomk(1, temp_celsius)",
      "quantile(0.5, http_requests_total)",
      "avg_over_time(temp_celsius[1m])",
      "max_over_time(temp_celsius[2m])",
      "stddev_over_time(temp_celsius[1m])",
      "quantile_over_time(0.9, temp_celsius[2m])",
      "histogram_quantile(0.9, rate(latency_bucket[1m]))",
      "round(temp_celsius)",
      "round(temp_celsius, 5)",
      "clamp(temp_celsius, 0, 25)",
      "clamp_min(temp_celsius, 0)",
      "abs(temp_celsius)",
      "sqrt(abs(temp_celsius))",
      "ln(queue_depth)",
      "log2(queue_depth)",
      "log10(queue_depth)",
      "exp(temp_celsius / 10)",
      "sgn(temp_celsius)",
      "ceil(temp_celsius)",
      "floor(temp_celsius)",
      "absent(nothing_here{job=\"x\"})",
      "label_replace(temp_celsius, \"region\", \"$1\", \"zone\", \"(.*)-.*\")",
      "label_join(temp_celsius, \"where\", \"/\", \"node\", \"zone\")",
      "temp_celsius > bool 0",
      "http_requests_total / on (node) group_left queue_depth",
      "rate(http_requests_total[1m]) * 60",
      "queue_depth - ignoring (node) queue_depth",
      "vector(time())",
      "http_requests_total and on (node) queue_depth",
      "http_requests_total unless on (node) queue_depth",
      "http_requests_total > 150 or http_requests_total < 30",
      "temp_celsius or vector(0)",
      "sum(nothing_here) or vector(0)",
      "http_requests_total and ignoring (job) temp_celsius",
      "http_requests_total * on (node) group_left (zone) temp_celsius",
      "temp_celsius / on (node) group_right (zone) http_requests_total",
      "http_requests_total - on (node) group_left queue_depth",
      "http_requests_total > on (node) group_left queue_depth",
      "http_requests_total offset 1m",
      "rate(http_requests_total[1m] offset 2m)",
      "max_over_time(temp_celsius[1m] offset 30s) - temp_celsius");

  /**
   * OpenTelemetry's spelling, as our store holds it; Prometheus is given the spelling of {@code
   * /metrics} ({@link PromNames}), and the queries are written that way.
   */
  private static final Map<String, double[]> DOTTED = new LinkedHashMap<>();

  static {
    DOTTED.put("http.server.active{service.name=\"api\",mlsysops.node=\"a\"}",
        new double[] {1, 1, 30});
    DOTTED.put("http.server.active{service.name=\"api\",mlsysops.node=\"b\"}",
        new double[] {5, 2, 30});
    DOTTED.put("http.server.active{service.name=\"db\",mlsysops.node=\"a\"}",
        new double[] {2, 0.5, 30});
    DOTTED.put("queue.depth{mlsysops.node=\"a\"}", new double[] {10, 1, 30});
  }

  private static final List<String> DOTTED_EXPRESSIONS = List.of(
      "sum by (service_name) (http_server_active)",
      "http_server_active{service_name=\"api\", mlsysops_node=~\"b|c\"}",
      "max without (mlsysops_node) (rate(http_server_active[1m]))",
      "count by (mlsysops_node) ({__name__=~\"http_server_.*\"})",
      "label_replace(http_server_active, \"svc\", \"$1\", \"service_name\", \"(.*)\")",
      "label_join(queue_depth, \"where\", \"/\", \"mlsysops_node\", \"mlsysops_node\")",
      "topk(1, http_server_active)",
      "http_server_active / on (mlsysops_node) group_left queue_depth",
      "http_server_active * on (mlsysops_node) group_left queue_depth",
      "sum by (mlsysops_node) (http_server_active) / on (mlsysops_node) queue_depth",
      "http_server_active and on (mlsysops_node) queue_depth > 0",
      "queue_depth / on (mlsysops_node) group_right http_server_active",
      "http_server_active * on (mlsysops_node) group_left (where) label_replace(queue_depth,"
          + " \"where\", \"$1\", \"mlsysops_node\", \"(.*)\")");

  @TempDir Path dir;

  @Test
  void everyExpressionAnswersAsPrometheusDoesOnTheSameSeries() throws Exception {
    QueryEngine engine = new QueryEngine(storeOf(SERIES));
    // What the engine refuses on purpose (docs/telemetry.md lists it); everything else it answers.
    List<String> refused = List.of();
    List<String> supported = supported(engine, EXPRESSIONS, refused);
    assertSameAnswers(engine, supported, prometheusAnswers(SERIES, supported), labels -> labels);
  }

  @Test
  void namesWrittenAsTheExpositionSpellsThemAnswerAsPrometheusDoesOnTheExposition()
      throws Exception {
    QueryEngine engine = new QueryEngine(storeOf(DOTTED));
    List<String> refused = List.of();
    List<String> supported = supported(engine, DOTTED_EXPRESSIONS, refused);
    Map<String, double[]> exposed = new LinkedHashMap<>();
    DOTTED.forEach((series, spec) -> {
      int brace = series.indexOf('{');
      String labels = labelsOf(series.substring(brace)).map().entrySet().stream()
          .map(l -> PromNames.labelName(l.getKey()) + "=\"" + l.getValue() + "\"")
          .collect(Collectors.joining(","));
      exposed.put(PromNames.metricName(series.substring(0, brace)) + "{" + labels + "}", spec);
    });
    // Results keep the stored names (grouping labels are named as written): compare them as
    // /metrics would show them.
    assertSameAnswers(engine, supported, prometheusAnswers(exposed, supported), labels -> {
      Map<String, String> m = new TreeMap<>();
      labels.forEach((k, v) -> m.put(k.equals("__name__") ? k : PromNames.labelName(k),
          k.equals("__name__") ? PromNames.metricName(v) : v));
      return m;
    });
  }

  private static MetricStore storeOf(Map<String, double[]> series) {
    MetricStore store = MetricStore.builder()
        .clock(Clock.fixed(Instant.ofEpochSecond(EVAL_SECONDS), ZoneOffset.UTC))
        .unlimitedRetention().samplesPerSeries(10_000).build();
    series.forEach((name, spec) -> {
      int brace = name.indexOf('{');
      Labels labels = labelsOf(name.substring(brace));
      for (int i = 0; i <= (int) spec[2]; i++) {
        assertThat(store.append(new Sample(name.substring(0, brace), labels, i * 10_000L,
            spec[0] + i * spec[1]))).isTrue();
      }
    });
    return store;
  }

  /** The expressions the engine answers; any it refuses must be among {@code refused}. */
  private static List<String> supported(QueryEngine engine, List<String> expressions,
      List<String> refused) {
    List<String> supported = new ArrayList<>();
    for (String e : expressions) {
      try {
        engine.vector(e, EVAL_SECONDS * 1000);
        supported.add(e);
      } catch (QueryException unsupported) {
        assertThat(refused).as("refused: " + e + " (" + unsupported.getMessage() + ")")
            .contains(e);
      }
    }
    assertThat(supported).hasSize(expressions.size() - refused.size());
    return supported;
  }

  private static void assertSameAnswers(QueryEngine engine, List<String> expressions,
      Map<String, List<Answer>> prometheus,
      UnaryOperator<Map<String, String>> asPrometheusNamesThem) {
    for (String e : expressions) {
      List<Answer> ours = new ArrayList<>();
      for (Element el : engine.vector(e, EVAL_SECONDS * 1000)) {
        Map<String, String> l = new TreeMap<>(el.labels().map());
        if (!el.metric().isEmpty()) {
          l.put("__name__", el.metric());
        }
        ours.add(new Answer(asPrometheusNamesThem.apply(l), el.value()));
      }
      List<Answer> theirs = prometheus.get(e);
      assertThat(theirs).as("Prometheus answered " + e).isNotNull();
      assertThat(ours).as(e).hasSameSizeAs(theirs);
      for (Answer t : theirs) {
        Answer o = ours.stream().filter(a -> a.labels().equals(t.labels())).findFirst()
            .orElse(null);
        assertThat(o).as(e + ": a series labelled " + t.labels() + " among " + ours).isNotNull();
        assertThat(o.value()).as(e + " " + t.labels())
            .isCloseTo(t.value(), within(1e-9 * Math.max(1, Math.abs(t.value()))));
      }
    }
  }

  private record Answer(Map<String, String> labels, double value) {}

  private Map<String, List<Answer>> prometheusAnswers(Map<String, double[]> series,
      List<String> expressions) throws IOException, InterruptedException {
    StringBuilder y = new StringBuilder("rule_files: []\nevaluation_interval: 1m\ntests:\n"
        + "  - interval: 10s\n    input_series:\n");
    series.forEach((name, spec) -> y.append("      - series: '").append(name)
        .append("'\n        values: '").append(num(spec[0])).append(spec[1] < 0 ? "" : "+")
        .append(num(spec[1])).append('x').append((int) spec[2]).append("'\n"));
    y.append("    promql_expr_test:\n");
    for (String e : expressions) {
      // An answer nobody gives, so that promtool prints what Prometheus got.
      y.append("      - expr: '").append(e.replace("'", "''")).append("'\n        eval_time: ")
          .append(EVAL_SECONDS).append("s\n        exp_samples:\n")
          .append("          - labels: '{probe=\"none\"}'\n            value: -12345\n");
    }
    Path file = dir.resolve("parity.yml");
    Files.writeString(file, y);
    Process p = new ProcessBuilder("promtool", "test", "rules", file.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    Map<String, List<Answer>> answers = new LinkedHashMap<>();
    Matcher m = Pattern.compile("expr: \"((?:[^\"\\\\]|\\\\.)*)\", time: [^\\n]*\\n\\s*exp: [^\\n]*"
        + "\\n\\s*got: ([^\\n]*)").matcher(out);
    while (m.find()) {
      String expr = m.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
      List<Answer> got = new ArrayList<>();
      Matcher s = Pattern.compile("(\\{[^}]*\\}) (\\S+?)(?:,|$)").matcher(m.group(2));
      while (s.find()) {
        got.add(new Answer(new TreeMap<>(labelsOf(s.group(1)).map()),
            Double.parseDouble(s.group(2))));
      }
      answers.put(expr, got);
    }
    assertThat(answers).as(out).hasSize(expressions.size());
    return answers;
  }

  private static Labels labelsOf(String braces) {
    Map<String, String> m = new TreeMap<>();
    Matcher l = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_.]*)=\"((?:[^\"\\\\]|\\\\.)*)\"")
        .matcher(braces);
    while (l.find()) {
      m.put(l.group(1), l.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
    }
    return new Labels(m);
  }

  private static String num(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
