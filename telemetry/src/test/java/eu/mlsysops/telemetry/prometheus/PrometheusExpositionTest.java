package eu.mlsysops.telemetry.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.telemetry.DescribedStore;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.TelemetryQuery;
import eu.mlsysops.telemetry.host.HostCollector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrometheusExpositionTest {
  private static final long NOW = 100_000;
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

  @Test
  void writesRepresentativeMetricsExactly() throws IOException {
    DescribedStore store = representativeStore();

    String text =
        PrometheusExposition.builder(store).lookback(Duration.ofMinutes(1)).build().render();

    assertThat(text).isEqualTo(resource("/prometheus/representative.txt"));
    assertThat(TextFormatChecker.problems(text)).isEmpty();
  }

  @Test
  void timestampsAreOptional() {
    DescribedStore store = new DescribedStore(clock);
    store.describe("node_load1", new MetricMetadata(MetricType.GAUGE, "1", ""));
    store.accept(new Sample("node_load1", Labels.of("node", "n1"), 99_000, 0.5));

    assertThat(PrometheusExposition.of(store).render())
        .isEqualTo("# TYPE node_load1 gauge\nnode_load1{node=\"n1\"} 0.5\n");
    String withTimestamps = PrometheusExposition.builder(store).timestamps(true).build().render();
    assertThat(withTimestamps)
        .isEqualTo("# TYPE node_load1 gauge\nnode_load1{node=\"n1\"} 0.5 99000\n");
    assertThat(TextFormatChecker.problems(withTimestamps)).isEmpty();
  }

  @Test
  void seriesOlderThanTheLookbackAreLeftOut() {
    DescribedStore store = new DescribedStore(clock);
    store.accept(new Sample("m", Labels.of("s", "fresh"), 95_000, 1));
    store.accept(new Sample("m", Labels.of("s", "stale"), 85_000, 2));
    store.accept(new Sample("gone", Labels.EMPTY, 80_000, 3));

    String text =
        PrometheusExposition.builder(store).lookback(Duration.ofSeconds(10)).build().render();

    assertThat(text).isEqualTo("# TYPE m untyped\nm{s=\"fresh\"} 1\n");
  }

  @Test
  void aPlainMetricStoreIsExposedUntyped() {
    MetricStore store = MetricStore.withDefaults(clock);
    store.append(
        new Sample("node_cpu_seconds_total", Labels.of("cpu", "0", "mode", "idle"), 99_000, 12.5));

    assertThat(PrometheusExposition.of(store).render())
        .isEqualTo(
            "# TYPE node_cpu_seconds_total untyped\n"
                + "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 12.5\n");
  }

  @Test
  void specialValuesAreSpeltAsPrometheusDoes() {
    TelemetryQuery q =
        new FixedQuery(
            List.of(
                new Sample("v", Labels.of("k", "a"), NOW, Double.NaN),
                new Sample("v", Labels.of("k", "b"), NOW, Double.POSITIVE_INFINITY),
                new Sample("v", Labels.of("k", "c"), NOW, Double.NEGATIVE_INFINITY),
                new Sample("v", Labels.of("k", "d"), NOW, -3),
                new Sample("v", Labels.of("k", "e"), NOW, -0.5),
                new Sample("v", Labels.of("k", "f"), NOW, 1e15),
                new Sample("v", Labels.of("k", "g"), NOW, 123456789012345.0),
                new Sample("v", Labels.of("k", "h"), NOW, Double.MIN_VALUE)));

    String text = PrometheusExposition.of(q).render();

    assertThat(text)
        .isEqualTo(
            """
            # TYPE v untyped
            v{k="a"} NaN
            v{k="b"} +Inf
            v{k="c"} -Inf
            v{k="d"} -3
            v{k="e"} -0.5
            v{k="f"} 1.0e15
            v{k="g"} 123456789012345
            v{k="h"} 4.9e-324
            """);
    assertThat(TextFormatChecker.problems(text)).isEmpty();
  }

  @Test
  void namesThatBecomeEqualShareOneFamily() {
    DescribedStore store = new DescribedStore(clock);
    store.describe("a.b", new MetricMetadata(MetricType.COUNTER, "1", "dotted"));
    store.accept(new Sample("a.b", Labels.of("x", "1"), 99_000, 1));
    store.accept(new Sample("a_b", Labels.of("x", "2"), 99_000, 2));
    store.accept(new Sample("a-b", Labels.of("x", "3"), 99_000, 3));

    String text = PrometheusExposition.of(store).render();

    assertThat(text)
        .isEqualTo(
            """
            # HELP a_b dotted
            # TYPE a_b counter
            a_b{x="1"} 1
            a_b{x="2"} 2
            a_b{x="3"} 3
            """);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http.server.duration=http_server_duration",
        "0day=_0day",
        "ok:name_1=ok:name_1",
        "späti=sp_ti",
        "with space=with_space"
      })
  void metricNamesAreSanitised(String pair) {
    String[] p = pair.split("=");
    assertThat(PrometheusExposition.metricName(p[0])).isEqualTo(p[1]);
  }

  @Test
  void labelNamesAreSanitisedWithoutColons() {
    assertThat(PrometheusExposition.labelName("service.name")).isEqualTo("service_name");
    assertThat(PrometheusExposition.labelName("a:b")).isEqualTo("a_b");
    assertThat(PrometheusExposition.labelName("9lives")).isEqualTo("_9lives");
    assertThat(PrometheusExposition.labelName("")).isEqualTo("_");
  }

  @Test
  void writesUtf8ToAStream() throws IOException {
    DescribedStore store = new DescribedStore(clock);
    store.accept(new Sample("m", Labels.of("city", "Zürich"), 99_000, 1));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    PrometheusExposition.of(store).writeTo(out);

    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo("# TYPE m untyped\nm{city=\"Zürich\"} 1\n");
    assertThat(PrometheusExposition.CONTENT_TYPE)
        .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
  }

  @Test
  void anEmptyStoreGivesAnEmptyBody() {
    assertThat(PrometheusExposition.of(new DescribedStore(clock)).render()).isEmpty();
  }

  @Test
  void theHostCollectorsFiguresAreValidExposition() throws URISyntaxException {
    for (String fixture : List.of("vm", "edge")) {
      DescribedStore store = new DescribedStore(clock);
      Path root = Path.of(getClass().getResource("/host/" + fixture).toURI());
      HostCollector host =
          HostCollector.builder()
              .procRoot(root.resolve("proc"))
              .sysRoot(root.resolve("sys"))
              .node("n1")
              .clock(clock)
              .sink(store)
              .build();
      host.collect();

      String text = PrometheusExposition.of(store).render();

      assertThat(TextFormatChecker.problems(text)).as(fixture).isEmpty();
      assertThat(text)
          .contains("# TYPE node_cpu_seconds_total counter\n")
          .contains("# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\n");
    }
  }

  @Test
  void theCheckerRejectsWhatIsNotTheFormat() {
    assertThat(TextFormatChecker.problems("m 1")).isNotEmpty(); // no final newline
    assertThat(TextFormatChecker.problems("m{a=\"1\"} one\n")).isNotEmpty();
    assertThat(TextFormatChecker.problems("m{a=\"x\"y\"} 1\n")).isNotEmpty();
    assertThat(TextFormatChecker.problems("m{a.b=\"x\"} 1\n")).isNotEmpty();
    assertThat(TextFormatChecker.problems("a.b 1\n")).isNotEmpty();
    assertThat(TextFormatChecker.problems("m 1\n# TYPE m gauge\n")).isNotEmpty();
    assertThat(TextFormatChecker.problems("# TYPE m gauge\n# TYPE m gauge\nm 1\n")).isNotEmpty();
    assertThat(TextFormatChecker.problems("m 1\nn 1\nm 2\n")).isNotEmpty();
    assertThat(TextFormatChecker.problems("# TYPE h histogram\nh_bucket 1\n")).isNotEmpty();
    assertThat(TextFormatChecker.problems("# TYPE m gauge\nm Infinity\n")).isNotEmpty();
    assertThat(TextFormatChecker.problems("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\n"))
        .isEmpty();
  }

  @Test
  void lookbackMustBePositive() {
    assertThatThrownBy(
            () -> PrometheusExposition.builder(new DescribedStore(clock)).lookback(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private DescribedStore representativeStore() {
    DescribedStore s = new DescribedStore(clock);
    long t = 99_000;
    s.describe("node_load1", new MetricMetadata(MetricType.GAUGE, "1", "1m load average."));
    s.accept(new Sample("node_load1", Labels.of("node", "n2"), t, 1.25));
    s.accept(new Sample("node_load1", Labels.of("node", "n1"), t, 0.5));

    s.describe(
        "http.server.requests",
        new MetricMetadata(MetricType.COUNTER, "1", "Requests served.\nBy route, \\ escaped."));
    s.accept(
        new Sample(
            "http.server.requests",
            Labels.of("http.route", "/say \"hi\"\\now\nnext", "method", "POST"),
            t,
            3));
    s.accept(
        new Sample("http.server.requests", Labels.of("http.route", "/a", "method", "GET"), t, 10));

    s.describe(
        "rpc_latency_seconds", new MetricMetadata(MetricType.HISTOGRAM, "s", "RPC latency."));
    for (String[] b : new String[][] {{"+Inf", "5"}, {"10", "4"}, {"0.5", "1"}, {"2.5", "3"}}) {
      s.accept(
          new Sample(
              "rpc_latency_seconds_bucket",
              Labels.of("svc", "a", "le", b[0]),
              t,
              Double.parseDouble(b[1])));
    }
    s.accept(new Sample("rpc_latency_seconds_sum", Labels.of("svc", "a"), t, 12.5));
    s.accept(new Sample("rpc_latency_seconds_count", Labels.of("svc", "a"), t, 5));
    s.accept(new Sample("rpc_latency_seconds_count", Labels.of("svc", "b"), t, 1));
    s.accept(new Sample("rpc_latency_seconds_sum", Labels.of("svc", "b"), t, 0.25));
    s.accept(new Sample("rpc_latency_seconds_bucket", Labels.of("svc", "b", "le", "+Inf"), t, 1));
    s.accept(new Sample("rpc_latency_seconds_bucket", Labels.of("svc", "b", "le", "0.5"), t, 0));

    s.describe("gc_pause_seconds", new MetricMetadata(MetricType.SUMMARY, "s", "GC pauses."));
    s.accept(new Sample("gc_pause_seconds", Labels.of("quantile", "0.99"), t, 0.04));
    s.accept(new Sample("gc_pause_seconds", Labels.of("quantile", "0.5"), t, 0.01));
    s.accept(new Sample("gc_pause_seconds_sum", Labels.EMPTY, t, 1.5));
    s.accept(new Sample("gc_pause_seconds_count", Labels.EMPTY, t, 100));

    s.describe("queue.depth", MetricMetadata.of(MetricType.UP_DOWN_COUNTER));
    s.accept(new Sample("queue.depth", Labels.EMPTY, t, 7));

    s.accept(new Sample("mystery", Labels.of("2nd", "x"), t, 1e20));
    s.accept(new Sample("tiny", Labels.EMPTY, t, 0.00001));

    s.describe(
        "node_memory_MemTotal_bytes",
        new MetricMetadata(MetricType.GAUGE, "By", "Memory information field MemTotal_bytes."));
    s.accept(new Sample("node_memory_MemTotal_bytes", Labels.EMPTY, t, 24684092 * 1024.0));

    s.describe("old_metric", MetricMetadata.of(MetricType.GAUGE));
    s.accept(new Sample("old_metric", Labels.EMPTY, 30_000, 1)); // 70 s old: beyond the lookback
    return s;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = PrometheusExpositionTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** A query over fixed samples, which may hold what a MetricStore refuses (NaN, infinities). */
  private record FixedQuery(List<Sample> samples) implements TelemetryQuery {
    @Override
    public OptionalDouble latest(String metric, Map<String, String> matchers) {
      return OptionalDouble.empty();
    }

    @Override
    public List<Series> range(String metric, Map<String, String> matchers, Duration window) {
      return samples.stream()
          .filter(s -> s.metric().equals(metric))
          .map(s -> new Series(metric, s.labels(), List.of(s)))
          .toList();
    }

    @Override
    public OptionalDouble avgOverWindow(String metric, Map<String, String> m, Duration w) {
      return OptionalDouble.empty();
    }

    @Override
    public OptionalDouble maxOverWindow(String metric, Map<String, String> m, Duration w) {
      return OptionalDouble.empty();
    }

    @Override
    public List<String> metricNames() {
      return samples.stream().map(Sample::metric).distinct().sorted().toList();
    }
  }
}
