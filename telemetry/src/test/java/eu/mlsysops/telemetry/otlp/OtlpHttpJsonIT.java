package eu.mlsysops.telemetry.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OTLP/JSON over real HTTP: hex trace and span ids, gzip, JSON responses. */
class OtlpHttpJsonIT {
  private final HttpClient client = HttpClient.newHttpClient();
  private final RecentSignals signals = new RecentSignals(10);
  private OtlpHttpReceiver receiver;

  @BeforeEach
  void start() {
    receiver =
        OtlpHttpReceiver.builder(OtlpMetricsTranslator.builder(s -> true).build())
            .port(0)
            .signals(signals)
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  @Test
  void spansWithHexIdsArriveWithThoseIds() throws Exception {
    String json =
        "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
            + "\"value\":{\"stringValue\":\"web\"}}]},\"scopeSpans\":[{\"spans\":[{"
            + "\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"eee19b7ec3c1b174\","
            + "\"name\":\"GET /\",\"kind\":2,\"startTimeUnixNano\":\"1544712660000000000\","
            + "\"links\":[{\"traceId\":\"00000000000000000000000000000001\","
            + "\"spanId\":\"0000000000000002\"}]}]}]}]}";

    HttpResponse<String> r = post("/v1/traces", json.getBytes(StandardCharsets.UTF_8), false);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{}");
    var span = signals.spans().get(0).item();
    assertThat(HexFormat.of().formatHex(span.getTraceId().toByteArray()))
        .isEqualTo("5b8efff798038103d269b633813fc60c");
    assertThat(HexFormat.of().formatHex(span.getLinks(0).getSpanId().toByteArray()))
        .isEqualTo("0000000000000002");
    assertThat(span.getStartTimeUnixNano()).isEqualTo(1544712660000000000L);
  }

  @Test
  void gzippedJsonLogsAreAccepted() throws Exception {
    String json =
        "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"severityNumber\":9,"
            + "\"body\":{\"stringValue\":\"hello\"},"
            + "\"traceId\":\"5b8efff798038103d269b633813fc60c\","
            + "\"futureField\":true}]}]}]}";

    HttpResponse<String> r =
        post("/v1/logs", OtlpHttpBadInputIT.gzip(json.getBytes(StandardCharsets.UTF_8)), true);

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(signals.logs())
        .extracting(e -> e.item().getBody().getStringValue())
        .containsExactly("hello");
  }

  private HttpResponse<String> post(String path, byte[] body, boolean gzip) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + receiver.port() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (gzip) {
      b.header("Content-Encoding", "gzip");
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
