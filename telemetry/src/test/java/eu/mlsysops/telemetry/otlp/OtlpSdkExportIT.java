package eu.mlsysops.telemetry.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.SampleSink;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.export.AggregationTemporalitySelector;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real OpenTelemetry Java SDK exports to a node agent's receivers (OTLP/gRPC and
 * OTLP/HTTP-protobuf, cumulative and delta), and the exact values arrive in the agent's store.
 */
class OtlpSdkExportIT {
  /** The exporters' timeout: far above what an export takes, even on a busy machine. */
  private static final Duration SLOW = Duration.ofSeconds(60);

  private static final Resource RESOURCE =
      Resource.getDefault()
          .merge(
              Resource.create(
                  Attributes.of(
                      AttributeKey.stringKey("service.name"),
                      "checkout",
                      AttributeKey.stringKey("mlsysops.app"),
                      "shop",
                      AttributeKey.stringKey("mlsysops.component"),
                      "cart")));
  private static final Attributes POD = Attributes.of(AttributeKey.stringKey("pod"), "p1");
  private static final AggregationTemporalitySelector DELTA = t -> AggregationTemporality.DELTA;

  private MetricStore store;
  private CollectingSink metadata;
  private RecentSignals signals;
  private OtlpMetricsTranslator translator;
  private OtlpGrpcReceiver grpc;
  private OtlpHttpReceiver http;

  @BeforeEach
  void startAgentReceivers() {
    store = MetricStore.withDefaults(Clock.systemUTC());
    metadata = new CollectingSink();
    SampleSink sink =
        new SampleSink() {
          @Override
          public boolean accept(eu.mlsysops.telemetry.Sample s) {
            return store.append(s);
          }

          @Override
          public void describe(String metric, eu.mlsysops.telemetry.MetricMetadata md) {
            metadata.describe(metric, md);
          }
        };
    translator = OtlpMetricsTranslator.builder(sink).nodeName("node-1").build();
    signals = new RecentSignals(100);
    grpc = OtlpGrpcReceiver.builder(translator).port(0).signals(signals).build().start();
    http = OtlpHttpReceiver.builder(translator).port(0).signals(signals).build().start();
  }

  @AfterEach
  void stop() {
    grpc.close();
    http.close();
  }

  @Test
  void grpcCumulativeMetricsArriveExactly() {
    exportAndCheck(
        OtlpGrpcMetricExporter.builder().setEndpoint(grpcUrl()).setTimeout(SLOW).build());
  }

  @Test
  void grpcDeltaMetricsWithGzipArriveAsCumulativeValues() {
    exportAndCheck(
        OtlpGrpcMetricExporter.builder()
            .setEndpoint(grpcUrl()).setTimeout(SLOW)
            .setCompression("gzip")
            .setAggregationTemporalitySelector(DELTA)
            .build());
  }

  @Test
  void httpProtobufCumulativeMetricsWithGzipArriveExactly() {
    exportAndCheck(
        OtlpHttpMetricExporter.builder()
            .setEndpoint(httpUrl("/v1/metrics")).setTimeout(SLOW)
            .setCompression("gzip")
            .build());
  }

  @Test
  void httpProtobufDeltaMetricsArriveAsCumulativeValues() {
    exportAndCheck(
        OtlpHttpMetricExporter.builder()
            .setEndpoint(httpUrl("/v1/metrics")).setTimeout(SLOW)
            .setAggregationTemporalitySelector(DELTA)
            .build());
  }

  @Test
  void sdkLogsAndSpansReachTheRecentSignalsOverBothTransports() {
    sendLogAndSpan(
        OtlpGrpcLogRecordExporter.builder().setEndpoint(grpcUrl()).setTimeout(SLOW).build(),
        OtlpGrpcSpanExporter.builder().setEndpoint(grpcUrl()).setTimeout(SLOW).build(),
        "over grpc");
    sendLogAndSpan(
        OtlpHttpLogRecordExporter.builder().setEndpoint(httpUrl("/v1/logs")).setTimeout(SLOW)
            .build(),
        OtlpHttpSpanExporter.builder().setEndpoint(httpUrl("/v1/traces")).setTimeout(SLOW)
            .build(),
        "over http");

    assertThat(signals.logs())
        .extracting(r -> r.item().getBody().getStringValue())
        .containsExactly("over grpc", "over http");
    assertThat(signals.logs().get(0).resource().getAttributesList())
        .anyMatch(
            kv ->
                kv.getKey().equals("service.name")
                    && kv.getValue().getStringValue().equals("checkout"));
    assertThat(signals.spans())
        .extracting(r -> r.item().getName())
        .containsExactly("over grpc", "over http");
    OtlpIngestStats stats = stats();
    assertThat(stats.logRecordsAccepted()).isEqualTo(2);
    assertThat(stats.spansAccepted()).isEqualTo(2);
  }

  private void sendLogAndSpan(LogRecordExporter logs, SpanExporter spans, String text) {
    try (SdkLoggerProvider lp =
            SdkLoggerProvider.builder()
                .setResource(RESOURCE)
                .addLogRecordProcessor(SimpleLogRecordProcessor.create(logs))
                .build();
        SdkTracerProvider tp =
            SdkTracerProvider.builder()
                .setResource(RESOURCE)
                .addSpanProcessor(SimpleSpanProcessor.create(spans))
                .build()) {
      Logger logger = lp.get("it");
      logger.logRecordBuilder().setBody(text).emit();
      Span span = tp.get("it").spanBuilder(text).startSpan();
      String traceId = span.getSpanContext().getTraceId();
      span.end();
      assertSuccess(lp.forceFlush());
      assertSuccess(tp.forceFlush());
      assertThat(signals.spans())
          .last()
          .satisfies(
              r ->
                  assertThat(HexFormat.of().formatHex(r.item().getTraceId().toByteArray()))
                      .isEqualTo(traceId));
    }
  }

  /**
   * Two export rounds of a counter, an up-down counter, a gauge, an explicit-bucket histogram and
   * an exponential histogram; after each the store holds the exact cumulative values.
   */
  private void exportAndCheck(MetricExporter exporter) {
    try (SdkMeterProvider provider =
        SdkMeterProvider.builder()
            .setResource(RESOURCE)
            .registerMetricReader(
                PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build())
            .registerView(
                InstrumentSelector.builder().setName("exp.latency").build(),
                View.builder()
                    .setAggregation(Aggregation.base2ExponentialBucketHistogram())
                    .build())
            .build()) {
      Meter meter = provider.get("shop.meter");
      LongCounter requests =
          meter
              .counterBuilder("app.requests")
              .setUnit("{request}")
              .setDescription("Requests served")
              .build();
      LongUpDownCounter inflight = meter.upDownCounterBuilder("app.inflight").build();
      DoubleGauge temperature = meter.gaugeBuilder("app.temperature").build();
      DoubleHistogram latency =
          meter
              .histogramBuilder("app.latency")
              .setExplicitBucketBoundariesAdvice(List.of(1.0, 5.0, 10.0))
              .build();
      DoubleHistogram exp = meter.histogramBuilder("exp.latency").build();

      requests.add(5, POD);
      inflight.add(3, POD);
      inflight.add(-1, POD);
      temperature.set(1.5, POD);
      for (double v : new double[] {0.5, 3, 7, 20}) {
        latency.record(v, POD);
      }
      for (double v : new double[] {1, 2, 4}) {
        exp.record(v, POD);
      }
      assertSuccess(provider.forceFlush());

      assertValue("app.requests", Map.of(), 5);
      assertValue("app.inflight", Map.of(), 2);
      assertValue("app.temperature", Map.of(), 1.5);
      assertValue("app.latency_bucket", Map.of("le", "1"), 1);
      assertValue("app.latency_bucket", Map.of("le", "5"), 2);
      assertValue("app.latency_bucket", Map.of("le", "10"), 3);
      assertValue("app.latency_bucket", Map.of("le", "+Inf"), 4);
      assertValue("app.latency_sum", Map.of(), 30.5);
      assertValue("app.latency_count", Map.of(), 4);
      assertValue("exp.latency_bucket", Map.of("le", "1"), 1);
      assertValue("exp.latency_bucket", Map.of("le", "2"), 2);
      assertValue("exp.latency_bucket", Map.of("le", "4"), 3);
      assertValue("exp.latency_bucket", Map.of("le", "+Inf"), 3);
      assertValue("exp.latency_sum", Map.of(), 7);
      assertValue("exp.latency_count", Map.of(), 3);

      requests.add(3, POD);
      inflight.add(4, POD);
      temperature.set(2.5, POD);
      latency.record(2, POD);
      exp.record(4, POD);
      assertSuccess(provider.forceFlush());

      assertValue("app.requests", Map.of(), 8);
      assertValue("app.inflight", Map.of(), 6);
      assertValue("app.temperature", Map.of(), 2.5);
      assertValue("app.latency_bucket", Map.of("le", "1"), 1);
      assertValue("app.latency_bucket", Map.of("le", "5"), 3);
      assertValue("app.latency_bucket", Map.of("le", "10"), 4);
      assertValue("app.latency_bucket", Map.of("le", "+Inf"), 5);
      assertValue("app.latency_sum", Map.of(), 32.5);
      assertValue("app.latency_count", Map.of(), 5);
      assertValue("exp.latency_bucket", Map.of("le", "4"), 4);
      assertValue("exp.latency_sum", Map.of(), 11);
      assertValue("exp.latency_count", Map.of(), 4);
    }
    assertThat(store.range("app.requests", Map.of(), Duration.ofMinutes(5)))
        .singleElement()
        .satisfies(
            s ->
                assertThat(s.labels().map())
                    .isEqualTo(
                        Map.of(
                            "service.name",
                            "checkout",
                            "app",
                            "shop",
                            "component",
                            "cart",
                            "node",
                            "node-1",
                            "otel_scope_name",
                            "shop.meter",
                            "pod",
                            "p1")));
    assertThat(metadata.metadata().get("app.requests").type()).isEqualTo(MetricType.COUNTER);
    assertThat(metadata.metadata().get("app.requests").unit()).isEqualTo("{request}");
    assertThat(metadata.metadata().get("app.inflight").type())
        .isEqualTo(MetricType.UP_DOWN_COUNTER);
    assertThat(metadata.metadata().get("exp.latency").type()).isEqualTo(MetricType.HISTOGRAM);
    assertThat(stats().pointsRejected()).isZero();
  }

  private void assertValue(String metric, Map<String, String> extra, double expected) {
    Map<String, String> m = new java.util.HashMap<>(extra);
    m.put("pod", "p1");
    m.put("node", "node-1");
    assertThat(store.latest(metric, m)).as(metric + extra).hasValue(expected);
  }

  private OtlpIngestStats stats() {
    return translator.counters().snapshot(); // both receivers record into the translator's
  }

  private static void assertSuccess(CompletableResultCode result) {
    // Generous ceilings (the exporters' own timeout included): a busy machine is slow to export.
    await().atMost(SLOW.multipliedBy(2)).until(result::isDone);
    assertThat(result.isSuccess()).as("export succeeded").isTrue();
  }

  private String grpcUrl() {
    return "http://127.0.0.1:" + grpc.port();
  }

  private String httpUrl(String path) {
    return "http://127.0.0.1:" + http.port() + path;
  }
}
