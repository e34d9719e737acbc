package eu.mlsysops.cli.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QueryCommandTest extends ApiTestSupport {
  static final String VECTOR = """
      {"status": "success", "data": {"resultType": "vector", "result": [
        {"metric": {"node": "edge-1", "cluster": "edge"}, "value": [1764331200.5, "0.25"]},
        {"metric": {"node": "cloud-1"}, "value": [1764331200.5, "0.75"]}]}}
      """;

  @Test
  void vectorIsATableWithOneColumnPerLabel() {
    api.on("GET /api/v1/telemetry/query", VECTOR);

    ClientRun r = mls("query", "avg by (node) (node_cpu_utilization)", "--level", "cluster");

    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(api.requests().get(0).query())
        .contains("query=avg+by+%28node%29+%28node_cpu_utilization%29")
        .contains("level=cluster");
    assertThat(r.out()).containsPattern("CLUSTER +NODE +VALUE")
        .containsPattern("edge +edge-1 +0.25")
        .containsPattern("- +cloud-1 +0.75");
  }

  @Test
  void warningsOfAgentsThatDidNotAnswerGoToStderrBesideTheTable() {
    api.on("GET /api/v1/telemetry/query", """
        {"status": "success", "warnings": ["edge-2 is not connected: its telemetry is missing"],
         "data": {"resultType": "vector", "result": [
          {"metric": {"node": "edge-1"}, "value": [1764331200.5, "1"]}]}}
        """);

    ClientRun r = mls("query", "count by (node) (node_cpu_utilization)", "--level", "node");

    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).containsPattern("edge-1 +1").doesNotContain("edge-2");
    assertThat(r.err()).contains("mls: warning: edge-2 is not connected");
  }

  @Test
  void scalarIsJustTheNumberAndJsonIsTheApiAnswer() {
    api.on("GET /api/v1/telemetry/query", """
        {"status": "success", "data": {"resultType": "scalar", "result": [1764331200, "42"]}}
        """);
    assertThat(mls("query", "6 * 7").out().trim()).isEqualTo("42");
    assertThat(mls("query", "6 * 7", "-o", "json").out()).contains("\"resultType\" : \"scalar\"");
  }

  @Test
  void aTierOrTimeThatCannotBeIsAUsageErrorBeforeAnyRequest() {
    ClientRun level = mls("query", "up", "--level", "nodes");
    assertThat(level.exitCode()).isEqualTo(2);
    assertThat(level.err()).contains("--level: \"nodes\" is not a tier (continuum, cluster or"
        + " node)");
    ClientRun time = mls("query", "up", "--time", "yesterday");
    assertThat(time.exitCode()).isEqualTo(2);
    assertThat(time.err()).contains("--time: \"yesterday\" is neither Unix seconds");
    assertThat(api.requests()).isEmpty();

    api.on("GET /api/v1/telemetry/query", VECTOR);
    assertThat(mls("query", "up", "--time", "2026-12-06T16:00:00Z").exitCode()).isZero();
    assertThat(mls("query", "up", "--time", "1764331200.5").exitCode()).isZero();
  }

  @Test
  void aBadExpressionShowsTheServersReasonAndExitsOne() {
    api.on("GET /api/v1/telemetry/query", 400, """
        {"type": "about:blank", "title": "Bad Request", "status": 400,
         "detail": "query: 1:15: expected \\")\\""}
        """);
    ClientRun r = mls("query", "sum(rate(x[1m])");
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.err()).contains("query: 1:15: expected \")\"");
  }

  @Test
  void valuesAreShownWithSixSignificantDigits() {
    assertThat(QueryCommand.readable("0.13999999999999999")).isEqualTo("0.14");
    assertThat(QueryCommand.readable("12345678.9")).isEqualTo("12345700");
    assertThat(QueryCommand.readable("42")).isEqualTo("42");
    assertThat(QueryCommand.readable("NaN")).isEqualTo("NaN");
    assertThat(QueryCommand.readable("+Inf")).isEqualTo("+Inf");
  }
}
