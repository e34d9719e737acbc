package eu.mlsysops.telemetry.otlp;

import static eu.mlsysops.telemetry.otlp.Otlp.gauge;
import static eu.mlsysops.telemetry.otlp.Otlp.point;
import static eu.mlsysops.telemetry.otlp.Otlp.request;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import com.google.rpc.Status;
import eu.mlsysops.telemetry.MetricStore;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input over real HTTP gets a clear error or a counted drop, and the receiver keeps serving.
 */
class OtlpHttpBadInputIT {
  private final HttpClient client = HttpClient.newHttpClient();
  private MetricStore store;
  private OtlpMetricsTranslator translator;
  private OtlpHttpReceiver receiver;
  private long good;

  @BeforeEach
  void start() {
    store = MetricStore.withDefaults(Clock.systemUTC());
    translator = OtlpMetricsTranslator.builder(store::append).build();
    receiver =
        OtlpHttpReceiver.builder(translator)
            .port(0)
            .metricsEndpoint(() -> "up 1\n")
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void malformedProtobufIs400WithAStatusInProtobuf() throws Exception {
    HttpResponse<byte[]> r =
        post(
            "/v1/metrics",
            "application/x-protobuf",
            null,
            new byte[] {0x0a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f, 1, 2});

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type"))
        .hasValueSatisfying(v -> assertThat(v).startsWith("application/x-protobuf"));
    Status s = Status.parseFrom(r.body());
    assertThat(s.getCode()).isEqualTo(3);
    assertThat(s.getMessage()).startsWith("malformed ExportMetricsServiceRequest (protobuf): ");
    stillServes();
    assertThat(translator.counters().snapshot().badRequests()).isEqualTo(1);
  }

  @Test
  void truncatedBodyIs400() throws Exception {
    byte[] whole = request(gauge("g", point(0, 1, "k", "a long enough value"))).toByteArray();

    HttpResponse<byte[]> r =
        post("/v1/metrics", "application/x-protobuf", null, Arrays.copyOf(whole, whole.length - 5));

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Status.parseFrom(r.body()).getMessage()).contains("input ended unexpectedly");
    stillServes();
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    HttpResponse<byte[]> r = post("/v1/metrics", "text/plain", null, "cpu 1".getBytes());

    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(jsonStatus(r))
        .isEqualTo(
            Status.newBuilder()
                .setCode(3)
                .setMessage(
                    "unsupported content type 'text/plain': send application/x-protobuf or"
                        + " application/json")
                .build());
    stillServes();
  }

  @Test
  void malformedJsonIs400WithAStatusInJson() throws Exception {
    HttpResponse<byte[]> r =
        post(
            "/v1/metrics",
            "application/json",
            null,
            "{\"resourceMetrics\": [{\"scopeMetrics\": 5}]}".getBytes());

    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(jsonStatus(r).getMessage())
        .startsWith("malformed ExportMetricsServiceRequest (JSON): ");
    stillServes();
  }

  @Test
  void unknownContentEncodingAndCorruptGzipAre400() throws Exception {
    byte[] body = request(gauge("g", point(0, 1))).toByteArray();

    assertThat(post("/v1/metrics", "application/x-protobuf", "br", body).statusCode())
        .isEqualTo(400);
    HttpResponse<byte[]> r = post("/v1/metrics", "application/x-protobuf", "gzip", body);
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(Status.parseFrom(r.body()).getMessage()).startsWith("malformed gzip body");
    stillServes();
  }

  @Test
  void gzipBombIs413() throws Exception {
    HttpResponse<byte[]> r =
        post("/v1/metrics", "application/x-protobuf", "gzip", GzipBomb.oneGibOfZeros());

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(Status.parseFrom(r.body()).getMessage())
        .isEqualTo("decompressed request body exceeds the limit of 4194304 bytes");
    assertThat(translator.counters().snapshot().oversizedRequests()).isEqualTo(1);
    stillServes();
  }

  @Test
  void bodyOverTheLimitIs413() throws Exception {
    HttpResponse<byte[]> r =
        post("/v1/metrics", "application/x-protobuf", null, new byte[5 * 1024 * 1024]);

    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(Status.parseFrom(r.body()).getMessage())
        .isEqualTo("request body of 5242880 bytes exceeds the limit of 4194304 bytes");
    stillServes();
  }

  @Test
  void chunkedBodyOverTheLimitIs413() throws Exception {
    byte[] big = new byte[5 * 1024 * 1024];
    HttpRequest req =
        HttpRequest.newBuilder(uri("/v1/metrics"))
            .header("Content-Type", "application/x-protobuf")
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(big)))
            .build();

    HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());

    assertThat(r.statusCode()).isEqualTo(413);
    stillServes();
  }

  @Test
  void nanInfiniteAndFutureValuesAreReportedAsPartialSuccess() throws Exception {
    long future = (System.currentTimeMillis() + 3_600_000L) * 1_000_000L;
    ExportMetricsServiceRequest bad =
        request(
            gauge(
                "bad",
                point(0, Double.NaN, "i", "1"),
                point(0, Double.POSITIVE_INFINITY, "i", "2"),
                point(future, 1, "i", "3"),
                point(0, 4, "i", "4")));

    HttpResponse<byte[]> r = post("/v1/metrics", "application/x-protobuf", null, bad.toByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    ExportMetricsServiceResponse resp = ExportMetricsServiceResponse.parseFrom(r.body());
    assertThat(resp.getPartialSuccess().getRejectedDataPoints()).isEqualTo(3);
    assertThat(resp.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "1 data point rejected: value NaN for metric \"bad\"; 1 data point rejected: value +Inf"
                + " for metric \"bad\"; 1 data point rejected: timestamp more than 5 min in the"
                + " future for metric \"bad\"");
    assertThat(store.latest("bad", Map.of("i", "4"))).hasValue(4);
    stillServes();
  }

  @Test
  void jsonRequestsGetJsonResponses() throws Exception {
    String json =
        "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":[{\"name\":\"j\","
            + "\"gauge\":{\"dataPoints\":[{\"asDouble\":\"NaN\"},{\"asInt\":\"7\"}]}}]}]}]}";

    HttpResponse<byte[]> r =
        post(
            "/v1/metrics",
            "application/json; charset=utf-8",
            null,
            json.getBytes(StandardCharsets.UTF_8));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(new String(r.body(), StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"partialSuccess\":{\"rejectedDataPoints\":\"1\",\"errorMessage\":\"1 data point"
                + " rejected: value NaN for metric \\\"j\\\"\"}}");
    assertThat(store.latest("j", Map.of())).hasValue(7);
  }

  @Test
  void otherMethodsAndPathsAreNotServerErrorsAndExtraRoutesServeText() throws Exception {
    HttpResponse<String> get =
        client.send(
            HttpRequest.newBuilder(uri("/v1/metrics")).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> unknown =
        client.send(
            HttpRequest.newBuilder(uri("/v2/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> metrics =
        client.send(
            HttpRequest.newBuilder(uri("/metrics")).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).isEqualTo("up 1\n");
    assertThat(metrics.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
  }

  /** A good request after the bad one is accepted and its value stored. */
  private void stillServes() throws Exception {
    good++;
    HttpResponse<byte[]> r =
        post(
            "/v1/metrics",
            "application/x-protobuf",
            "gzip",
            gzip(request(gauge("good", point(0, good))).toByteArray()));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(ExportMetricsServiceResponse.parseFrom(r.body()).hasPartialSuccess()).isFalse();
    assertThat(store.latest("good", Map.of())).hasValue(good);
  }

  private HttpResponse<byte[]> post(String path, String contentType, String encoding, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (encoding != null) {
      b.header("Content-Encoding", encoding);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static Status jsonStatus(HttpResponse<byte[]> r) throws IOException {
    Status.Builder b = Status.newBuilder();
    JsonFormat.parser().merge(new String(r.body(), StandardCharsets.UTF_8), b);
    return b.build();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + receiver.port() + path);
  }

  static byte[] gzip(byte[] raw) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(raw);
    }
    return out.toByteArray();
  }
}
