package eu.mlsysops.telemetry.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleBatch;
import eu.mlsysops.telemetry.pipeline.AggregationRule.Aggregation;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class UplinkAggregatorTest {

  private static Sample s(String metric, long ts, double v, String... labels) {
    return new Sample(metric, Labels.of(labels), ts, v);
  }

  private static Map<Labels, Double> byLabels(UplinkAggregator.Batch b, String metric) {
    return b.samples().stream()
        .filter(x -> x.metric().equals(metric))
        .collect(Collectors.toMap(Sample::labels, Sample::value));
  }

  @Test
  void averagesGaugesPerNodeAcrossCoresByDefault() {
    UplinkAggregator agg = UplinkAggregator.builder().build();
    agg.accept(s("node_cpu_scaling_frequency_hertz", 1, 1e9, "node", "n1", "cpu", "0"));
    agg.accept(s("node_cpu_scaling_frequency_hertz", 1, 2e9, "node", "n1", "cpu", "1"));
    agg.accept(s("node_cpu_scaling_frequency_hertz", 2, 3e9, "node", "n1", "cpu", "1"));

    UplinkAggregator.Batch b = agg.drain();

    assertThat(byLabels(b, "node_cpu_scaling_frequency_hertz"))
        .containsExactly(Map.entry(Labels.of("node", "n1"), 2e9));
    assertThat(b.samples().get(0).timestampMillis()).isEqualTo(2);
  }

  @Test
  void sumsCountersOverSeriesNewestValuesWithoutDoubleCounting() {
    UplinkAggregator agg = UplinkAggregator.builder().build();
    agg.describe("node_cpu_seconds_total", MetricMetadata.of(MetricType.COUNTER));
    agg.accept(s("node_cpu_seconds_total", 1, 10, "node", "n1", "cpu", "0", "mode", "idle"));
    agg.accept(s("node_cpu_seconds_total", 2, 12, "node", "n1", "cpu", "0", "mode", "idle"));
    agg.accept(s("node_cpu_seconds_total", 1, 20, "node", "n1", "cpu", "1", "mode", "idle"));
    agg.accept(s("node_cpu_seconds_total", 1, 5, "node", "n1", "cpu", "1", "mode", "user"));

    UplinkAggregator.Batch b = agg.drain();

    assertThat(byLabels(b, "node_cpu_seconds_total"))
        .containsOnly(
            Map.entry(Labels.of("node", "n1", "mode", "idle"), 32.0),
            Map.entry(Labels.of("node", "n1", "mode", "user"), 5.0));
    assertThat(b.metadata()).containsEntry("node_cpu_seconds_total",
        MetricMetadata.of(MetricType.COUNTER));
  }

  @Test
  void mergesHistogramsBucketByBucketKeepingLe() {
    UplinkAggregator agg = UplinkAggregator.builder().rules(UplinkAggregator.CLUSTER_DEFAULTS).build();
    agg.describe("latency", MetricMetadata.of(MetricType.HISTOGRAM));
    for (String node : List.of("n1", "n2")) {
      agg.accept(s("latency_bucket", 1, 3, "node", node, "app", "a", "le", "0.1"));
      agg.accept(s("latency_bucket", 1, 5, "node", node, "app", "a", "le", "+Inf"));
      agg.accept(s("latency_count", 1, 5, "node", node, "app", "a"));
      agg.accept(s("latency_sum", 1, 0.7, "node", node, "app", "a"));
    }

    UplinkAggregator.Batch b = agg.drain();

    assertThat(byLabels(b, "latency_bucket"))
        .containsOnly(
            Map.entry(Labels.of("app", "a", "le", "0.1"), 6.0),
            Map.entry(Labels.of("app", "a", "le", "+Inf"), 10.0));
    assertThat(byLabels(b, "latency_count")).containsOnly(Map.entry(Labels.of("app", "a"), 10.0));
    assertThat(byLabels(b, "latency_sum").get(Labels.of("app", "a"))).isCloseTo(1.4,
        org.assertj.core.data.Offset.offset(1e-9));
    assertThat(b.metadata()).containsEntry("latency", MetricMetadata.of(MetricType.HISTOGRAM));
  }

  @Test
  void firstCoveringRuleDecidesAndUncoveredMetricsStayLocal() {
    UplinkAggregator agg =
        UplinkAggregator.builder()
            .rules(List.of(
                AggregationRule.parse("detector_latency_ms: max by (app)"),
                AggregationRule.parse("debug_*: raw"),
                AggregationRule.parse("node_load*: last by (node)")))
            .build();
    agg.accept(s("detector_latency_ms", 1, 40, "app", "a", "instance", "i1"));
    agg.accept(s("detector_latency_ms", 2, 90, "app", "a", "instance", "i2"));
    agg.accept(s("debug_x", 1, 1, "k", "v"));
    agg.accept(s("debug_x", 2, 2, "k", "v"));
    agg.accept(s("node_load1", 1, 0.5, "node", "n1"));
    agg.accept(s("node_load1", 5, 0.9, "node", "n1"));
    boolean taken = agg.accept(s("other_metric", 1, 1));

    Map<String, List<Sample>> out =
        agg.drain().samples().stream().collect(Collectors.groupingBy(Sample::metric));

    assertThat(taken).isFalse();
    assertThat(out).doesNotContainKey("other_metric");
    assertThat(out.get("detector_latency_ms")).extracting(Sample::value).containsExactly(90.0);
    assertThat(out.get("debug_x")).extracting(Sample::value).containsExactly(1.0, 2.0);
    assertThat(out.get("node_load1")).extracting(Sample::value).containsExactly(0.9);
  }

  @Test
  void drainStartsAFreshInterval() {
    UplinkAggregator agg = UplinkAggregator.builder().build();
    agg.accept(s("g", 1, 1, "node", "n1"));
    assertThat(agg.drain().samples()).hasSize(1);
    assertThat(agg.drain().isEmpty()).isTrue();
  }

  @Test
  void dropsAndCountsBeyondTheGroupBound() {
    UplinkAggregator agg = UplinkAggregator.builder().maxGroups(2).maxRawSamples(1)
        .rules(List.of(AggregationRule.raw("r"), AggregationRule.by("*", Aggregation.LAST, "k")))
        .build();
    for (int i = 0; i < 5; i++) {
      agg.accept(s("g", 1, i, "k", "v" + i));
    }
    agg.accept(s("r", 1, 1));
    agg.accept(s("r", 2, 2));

    assertThat(agg.drain().samples()).hasSize(3);
    assertThat(agg.dropped()).isEqualTo(4);
  }

  @Test
  void metadataArrivingAfterTheFirstSampleStillSelectsTheAggregation() {
    UplinkAggregator agg = UplinkAggregator.builder().build();
    agg.accept(s("requests", 1, 1, "node", "n1", "cpu", "0"));
    agg.drain();
    agg.describe("requests", MetricMetadata.of(MetricType.COUNTER));
    agg.accept(s("requests", 2, 10, "node", "n1", "cpu", "0"));
    agg.accept(s("requests", 2, 20, "node", "n1", "cpu", "1"));

    assertThat(agg.drain().samples()).extracting(Sample::value).containsExactly(30.0);
  }

  @Test
  void parsesTheConfigurationForm() {
    AggregationRule r = AggregationRule.parse(" node_cpu_*: sum by (node, mode) ");
    assertThat(r).isEqualTo(AggregationRule.by("node_cpu_*", Aggregation.SUM, "node", "mode"));
    assertThat(AggregationRule.parse("*: avg")).isEqualTo(
        AggregationRule.without("*", Aggregation.AVG));
    assertThat(r.covers("node_cpu_seconds_total")).isTrue();
    assertThat(r.covers("node_load1")).isFalse();
    assertThat(r.toString()).isEqualTo("node_cpu_*: sum by (node, mode)");
  }

  @Test
  void rejectsMalformedRulesNamingWhatIsWrong() {
    Function<String, String> error = text -> {
      try {
        AggregationRule.parse(text);
        return "";
      } catch (IllegalArgumentException e) {
        return e.getMessage();
      }
    };
    assertThat(error.apply("x: avrg")).contains("\"avrg\" is not an aggregation");
    assertThat(error.apply("x avg")).contains("is not an aggregation rule");
    assertThat(error.apply("x: avg by (no-de)")).contains("\"no-de\"");
    assertThat(error.apply("x: raw by (a)")).contains("raw forwards every series");
    assertThatThrownBy(() -> UplinkAggregator.builder().maxGroups(0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void foldingABatchTakesOnlyWhatTheStoreAcceptedAndMatchesSampleBySample() {
    UplinkAggregator one = UplinkAggregator.builder().build();
    UplinkAggregator batched = UplinkAggregator.builder().build();
    SampleBatch batch = new SampleBatch(2);
    batch.reset("node_load1");
    Labels c0 = Labels.of("node", "n1", "cpu", "0");
    Labels c1 = Labels.of("node", "n1", "cpu", "1");
    batch.add(c0, 1, 1.0);
    batch.add(c1, 1, 3.0);
    batch.add(c1, 2, 100.0); // refused by the store: not folded
    batch.accepted(0, true);
    batch.accepted(1, true);
    one.accept(batch.sample(0));
    one.accept(batch.sample(1));

    batched.foldAccepted(batch);

    assertThat(batched.drain()).isEqualTo(one.drain());
  }

  @Test
  void aSeriesRemembersItsGroupOnlyForTheIntervalItWasFoldedIn() {
    UplinkAggregator agg = UplinkAggregator.builder().build();
    Labels l = Labels.of("node", "n1", "cpu", "0");
    agg.accept(new Sample("m", l, 1, 10));
    agg.accept(new Sample("m", l, 2, 20));
    UplinkAggregator.Batch first = agg.drain();
    agg.accept(new Sample("m", l, 3, 40));
    UplinkAggregator.Batch second = agg.drain();

    assertThat(byLabels(first, "m")).containsExactly(Map.entry(Labels.of("node", "n1"), 15.0));
    assertThat(byLabels(second, "m")).containsExactly(Map.entry(Labels.of("node", "n1"), 40.0));
    assertThat(agg.drain().isEmpty()).isTrue();
  }
}
