package eu.mlsysops.telemetry.otlp;

import static eu.mlsysops.telemetry.otlp.Otlp.T0;
import static eu.mlsysops.telemetry.otlp.Otlp.T0_MILLIS;
import static eu.mlsysops.telemetry.otlp.Otlp.attr;
import static eu.mlsysops.telemetry.otlp.Otlp.gauge;
import static eu.mlsysops.telemetry.otlp.Otlp.point;
import static eu.mlsysops.telemetry.otlp.Otlp.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.DataPointFlags;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Translating a request from its bytes ({@link OtlpMetricsTranslator#translate(byte[])}, the wire
 * decoder) must do exactly what parsing it with the generated classes and translating the message
 * does: the same samples in the same order, the same metadata, the same outcome and counters, and
 * for bad bytes the same error.
 */
class WireDecodingTest {
  private static final long NOW = T0_MILLIS + 60_000;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

  /** Two translators, one fed bytes and one fed parsed messages, with identical sinks. */
  private static final class Pair {
    final EventSink bytesSink;
    final EventSink messageSink;
    final OtlpMetricsTranslator bytes;
    final OtlpMetricsTranslator message;

    Pair(int maxSeries) {
      this(maxSeries, 0);
    }

    Pair(int maxSeries, int failEvery) {
      bytesSink = new EventSink(maxSeries, failEvery);
      messageSink = new EventSink(maxSeries, failEvery);
      bytes = translator(bytesSink);
      message = translator(messageSink);
    }

    private static OtlpMetricsTranslator translator(SampleSink sink) {
      return OtlpMetricsTranslator.builder(sink)
          .clock(CLOCK)
          .nodeName("n1")
          .maxDeltaSeries(50)
          .build();
    }

    /** Feeds both and checks they agree; returns the outcome. */
    IngestOutcome both(byte[] body) {
      String fromBytes;
      String fromMessage;
      IngestOutcome outcome = null;
      try {
        outcome = bytes.translate(body);
        fromBytes = outcome.toString();
      } catch (InvalidProtocolBufferException e) {
        fromBytes = "error: " + e.getMessage();
      }
      try {
        fromMessage = message.translate(ExportMetricsServiceRequest.parseFrom(body)).toString();
      } catch (InvalidProtocolBufferException e) {
        fromMessage = "error: " + e.getMessage();
      }
      assertThat(fromBytes).isEqualTo(fromMessage);
      assertThat(bytesSink.events).containsExactlyElementsOf(messageSink.events);
      assertThat(bytes.counters().snapshot()).isEqualTo(message.counters().snapshot());
      return outcome;
    }
  }

  /** Records every call, in order. */
  private static final class EventSink implements SampleSink {
    final List<String> events = new ArrayList<>();
    final List<Sample> samples = new ArrayList<>();
    private final java.util.Set<String> series = new java.util.HashSet<>();
    private final int maxSeries;
    private final int failEvery;
    private int calls;

    EventSink(int maxSeries, int failEvery) {
      this.maxSeries = maxSeries;
      this.failEvery = failEvery;
    }

    @Override
    public synchronized boolean accept(Sample s) {
      if (failEvery > 0 && ++calls % failEvery == 0) {
        events.add("threw on " + s);
        throw new IllegalStateException("sink failure");
      }
      String key = s.metric() + s.labels();
      if (!series.contains(key) && series.size() >= maxSeries) {
        events.add("refused " + s);
        return false;
      }
      series.add(key);
      events.add("accept " + s);
      samples.add(s);
      return true;
    }

    @Override
    public synchronized void describe(String metric, MetricMetadata md) {
      events.add("describe " + metric + " " + md);
    }
  }

  @Test
  void plainGaugesAndSumsAreReadFromTheWireWithoutFallingBack() {
    ExportMetricsServiceRequest r =
        request(
            List.of(attr("service.name", "svc")),
            gauge("g", point(T0, 1, "a", "x"), point(T0, 2)),
            Otlp.sum("s", true, true, point(T0, 3, "a", "y")));
    MetricsWireDecoder.Plan plan =
        new MetricsWireDecoder(new LabelCache(java.util.Set.of("service.name"), "n1", 100))
            .decode(r.toByteArray());

    assertThat(plan).isNotNull();
    assertThat(plan.metrics).isEqualTo(2);
    assertThat(plan.kinds[0] & MetricsWireDecoder.Plan.FAST).isNotZero();
    assertThat(plan.kinds[1] & MetricsWireDecoder.Plan.FAST).isNotZero();
    assertThat(plan.points).isEqualTo(3);
    Pair p = new Pair(1000);
    p.both(r.toByteArray());
    assertThat(p.bytesSink.samples)
        .containsExactly(
            new Sample("g", Labels.of("a", "x", "node", "n1", "service.name", "svc"), T0_MILLIS, 1),
            new Sample("g", Labels.of("node", "n1", "service.name", "svc"), T0_MILLIS, 2),
            new Sample(
                "s", Labels.of("a", "y", "node", "n1", "service.name", "svc"), T0_MILLIS, 3));
  }

  @Test
  void sameAttributeBytesUnderDifferentResourcesAndScopesAreDifferentSeries() {
    NumberDataPoint pt = point(T0, 7, "k", "v");
    ExportMetricsServiceRequest r =
        ExportMetricsServiceRequest.newBuilder()
            .addResourceMetrics(rm(List.of(attr("service.name", "a")), "scope1", gauge("m", pt)))
            .addResourceMetrics(rm(List.of(attr("service.name", "b")), "scope1", gauge("m", pt)))
            .addResourceMetrics(rm(List.of(attr("service.name", "b")), "scope2", gauge("m", pt)))
            .build();
    Pair p = new Pair(1000);

    p.both(r.toByteArray());
    p.both(r.toByteArray()); // now from the byte cache

    assertThat(p.bytesSink.samples.stream().map(Sample::labels).distinct()).hasSize(3);
    assertThat(p.bytesSink.samples.get(0).labels().get("service.name")).isEqualTo("a");
    assertThat(p.bytesSink.samples.get(2).labels().get("otel_scope_name")).isEqualTo("scope2");
  }

  @Test
  void utf8EmptyAttributeListsEmptyKeysAndEveryValueKindAgree() {
    AnyValue nested =
        AnyValue.newBuilder()
            .setKvlistValue(
                KeyValueList.newBuilder()
                    .addValues(attr("ä", AnyValue.newBuilder().setDoubleValue(0.5).build()))
                    .addValues(
                        attr(
                            "arr",
                            AnyValue.newBuilder()
                                .setArrayValue(
                                    ArrayValue.newBuilder()
                                        .addValues(AnyValue.newBuilder().setBoolValue(true))
                                        .addValues(AnyValue.newBuilder().setIntValue(-3)))
                                .build())))
            .build();
    NumberDataPoint p =
        NumberDataPoint.newBuilder()
            .setTimeUnixNano(T0)
            .setAsInt(5)
            .addAttributes(attr("名前", "値 ✓ 😀"))
            .addAttributes(attr("", "ignored"))
            .addAttributes(attr("b", AnyValue.newBuilder().setBytesValue(bytes(1, 2, 255)).build()))
            .addAttributes(attr("n", nested))
            .addAttributes(attr("empty", AnyValue.getDefaultInstance()))
            .addAttributes(attr("名前", "later wins"))
            .build();
    Pair pair = new Pair(1000);

    for (int i = 0; i < 2; i++) {
      pair.both(
          request(
                  List.of(attr("mlsysops.app", "äpp")),
                  gauge("größe", p, point(T0, 1)),
                  gauge("größe", NumberDataPoint.newBuilder().setAsDouble(2).build()))
              .toByteArray());
    }

    assertThat(pair.bytesSink.samples.get(0).labels().get("名前")).isEqualTo("later wins");
    assertThat(pair.bytesSink.samples.get(1).labels())
        .isEqualTo(Labels.of("app", "äpp", "node", "n1"));
  }

  @Test
  void unknownFieldsExemplarsAndOtherKindsAtEveryLevelAgree() {
    UnknownFieldSet unknown =
        UnknownFieldSet.newBuilder()
            .addField(
                99,
                UnknownFieldSet.Field.newBuilder()
                    .addVarint(5)
                    .addLengthDelimited(ByteString.copyFromUtf8("x"))
                    .build())
            .build();
    NumberDataPoint withUnknown =
        point(T0, 1, "a", "1").toBuilder().setUnknownFields(unknown).build();
    NumberDataPoint withExemplar =
        point(T0, 2, "a", "2").toBuilder()
            .addExemplars(Exemplar.newBuilder().setAsDouble(9).setTimeUnixNano(T0))
            .build();
    Metric gaugeUnknown =
        Metric.newBuilder()
            .setName("gu")
            .setGauge(Gauge.newBuilder().addDataPoints(point(T0, 3)).setUnknownFields(unknown))
            .build();
    Metric metricUnknown = gauge("mu", point(T0, 4)).toBuilder().setUnknownFields(unknown).build();
    Metric withMetadata = gauge("md", point(T0, 5)).toBuilder().addMetadata(attr("x", "y")).build();
    Metric histogram =
        Metric.newBuilder()
            .setName("h")
            .setHistogram(
                Histogram.newBuilder()
                    .setAggregationTemporality(
                        AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                    .addDataPoints(
                        HistogramDataPoint.newBuilder()
                            .setTimeUnixNano(T0)
                            .setCount(3)
                            .setSum(6)
                            .addExplicitBounds(1)
                            .addBucketCounts(1)
                            .addBucketCounts(2)))
            .build();
    Metric summary =
        Metric.newBuilder()
            .setName("q")
            .setSummary(
                Summary.newBuilder()
                    .addDataPoints(
                        SummaryDataPoint.newBuilder()
                            .setTimeUnixNano(T0)
                            .setCount(1)
                            .setSum(1)
                            .addQuantileValues(
                                SummaryDataPoint.ValueAtQuantile.newBuilder()
                                    .setQuantile(0.5)
                                    .setValue(1))))
            .build();
    ExportMetricsServiceRequest r =
        ExportMetricsServiceRequest.newBuilder()
            .addResourceMetrics(
                ResourceMetrics.newBuilder()
                    .setResource(
                        Resource.newBuilder()
                            .addAttributes(attr("service.name", "s"))
                            .setUnknownFields(unknown))
                    .addScopeMetrics(
                        ScopeMetrics.newBuilder()
                            .setScope(InstrumentationScope.newBuilder().setName("sc"))
                            .addMetrics(gauge("plain", withUnknown, withExemplar))
                            .addMetrics(gaugeUnknown)
                            .addMetrics(metricUnknown)
                            .addMetrics(withMetadata)
                            .addMetrics(histogram)
                            .addMetrics(summary)
                            .addMetrics(Metric.newBuilder().setName("nodata"))
                            .addMetrics(gauge("", point(T0, 1), point(T0, 2)))
                            .setUnknownFields(unknown))
                    .setUnknownFields(unknown))
            .setUnknownFields(unknown)
            .build();
    Pair p = new Pair(1000);

    IngestOutcome o = p.both(r.toByteArray());

    assertThat(o.acceptedPoints()).isEqualTo(7);
    assertThat(o.rejectedPoints()).isEqualTo(2);
  }

  @Test
  void badValuesTimestampsFlagsAndLimitsAreRejectedTheSameWay() {
    NumberDataPoint stale =
        point(T0, 1, "a", "s").toBuilder()
            .setFlags(DataPointFlags.DATA_POINT_FLAGS_NO_RECORDED_VALUE_MASK_VALUE)
            .build();
    Pair p = new Pair(3);
    IngestOutcome o =
        p.both(
            request(
                    gauge(
                        "g",
                        point(T0, Double.NaN, "a", "1"),
                        point(T0, Double.POSITIVE_INFINITY, "a", "2"),
                        point(T0, Double.NEGATIVE_INFINITY, "a", "3"),
                        point((NOW + 3_600_000) * 1_000_000L, 1, "a", "4"),
                        point(-5, 1, "a", "5"),
                        NumberDataPoint.newBuilder().setTimeUnixNano(T0).build(),
                        stale,
                        point(T0, 1, "a", "6"),
                        point(T0, 1, "a", "7"),
                        point(T0, 1, "a", "8"),
                        point(T0, 1, "a", "9")),
                    Otlp.sum("d", true, true, point(T0, 1), point(T0, 1)))
                .toByteArray());

    assertThat(o.acceptedPoints()).isEqualTo(3);
    assertThat(o.errorMessage())
        .contains("NaN", "+Inf", "future", "without a value", "series limit");
  }

  @Test
  void aSinkThatThrowsOnSomeSamplesLosesOnlyThoseOnBothPaths() {
    Pair p = new Pair(1000, 3);
    IngestOutcome o =
        p.both(
            request(
                    gauge(
                        "g",
                        point(T0, 1, "a", "1"),
                        point(T0, 2, "a", "2"),
                        point(T0, 3, "a", "3"),
                        point(T0, 4, "a", "4"),
                        point(T0, 5, "a", "5")),
                    gauge("h", point(T0, 6)))
                .toByteArray());

    assertThat(o.acceptedPoints()).isEqualTo(4);
    assertThat(o.rejectedPoints()).isEqualTo(2);
  }

  @Test
  void pointsThatChangeOrderOrCountBetweenRequestsKeepTheirOwnLabels() {
    long t1 = T0 + 1_000_000;
    long t2 = T0 + 2_000_000;
    Pair p = new Pair(1000);

    p.both(
        request(gauge("m", point(T0, 1, "a", "1"), point(T0, 2, "a", "2"), point(T0, 3)))
            .toByteArray());
    p.both(request(gauge("m", point(t1, 2, "a", "2"), point(t1, 1, "a", "1"))).toByteArray());
    p.both(
        request(
                gauge(
                    "m",
                    point(t2, 3),
                    point(t2, 1, "a", "1"),
                    point(t2, 9, "a", "9"),
                    point(t2, 2, "a", "2")))
            .toByteArray());

    for (Sample s : p.bytesSink.samples) {
      String a = s.labels().get("a");
      assertThat(s.value()).isEqualTo(a == null ? 3 : Double.parseDouble(a));
    }
    assertThat(p.bytesSink.samples).hasSize(9);
  }

  @Test
  void randomRequestsAgree() {
    for (int seed = 0; seed < 150; seed++) {
      Random rnd = new Random(seed);
      Pair p = new Pair(rnd.nextBoolean() ? 1_000_000 : 40);
      for (int round = 0; round < 4; round++) {
        p.both(randomRequest(rnd, round).toByteArray());
      }
    }
  }

  @Test
  void truncatedAndCorruptedRequestsFailOrSucceedTheSameWay() {
    Random rnd = new Random(42);
    Pair p = new Pair(1_000_000);
    for (int i = 0; i < 400; i++) {
      byte[] body = randomRequest(rnd, i % 3).toByteArray();
      byte[] bad;
      switch (i % 3) {
        case 0:
          bad = java.util.Arrays.copyOf(body, rnd.nextInt(body.length));
          break;
        case 1:
          bad = body.clone();
          for (int k = 0; k < 1 + rnd.nextInt(3); k++) {
            bad[rnd.nextInt(bad.length)] = (byte) rnd.nextInt(256);
          }
          break;
        default:
          bad = body.clone();
          bad[rnd.nextInt(bad.length)] ^= (byte) (1 << rnd.nextInt(8));
      }
      p.both(bad);
    }
  }

  @Test
  void invalidUtf8InAnAttributeFailsLikeTheGeneratedParser() throws IOException {
    // A point whose only attribute has a string value of 0xC3 0x28 (invalid UTF-8).
    byte[] badString = {(byte) 0xC3, 0x28};
    byte[] anyValue = field(1, badString);
    byte[] kv = concat(field(1, "k".getBytes()), field(2, anyValue));
    byte[] pointBytes =
        concat(field(7, kv), fixed64(3, T0), fixed64(4, Double.doubleToLongBits(1)));
    byte[] body = wrapPoint("m", pointBytes);
    Pair p = new Pair(1000);

    p.both(body);

    assertThat(p.bytesSink.events).isEmpty();
  }

  @Test
  void attributesInterleavedWithOtherFieldsAndResourceAfterScopesAgree() throws IOException {
    byte[] kv1 = Otlp.attr("a", "1").toByteArray();
    byte[] kv2 = Otlp.attr("b", "2").toByteArray();
    byte[] pointBytes =
        concat(
            field(7, kv1), fixed64(3, T0), field(7, kv2), fixed64(4, Double.doubleToLongBits(1)));
    byte[] metric = concat(field(1, "m".getBytes()), field(5, field(1, pointBytes)));
    byte[] scopeMetrics = field(2, metric);
    byte[] resource =
        Resource.newBuilder().addAttributes(attr("service.name", "late")).build().toByteArray();
    // scope_metrics first, then the resource, then a second scope_metrics
    byte[] rm = concat(field(2, scopeMetrics), field(1, resource), field(2, scopeMetrics));
    Pair p = new Pair(1000);

    p.both(field(1, rm));

    assertThat(p.bytesSink.samples).hasSize(2);
    assertThat(p.bytesSink.samples.get(0).labels().get("service.name")).isEqualTo("late");
    assertThat(p.bytesSink.samples.get(0).labels().get("b")).isEqualTo("2");
  }

  @Test
  void nestingAtTheRecursionLimitAgrees() {
    Pair p = new Pair(1000);
    int failed = 0;
    for (int depth = 40; depth < 50; depth++) { // two messages a level
      AnyValue v = AnyValue.newBuilder().setStringValue("leaf").build();
      for (int i = 0; i < depth; i++) {
        v = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(v)).build();
      }
      NumberDataPoint pt = point(T0 + depth, 1).toBuilder().addAttributes(attr("d", v)).build();
      if (p.both(request(gauge("deep", pt)).toByteArray()) == null) {
        failed++;
      }
    }
    assertThat(failed).isBetween(1, 9); // the limit falls inside the range tried
  }

  // ------------------------------------------------------------------ random requests

  private static ExportMetricsServiceRequest randomRequest(Random rnd, int round) {
    ExportMetricsServiceRequest.Builder r = ExportMetricsServiceRequest.newBuilder();
    for (int i = rnd.nextInt(3); i >= 0; i--) {
      ResourceMetrics.Builder rm = ResourceMetrics.newBuilder();
      if (rnd.nextInt(5) > 0) {
        Resource.Builder res = Resource.newBuilder();
        for (int k = rnd.nextInt(4); k > 0; k--) {
          res.addAttributes(
              attr(
                  pick(rnd, "service.name", "host.name", "mlsysops.app", "mlsysops.node", "x"),
                  pick(rnd, "a", "b", "ü")));
        }
        rm.setResource(res);
      }
      for (int s = rnd.nextInt(3); s >= 0; s--) {
        ScopeMetrics.Builder sm = ScopeMetrics.newBuilder();
        if (rnd.nextBoolean()) {
          sm.setScope(InstrumentationScope.newBuilder().setName(pick(rnd, "s1", "s2", "")));
        }
        for (int m = rnd.nextInt(5); m >= 0; m--) {
          sm.addMetrics(randomMetric(rnd, round));
        }
        rm.addScopeMetrics(sm);
      }
      if (rnd.nextInt(8) == 0) {
        rm.setSchemaUrl("https://opentelemetry.io/schemas/1.21.0");
      }
      r.addResourceMetrics(rm);
    }
    return r.build();
  }

  private static Metric randomMetric(Random rnd, int round) {
    Metric.Builder m = Metric.newBuilder().setName(pick(rnd, "m1", "m2", "m3", "größe", ""));
    if (rnd.nextInt(4) == 0) {
      m.setUnit(pick(rnd, "By", "1", "")).setDescription(pick(rnd, "help", ""));
    }
    int kind = rnd.nextInt(10);
    List<NumberDataPoint> pts = new ArrayList<>();
    for (int i = rnd.nextInt(6); i >= 0; i--) {
      pts.add(randomPoint(rnd, round));
    }
    if (kind < 4) {
      m.setGauge(Gauge.newBuilder().addAllDataPoints(pts));
    } else if (kind < 8) {
      m.setSum(
          Sum.newBuilder()
              .setIsMonotonic(rnd.nextBoolean())
              .setAggregationTemporalityValue(rnd.nextInt(3))
              .addAllDataPoints(pts));
    } else if (kind == 8) {
      m.setHistogram(
          Histogram.newBuilder()
              .setAggregationTemporalityValue(1 + rnd.nextInt(2))
              .addDataPoints(
                  HistogramDataPoint.newBuilder()
                      .setTimeUnixNano(T0 + round * 1_000_000L)
                      .setCount(3)
                      .addExplicitBounds(1)
                      .addBucketCounts(1)
                      .addBucketCounts(2)
                      .addAllAttributes(pts.get(0).getAttributesList())));
    }
    return m.build();
  }

  private static NumberDataPoint randomPoint(Random rnd, int round) {
    NumberDataPoint.Builder p = NumberDataPoint.newBuilder();
    int t = rnd.nextInt(10);
    if (t > 0) {
      p.setTimeUnixNano(
          t == 1 ? (NOW + 600_000) * 1_000_000L : T0 + round * 1_000_000L + rnd.nextInt(3));
    }
    if (rnd.nextBoolean()) {
      p.setStartTimeUnixNano(T0 - 1);
    }
    int v = rnd.nextInt(12);
    if (v == 0) {
      p.setAsDouble(Double.NaN);
    } else if (v == 1) {
      p.setAsDouble(Double.NEGATIVE_INFINITY);
    } else if (v < 7) {
      p.setAsDouble(rnd.nextInt(100) / 4.0);
    } else if (v < 11) {
      p.setAsInt(rnd.nextInt(1000) - 500);
    } // else no value
    if (rnd.nextInt(10) == 0) {
      p.setFlags(1);
    }
    for (int a = rnd.nextInt(4); a > 0; a--) {
      int kind = rnd.nextInt(6);
      AnyValue.Builder av = AnyValue.newBuilder();
      switch (kind) {
        case 0 -> av.setIntValue(rnd.nextInt(3));
        case 1 -> av.setBoolValue(rnd.nextBoolean());
        case 2 -> av.setDoubleValue(rnd.nextInt(3) / 2.0);
        default -> av.setStringValue(pick(rnd, "v1", "v2", "ü✓", ""));
      }
      p.addAttributes(attr(pick(rnd, "k1", "k2", "service.name", "node", "ключ"), av.build()));
    }
    if (rnd.nextInt(20) == 0) {
      p.addExemplars(Exemplar.newBuilder().setAsInt(1));
    }
    return p.build();
  }

  private static String pick(Random rnd, String... options) {
    return options[rnd.nextInt(options.length)];
  }

  // ------------------------------------------------------------------ hand-made wire bytes

  private static ResourceMetrics rm(List<KeyValue> resource, String scope, Metric m) {
    return ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAllAttributes(resource))
        .addScopeMetrics(
            ScopeMetrics.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName(scope))
                .addMetrics(m))
        .build();
  }

  private static ByteString bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return ByteString.copyFrom(out);
  }

  private static byte[] wrapPoint(String metric, byte[] point) throws IOException {
    byte[] m = concat(field(1, metric.getBytes()), field(5, field(1, point)));
    return field(1, field(2, field(2, m)));
  }

  private static byte[] field(int number, byte[] payload) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeByteArray(number, payload);
    c.flush();
    return out.toByteArray();
  }

  private static byte[] fixed64(int number, long v) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(out);
    c.writeFixed64(number, v);
    c.flush();
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.write(p);
    }
    return out.toByteArray();
  }
}
