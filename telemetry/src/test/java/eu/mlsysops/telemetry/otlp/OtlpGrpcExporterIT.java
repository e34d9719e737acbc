package eu.mlsysops.telemetry.otlp;

import static eu.mlsysops.telemetry.otlp.Otlp.gauge;
import static eu.mlsysops.telemetry.otlp.Otlp.point;
import static eu.mlsysops.telemetry.otlp.Otlp.request;
import static eu.mlsysops.telemetry.otlp.Signals.logs;
import static eu.mlsysops.telemetry.otlp.Signals.spans;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.telemetry.MetricStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The exporter against a real receiver: delivery, retry while it is down, drops when full. */
class OtlpGrpcExporterIT {
  private final MetricStore store = MetricStore.withDefaults(Clock.systemUTC());
  private final OtlpMetricsTranslator translator =
      OtlpMetricsTranslator.builder(store::append).build();
  private final RecentSignals signals = new RecentSignals(100);

  @Test
  void deliversMetricsLogsAndTracesInOrder() {
    try (OtlpGrpcReceiver receiver = receiver(0);
        OtlpGrpcExporter exporter =
            OtlpGrpcExporter.builder("127.0.0.1:" + receiver.port()).gzip(true).build()) {
      assertThat(exporter.export(request(gauge("up", point(0, 1))))).isTrue();
      assertThat(exporter.forward(logs("l1", "l2"))).isTrue();
      assertThat(exporter.forward(spans("s1"))).isTrue();

      await().atMost(Duration.ofSeconds(10)).until(() -> exporter.stats().sent() == 3);
      assertThat(store.latest("up", Map.of())).hasValue(1);
      assertThat(signals.logs())
          .extracting(r -> r.item().getBody().getStringValue())
          .containsExactly("l1", "l2");
      assertThat(signals.spans()).extracting(r -> r.item().getName()).containsExactly("s1");
    }
  }

  @Test
  void retriesWhileTheEndpointIsUnavailable() throws IOException {
    int port = freePort();
    try (OtlpGrpcExporter exporter =
        OtlpGrpcExporter.builder("127.0.0.1:" + port)
            .maxAttempts(100)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
            .build()) {
      exporter.forward(logs("late"));
      await().atMost(Duration.ofSeconds(10)).until(() -> exporter.stats().retries() >= 1);
      assertThat(exporter.stats().lastError()).startsWith("UNAVAILABLE");

      try (OtlpGrpcReceiver receiver = receiver(port)) {
        assertThat(receiver.port()).isEqualTo(port);
        await().atMost(Duration.ofSeconds(10)).until(() -> exporter.stats().sent() == 1);
        assertThat(signals.logs()).hasSize(1);
        assertThat(exporter.stats().failed()).isZero();
      }
    }
  }

  @Test
  void dropsAndCountsWhenTheQueueIsFull() throws IOException {
    int port = freePort();
    try (OtlpGrpcExporter exporter =
        OtlpGrpcExporter.builder("127.0.0.1:" + port)
            .queueCapacity(2)
            .maxAttempts(1000)
            .backoff(Duration.ofMinutes(1), Duration.ofMinutes(1))
            .build()) {
      long refused = IntStream.range(0, 10).filter(i -> !exporter.forward(spans("s" + i))).count();

      assertThat(refused).isBetween(7L, 8L); // two queued, and maybe one in flight
      assertThat(exporter.stats().dropped()).isEqualTo(refused);
    }
  }

  @Test
  void givesUpOnNonRetryableStatuses() {
    try (OtlpGrpcReceiver receiver =
            OtlpGrpcReceiver.builder(translator)
                .port(0)
                .maxMessageBytes(10)
                .signals(signals)
                .build()
                .start();
        OtlpGrpcExporter exporter =
            OtlpGrpcExporter.builder("127.0.0.1:" + receiver.port()).build()) {
      exporter.forward(logs("far too long for ten bytes"));

      await().atMost(Duration.ofSeconds(10)).until(() -> exporter.stats().failed() == 1);
      assertThat(exporter.stats().retries()).isZero();
      assertThat(exporter.stats().lastError()).startsWith("RESOURCE_EXHAUSTED");
    }
  }

  private OtlpGrpcReceiver receiver(int port) {
    return OtlpGrpcReceiver.builder(translator).port(port).signals(signals).build().start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
