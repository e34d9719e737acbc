package eu.mlsysops.telemetry.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OtlpMetricsEncoderTest {
  private static final long T = Otlp.T0_MILLIS;
  private final Map<String, MetricMetadata> metadata =
      Map.of(
          "cpu", new MetricMetadata(MetricType.GAUGE, "1", "CPU utilisation"),
          "requests", new MetricMetadata(MetricType.COUNTER, "{request}", ""),
          "inflight", MetricMetadata.of(MetricType.UP_DOWN_COUNTER),
          "latency", new MetricMetadata(MetricType.HISTOGRAM, "s", "Latency"));
  private final List<Sample> samples =
      List.of(
          new Sample("cpu", Labels.of("node", "n1", "app", "a"), T, 0.5),
          new Sample("cpu", Labels.of("node", "n2", "app", "a"), T + 1, 0.25),
          new Sample("requests", Labels.of("node", "n1"), T, 100),
          new Sample("inflight", Labels.EMPTY, T, -2),
          new Sample("latency_bucket", Labels.of("le", "0.1"), T, 3),
          new Sample("latency_sum", Labels.EMPTY, T, 0.2),
          new Sample("unknown", Labels.of("k", "v"), T + 2, 7));

  @Test
  void encodedSamplesTranslateBackToTheSameSamplesAndTypes() {
    ExportMetricsServiceRequest r =
        new OtlpMetricsEncoder("cluster-1")
            .encode(samples, m -> Optional.ofNullable(metadata.get(m)));
    CollectingSink sink = new CollectingSink();

    IngestOutcome o =
        OtlpMetricsTranslator.builder(sink)
            .clock(
                java.time.Clock.fixed(java.time.Instant.ofEpochMilli(T), java.time.ZoneOffset.UTC))
            .build()
            .translate(r);

    assertThat(o.complete()).isTrue();
    assertThat(sink.samples()).containsExactlyElementsOf(samples);
    assertThat(sink.metadata())
        .containsEntry("cpu", metadata.get("cpu"))
        .containsEntry("requests", metadata.get("requests"))
        .containsEntry("inflight", metadata.get("inflight"))
        .containsEntry("latency_bucket", new MetricMetadata(MetricType.COUNTER, "s", "Latency"))
        .containsEntry("unknown", MetricMetadata.of(MetricType.GAUGE));
  }

  @Test
  void countersAreMonotonicCumulativeSumsAndTheSenderIsAResourceAttribute() {
    ExportMetricsServiceRequest r =
        new OtlpMetricsEncoder("cluster-1")
            .encode(samples, m -> Optional.ofNullable(metadata.get(m)));

    assertThat(r.getResourceMetrics(0).getResource().getAttributesList())
        .containsExactly(Otlp.attr(OtlpMetricsEncoder.SENDER_ATTRIBUTE, "cluster-1"));
    Metric requests = r.getResourceMetrics(0).getScopeMetrics(0).getMetrics(1);
    assertThat(requests.getName()).isEqualTo("requests");
    assertThat(requests.getSum().getIsMonotonic()).isTrue();
    assertThat(requests.getSum().getDataPoints(0).getTimeUnixNano()).isEqualTo(T * 1_000_000L);
    assertThat(r.getResourceMetrics(0).getScopeMetrics(0).getMetrics(2).getSum().getIsMonotonic())
        .isFalse();
  }
}
