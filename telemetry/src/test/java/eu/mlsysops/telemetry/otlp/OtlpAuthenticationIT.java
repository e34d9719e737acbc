package eu.mlsysops.telemetry.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.SampleSink;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Receivers that ask for tokens, fed by the real OpenTelemetry Java SDK: no token is refused
 * (HTTP 401, gRPC UNAUTHENTICATED), an instance's token writes its own series, and the same
 * instance claiming another app's QoS metric is refused point by point and counted.
 */
class OtlpAuthenticationIT {
  private static final OtlpCredentials.Source WEB =
      new OtlpCredentials.Source("node-1", "shop", "web", "shop-web-0");

  private final OtlpCredentials credentials = OtlpCredentials.randomTokens();
  private MetricStore store;
  private OtlpMetricsTranslator translator;
  private OtlpGrpcReceiver grpc;
  private OtlpHttpReceiver http;

  @BeforeEach
  void start() {
    store = MetricStore.withDefaults(Clock.systemUTC());
    SampleSink sink = new SampleSink() {
      @Override
      public boolean accept(eu.mlsysops.telemetry.Sample s) {
        return store.append(s);
      }
    };
    translator = OtlpMetricsTranslator.builder(sink).nodeName("node-1").build();
    grpc = OtlpGrpcReceiver.builder(translator).port(0).credentials(credentials).build().start();
    http = OtlpHttpReceiver.builder(translator).port(0).credentials(credentials).build().start();
  }

  @AfterEach
  void stop() {
    grpc.close();
    http.close();
  }

  private static Resource as(String app) {
    return Resource.create(Attributes.of(AttributeKey.stringKey("mlsysops.app"), app,
        AttributeKey.stringKey("mlsysops.component"), "web",
        AttributeKey.stringKey("mlsysops.instance"), "shop-web-0"));
  }

  /** Records one gauge value as {@code app} and flushes it; the export's result. */
  private static CompletableResultCode export(MetricExporter exporter, String app, double v) {
    return export(exporter, as(app), "latency_ms", v);
  }

  private static CompletableResultCode export(MetricExporter exporter, Resource resource,
      String metric, double v) {
    SdkMeterProvider provider = SdkMeterProvider.builder().setResource(resource)
        .registerMetricReader(PeriodicMetricReader.builder(exporter)
            .setInterval(Duration.ofHours(1)).build()).build();
    provider.get("test").gaugeBuilder(metric).build().set(v);
    CompletableResultCode flushed = provider.forceFlush().join(30, TimeUnit.SECONDS);
    provider.shutdown().join(30, TimeUnit.SECONDS);
    return flushed;
  }

  private double latest(String app) {
    return store.latest("latency_ms", Map.of("app", app)).orElse(Double.NaN);
  }

  @Test
  void withoutATokenNothingIsWrittenOverEitherTransport() throws Exception {
    assertThat(export(OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:"
        + grpc.port()).build(), "shop", 50).isSuccess()).isFalse();
    assertThat(export(OtlpHttpMetricExporter.builder().setEndpoint("http://127.0.0.1:"
        + http.port() + "/v1/metrics").build(), "shop", 50).isSuccess()).isFalse();
    assertThat(latest("shop")).isNaN();
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + http.port() + "/v1/metrics"))
        .header("Content-Type", "application/json").header("Authorization", "Bearer forged")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("needs a bearer token");
    // Each SDK export is sent on flush and again on shutdown: at least the three here.
    assertThat(translator.counters().snapshot().unauthenticatedRequests())
        .isGreaterThanOrEqualTo(3);
  }

  @Test
  void theScrapeRouteAnswersOnlyThoseItsReadersGuardLetsIn() throws Exception {
    try (OtlpHttpReceiver guarded = OtlpHttpReceiver.builder(translator).port(0)
        .credentials(credentials).metricsEndpoint(() -> "up 1\n")
        .readers(authorization -> "Bearer viewer-token".equals(authorization)).build().start()) {
      HttpClient client = HttpClient.newHttpClient();
      URI metrics = URI.create("http://127.0.0.1:" + guarded.port() + "/metrics");

      HttpResponse<String> none = client.send(HttpRequest.newBuilder(metrics).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> instance = client.send(HttpRequest.newBuilder(metrics)
          .header("Authorization", "Bearer " + credentials.mint(WEB)).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> viewer = client.send(HttpRequest.newBuilder(metrics)
          .header("Authorization", "Bearer viewer-token").build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(none.statusCode()).isEqualTo(401);
      assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
      assertThat(none.body()).contains("/metrics needs a viewer or admin token");
      assertThat(instance.statusCode()).as("an instance's write token reads nothing")
          .isEqualTo(401);
      assertThat(viewer.statusCode()).isEqualTo(200);
      assertThat(viewer.body()).isEqualTo("up 1\n");
    }
  }

  @Test
  void anInstanceWritesItsOwnSeriesAndIsRefusedAnotherAppsOverBothTransports() {
    String auth = "Bearer " + credentials.mint(WEB);
    for (Function<Boolean, MetricExporter> exporter : java.util.List.<Function<Boolean,
        MetricExporter>>of(
        grpcTransport -> OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:"
            + grpc.port()).addHeader("Authorization", auth).build(),
        httpTransport -> OtlpHttpMetricExporter.builder().setEndpoint("http://127.0.0.1:"
            + http.port() + "/v1/metrics").addHeader("Authorization", auth).build())) {
      assertThat(export(exporter.apply(true), "shop", 50).isSuccess()).isTrue();
      // The points reached the receiver and were refused one by one (a partial success).
      export(exporter.apply(true), "bank", 1700);
    }
    assertThat(latest("shop")).isEqualTo(50);
    assertThat(latest("bank")).as("another app's QoS metric").isNaN();
    assertThat(translator.counters().snapshot().rejectedIdentity()).isGreaterThanOrEqualTo(2);
  }

  @Test
  void whatAnInstanceSendsWithoutNamingItselfIsStoredAsItsOwnAndTheNodesMetricsAreRefused() {
    String auth = "Bearer " + credentials.mint(WEB);
    MetricExporter exporter = OtlpHttpMetricExporter.builder().setEndpoint("http://127.0.0.1:"
        + http.port() + "/v1/metrics").addHeader("Authorization", auth).build();

    // The SDK's default resource names no app: the series is the instance's all the same.
    assertThat(export(exporter, Resource.empty(), "queue_depth", 7).isSuccess()).isTrue();
    export(OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:" + grpc.port())
        .addHeader("Authorization", auth).build(), Resource.empty(), "node_cpu_utilization", 0.01);

    assertThat(store.latest("queue_depth", Map.of("app", "shop", "component", "web",
        "instance", "shop-web-0", "node", "node-1"))).hasValue(7.0);
    assertThat(store.latest("node_cpu_utilization", Map.of("node", "node-1")))
        .as("the host's own figure").isEmpty();
    // Refused at the flush and again at shutdown (the SDK exports the gauge once more).
    assertThat(translator.counters().snapshot().rejectedIdentity()).isPositive();
  }
}
