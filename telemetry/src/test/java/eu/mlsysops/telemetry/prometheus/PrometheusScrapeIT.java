package eu.mlsysops.telemetry.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import eu.mlsysops.telemetry.DescribedStore;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.host.HostCollector;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package, installed by {@code scripts/install-prometheus.sh}) scrapes
 * a metric store's exposition at {@code /metrics} every second, and its query API returns what the
 * store holds: a gauge, a growing counter, a histogram's quantile, and the host collector's
 * figures.
 */
class PrometheusScrapeIT {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Duration PATIENCE = Duration.ofSeconds(30);
  private static final Pattern VALUE =
      Pattern.compile("\"value\":\\[\\s*[0-9.eE+-]+\\s*,\\s*\"([^\"]+)\"\\s*\\]");

  @TempDir static Path dir;

  private static final DescribedStore store = new DescribedStore(Clock.systemUTC());
  private static final AtomicInteger scrapes = new AtomicInteger();
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static HttpServer agent;
  private static Process prometheus;
  private static String prometheusUrl;
  private static Path log;

  @BeforeAll
  static void startAgentAndPrometheus() throws IOException {
    if (!Files.isExecutable(PROMETHEUS)) {
      fail(
          PROMETHEUS
              + " is missing: run scripts/install-prometheus.sh (installs Debian's prometheus"
              + " package) before mvn verify");
    }
    PrometheusExposition exposition = PrometheusExposition.of(store);
    agent = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    agent.createContext(
        "/metrics",
        exchange -> {
          scrapes.incrementAndGet();
          byte[] body = exposition.render().getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", PrometheusExposition.CONTENT_TYPE);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    agent.start();

    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: agent
            static_configs:
              - targets: ['127.0.0.1:%d']
        """
            .formatted(agent.getAddress().getPort()));
    int port = freePort();
    prometheusUrl = "http://127.0.0.1:" + port;
    log = dir.resolve("prometheus.log");
    prometheus =
        new ProcessBuilder(
                PROMETHEUS.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    await("Prometheus ready on " + prometheusUrl)
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .failFast("Prometheus exited; see its log " + log, () -> !prometheus.isAlive())
        .until(() -> get("/-/ready").statusCode() == 200);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (agent != null) {
      agent.stop(0);
    }
  }

  @Test
  void queriesReturnTheGaugeExactly() {
    store.describe(
        "it_room_temperature_celsius",
        new MetricMetadata(MetricType.GAUGE, "Cel", "Room temperature."));
    append("it_room_temperature_celsius", Labels.of("room", "lab \"B\""), 21.5);
    append("it_room_temperature_celsius", Labels.of("room", "hall"), -3.25);

    awaitValue("it_room_temperature_celsius{room=\"lab \\\"B\\\"\"}", "21.5");
    awaitValue("it_room_temperature_celsius{room=\"hall\"}", "-3.25");
  }

  @Test
  void aGrowingCounterIsFollowed() {
    store.describe(
        "it_requests_total", new MetricMetadata(MetricType.COUNTER, "1", "Requests served."));
    append("it_requests_total", Labels.of("route", "/a"), 10);
    awaitValue("it_requests_total", "10");

    append("it_requests_total", Labels.of("route", "/a"), 25);
    awaitValue("it_requests_total", "25");
    awaitValue("resets(it_requests_total[1m])", "0");
    assertThat(metadataType("it_requests_total")).isEqualTo("counter");
  }

  @Test
  void histogramQuantileIsComputedFromTheBuckets() {
    store.describe(
        "it_latency_seconds", new MetricMetadata(MetricType.HISTOGRAM, "s", "Request latency."));
    String[][] buckets = {{"0.1", "20"}, {"0.5", "70"}, {"1", "90"}, {"+Inf", "100"}};
    for (String[] b : buckets) {
      append(
          "it_latency_seconds_bucket",
          Labels.of("route", "/a", "le", b[0]),
          Double.parseDouble(b[1]));
    }
    append("it_latency_seconds_sum", Labels.of("route", "/a"), 40);
    append("it_latency_seconds_count", Labels.of("route", "/a"), 100);

    // rank 50 falls in (0.1, 0.5]: 0.1 + 0.4 × (50 − 20) / (70 − 20)
    String median = awaitValue("histogram_quantile(0.5, it_latency_seconds_bucket)", null);
    assertThat(Double.parseDouble(median)).isCloseTo(0.34, within(1e-9));
    awaitValue("it_latency_seconds_count", "100");
    awaitValue("it_latency_seconds_sum", "40");
    assertThat(metadataType("it_latency_seconds")).isEqualTo("histogram");
  }

  @Test
  void theHostCollectorsFiguresArriveWithNodeExporterNames() {
    HostCollector host = HostCollector.builder().node("it-node").sink(store).build();
    List<Sample> samples = host.collect();
    double memTotal =
        samples.stream()
            .filter(s -> s.metric().equals("node_memory_MemTotal_bytes"))
            .findFirst()
            .orElseThrow()
            .value();

    String got = awaitValue("node_memory_MemTotal_bytes{node=\"it-node\"}", null);
    assertThat(Double.parseDouble(got)).isEqualTo(memTotal);
    String cpus =
        awaitValue("count(count by (cpu) (node_cpu_seconds_total{node=\"it-node\"}))", null);
    long cpuLabels =
        samples.stream()
            .filter(s -> s.metric().equals("node_cpu_seconds_total"))
            .map(s -> s.labels().get("cpu"))
            .distinct()
            .count();
    assertThat(Integer.parseInt(cpus)).isEqualTo(cpuLabels).isPositive();
  }

  // --- helpers ---------------------------------------------------------------------------

  private static void append(String metric, Labels labels, double value) {
    assertThat(store.accept(new Sample(metric, labels, System.currentTimeMillis(), value)))
        .isTrue();
  }

  /**
   * Waits until the instant query has exactly one result, equal to {@code expected} when given.
   *
   * @return the result's value as Prometheus wrote it
   */
  private static String awaitValue(String promql, String expected) {
    String[] last = new String[1];
    await(
            promql
                + (expected == null ? "" : " == " + expected)
                + " (scrapes so far: "
                + scrapes.get()
                + ", Prometheus log "
                + log
                + ")")
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(
            () -> {
              last[0] = single(get("/api/v1/query?query=" + encode(promql)).body());
              return last[0] != null && (expected == null || expected.equals(last[0]));
            });
    return last[0];
  }

  private static String single(String json) {
    Matcher m = VALUE.matcher(json);
    if (!m.find()) {
      return null;
    }
    String v = m.group(1);
    return m.find() ? null : v;
  }

  /** The type Prometheus learnt from the {@code # TYPE} line, once it has scraped it. */
  private static String metadataType(String metric) {
    Pattern type = Pattern.compile("\"type\":\"([a-z]+)\"");
    String[] found = new String[1];
    await("metadata of " + metric)
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(
            () -> {
              Matcher m = type.matcher(get("/api/v1/metadata?metric=" + encode(metric)).body());
              found[0] = m.find() ? m.group(1) : null;
              return found[0] != null;
            });
    return found[0];
  }

  private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(prometheusUrl + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
