package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.otlp.OtlpGrpcExporter;
import eu.mlsysops.telemetry.otlp.OtlpGrpcReceiver;
import eu.mlsysops.telemetry.otlp.OtlpMetricsTranslator;
import eu.mlsysops.telemetry.otlp.RecentSignals;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import eu.mlsysops.telemetry.TelemetryQuery;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apps instrumented with the stock OpenTelemetry SDK export to the embedded continuum's OTLP
 * receivers; the exact values land in the node agent they name, per-node summaries at the cluster
 * and per-cluster summaries at the continuum.
 */
class OtlpHierarchyIT {
  @TempDir Path dataDir;
  private EmbeddedContinuum continuum;
  private OtlpEndpoints otlp;

  @AfterEach
  void tearDown() {
    if (otlp != null) {
      otlp.close();
    }
    if (continuum != null) {
      continuum.close();
    }
  }

  private static SdkMeterProvider provider(String node, MetricExporter exporter) {
    return provider(node, exporter, Duration.ofHours(1)); // exports when closed
  }

  private static SdkMeterProvider provider(String node, MetricExporter exporter,
      Duration interval) {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), "detector",
        AttributeKey.stringKey("mlsysops.app"), "camera",
        AttributeKey.stringKey("mlsysops.component"), "detector",
        AttributeKey.stringKey("mlsysops.node"), node)));
    return SdkMeterProvider.builder().setResource(resource)
        .registerMetricReader(PeriodicMetricReader.builder(exporter)
            .setInterval(interval).build())
        .build();
  }

  private static void record(SdkMeterProvider provider, long frames, double... latencies) {
    Meter meter = provider.get("camera");
    LongCounter counter = meter.counterBuilder("frames_total").build();
    counter.add(frames);
    DoubleHistogram h = meter.histogramBuilder("detector_latency_ms").setUnit("ms")
        .setExplicitBucketBoundariesAdvice(List.of(50.0, 100.0)).build();
    for (double l : latencies) {
      h.record(l);
    }
    // A flush that meets a periodic export in progress reports failure: try again.
    await().atMost(30, TimeUnit.SECONDS).until(
        () -> provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess());
  }

  @Test
  void sdkMetricsArriveExactlyAtTheNodeAndAggregatedAboveIt() {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).build().start();
    otlp = OtlpEndpoints.start(continuum, "127.0.0.1", 0, 0);
    assertThat(otlp.problems()).isEmpty();

    // The SDKs keep exporting (every 200 ms) while the test reads: a series that stops arriving
    // goes stale after two of its intervals, as issue 23 asks.
    try (SdkMeterProvider edge1 = provider("edge-1", OtlpGrpcMetricExporter.builder()
            .setEndpoint("http://127.0.0.1:" + otlp.grpcPort().getAsInt()).build(),
            Duration.ofMillis(200));
        SdkMeterProvider edge2 = provider("edge-2", OtlpHttpMetricExporter.builder()
            .setEndpoint("http://127.0.0.1:" + otlp.httpPort().getAsInt() + "/v1/metrics")
            .build(), Duration.ofMillis(200))) {
      record(edge1, 12, 20, 70, 400);
      record(edge2, 30, 30);
      assertHierarchy();
    }
  }

  private void assertHierarchy() {
    Map<String, String> camera = Map.of("app", "camera", "component", "detector");
    TelemetryQuery node = continuum.nodes().get("edge-1").telemetry();
    await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
      assertThat(node.latest("frames_total", Map.of("node", "edge-1"))).hasValue(12);
      assertThat(node.latest("detector_latency_ms_count", camera)).hasValue(3);
      assertThat(node.latest("detector_latency_ms_bucket", Map.of("le", "100"))).hasValue(2);
      assertThat(node.latest("detector_latency_ms_sum", camera)).hasValue(490);
    });
    assertThat(node.metadata("detector_latency_ms").orElseThrow().type())
        .isEqualTo(MetricType.HISTOGRAM);

    TelemetryQuery cluster = continuum.clusters().get("edge").telemetry();
    // Both awaited: on a busy machine an export may come later than two of its intervals, and
    // the series is stale until the next one (issue 23's silence rule).
    await().atMost(30, TimeUnit.SECONDS).until(() ->
        cluster.latest("frames_total", Map.of("node", "edge-2")).orElse(0) == 30
            && cluster.latest("frames_total", Map.of("node", "edge-1")).orElse(0) == 12);

    // Per-cluster at the top: both nodes' counters and histogram buckets summed.
    TelemetryQuery top = continuum.continuum().telemetry();
    await().atMost(15, TimeUnit.SECONDS).until(() ->
        top.latest("frames_total", Map.of("cluster", "edge")).orElse(0) == 42);
    assertThat(top.range("frames_total", Map.of(), Duration.ofMinutes(5)))
        .allSatisfy(s -> assertThat(s.labels().get("node")).isNull());
    await().atMost(30, TimeUnit.SECONDS).untilAsserted(() -> {
      assertThat(top.latest("detector_latency_ms_bucket", Map.of("cluster", "edge", "le", "50")))
          .hasValue(2);
      assertThat(top.latest("detector_latency_ms_count", Map.of("cluster", "edge"))).hasValue(4);
    });

    // The HTTP port serves what the nodes hold and the receivers' own counters to Prometheus.
    String scraped = scrape("http://127.0.0.1:" + otlp.httpPort().getAsInt() + "/metrics");
    assertThat(scraped)
        .contains("# TYPE detector_latency_ms histogram")
        .containsPattern("frames_total\\{[^}]*node=\"edge-1\"[^}]*\\} 12\\b")
        .containsPattern("otlp_requests_total\\{agent=\"otlp-receiver\",signal=\"metrics\"\\} [1-9]");
  }

  static String scrape(String url) {
    try {
      java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
          java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      return r.body();
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aTierAndTheLogsGoToAnExternalCollectorToo() {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).build().start();
    otlp = OtlpEndpoints.start(continuum, "127.0.0.1", 0, -1);
    MetricStore collected = MetricStore.withDefaults(java.time.Clock.systemUTC());
    RecentSignals collectedSignals = new RecentSignals(10);
    try (OtlpGrpcReceiver collector = OtlpGrpcReceiver.builder(
            OtlpMetricsTranslator.builder(collected).build())
        .port(0).signals(collectedSignals).build().start();
        OtlpGrpcExporter app = OtlpGrpcExporter.builder(
            "127.0.0.1:" + otlp.grpcPort().getAsInt()).build()) {
      otlp.exportTo("127.0.0.1:" + collector.port(), "continuum", Duration.ofMillis(200));

      // The continuum's own health is in its store within a second, and then at the collector.
      await().atMost(15, TimeUnit.SECONDS).until(() ->
          collected.latest("mls_plans_active", Map.of("tier", "continuum")).isPresent());
      assertThat(collected.range("mls_plans_active", Map.of(), Duration.ofMinutes(1)))
          .allSatisfy(s -> assertThat(s.labels().get("tier")).isEqualTo("continuum"));

      app.forward(ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
          .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder()
              .setBody(AnyValue.newBuilder().setStringValue("disk almost full"))))).build());
      await().atMost(15, TimeUnit.SECONDS).until(() -> collectedSignals.logs().size() == 1);
      assertThat(collectedSignals.logs().get(0).item().getBody().getStringValue())
          .isEqualTo("disk almost full");
      assertThat(otlp.signals().logs()).hasSize(1);
      assertThat(otlp.exportStats().orElseThrow().failed()).isZero();
    }
  }

  @Test
  void seriesNamingNoNodeOfTheContinuumAreRefusedAndCounted() {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).build().start();
    otlp = OtlpEndpoints.start(continuum, "127.0.0.1", 0, -1);
    assertThat(otlp.httpPort()).isEmpty();

    try (SdkMeterProvider ghost = provider("ghost-node", OtlpGrpcMetricExporter.builder()
        .setEndpoint("http://127.0.0.1:" + otlp.grpcPort().getAsInt()).build())) {
      record(ghost, 1);
    }

    assertThat(otlp.stats().pointsRejected()).isPositive();
    // Counted for what it is, not as a full store.
    assertThat(otlp.stats().rejectedNoNode()).isEqualTo(otlp.stats().pointsRejected());
    assertThat(otlp.stats().rejectedSeriesLimit()).isZero();
    assertThat(continuum.telemetry("node").latest("frames_total", Map.of())).isEmpty();
  }

  private int scrapeStatus(String authorization) throws Exception {
    var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(
        "http://127.0.0.1:" + otlp.httpPort().getAsInt() + "/metrics"));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return java.net.http.HttpClient.newHttpClient().send(b.build(),
        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void offLoopbackTheScrapeRouteNeedsATokenTheApiAuthorizes() throws Exception {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).build().start();
    otlp = OtlpEndpoints.start(continuum, "0.0.0.0", -1, 0);

    assertThat(scrapeStatus(null)).as("nobody, before the API says who").isEqualTo(401);
    otlp.authorizeReads("Bearer viewer"::equals);
    assertThat(scrapeStatus(null)).isEqualTo(401);
    assertThat(scrapeStatus("Bearer developer")).isEqualTo(401);
    assertThat(scrapeStatus("Bearer viewer")).isEqualTo(200);
  }

  @Test
  void onLoopbackTheScrapeRouteNeedsNoToken() throws Exception {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).build().start();
    otlp = OtlpEndpoints.start(continuum, "127.0.0.1", -1, 0);

    assertThat(scrapeStatus(null)).isEqualTo(200);
  }

  @Test
  void aTakenPortLeavesThatReceiverOffWithAReason() {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).build().start();
    otlp = OtlpEndpoints.start(continuum, "127.0.0.1", 0, -1);
    try (OtlpEndpoints second = OtlpEndpoints.start(continuum, "127.0.0.1",
        otlp.grpcPort().getAsInt(), -1)) {
      assertThat(second.grpcPort()).isEmpty();
      assertThat(second.problems()).singleElement().asString()
          .startsWith("OTLP/gRPC receiver not started").contains("--otlp-grpc-port");
    }
  }
}
