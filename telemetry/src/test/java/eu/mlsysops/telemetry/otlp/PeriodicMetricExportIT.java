package eu.mlsysops.telemetry.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A store exported to a real OTLP/gRPC receiver standing in for an external collector. */
class PeriodicMetricExportIT {
  private final Clock clock = Clock.systemUTC();
  private final MetricStore agent = MetricStore.withDefaults(clock);
  private final MetricStore collector = MetricStore.withDefaults(clock);

  @Test
  void sendsEachChangedSeriesOnceWithItsTypeAndLabels() {
    long now = clock.millis();
    agent.describe("jobs_total", new MetricMetadata(MetricType.COUNTER, "1", "Jobs done"));
    agent.append(new Sample("jobs_total", Labels.of("cluster", "edge"), now - 1000, 7));
    agent.append(new Sample("jobs_total", Labels.of("cluster", "edge"), now, 9));
    agent.append(new Sample("temperature", Labels.of("cluster", "cloud"), now, 41.5));

    OtlpMetricsTranslator translator = OtlpMetricsTranslator.builder(collector).build();
    try (OtlpGrpcReceiver receiver = OtlpGrpcReceiver.builder(translator).port(0).build().start();
        OtlpGrpcExporter exporter =
            OtlpGrpcExporter.builder("127.0.0.1:" + receiver.port()).build();
        PeriodicMetricExport export =
            PeriodicMetricExport.start(agent, exporter, "continuum", clock, Duration.ofHours(1))) {
      assertThat(export.exportOnce()).isEqualTo(2);
      await().atMost(Duration.ofSeconds(10)).until(() -> exporter.stats().sent() == 1);
      assertThat(collector.latest("jobs_total", Map.of("cluster", "edge"))).hasValue(9);
      assertThat(collector.latest("temperature", Map.of("cluster", "cloud"))).hasValue(41.5);
      assertThat(collector.metadata("jobs_total").orElseThrow().type())
          .isEqualTo(MetricType.COUNTER);

      // Nothing changed: nothing sent. One series moves: only it goes.
      assertThat(export.exportOnce()).isZero();
      agent.append(new Sample("temperature", Labels.of("cluster", "cloud"), now + 500, 42));
      assertThat(export.exportOnce()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> exporter.stats().sent() == 2);
      assertThat(collector.latest("temperature", Map.of("cluster", "cloud"))).hasValue(42);
      assertThat(export.samplesExported()).isEqualTo(3);
    }
  }
}
