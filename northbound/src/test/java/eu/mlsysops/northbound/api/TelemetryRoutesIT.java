package eu.mlsysops.northbound.api;

import static eu.mlsysops.northbound.api.ApiFixture.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import eu.mlsysops.agent.tier.NodeAgent;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PromQL over the tiers' stores in the Prometheus API's shape, and the text exposition. */
class TelemetryRoutesIT {
  @TempDir static Path dir;
  static ApiFixture api;
  static long now;

  @BeforeAll
  static void start() {
    api = ApiFixture.start(dir);
    NodeAgent node = api.continuum.nodes().get("edge-1");
    now = api.continuum.clock().millis();
    // Two series of a counter, 10 s apart: 100 → 160 and 10 → 20 requests.
    for (String[] s : new String[][] {{"a", "100", "160"}, {"b", "10", "20"}}) {
      Labels l = Labels.of("node", "edge-1", "handler", s[0]);
      node.ingest(new Sample("it_requests_total", l, now - 10_000, Double.parseDouble(s[1])));
      node.ingest(new Sample("it_requests_total", l, now, Double.parseDouble(s[2])));
    }
  }

  @AfterAll
  static void stop() {
    assertThat(api.server.internalErrors()).isZero();
    api.close();
  }

  static String q(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  static String seconds(long millis) {
    return String.valueOf(millis / 1000.0);
  }

  @Test
  void instantQueryAnswersInThePrometheusShapeWithTheStoredValues() {
    JsonNode body = json(api.get("/api/v1/telemetry/query?level=node&time=" + seconds(now)
        + "&query=" + q("it_requests_total{handler=\"a\"}")));
    assertThat(body.get("status").asText()).isEqualTo("success");
    assertThat(body.get("data").get("resultType").asText()).isEqualTo("vector");
    JsonNode result = body.get("data").get("result");
    assertThat(result).hasSize(1);
    assertThat(result.get(0).get("metric").get("__name__").asText()).isEqualTo("it_requests_total");
    assertThat(result.get(0).get("metric").get("handler").asText()).isEqualTo("a");
    assertThat(result.get(0).get("value").get(0).asDouble()).isEqualTo(now / 1000.0);
    assertThat(result.get(0).get("value").get(1).asText()).isEqualTo("160");

    JsonNode sum = json(api.get("/api/v1/telemetry/query?level=node&time=" + seconds(now)
        + "&query=" + q("sum(it_requests_total)")));
    assertThat(sum.get("data").get("result").get(0).get("metric").size()).isZero();
    assertThat(sum.get("data").get("result").get(0).get("value").get(1).asDouble())
        .isEqualTo(180.0);

    JsonNode scalar = json(api.get("/api/v1/telemetry/query?query=" + q("1 / 0")));
    assertThat(scalar.get("data").get("resultType").asText()).isEqualTo("scalar");
    assertThat(scalar.get("data").get("result").get(1).asText()).isEqualTo("+Inf");
  }

  @Test
  void rangeQueryReturnsAMatrixStepByStep() {
    JsonNode body = json(api.get("/api/v1/telemetry/query_range?level=node&step=5s"
        + "&start=" + seconds(now - 10_000) + "&end=" + seconds(now)
        + "&query=" + q("it_requests_total{handler=\"b\"}")));
    assertThat(body.get("data").get("resultType").asText()).isEqualTo("matrix");
    JsonNode values = body.get("data").get("result").get(0).get("values");
    assertThat(values).hasSize(3);
    assertThat(values.get(0).get(1).asText()).isEqualTo("10");
    assertThat(values.get(1).get(1).asText()).isEqualTo("10");
    assertThat(values.get(2).get(1).asText()).isEqualTo("20");
  }

  @Test
  void formPostsWorkUnderThePrometheusPrefixAsGrafanaSendsThem() {
    HttpResponse<String> r = api.send("POST", "/prometheus/api/v1/query", api.admin,
        "application/x-www-form-urlencoded",
        "level=node&time=" + seconds(now) + "&query=" + q("count(it_requests_total)"));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(json(r).get("data").get("result").get(0).get("value").get(1).asText())
        .isEqualTo("2");
  }

  @Test
  void badParametersAreNamedInTheProblem() {
    HttpResponse<String> parse = api.get("/api/v1/telemetry/query?query=" + q("sum(rate(x[1m])"));
    assertThat(parse.statusCode()).isEqualTo(400);
    assertThat(parse.headers().firstValue("Content-Type").orElse(""))
        .startsWith("application/problem+json");
    assertThat(json(parse).get("detail").asText()).startsWith("query: 1:");

    assertThat(json(api.get("/api/v1/telemetry/query")).get("detail").asText())
        .isEqualTo("query: required");
    assertThat(json(api.get("/api/v1/telemetry/query?query=up&time=yesterday")).get("detail")
        .asText()).contains("time: \"yesterday\"");
    assertThat(json(api.get("/api/v1/telemetry/query_range?query=up&start=10&end=20"))
        .get("detail").asText()).isEqualTo("step: required");
    assertThat(json(api.get("/api/v1/telemetry/query_range?query=up&start=20&end=10&step=1"))
        .get("detail").asText()).contains("end:");
    assertThat(json(api.get("/api/v1/telemetry/query_range?query=up&start=0&end=10&step=-1"))
        .get("detail").asText()).startsWith("step:");
    assertThat(json(api.get("/api/v1/telemetry/query?query=up&level=galaxy")).get("detail")
        .asText()).startsWith("level:");
  }

  @Test
  void metricsIsThePrometheusTextFormatAndNeedsAToken() {
    HttpResponse<String> r = api.get("/metrics?level=node");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(r.body())
        .contains("it_requests_total{handler=\"a\",node=\"edge-1\"} 160")
        .contains("# TYPE mls_telemetry_series gauge");
    assertThat(api.get("/metrics", null).statusCode()).isEqualTo(401);
  }
}
