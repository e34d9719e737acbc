package eu.mlsysops.telemetry.otlp;

import static eu.mlsysops.telemetry.otlp.Otlp.T0;
import static eu.mlsysops.telemetry.otlp.Otlp.T0_MILLIS;
import static eu.mlsysops.telemetry.otlp.Otlp.attrs;
import static eu.mlsysops.telemetry.otlp.Otlp.gauge;
import static eu.mlsysops.telemetry.otlp.Otlp.point;
import static eu.mlsysops.telemetry.otlp.Otlp.request;
import static eu.mlsysops.telemetry.otlp.Otlp.sum;
import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class OtlpMetricsTranslatorTest {
  private static final long NOW = T0_MILLIS + 60_000;
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
  private final CollectingSink sink = new CollectingSink();
  private final OtlpMetricsTranslator translator =
      OtlpMetricsTranslator.builder(sink).clock(clock).build();

  @Test
  void gaugeBecomesOneSampleWithItsValueAndMillisecondTimestamp() {
    IngestOutcome o =
        translator.translate(
            request(
                gauge(
                    "cpu.utilization",
                    point(T0 + 999_999, 0.25, "cpu", "0"),
                    point(T0, 0.5, "cpu", "1"))));

    assertThat(o).isEqualTo(new IngestOutcome(2, 0, ""));
    assertThat(sink.samples())
        .containsExactly(
            new Sample("cpu.utilization", Labels.of("cpu", "0"), T0_MILLIS, 0.25),
            new Sample("cpu.utilization", Labels.of("cpu", "1"), T0_MILLIS, 0.5));
    assertThat(sink.metadata().get("cpu.utilization").type()).isEqualTo(MetricType.GAUGE);
  }

  @Test
  void integerValuesAndMissingTimestampsUseTheValueAndTheReceiveTime() {
    NumberDataPoint p = NumberDataPoint.newBuilder().setAsInt(42).build();

    translator.translate(request(gauge("queue", p)));

    assertThat(sink.samples()).containsExactly(new Sample("queue", Labels.EMPTY, NOW, 42));
  }

  @Test
  void cumulativeSumsAreCountersOrUpDownCountersWithUnitAndHelp() {
    Metric counter =
        sum("requests", true, false, point(T0, 10)).toBuilder()
            .setUnit("{request}")
            .setDescription("Requests served")
            .build();
    translator.translate(request(counter, sum("inflight", false, false, point(T0, -3))));

    assertThat(sink.samples())
        .containsExactly(
            new Sample("requests", Labels.EMPTY, T0_MILLIS, 10),
            new Sample("inflight", Labels.EMPTY, T0_MILLIS, -3));
    assertThat(sink.metadata())
        .containsEntry(
            "requests", new MetricMetadata(MetricType.COUNTER, "{request}", "Requests served"))
        .containsEntry("inflight", MetricMetadata.of(MetricType.UP_DOWN_COUNTER));
  }

  @Test
  void metadataIsPassedOnOnlyWhenItChanges() {
    translator.translate(request(gauge("g", point(T0, 1))));
    translator.translate(request(gauge("g", point(T0 + 1_000_000, 2))));
    assertThat(sink.describeCalls()).isEqualTo(1);

    translator.translate(
        request(gauge("g", point(T0 + 2_000_000, 3)).toBuilder().setUnit("s").build()));
    assertThat(sink.describeCalls()).isEqualTo(2);
  }

  @Test
  void deltaSumsAreAccumulatedPerSeriesIntoCumulativeValues() {
    translator.translate(
        request(
            sum(
                "bytes",
                true,
                true,
                point(T0 + 1_000_000_000L, 5, "dir", "in"),
                point(T0 + 1_000_000_000L, 1, "dir", "out"))));
    translator.translate(
        request(sum("bytes", true, true, point(T0 + 2_000_000_000L, 3, "dir", "in"))));
    translator.translate(
        request(
            sum(
                "bytes",
                true,
                true,
                point(T0 + 3_000_000_000L, 2, "dir", "in"),
                point(T0 + 3_000_000_000L, 4, "dir", "out"))));

    assertThat(sink.samples())
        .containsExactly(
            new Sample("bytes", Labels.of("dir", "in"), T0_MILLIS + 1000, 5),
            new Sample("bytes", Labels.of("dir", "out"), T0_MILLIS + 1000, 1),
            new Sample("bytes", Labels.of("dir", "in"), T0_MILLIS + 2000, 8),
            new Sample("bytes", Labels.of("dir", "in"), T0_MILLIS + 3000, 10),
            new Sample("bytes", Labels.of("dir", "out"), T0_MILLIS + 3000, 5));
    assertThat(sink.metadata().get("bytes").type()).isEqualTo(MetricType.COUNTER);
  }

  @Test
  void nonMonotonicDeltaSumsGoUpAndDown() {
    translator.translate(request(sum("items", false, true, point(T0 + 1_000_000, 3))));
    translator.translate(request(sum("items", false, true, point(T0 + 2_000_000, -5))));

    assertThat(sink.samples()).extracting(Sample::value).containsExactly(3.0, -2.0);
  }

  @Test
  void aDeltaPointNotNewerThanTheLastIsRejectedAsOutOfOrder() {
    translator.translate(request(sum("c", true, true, point(T0 + 2_000_000, 3))));
    IngestOutcome o = translator.translate(request(sum("c", true, true, point(T0 + 2_000_000, 3))));

    assertThat(o)
        .isEqualTo(
            new IngestOutcome(
                0,
                1,
                "1 data point rejected: delta point not newer than the previous one for metric"
                    + " \"c\""));
    assertThat(sink.samples()).extracting(Sample::value).containsExactly(3.0);
    assertThat(translator.counters().snapshot().rejectedOutOfOrder()).isEqualTo(1);
  }

  @Test
  void deltaSeriesBeyondTheAccumulatorLimitAreRejectedUntilIdleOnesExpire() {
    CollectingSink s = new CollectingSink();
    MutableClock c = new MutableClock(NOW);
    OtlpMetricsTranslator t =
        OtlpMetricsTranslator.builder(s)
            .clock(c)
            .maxDeltaSeries(1)
            .deltaIdleExpiry(Duration.ofMinutes(1))
            .build();
    t.translate(request(sum("c", true, true, point(0, 1, "k", "a"))));

    IngestOutcome full = t.translate(request(sum("c", true, true, point(0, 1, "k", "b"))));
    assertThat(full.errorMessage())
        .isEqualTo(
            "1 data point rejected: delta accumulation limit"
                + " of 1 series reached for metric \"c\"");

    c.millis += 120_000;
    assertThat(t.translate(request(sum("c", true, true, point(0, 1, "k", "b")))).complete())
        .isTrue();
  }

  @Test
  void histogramIsFlattenedIntoCumulativeBucketsSumAndCount() {
    translator.translate(
        request(
            histogram(
                "latency",
                false,
                hpoint(
                    T0,
                    new double[] {0.1, 0.5, 1},
                    new long[] {2, 3, 0, 1},
                    6,
                    2.5,
                    "route",
                    "/a"))));

    Labels l = Labels.of("route", "/a");
    assertThat(sink.samples())
        .containsExactly(
            new Sample("latency_bucket", l.with("le", "0.1"), T0_MILLIS, 2),
            new Sample("latency_bucket", l.with("le", "0.5"), T0_MILLIS, 5),
            new Sample("latency_bucket", l.with("le", "1"), T0_MILLIS, 5),
            new Sample("latency_bucket", l.with("le", "+Inf"), T0_MILLIS, 6),
            new Sample("latency_sum", l, T0_MILLIS, 2.5),
            new Sample("latency_count", l, T0_MILLIS, 6));
    assertThat(sink.metadata().get("latency").type()).isEqualTo(MetricType.HISTOGRAM);
  }

  @Test
  void deltaHistogramsAreAccumulatedAndANewBucketLayoutStartsOver() {
    double[] b = {1, 5};
    translator.translate(
        request(
            histogram("h", true, hpoint(T0 + 1_000_000, b, new long[] {1, 0, 1}, 2, 7, "k", "v"))));
    translator.translate(
        request(
            histogram("h", true, hpoint(T0 + 2_000_000, b, new long[] {0, 2, 0}, 2, 6, "k", "v"))));
    Labels l = Labels.of("k", "v");
    assertThat(sink.last("h_bucket", l.with("le", "1"))).isEqualTo(1);
    assertThat(sink.last("h_bucket", l.with("le", "5"))).isEqualTo(3);
    assertThat(sink.last("h_bucket", l.with("le", "+Inf"))).isEqualTo(4);
    assertThat(sink.last("h_sum", l)).isEqualTo(13);
    assertThat(sink.last("h_count", l)).isEqualTo(4);

    translator.translate(
        request(
            histogram(
                "h",
                true,
                hpoint(T0 + 3_000_000, new double[] {10}, new long[] {1, 0}, 1, 2, "k", "v"))));
    assertThat(sink.last("h_bucket", l.with("le", "10"))).isEqualTo(1);
    assertThat(sink.last("h_count", l)).isEqualTo(1);
  }

  @Test
  void histogramWhoseBucketCountsDoNotMatchItsBoundsIsRejected() {
    IngestOutcome o =
        translator.translate(
            request(
                histogram("h", false, hpoint(T0, new double[] {1, 2}, new long[] {1, 1}, 2, 1))));

    assertThat(o.errorMessage())
        .isEqualTo(
            "1 data point rejected: histogram with 2 bounds but 2 bucket counts for metric \"h\"");
    assertThat(sink.samples()).isEmpty();
  }

  @Test
  void summaryBecomesQuantileSeriesSumAndCount() {
    SummaryDataPoint p =
        SummaryDataPoint.newBuilder()
            .setTimeUnixNano(T0)
            .setCount(10)
            .setSum(42)
            .addAllAttributes(attrs("op", "get"))
            .addQuantileValues(q(0.5, 3))
            .addQuantileValues(q(0.99, 9))
            .addQuantileValues(q(1, 12))
            .build();
    translator.translate(
        request(
            Metric.newBuilder()
                .setName("rpc.duration")
                .setSummary(Summary.newBuilder().addDataPoints(p))
                .build()));

    Labels l = Labels.of("op", "get");
    assertThat(sink.samples())
        .containsExactly(
            new Sample("rpc.duration", l.with("quantile", "0.5"), T0_MILLIS, 3),
            new Sample("rpc.duration", l.with("quantile", "0.99"), T0_MILLIS, 9),
            new Sample("rpc.duration", l.with("quantile", "1"), T0_MILLIS, 12),
            new Sample("rpc.duration_sum", l, T0_MILLIS, 42),
            new Sample("rpc.duration_count", l, T0_MILLIS, 10));
    assertThat(sink.metadata().get("rpc.duration").type()).isEqualTo(MetricType.SUMMARY);
  }

  @Test
  void nanAndInfiniteValuesAreDroppedCountedAndReported() {
    IngestOutcome o =
        translator.translate(
            request(
                gauge("a", point(T0, Double.NaN), point(T0, 1, "k", "ok")),
                gauge(
                    "b",
                    point(T0, Double.POSITIVE_INFINITY, "k", "1"),
                    point(T0, Double.NEGATIVE_INFINITY, "k", "2"))));

    assertThat(o)
        .isEqualTo(
            new IngestOutcome(
                1,
                3,
                "1 data point rejected: value NaN for metric"
                    + " \"a\"; 2 data points rejected: value +Inf for metric \"b\""));
    assertThat(sink.samples()).containsExactly(new Sample("a", Labels.of("k", "ok"), T0_MILLIS, 1));
    assertThat(translator.counters().snapshot().rejectedNonFinite()).isEqualTo(3);
  }

  @Test
  void nanFlaggedAsNoRecordedValueIsAStalenessMarkerNotAnError() {
    NumberDataPoint stale =
        point(T0, Double.NaN).toBuilder()
            .setFlags(DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE)
            .build();

    IngestOutcome o = translator.translate(request(gauge("a", stale)));

    assertThat(o).isEqualTo(new IngestOutcome(0, 0, ""));
    assertThat(sink.samples()).isEmpty();
    OtlpIngestStats stats = translator.counters().snapshot();
    assertThat(stats.stalenessMarkers()).isEqualTo(1);
    assertThat(stats.pointsRejected()).isZero();
  }

  @Test
  void timestampsTooFarInTheFutureAreDropped() {
    long future = (NOW + 5 * 60_000 + 1) * 1_000_000L;
    long justInTime = (NOW + 5 * 60_000) * 1_000_000L;
    IngestOutcome o =
        translator.translate(
            request(
                gauge(
                    "g",
                    point(future, 1, "k", "1"),
                    point(justInTime, 2, "k", "2"),
                    point(-1L, 3))));

    assertThat(o)
        .isEqualTo(
            new IngestOutcome(
                1,
                2,
                "2 data points rejected: timestamp more than 5 min in the future for metric"
                    + " \"g\""));
    assertThat(sink.samples()).extracting(Sample::value).containsExactly(2.0);
    assertThat(translator.counters().snapshot().rejectedFutureTimestamp()).isEqualTo(2);
  }

  @Test
  void seriesTheSinkRefusesAreReportedWithTheConfiguredLimit() {
    CollectingSink small = new CollectingSink(2);
    OtlpMetricsTranslator t =
        OtlpMetricsTranslator.builder(small)
            .clock(clock)
            .seriesLimitDescription("series limit 20000 reached")
            .build();

    IngestOutcome o =
        t.translate(
            request(
                gauge(
                    "x",
                    point(T0, 1, "i", "1"),
                    point(T0, 1, "i", "2"),
                    point(T0, 1, "i", "3"),
                    point(T0, 1, "i", "4"),
                    point(T0, 1, "i", "5"))));

    assertThat(o)
        .isEqualTo(
            new IngestOutcome(
                2, 3, "3 data points rejected: series limit 20000 reached for metric \"x\""));
    assertThat(o.toPartialSuccess().getRejectedDataPoints()).isEqualTo(3);
    assertThat(o.toPartialSuccess().getErrorMessage()).isEqualTo(o.errorMessage());
    assertThat(t.counters().snapshot().rejectedSeriesLimit()).isEqualTo(3);
  }

  @Test
  void aStoreSaysWhyItRefusedAPoint() throws Exception {
    for (boolean fromBytes : new boolean[] {false, true}) {
      MetricStore store = MetricStore.builder().clock(clock).maxSeries(1).build();
      OtlpMetricsTranslator t = OtlpMetricsTranslator.builder(store).clock(clock).build();
      t.translate(request(gauge("x", point(T0 + 2_000_000_000L, 1, "i", "1"))));
      var next = request(gauge("x",
          point(T0, 2, "i", "1"),
          point(T0 + 3_000_000_000L, 3, "i", "1"),
          point(T0 + 3_000_000_000L, 4, "i", "2")));

      // Both decoding paths: the generated classes and the wire fast path (batches).
      IngestOutcome o = fromBytes ? t.translate(next.toByteArray()) : t.translate(next);

      assertThat(o.acceptedPoints()).as("fromBytes=%s", fromBytes).isEqualTo(1);
      assertThat(o.errorMessage()).as("fromBytes=%s", fromBytes).isEqualTo(
          "1 data point rejected: series limit reached for metric \"x\"; 1 data point rejected:"
              + " older than the newest point of its series for metric \"x\"");
      assertThat(t.counters().snapshot().rejectedOutOfOrder()).isEqualTo(1);
      assertThat(t.counters().snapshot().rejectedSeriesLimit()).isEqualTo(1);
    }
  }

  @Test
  void rejectionsOfSeveralMetricsNameTheFirstAndSayThereAreOthers() {
    CollectingSink none = new CollectingSink(0);
    OtlpMetricsTranslator t = OtlpMetricsTranslator.builder(none).clock(clock).build();

    IngestOutcome o = t.translate(request(gauge("x", point(T0, 1)), gauge("y", point(T0, 1))));

    assertThat(o.errorMessage())
        .isEqualTo("2 data points rejected: series limit reached for metric \"x\" and others");
  }

  @Test
  void aSinkThatThrowsCountsAsRefusing() {
    OtlpMetricsTranslator t =
        OtlpMetricsTranslator.builder(
                s -> {
                  throw new IllegalStateException("boom");
                })
            .clock(clock)
            .build();

    assertThat(t.translate(request(gauge("x", point(T0, 1)))).rejectedPoints()).isEqualTo(1);
  }

  @Test
  void countersSumUpAcrossRequests() {
    translator.translate(request(gauge("g", point(T0, 1), point(T0, Double.NaN, "k", "v"))));
    translator.translate(
        request(histogram("h", false, hpoint(T0, new double[] {1}, new long[] {1, 1}, 2, 3))));

    OtlpIngestStats s = translator.counters().snapshot();
    assertThat(s.pointsAccepted()).isEqualTo(2);
    assertThat(s.samplesWritten()).isEqualTo(1 + 4);
    assertThat(s.pointsRejected()).isEqualTo(1);
    assertThat(s.toSamples(Labels.of("node", "n1"), NOW))
        .contains(new Sample("otlp_points_accepted_total", Labels.of("node", "n1"), NOW, 2))
        .contains(
            new Sample(
                "otlp_points_rejected_total",
                Labels.of("node", "n1", "reason", "non_finite"),
                NOW,
                1));
  }

  @Test
  void histogramsWithoutBucketsStillGiveInfSumAndCount() {
    translator.translate(
        request(histogram("h", false, hpoint(T0, new double[0], new long[0], 3, 1.5))));

    assertThat(sink.samples())
        .containsExactly(
            new Sample("h_bucket", Labels.of("le", "+Inf"), T0_MILLIS, 3),
            new Sample("h_sum", Labels.EMPTY, T0_MILLIS, 1.5),
            new Sample("h_count", Labels.EMPTY, T0_MILLIS, 3));
  }

  @Test
  void metricsWithoutANameAreRejected() {
    IngestOutcome o = translator.translate(request(gauge("", point(T0, 1))));

    assertThat(o.errorMessage()).isEqualTo("1 data point rejected: metric without a name");
  }

  @Test
  void concurrentRequestsAccumulateEveryDelta() throws Exception {
    int threads = 4;
    int rounds = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String series = "t" + t;
        done.add(
            pool.submit(
                () -> {
                  for (int i = 1; i <= rounds; i++) {
                    translator.translate(
                        request(sum("c", true, true, point(T0 + i, 1, "thread", series))));
                  }
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    for (int t = 0; t < threads; t++) {
      assertThat(sink.last("c", Labels.of("thread", "t" + t))).isEqualTo(rounds);
    }
    assertThat(translator.counters().snapshot().pointsAccepted()).isEqualTo(threads * rounds);
  }

  static Metric histogram(String name, boolean delta, HistogramDataPoint... points) {
    return Metric.newBuilder()
        .setName(name)
        .setHistogram(
            Histogram.newBuilder()
                .setAggregationTemporality(
                    delta
                        ? AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
                        : AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addAllDataPoints(List.of(points)))
        .build();
  }

  static HistogramDataPoint hpoint(
      long time, double[] bounds, long[] counts, long count, double sum, String... attributes) {
    HistogramDataPoint.Builder b =
        HistogramDataPoint.newBuilder()
            .setTimeUnixNano(time)
            .setCount(count)
            .setSum(sum)
            .addAllAttributes(attrs(attributes));
    for (double d : bounds) {
      b.addExplicitBounds(d);
    }
    for (long c : counts) {
      b.addBucketCounts(c);
    }
    return b.build();
  }

  private static SummaryDataPoint.ValueAtQuantile q(double q, double v) {
    return SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(q).setValue(v).build();
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    long millis;

    MutableClock(long millis) {
      this.millis = millis;
    }

    @Override
    public long millis() {
      return millis;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
