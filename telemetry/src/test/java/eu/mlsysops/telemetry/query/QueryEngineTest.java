package eu.mlsysops.telemetry.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.query.QueryResult.Element;
import eu.mlsysops.telemetry.query.QueryResult.Point;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Every function, aggregation and operator with numbers worked out by hand. Samples are 10 s apart;
 * queries are evaluated at t = 600 s unless said otherwise.
 */
class QueryEngineTest {
  private static final long NOW = 600_000;
  private static final Offset<Double> EXACT = within(1e-9);

  private final MetricStore store =
      MetricStore.builder()
          .clock(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC))
          .unlimitedRetention()
          .samplesPerSeries(10_000)
          .build();
  private final QueryEngine engine = new QueryEngine(store);

  private static long s(double seconds) {
    return (long) (seconds * 1000);
  }

  private void put(String metric, Labels labels, long seconds, double value) {
    assertThat(store.append(new Sample(metric, labels, s(seconds), value))).isTrue();
  }

  private double only(String expr) {
    return only(expr, NOW);
  }

  private double only(String expr, long at) {
    List<Element> v = engine.vector(expr, at);
    assertThat(v).as(expr).hasSize(1);
    return v.get(0).value();
  }

  private Map<String, Double> byLabel(String expr, String label) {
    Map<String, Double> out = new TreeMap<>();
    for (Element e : engine.vector(expr, NOW)) {
      out.put(e.labels().get(label), e.value());
    }
    return out;
  }

  // ---------------------------------------------------------------- counters

  /** +1 per second, sampled every 10 s from 0 to 600 s. */
  private void steadyCounter() {
    for (int t = 0; t <= 600; t += 10) {
      put("http_requests_total", Labels.of("node", "a"), t, t);
    }
  }

  /** 100, 110, 120, then a reset to 5, 15, 25 at 550..600 s. */
  private void resetCounter() {
    double[] v = {100, 110, 120, 5, 15, 25};
    for (int i = 0; i < v.length; i++) {
      put("http_requests_total", Labels.of("node", "b"), 550 + 10 * i, v[i]);
    }
  }

  @Test
  void rateAndIncreaseExtrapolateToTheWindowStartWhenTheFirstSampleIsCloseToIt() {
    steadyCounter();
    // Window (540, 600]: samples 550..600, change 50 over 50 s; the first sample is 10 s after
    // the start (< 1.1 intervals) so it is extrapolated by 10 s: 50 * 60 / 50 = 60.
    assertThat(only("increase(http_requests_total[1m])")).isCloseTo(60, EXACT);
    assertThat(only("rate(http_requests_total[1m])")).isCloseTo(1, EXACT);
  }

  @Test
  void rateAddsTheValueBeforeACounterReset() {
    resetCounter();
    // 25 - 100 + 120 (reset after 120) = 45, extrapolated by 60/50: 54; per second 0.9.
    assertThat(only("increase(http_requests_total{node=\"b\"}[1m])")).isCloseTo(54, EXACT);
    assertThat(only("rate(http_requests_total{node=\"b\"}[1m])")).isCloseTo(0.9, EXACT);
    assertThat(only("resets(http_requests_total{node=\"b\"}[1m])")).isEqualTo(1);
  }

  @Test
  void increaseExtrapolatesHalfAnIntervalWhenTheSeriesStartsInsideTheWindow() {
    double[] v = {10, 11, 12, 13};
    for (int i = 0; i < 4; i++) {
      put("c", Labels.EMPTY, 570 + 10 * i, v[i]);
    }
    // First sample 30 s after the window start (> 1.1 * 10 s): extend by 5 s only.
    // 3 * (30 + 5) / 30 = 3.5.
    assertThat(only("increase(c[1m])")).isCloseTo(3.5, EXACT);
  }

  @Test
  void increaseIsNotExtrapolatedBelowZero() {
    double[] v = {1, 11, 21, 31};
    for (int i = 0; i < 4; i++) {
      put("c", Labels.EMPTY, 570 + 10 * i, v[i]);
    }
    // The counter would reach 0 one second before the first sample (30 * 1/30), earlier than the
    // 5 s of extrapolation: 30 * (30 + 1) / 30 = 31.
    assertThat(only("increase(c[1m])")).isCloseTo(31, EXACT);
  }

  @Test
  void irateUsesTheLastTwoSamplesAndTreatsADropAsAReset() {
    resetCounter();
    assertThat(only("irate(http_requests_total{node=\"b\"}[1m])")).isCloseTo(1, EXACT);
    // At 580 s the last two are 120 then 5: a reset, so the increase is 5 over 10 s.
    assertThat(only("irate(http_requests_total{node=\"b\"}[1m])", s(580))).isCloseTo(0.5, EXACT);
  }

  @Test
  void rangeFunctionsNeedTwoSamples() {
    put("c", Labels.EMPTY, 600, 1);
    assertThat(engine.vector("rate(c[1m])", NOW)).isEmpty();
    assertThat(engine.vector("irate(c[1m])", NOW)).isEmpty();
    assertThat(engine.vector("count_over_time(c[1m])", NOW)).hasSize(1);
  }

  // ---------------------------------------------------------------- gauges over time

  /** temp{node=a}: 10, 12, 11, 15, 14, 20 at 550..600 s. */
  private void gauge() {
    double[] v = {10, 12, 11, 15, 14, 20};
    for (int i = 0; i < v.length; i++) {
      put("temp", Labels.of("node", "a"), 550 + 10 * i, v[i]);
    }
  }

  @Test
  void overTimeFunctionsAggregateTheWindowOfEachSeries() {
    gauge();
    assertThat(only("sum_over_time(temp[1m])")).isEqualTo(82);
    assertThat(only("count_over_time(temp[1m])")).isEqualTo(6);
    assertThat(only("avg_over_time(temp[1m])")).isCloseTo(82 / 6.0, EXACT);
    assertThat(only("min_over_time(temp[1m])")).isEqualTo(10);
    assertThat(only("max_over_time(temp[1m])")).isEqualTo(20);
    assertThat(only("last_over_time(temp[1m])")).isEqualTo(20);
    // sum of squares 1186 - 6 * (41/3)^2 = 65.333..., / 6, square root.
    assertThat(only("stddev_over_time(temp[1m])")).isCloseTo(Math.sqrt(196.0 / 18), EXACT);
    assertThat(only("changes(temp[1m])")).isEqualTo(5);
    assertThat(only("resets(temp[1m])")).isEqualTo(2);
  }

  @Test
  void quantileOverTimeInterpolatesBetweenClosestRanks() {
    gauge(); // sorted 10 11 12 14 15 20
    assertThat(only("quantile_over_time(0.5, temp[1m])")).isCloseTo(13, EXACT); // rank 2.5
    assertThat(only("quantile_over_time(0.9, temp[1m])")).isCloseTo(17.5, EXACT); // rank 4.5
    assertThat(only("quantile_over_time(0, temp[1m])")).isEqualTo(10);
    assertThat(only("quantile_over_time(1, temp[1m])")).isEqualTo(20);
    assertThat(only("quantile_over_time(2, temp[1m])")).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void deltaAndIdeltaTreatTheSeriesAsAGauge() {
    gauge();
    assertThat(only("delta(temp[1m])")).isCloseTo(12, EXACT); // (20 - 10) * 60 / 50
    assertThat(only("idelta(temp[1m])")).isEqualTo(6); // 20 - 14
  }

  @Test
  void windowsAreOpenAtTheStartAndClosedAtTheEnd() {
    gauge();
    // (570, 600] holds 580, 590, 600 but not 570.
    assertThat(only("count_over_time(temp[30s])")).isEqualTo(3);
    assertThat(only("sum_over_time(temp[30s])")).isEqualTo(15 + 14 + 20);
  }

  @Test
  void instantSelectorsLookBackFiveMinutesForTheNewestSample() {
    gauge();
    assertThat(only("temp", s(600))).isEqualTo(20);
    assertThat(only("temp", s(595))).isEqualTo(14);
    assertThat(only("temp", s(899))).isEqualTo(20);
    assertThat(engine.vector("temp", s(900))).isEmpty();
    assertThat(engine.vector("temp", s(500))).isEmpty();
    Element e = engine.vector("temp", NOW).get(0);
    assertThat(e.metric()).isEqualTo("temp");
    assertThat(e.labels()).isEqualTo(Labels.of("node", "a"));
  }

  @Test
  void lookbackIsConfigurable() {
    gauge();
    QueryEngine shortLookback =
        QueryEngine.builder(store).lookback(java.time.Duration.ofSeconds(30)).build();
    assertThat(shortLookback.vector("temp", s(629))).hasSize(1);
    assertThat(shortLookback.vector("temp", s(630))).isEmpty();
  }

  @Test
  void aRangeSelectorAtAnInstantReturnsItsRawSamples() {
    gauge();
    QueryResult r = engine.instant("temp[30s]", NOW);
    assertThat(r).isInstanceOf(QueryResult.Matrix.class);
    assertThat(((QueryResult.Matrix) r).series().get(0).points())
        .containsExactly(new Point(s(580), 15), new Point(s(590), 14), new Point(s(600), 20));
  }

  // ---------------------------------------------------------------- aggregation

  private void cpu() {
    put("cpu", Labels.of("node", "a", "mode", "idle"), 600, 1);
    put("cpu", Labels.of("node", "a", "mode", "user"), 600, 2);
    put("cpu", Labels.of("node", "a", "mode", "system"), 600, 3);
    put("cpu", Labels.of("node", "b", "mode", "idle"), 600, 4);
    put("cpu", Labels.of("node", "b", "mode", "user"), 600, 5);
  }

  @Test
  void aggregationsGroupByTheGivenLabels() {
    cpu();
    assertThat(only("sum(cpu)")).isEqualTo(15);
    assertThat(engine.vector("sum(cpu)", NOW).get(0).labels()).isEqualTo(Labels.EMPTY);
    assertThat(byLabel("sum by (node) (cpu)", "node"))
        .containsExactly(Map.entry("a", 6.0), Map.entry("b", 9.0));
    assertThat(byLabel("sum(cpu) by (node)", "node"))
        .containsExactly(Map.entry("a", 6.0), Map.entry("b", 9.0));
    assertThat(byLabel("avg by (node) (cpu)", "node"))
        .containsExactly(Map.entry("a", 2.0), Map.entry("b", 4.5));
    assertThat(byLabel("min by (mode) (cpu)", "mode"))
        .containsExactly(Map.entry("idle", 1.0), Map.entry("system", 3.0), Map.entry("user", 2.0));
    assertThat(byLabel("max by (mode) (cpu)", "mode"))
        .containsExactly(Map.entry("idle", 4.0), Map.entry("system", 3.0), Map.entry("user", 5.0));
    assertThat(byLabel("count by (node) (cpu)", "node"))
        .containsExactly(Map.entry("a", 3.0), Map.entry("b", 2.0));
    assertThat(only("sum by (zone) (cpu)")).isEqualTo(15);
  }

  @Test
  void theAggregationsDashboardsUseFollowPrometheus() {
    cpu(); // 1, 2, 3 on node a; 4, 5 on node b
    List<Element> top = engine.vector("topk(2, cpu)", NOW);
    assertThat(top).extracting(Element::value).containsExactlyInAnyOrder(5.0, 4.0);
    assertThat(top).allMatch(e -> "cpu".equals(e.metric()) && e.labels().get("node").equals("b"));
    assertThat(engine.vector("bottomk by (node) (1, cpu)", NOW))
        .extracting(e -> e.labels().get("node") + "/" + e.labels().get("mode") + "=" + e.value())
        .containsExactlyInAnyOrder("a/idle=1.0", "b/idle=4.0");
    assertThat(only("quantile(0.5, cpu)")).isEqualTo(3);
    assertThat(only("quantile(0.25, cpu)")).isEqualTo(2);
    assertThat(byLabel("quantile by (node) (0.5, cpu)", "node"))
        .containsExactly(Map.entry("a", 2.0), Map.entry("b", 4.5));
    assertThat(only("quantile(2, cpu)")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(only("stdvar(cpu)")).isCloseTo(2.0, EXACT);
    assertThat(only("stddev(cpu)")).isCloseTo(Math.sqrt(2), EXACT);
    assertThat(byLabel("group by (node) (cpu)", "node"))
        .containsExactly(Map.entry("a", 1.0), Map.entry("b", 1.0));
    assertThat(byLabel("count_values(\"total\", sum by (node) (cpu))", "total"))
        .containsExactly(Map.entry("6", 1.0), Map.entry("9", 1.0));
    assertThat(byLabel("count_values(\"v\", cpu / 2)", "v")).containsEntry("0.5", 1.0)
        .containsEntry("2.5", 1.0).hasSize(5);
    assertThatThrownBy(() -> engine.vector("topk(cpu)", NOW)).isInstanceOf(QueryException.class)
        .hasMessageContaining("expected type scalar as the parameter of topk");
    assertThatThrownBy(() -> engine.vector("count_values(cpu)", NOW))
        .isInstanceOf(QueryException.class).hasMessageContaining("needs a label name");
  }

  @Test
  void labelReplaceAndLabelJoinRewriteLabelsAsPrometheusDoes() {
    put("up", Labels.of("instance", "edge-1:9100", "job", "node"), 600, 1);
    List<Element> r = engine.vector(
        "label_replace(up, \"host\", \"$1\", \"instance\", \"(.*):\\\\d+\")", NOW);
    assertThat(r).singleElement().satisfies(e -> {
      assertThat(e.labels().get("host")).isEqualTo("edge-1");
      assertThat(e.metric()).isEqualTo("up");
    });
    // No match: the series is left as it was.
    assertThat(engine.vector("label_replace(up, \"host\", \"$1\", \"job\", \"x(.*)\")", NOW))
        .singleElement().satisfies(e -> assertThat(e.labels().get("host")).isNull());
    // ${name} groups and an empty result that removes the label.
    assertThat(engine.vector("label_replace(up, \"job\", \"${j}\", \"instance\","
        + " \"(?P<j>zzz)?.*\")", NOW)).singleElement()
        .satisfies(e -> assertThat(e.labels().get("job")).isNull());
    assertThat(engine.vector("label_join(up, \"both\", \"/\", \"job\", \"instance\")", NOW))
        .singleElement()
        .satisfies(e -> assertThat(e.labels().get("both")).isEqualTo("node/edge-1:9100"));
    assertThatThrownBy(() -> engine.vector(
        "label_replace(up, \"1bad\", \"$1\", \"instance\", \"(.*)\")", NOW))
        .isInstanceOf(QueryException.class).hasMessageContaining("invalid destination label");
    assertThatThrownBy(() -> engine.vector(
        "label_replace(up, \"h\", \"$1\", \"instance\", \"(\")", NOW))
        .isInstanceOf(QueryException.class).hasMessageContaining("invalid regular expression");
  }

  @Test
  void withoutKeepsEveryOtherLabel() {
    cpu();
    List<Element> v = engine.vector("max without (mode) (cpu)", NOW);
    assertThat(v)
        .extracting(Element::metric, Element::labels, Element::value)
        .containsExactly(
            tuple("", Labels.of("node", "a"), 3.0), tuple("", Labels.of("node", "b"), 5.0));
    assertThat(engine.vector("sum without (node, mode) (cpu)", NOW))
        .extracting(Element::labels, Element::value)
        .containsExactly(tuple(Labels.EMPTY, 15.0));
  }

  @Test
  void averageRateOfNonIdleCpuPerNode() {
    double[][] perSecond = {{0.5, 0.1, 0.4}, {0.2, 0, 0}};
    String[] modes = {"user", "system", "idle"};
    for (int t = 0; t <= 600; t += 10) {
      for (int m = 0; m < 3; m++) {
        put(
            "node_cpu_seconds_total",
            Labels.of("node", "a", "mode", modes[m]),
            t,
            perSecond[0][m] * t);
      }
      put("node_cpu_seconds_total", Labels.of("node", "b", "mode", "user"), t, 0.2 * t);
    }
    Map<String, Double> r =
        byLabel("avg by (node) (rate(node_cpu_seconds_total{mode!=\"idle\"}[1m]))", "node");
    assertThat(r.get("a")).isCloseTo(0.3, EXACT);
    assertThat(r.get("b")).isCloseTo(0.2, EXACT);
    assertThat(r).hasSize(2);
  }

  // ---------------------------------------------------------------- matchers

  @Test
  void regexMatchersAreAnchoredAndNegationsMatchMissingLabels() {
    cpu();
    put("cpu", Labels.of("node", "c"), 600, 100);
    assertThat(engine.vector("cpu{mode=~\"us\"}", NOW)).isEmpty();
    assertThat(byLabel("cpu{mode=~\"us.*\"}", "node")).containsOnlyKeys("a", "b");
    assertThat(only("sum(cpu{mode!~\"idle|user\"})")).isEqualTo(100 + 3);
    assertThat(only("sum(cpu{mode!=\"idle\"})")).isEqualTo(100 + 2 + 3 + 5);
    assertThat(only("cpu{mode=\"\"}")).isEqualTo(100);
    assertThat(only("count(cpu{mode!=\"\"})")).isEqualTo(5);
    assertThat(only("sum(cpu{node=~\"a|b\", mode=~\"idle|system\"})")).isEqualTo(1 + 3 + 4);
  }

  @Test
  void metricNamesMayContainDotsAndBeMatchedByName() {
    put("http.server.duration_count", Labels.of("service.name", "api"), 600, 7);
    put("mem", Labels.EMPTY, 600, 1);
    assertThat(only("http.server.duration_count")).isEqualTo(7);
    assertThat(only("http.server.duration_count{service.name=\"api\"}")).isEqualTo(7);
    assertThat(only("{\"http.server.duration_count\"}")).isEqualTo(7);
    assertThat(only("{__name__=\"mem\"}")).isEqualTo(1);
    assertThat(engine.vector("{__name__=~\"http.*|mem\"}", NOW))
        .extracting(Element::metric)
        .containsExactly("http.server.duration_count", "mem");
  }

  // ---------------------------------------------------------------- histogram_quantile

  private void histogram(String metric, String node, double... cumulative) {
    String[] le = {"0.1", "0.5", "1", "+Inf"};
    for (int i = 0; i < cumulative.length; i++) {
      put(metric, Labels.of("node", node, "le", le[i]), 600, cumulative[i]);
    }
  }

  @Test
  void histogramQuantileInterpolatesLinearlyInsideTheBucket() {
    histogram("http.server.duration_bucket", "a", 10, 30, 45, 50);
    String q = "histogram_quantile(%s, http.server.duration_bucket)";
    // rank 25 falls in (0.1, 0.5] holding 20: 0.1 + 0.4 * 15/20.
    assertThat(only(q.formatted("0.5"))).isCloseTo(0.4, EXACT);
    // rank 45 is the top of (0.5, 1].
    assertThat(only(q.formatted("0.9"))).isCloseTo(1.0, EXACT);
    // rank 2.5 in the first bucket, which starts at 0: 0.1 * 2.5/10.
    assertThat(only(q.formatted("0.05"))).isCloseTo(0.025, EXACT);
    // rank 47.5 falls in +Inf: the highest finite bound.
    assertThat(only(q.formatted("0.95"))).isEqualTo(1.0);
    assertThat(only(q.formatted("1.5"))).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(only(q.formatted("-1"))).isEqualTo(Double.NEGATIVE_INFINITY);
    Element e = engine.vector(q.formatted("0.5"), NOW).get(0);
    assertThat(e.labels()).isEqualTo(Labels.of("node", "a"));
    assertThat(e.metric()).isEmpty();
  }

  @Test
  void histogramQuantileOverSummedBuckets() {
    histogram("lat_bucket", "a", 10, 30, 45, 50);
    histogram("lat_bucket", "c", 0, 10, 10, 10);
    // Summed: 10, 40, 55, 60; rank 30 in (0.1, 0.5] holding 30: 0.1 + 0.4 * 20/30.
    assertThat(only("histogram_quantile(0.5, sum by (le) (lat_bucket))"))
        .isCloseTo(0.1 + 0.4 * 20 / 30, EXACT);
  }

  @Test
  void histogramQuantileIsNaNWithoutAnInfBucketAndFixesNonMonotonicCounts() {
    put("lat_bucket", Labels.of("node", "b", "le", "0.1"), 600, 5);
    put("lat_bucket", Labels.of("node", "b", "le", "1"), 600, 10);
    assertThat(only("histogram_quantile(0.5, lat_bucket)")).isNaN();
    // 10, 8, 20, 20 is read as 10, 10, 20, 20: rank 10 is the top of the first bucket.
    histogram("lat2_bucket", "a", 10, 8, 20, 20);
    assertThat(only("histogram_quantile(0.5, lat2_bucket)")).isCloseTo(0.1, EXACT);
  }

  // ---------------------------------------------------------------- operators

  @Test
  void scalarArithmeticFollowsPromQlPrecedence() {
    assertThat(scalar("1 + 2 * 3")).isEqualTo(7);
    assertThat(scalar("(1 + 2) * 3")).isEqualTo(9);
    assertThat(scalar("2 ^ 3 ^ 2")).isEqualTo(512);
    assertThat(scalar("-2 ^ 2")).isEqualTo(-4);
    assertThat(scalar("10 % 3")).isEqualTo(1);
    assertThat(scalar("10 - 4 - 3")).isEqualTo(3);
    assertThat(scalar("1 / 0")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(scalar("2 > bool 1")).isEqualTo(1);
    assertThat(scalar("1.5e3")).isEqualTo(1500);
    assertThat(scalar("time()")).isEqualTo(600);
  }

  private double scalar(String expr) {
    QueryResult r = engine.instant(expr, NOW);
    assertThat(r).isInstanceOf(QueryResult.Scalar.class);
    return ((QueryResult.Scalar) r).value();
  }

  @Test
  void vectorScalarArithmeticDropsTheMetricNameAndComparisonsFilter() {
    cpu();
    assertThat(engine.vector("cpu{node=\"a\"} * 2", NOW))
        .extracting(Element::metric, Element::value)
        .containsExactly(tuple("", 2.0), tuple("", 6.0), tuple("", 4.0));
    assertThat(only("2 - cpu{node=\"a\", mode=\"idle\"}")).isEqualTo(1);
    assertThat(only("-cpu{node=\"a\", mode=\"idle\"}")).isEqualTo(-1);
    assertThat(engine.vector("cpu > 3", NOW))
        .extracting(Element::metric, Element::value)
        .containsExactly(tuple("cpu", 4.0), tuple("cpu", 5.0));
    assertThat(engine.vector("3 < cpu", NOW)).extracting(Element::value).containsExactly(4.0, 5.0);
    // Sorted by labels: mode=idle (a, b), mode=system, mode=user (a, b).
    assertThat(engine.vector("cpu > bool 3", NOW))
        .extracting(Element::value)
        .containsExactly(0.0, 1.0, 0.0, 0.0, 1.0);
    assertThat(only("clamp_max(sum(cpu), 10)")).isEqualTo(10);
    assertThat(only("abs(-sum(cpu))")).isEqualTo(15);
    assertThat(only("clamp_min(sum(cpu), 20)")).isEqualTo(20);
    assertThat(only("ceil(sum(cpu) / 4)")).isEqualTo(4); // 3.75
    assertThat(only("floor(sum(cpu) / 4)")).isEqualTo(3);
    assertThat(only("vector(3) + 1")).isEqualTo(4);
    assertThat(only("vector(3)")).as("alone, as Grafana sends it").isEqualTo(3);
    assertThat(engine.range("vector(3)", NOW - 60_000, NOW, 30_000)).isNotNull();
    assertThat(scalar("scalar(sum(cpu)) / 3")).isEqualTo(5);
  }

  @Test
  void vectorsMatchOneToOneOnIdenticalLabelSets() {
    put("mem_used", Labels.of("node", "a"), 600, 50);
    put("mem_used", Labels.of("node", "b"), 600, 30);
    put("mem_total", Labels.of("node", "a"), 600, 100);
    put("mem_total", Labels.of("node", "b"), 600, 120);
    put("mem_total", Labels.of("node", "c"), 600, 10);
    assertThat(byLabel("mem_used / mem_total", "node"))
        .containsExactly(Map.entry("a", 0.5), Map.entry("b", 0.25));
    cpu();
    assertThat(byLabel("sum by (node) (cpu) / on(node) mem_total", "node"))
        .containsExactly(Map.entry("a", 0.06), Map.entry("b", 0.075));
    assertThat(
            byLabel("mem_total > ignoring(mode) sum by (node, mode) (cpu{mode=\"idle\"})", "node"))
        .containsExactly(Map.entry("a", 100.0), Map.entry("b", 120.0));
  }

  @Test
  void manyToManyMatchingIsAnEvaluationErrorAtTheOperator() {
    cpu();
    put("mem_total", Labels.of("node", "a"), 600, 100);
    assertThatThrownBy(() -> engine.instant("mem_total / on(node) cpu", NOW))
        .isInstanceOf(QueryException.class)
        .hasMessageStartingWith("1:11: many-to-many matching not allowed");
    assertThatThrownBy(() -> engine.instant("cpu / on(node) mem_total", NOW))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("left-hand side");
  }

  // ---------------------------------------------------------------- range queries

  @Test
  void rangeQueriesEvaluateAtEveryStep() {
    resetCounter();
    // At 560 s: 550..560 (100 → 110), first sample 20 s into the window: 10 * 15/10 = 15.
    // At 580 s: 560..580 (110, 120, 5): 5 - 110 + 120 = 15, * 30/20 = 22.5.
    // At 600 s: 580..600 (5 → 25): 20; zero point 5 s before the first sample: 20 * 25/20 = 25.
    QueryResult.Matrix m =
        engine.range("increase(http_requests_total{node=\"b\"}[30s])", s(560), s(600), s(20));
    assertThat(m.series()).hasSize(1);
    assertThat(m.series().get(0).points())
        .extracting(Point::timestampMillis, Point::value)
        .containsExactly(tuple(s(560), 15.0), tuple(s(580), 22.5), tuple(s(600), 25.0));
    for (Point p : m.series().get(0).points()) {
      assertThat(only("increase(http_requests_total{node=\"b\"}[30s])", p.timestampMillis()))
          .isCloseTo(p.value(), EXACT);
    }
  }

  @Test
  void rangeQueriesOfSelectorsAndAggregationsGiveOneSeriesPerGroup() {
    steadyCounter();
    put("http_requests_total", Labels.of("node", "c"), 300, 0);
    QueryResult.Matrix m =
        engine.range("sum by (node) (rate(http_requests_total[1m]))", s(300), s(600), s(60));
    assertThat(m.series()).extracting(x -> x.labels().get("node")).containsExactly("a");
    assertThat(m.series().get(0).points())
        .hasSize(6)
        .allSatisfy(p -> assertThat(p.value()).isCloseTo(1.0, EXACT));
    QueryResult.Matrix raw = engine.range("http_requests_total", s(0), s(900), s(300));
    assertThat(raw.series())
        .extracting(x -> x.labels().get("node"), x -> x.points().size())
        .containsExactly(tuple("a", 3), tuple("c", 1)); // c at 300 s only; (300, 600] misses it
    assertThat(engine.range("time()", s(0), s(20), s(10)).series().get(0).points())
        .extracting(Point::value)
        .containsExactly(0.0, 10.0, 20.0);
  }

  @Test
  void rangeQueryLimitsAreQueryExceptions() {
    assertThatThrownBy(() -> engine.range("x[5m]", 0, 10, 1))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("range vector");
    assertThatThrownBy(() -> engine.range("x", 0, 10, 0))
        .isInstanceOf(QueryException.class)
        .hasMessage("step must be positive, got 0 ms");
    assertThatThrownBy(() -> engine.range("x", 10, 0, 1)).isInstanceOf(QueryException.class);
    assertThatThrownBy(() -> engine.range("x", 0, 1_000_000, 1))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("more than 11000");
  }

  // ---------------------------------------------------------------- typed helpers

  @Test
  void valueGivesTheOnlyElementOrScalar() {
    cpu();
    assertThat(engine.value("sum(cpu)", NOW)).hasValue(15);
    assertThat(engine.value("sum(nothing)", NOW)).isEmpty();
    assertThat(engine.value("1 + 1", NOW)).hasValue(2);
    assertThatThrownBy(() -> engine.value("cpu", NOW))
        .isInstanceOf(QueryException.class)
        .hasMessageContaining("at most one element");
    Query q = engine.parse("sum by (node) (cpu)");
    assertThat(q.type()).isEqualTo(ValueType.VECTOR);
    assertThat(((QueryResult.Vector) q.instant(NOW)).elements()).hasSize(2);
  }

  @Test
  void theMathFunctionsGrafanaDashboardsUseAnswerAsPrometheusDoes() {
    put("temp", Labels.of("node", "a"), 600, 2.5);
    put("temp", Labels.of("node", "b"), 600, -16);

    assertThat(only("round(temp{node=\"a\"})")).isEqualTo(3); // halves up
    assertThat(only("round(temp{node=\"b\"})")).isEqualTo(-16);
    assertThat(only("round(temp{node=\"a\"}, 0.2)")).isCloseTo(2.6, EXACT);
    assertThat(only("clamp(temp{node=\"b\"}, -10, 10)")).isEqualTo(-10);
    assertThat(engine.vector("clamp(temp, 10, -10)", NOW)).as("min > max: nothing").isEmpty();
    assertThat(only("sqrt(abs(temp{node=\"b\"}))")).isEqualTo(4);
    assertThat(only("exp(ln(temp{node=\"a\"}))")).isCloseTo(2.5, EXACT);
    assertThat(only("log2(abs(temp{node=\"b\"}))")).isCloseTo(4, EXACT);
    assertThat(only("log10(abs(temp{node=\"b\"}) * 6.25)")).isCloseTo(2, EXACT);
    assertThat(only("sgn(temp{node=\"b\"})")).isEqualTo(-1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> engine.vector("round(temp, 1, 2)",
        NOW)).hasMessageContaining("function \"round\" takes 1 or 2 arguments, got 3");
  }

  @Test
  void absentAnswersOneWithTheSelectorsEqualityLabelsOnlyWhenNothingMatches() {
    put("up", Labels.of("job", "api"), 600, 1);

    assertThat(engine.vector("absent(up{job=\"api\"})", NOW)).isEmpty();
    List<Element> missing = engine.vector("absent(up{job=\"db\", zone=~\"eu.*\"})", NOW);
    assertThat(missing).singleElement().satisfies(e -> {
      assertThat(e.value()).isEqualTo(1);
      assertThat(e.labels()).isEqualTo(Labels.of("job", "db"));
    });
  }

  @Test
  void derivAndPredictLinearFitALineThroughTheWindow() {
    // 2 per second from t=540 s to t=600 s, starting at 100.
    for (int t = 540; t <= 600; t += 10) {
      put("queue", Labels.of("node", "a"), t, 100 + 2 * (t - 540));
    }

    assertThat(only("deriv(queue[1m])")).isCloseTo(2, EXACT);
    // Now 220; an hour on: 220 + 7,200.
    assertThat(only("predict_linear(queue[1m], 3600)")).isCloseTo(7420, EXACT);
    assertThat(engine.vector("deriv(queue[5s])", NOW)).as("one point: no line").isEmpty();
  }

  // ---------------------------------------------------------------- names as /metrics spells them

  /** OpenTelemetry's dotted names, stored as they came. */
  private void dottedSeries() {
    put("http.server.active", Labels.of("service.name", "api", "mlsysops.node", "a"), 590, 3);
    put("http.server.active", Labels.of("service.name", "api", "mlsysops.node", "b"), 590, 4);
    put("http.server.active", Labels.of("service.name", "db", "mlsysops.node", "a"), 590, 5);
  }

  @Test
  void metricAndLabelNamesWrittenAsTheExpositionSpellsThemFindTheDottedOnes() {
    dottedSeries();
    assertThat(only("sum(http_server_active)")).isEqualTo(12);
    assertThat(only("sum(http.server.active)")).isEqualTo(12);
    assertThat(byLabel("sum by (service_name) (http_server_active)", "service_name"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("api", 7.0, "db", 5.0));
    assertThat(byLabel("sum by (service.name) (http_server_active)", "service.name"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("api", 7.0, "db", 5.0));
    assertThat(only("sum(http_server_active{service_name=\"api\", mlsysops_node=~\"b|c\"})"))
        .isEqualTo(4);
    assertThat(only("count({__name__=~\"http_server_.*\", service_name!=\"api\"})"))
        .isEqualTo(1);
    assertThat(engine.vector("max without (mlsysops_node) (http_server_active)", NOW))
        .extracting(e -> e.labels().map(), Element::value)
        .containsExactlyInAnyOrder(
            tuple(Map.of("service.name", "api"), 4.0), tuple(Map.of("service.name", "db"), 5.0));
    assertThat(byLabel("label_replace(http_server_active{service_name=\"db\"}, \"svc\", \"$1\","
        + " \"service_name\", \"(.*)\")", "svc")).containsOnlyKeys("db");
    assertThat(engine.vector("http_server_active / on (service_name, mlsysops_node)"
        + " http_server_active", NOW)).hasSize(3).allSatisfy(e -> assertThat(e.value()).isOne());
  }

  @Test
  void aStoredNameSpelledExactlyWinsOverOneThatOnlySpellsIt() {
    dottedSeries();
    put("http_server_active", Labels.of("service_name", "web"), 590, 100);
    assertThat(only("sum(http_server_active)")).isEqualTo(100);
    put("x", Labels.of("a.b", "dotted", "a_b", "plain"), 590, 1);
    assertThat(byLabel("sum by (a_b) (x)", "a_b")).containsOnlyKeys("plain");
    assertThat(engine.vector("x{a_b=\"dotted\"}", NOW)).isEmpty();
  }

  // ---------------------------------------------------------------- set operators, group_left, offset

  @Test
  void setOperatorsSelectSeriesByTheirMatchGroup() {
    put("up", Labels.of("node", "a"), 590, 1);
    put("up", Labels.of("node", "b"), 590, 0);
    put("load", Labels.of("node", "a", "cpu", "0"), 590, 5);
    put("load", Labels.of("node", "c", "cpu", "0"), 590, 7);
    assertThat(byLabel("load and on (node) up", "node")).isEqualTo(Map.of("a", 5.0));
    assertThat(byLabel("load unless on (node) up", "node")).isEqualTo(Map.of("c", 7.0));
    assertThat(byLabel("load or on (node) up", "node"))
        .isEqualTo(Map.of("a", 5.0, "b", 0.0, "c", 7.0));
    assertThat(byLabel("load and ignoring (cpu) up == 1", "node")).isEqualTo(Map.of("a", 5.0));
    assertThat(engine.vector("load and up", NOW)).as("no label set in common").isEmpty();
    assertThat(only("sum(nothing_here) or vector(0)")).isZero();
    assertThat(engine.vector("load and on (node) up", NOW))
        .allSatisfy(e -> assertThat(e.metric()).isEqualTo("load"));
  }

  @Test
  void groupLeftKeepsTheManySidesLabelsAndCopiesTheNamedOnesFromTheOneSide() {
    put("requests", Labels.of("node", "a", "path", "/x"), 590, 10);
    put("requests", Labels.of("node", "a", "path", "/y"), 590, 20);
    put("node_info", Labels.of("node", "a", "zone", "eu"), 590, 2);
    assertThat(engine.vector("requests * on (node) group_left (zone) node_info", NOW))
        .extracting(e -> e.labels().map(), Element::value)
        .containsExactlyInAnyOrder(
            tuple(Map.of("node", "a", "path", "/x", "zone", "eu"), 20.0),
            tuple(Map.of("node", "a", "path", "/y", "zone", "eu"), 40.0));
    assertThat(engine.vector("node_info - on (node) group_right requests", NOW))
        .extracting(Element::value).containsExactlyInAnyOrder(-8.0, -18.0);
    assertThatThrownBy(() -> engine.vector("requests * on (node) node_info", NOW))
        .hasMessageContaining("many-to-one matching must be explicit: group_left or group_right");
    assertThatThrownBy(() -> engine.vector("requests * on (node) group_right node_info", NOW))
        .hasMessageContaining("found duplicate series for the match group {node=a} on the left");
    // Both requests lose path: their results would be one series.
    assertThatThrownBy(() -> engine.vector(
        "requests * on (node) group_left (path) node_info", NOW))
        .hasMessageContaining("grouping labels must ensure unique matches");
  }

  @Test
  void offsetReadsTheSeriesAsTheyWereThatLongAgo() {
    steadyCounter(); // the value is the time in seconds
    assertThat(only("http_requests_total offset 1m")).isCloseTo(540, EXACT);
    assertThat(only("http_requests_total - http_requests_total offset 90s")).isCloseTo(90, EXACT);
    assertThat(only("rate(http_requests_total[1m] offset 5m)")).isCloseTo(1, EXACT);
    assertThat(engine.vector("http_requests_total offset 20m", NOW)).as("before any sample")
        .isEmpty();
    assertThat(engine.range("http_requests_total offset 1m", s(300), s(360), s(60)).series())
        .singleElement().satisfies(rs -> assertThat(rs.points()).extracting(Point::value)
            .containsExactly(240.0, 300.0));
  }
}
