package eu.mlsysops.northbound.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import eu.mlsysops.agent.tier.NodeAgent;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Prometheus scrapes the continuum agent's {@code /metrics} with the admin token, as a
 * user would configure it, and its query API returns what a node agent holds.
 */
class PrometheusScrapeIT {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

  @TempDir static Path dir;
  static ApiFixture api;
  static Process prometheus;
  static String prometheusUrl;

  @BeforeAll
  static void start() throws IOException {
    if (!Files.isExecutable(PROMETHEUS)) {
      fail(PROMETHEUS + " is missing: run scripts/install-prometheus.sh before mvn verify");
    }
    api = ApiFixture.start(dir.resolve("mls"));
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, """
        global: {scrape_interval: 1s, scrape_timeout: 1s}
        scrape_configs:
          - job_name: mlsysops-nodes
            metrics_path: /metrics
            params: {level: [node]}
            authorization: {credentials_file: %s}
            static_configs: [{targets: ['127.0.0.1:%d']}]
        """.formatted(api.server.adminTokenFile(), api.server.port()));
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    prometheusUrl = "http://127.0.0.1:" + port;
    Path log = dir.resolve("prometheus.log");
    prometheus = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
        "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    await("Prometheus ready").atMost(Duration.ofSeconds(30)).ignoreExceptions()
        .failFast("Prometheus exited; see " + log, () -> !prometheus.isAlive())
        .until(() -> query("up").statusCode() == 200);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (api != null) {
      api.close();
    }
  }

  static HttpResponse<String> query(String promql) {
    return api.send(HttpRequest.newBuilder(URI.create(prometheusUrl + "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).build());
  }

  static String value(String promql) {
    JsonNode result = ApiFixture.json(query(promql)).get("data").get("result");
    return result.isEmpty() ? null : result.get(0).get("value").get(1).asText();
  }

  @Test
  void prometheusScrapesTheNodeTierWithTheTokenAndAnswersWithTheNodesValue() {
    NodeAgent node = api.continuum.nodes().get("edge-2");
    // A fresh sample every poll, so a scrape always finds it within the exposition's lookback.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
      node.ingest(new Sample("it_queue_depth", Labels.of("node", "edge-2", "queue", "jobs"),
          api.continuum.clock().millis(), 17));
      return "17".equals(value("it_queue_depth{job=\"mlsysops-nodes\",queue=\"jobs\"}"));
    });
    assertThat(value("up{job=\"mlsysops-nodes\"}")).isEqualTo("1");
    // The agents' own health came along.
    assertThat(value("count(mls_telemetry_series{tier=\"node\"})")).isEqualTo("8");
  }
}
