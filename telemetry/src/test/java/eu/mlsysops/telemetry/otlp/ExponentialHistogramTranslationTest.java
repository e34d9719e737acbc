package eu.mlsysops.telemetry.otlp;

import static eu.mlsysops.telemetry.otlp.Otlp.T0;
import static eu.mlsysops.telemetry.otlp.Otlp.T0_MILLIS;
import static eu.mlsysops.telemetry.otlp.Otlp.request;
import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint.Buckets;
import io.opentelemetry.proto.metrics.v1.Metric;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExponentialHistogramTranslationTest {
  private final CollectingSink sink = new CollectingSink();
  private final OtlpMetricsTranslator translator =
      OtlpMetricsTranslator.builder(sink)
          .clock(Clock.fixed(Instant.ofEpochMilli(T0_MILLIS + 60_000), ZoneOffset.UTC))
          .build();

  @Test
  void scaleZeroHasPowersOfTwoAsBoundsWithNegativeAndZeroBucketsBelow() {
    ExponentialHistogramDataPoint p =
        ExponentialHistogramDataPoint.newBuilder()
            .setTimeUnixNano(T0)
            .setScale(0)
            .setCount(9)
            .setSum(20)
            .setZeroCount(1)
            .setPositive(buckets(0, 1, 2, 3)) // (1,2] (2,4] (4,8]
            .setNegative(buckets(0, 1, 1)) // [-2,-1) [-4,-2)
            .build();

    translator.translate(request(metric("size", false, p)));

    assertThat(buckets("size"))
        .containsExactly(
            Map.entry("-2", 1.0),
            Map.entry("-1", 2.0),
            Map.entry("0", 3.0),
            Map.entry("2", 4.0),
            Map.entry("4", 6.0),
            Map.entry("8", 9.0),
            Map.entry("+Inf", 9.0));
    assertThat(sink.last("size_sum", Labels.EMPTY)).isEqualTo(20);
    assertThat(sink.last("size_count", Labels.EMPTY)).isEqualTo(9);
    assertThat(sink.metadata().get("size").type()).isEqualTo(MetricType.HISTOGRAM);
  }

  @Test
  void scaleTwoHasFourBucketsPerPowerOfTwo() {
    ExponentialHistogramDataPoint p =
        ExponentialHistogramDataPoint.newBuilder()
            .setTimeUnixNano(T0)
            .setScale(2)
            .setCount(4)
            .setSum(5)
            .setPositive(buckets(-1, 1, 1, 0, 0, 2))
            .build();

    translator.translate(request(metric("x", false, p)));

    assertThat(buckets("x"))
        .containsExactly(
            Map.entry("0", 0.0),
            Map.entry("1", 1.0), // 2^(0/4)
            Map.entry("1.189207115002721", 2.0), // 2^(1/4)
            Map.entry("1.4142135623730951", 2.0), // 2^(2/4)
            Map.entry("1.681792830507429", 2.0), // 2^(3/4)
            Map.entry("2", 4.0),
            Map.entry("+Inf", 4.0));
  }

  @Test
  void negativeScaleHasPowersOfFourAtScaleMinusOne() {
    ExponentialHistogramDataPoint p =
        ExponentialHistogramDataPoint.newBuilder()
            .setTimeUnixNano(T0)
            .setScale(-1)
            .setCount(3)
            .setSum(30)
            .setZeroThreshold(0.5)
            .setPositive(buckets(-1, 1, 1, 1)) // (1/4,1] (1,4] (4,16]
            .build();

    translator.translate(request(metric("x", false, p)));

    assertThat(buckets("x"))
        .containsExactly(
            Map.entry("0.5", 0.0),
            Map.entry("1", 1.0),
            Map.entry("4", 2.0),
            Map.entry("16", 3.0),
            Map.entry("+Inf", 3.0));
  }

  @Test
  void deltaPointsOfDifferentScalesAreMergedAtTheCoarserScale() {
    ExponentialHistogramDataPoint fine =
        ExponentialHistogramDataPoint.newBuilder()
            .setTimeUnixNano(T0 + 1_000_000)
            .setScale(20)
            .setCount(1)
            .setSum(1)
            .setPositive(buckets(-1, 1)) // the value 1 at scale 20
            .build();
    ExponentialHistogramDataPoint coarse =
        ExponentialHistogramDataPoint.newBuilder()
            .setTimeUnixNano(T0 + 2_000_000)
            .setScale(0)
            .setCount(1)
            .setSum(4)
            .setPositive(buckets(1, 1)) // the value 4 at scale 0
            .build();

    translator.translate(request(metric("d", true, fine)));
    sink.clear();
    translator.translate(request(metric("d", true, coarse)));

    assertThat(buckets("d"))
        .containsExactly(
            Map.entry("0", 0.0),
            Map.entry("1", 1.0),
            Map.entry("2", 1.0),
            Map.entry("4", 2.0),
            Map.entry("+Inf", 2.0));
    assertThat(sink.last("d_sum", Labels.EMPTY)).isEqualTo(5);
    assertThat(sink.last("d_count", Labels.EMPTY)).isEqualTo(2);
  }

  @Test
  void histogramsWiderThanTheBucketLimitAreDownscaledToFit() {
    long[] counts = new long[400];
    java.util.Arrays.fill(counts, 1);
    ExponentialHistogramDataPoint p =
        ExponentialHistogramDataPoint.newBuilder()
            .setTimeUnixNano(T0)
            .setScale(3)
            .setCount(400)
            .setPositive(buckets(0, counts))
            .build();

    translator.translate(request(metric("w", false, p)));

    Map<String, Double> b = buckets("w");
    assertThat(b.size() - 2).isLessThanOrEqualTo(160); // minus the zero bucket and +Inf
    assertThat(b).containsEntry("2", 8.0); // 8 buckets per power of two at scale 3
    assertThat(b).containsEntry("+Inf", 400.0);
  }

  @Test
  void anInvalidScaleIsRejected() {
    ExponentialHistogramDataPoint p =
        ExponentialHistogramDataPoint.newBuilder()
            .setTimeUnixNano(T0)
            .setScale(21)
            .setCount(1)
            .build();

    IngestOutcome o = translator.translate(request(metric("x", false, p)));

    assertThat(o.errorMessage())
        .isEqualTo(
            "1 data point rejected: exponential histogram scale 21"
                + " outside [-10, 20] for metric \"x\"");
  }

  @Test
  void boundsAreExactPowersOfTwoAtEveryScale() {
    for (int scale = -10; scale <= 20; scale++) {
      long perTwo = scale >= 0 ? 1L << scale : 1;
      if (scale >= 0) {
        assertThat(ExponentialBuckets.power(3 * perTwo, scale)).isEqualTo(8.0);
        assertThat(ExponentialBuckets.power(-perTwo, scale)).isEqualTo(0.5);
      } else {
        assertThat(ExponentialBuckets.power(1, scale)).isEqualTo(Math.scalb(1.0, 1 << -scale));
      }
    }
  }

  private Map<String, Double> buckets(String metric) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (Sample s : sink.samples(metric + "_bucket")) {
      out.put(s.labels().get("le"), s.value());
    }
    return out;
  }

  private static Buckets buckets(int offset, long... counts) {
    Buckets.Builder b = Buckets.newBuilder().setOffset(offset);
    for (long c : counts) {
      b.addBucketCounts(c);
    }
    return b.build();
  }

  private static Metric metric(String name, boolean delta, ExponentialHistogramDataPoint p) {
    return Metric.newBuilder()
        .setName(name)
        .setExponentialHistogram(
            ExponentialHistogram.newBuilder()
                .setAggregationTemporality(
                    delta
                        ? AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
                        : AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addDataPoints(p))
        .build();
  }
}
