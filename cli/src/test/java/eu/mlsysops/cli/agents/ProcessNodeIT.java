package eu.mlsysops.cli.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node agent process on this host ({@code runtime: process}): an app's component runs as a real
 * local process, the host's /proc figures and an app's OTLP metrics sent to the node's own
 * receiver reach the continuum process over gRPC.
 */
class ProcessNodeIT {
  private static final String TOPOLOGY =
      """
      MLSysOpsContinuum: {name: pn-continuum, continuum_id: pn-continuum, clusters: [pc]}
      ---
      MLSysOpsCluster: {name: pc, cluster_id: pc, nodes: [host-1]}
      ---
      MLSysOpsNode:
        name: host-1
        cluster_id: pc
        continuum_layer: edge
        environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
        hardware: {cpu: {architecture: amd64, cores: 2, frequency: [1.0, 2.0]}, memory: 4}
      """;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static ProcessContinuum continuum;
  static String api;
  static String token;

  @BeforeAll
  static void start() throws Exception {
    ParseResult parsed = Descriptors.parse(TOPOLOGY, "pn-topology", ParseOptions.DEFAULT);
    assertThat(parsed.errors()).isEmpty();
    continuum = new ProcessContinuum(dir.resolve("data"), parsed.descriptors(), 0,
        new PrintWriter(new StringWriter())).localProcesses(true);
    int port = continuum.start();
    api = "http://127.0.0.1:" + port;
    assertThat(ProcessContinuum.awaitPort(port, Duration.ofSeconds(40))).isTrue();
    token = Files.readString(dir.resolve("data/admin.token")).trim();
  }

  @AfterAll
  static void stop() {
    if (continuum != null) {
      continuum.close();
    }
  }

  @Test
  void aComponentRunsAsALocalProcessAndTheHostsAndTheAppsFiguresReachTheContinuum()
      throws Exception {
    String app = """
        MLSysOpsApp:
          name: ticker
          components:
            - metadata: {name: tick}
              restart_policy: Always
              containers:
                - image: unused
                  command: [sh, -c, "echo ticking-$MARK; exec sleep 300"]
                  env: [{name: MARK, value: it}]
                  platform_requirements:
                    cpu: {requests: "100m"}
                    memory: {requests: "32Mi"}
        """;
    HttpResponse<String> deployed = send("POST", "/api/v1/apps", "application/yaml", app);
    assertThat(deployed.statusCode()).as(deployed.body()).isIn(200, 201, 202);

    await("ticker running").atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().until(() -> "Running".equals(json("/api/v1/apps/ticker")
            .path("phase").asText()));
    // The real process wrote its line to the node agent's per-instance log.
    await("instance log").atMost(20, TimeUnit.SECONDS).ignoreExceptions().until(() -> {
      try (Stream<Path> logs = Files.walk(dir.resolve("data/agents/host-1/logs"))) {
        return logs.filter(p -> p.getFileName().toString().equals("stdout.log"))
            .anyMatch(p -> read(p).contains("ticking-it"));
      }
    });

    // The host collector's /proc figures, summarised per cluster at the continuum.
    await("host figures at the continuum").atMost(40, TimeUnit.SECONDS)
        .pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
        .until(() -> value("node_memory_MemTotal_bytes{cluster=\"pc\"}") > 0);

    // An app's OTLP metric, sent to the node's own receiver, goes up the same way.
    Matcher m = Pattern.compile("OTLP/HTTP receiver on http://127.0.0.1:(\\d+)")
        .matcher(read(continuum.agents().get("host-1").log()));
    assertThat(m.find()).as("the node's OTLP/HTTP port in its log").isTrue();
    String otlp = "http://127.0.0.1:" + m.group(1) + "/v1/metrics";
    // Tenants' instances run on this host and reach loopback: the receiver takes only the token
    // the runtime gave an instance (otlp_auth auto), here the one in the ticker's environment.
    assertThat(postGauge(otlp, null, "it_queue_depth", 7).statusCode()).isEqualTo(401);
    String instanceToken = tokenOfInstanceWith("MARK=it");
    await("app metric at the continuum").atMost(40, TimeUnit.SECONDS)
        .pollInterval(Duration.ofSeconds(1)).ignoreExceptions().until(() -> {
          HttpResponse<String> r = postGauge(otlp, instanceToken, "it_queue_depth", 7);
          assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
          return value("it_queue_depth{cluster=\"pc\",app=\"ticker\"}") == 7;
        });
  }

  /** The OTLP token in the environment of the local process whose environment holds {@code marker}. */
  private static String tokenOfInstanceWith(String marker) {
    return await("the instance's process").atMost(20, TimeUnit.SECONDS).until(() ->
        ProcessHandle.allProcesses().map(p -> read(Path.of("/proc", p.pid() + "", "environ")))
            .map(env -> java.util.Arrays.asList(env.split("\0")))
            .filter(vars -> vars.contains(marker))
            .flatMap(List::stream)
            .filter(v -> v.startsWith("OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20"))
            .map(v -> v.substring(v.indexOf("%20") + 3)).findFirst().orElse(null),
        java.util.Objects::nonNull);
  }

  private static HttpResponse<String> postGauge(String url, String instanceToken, String name,
      double v) throws Exception {
    long now = System.currentTimeMillis() * 1_000_000L;
    String body = """
        {"resourceMetrics": [{"resource": {"attributes": [
           {"key": "service.name", "value": {"stringValue": "it"}}]},
         "scopeMetrics": [{"metrics": [{"name": "%s", "gauge": {"dataPoints": [
           {"timeUnixNano": "%d", "asDouble": %s}]}}]}]}]}
        """.formatted(name, now, v);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json");
    if (instanceToken != null) {
      b.header("Authorization", "Bearer " + instanceToken);
    }
    return HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static double value(String promql) throws Exception {
    JsonNode result = json("/api/v1/telemetry/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8)).path("data").path("result");
    return result.isEmpty() ? -1 : result.get(0).path("value").get(1).asDouble();
  }

  private static JsonNode json(String path) throws Exception {
    return JSON.readTree(send("GET", path, null, null).body());
  }

  private static HttpResponse<String> send(String method, String path, String type, String body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (type != null) {
      b.header("Content-Type", type);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
