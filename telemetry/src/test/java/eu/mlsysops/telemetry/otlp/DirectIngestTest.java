package eu.mlsysops.telemetry.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DirectIngestTest {
  private static final long T = Otlp.T0_MILLIS;
  private final Map<String, MetricMetadata> metadata = Map.of(
      "cpu", new MetricMetadata(MetricType.GAUGE, "1", "CPU utilisation"),
      "requests", new MetricMetadata(MetricType.COUNTER, "{request}", ""),
      "inflight", MetricMetadata.of(MetricType.UP_DOWN_COUNTER),
      "latency", new MetricMetadata(MetricType.HISTOGRAM, "s", "Latency"),
      "rtt", new MetricMetadata(MetricType.SUMMARY, "ms", "Round trip"));
  private final Function<String, Optional<MetricMetadata>> known =
      m -> Optional.ofNullable(metadata.get(m));
  private final List<Sample> samples = List.of(
      new Sample("cpu", Labels.of("node", "n1", "app", "a"), T, 0.5),
      new Sample("requests", Labels.of("app", "a"), T, 100),
      new Sample("cpu", Labels.of("app", "b"), T + 1, 0.25),
      new Sample("inflight", Labels.EMPTY, T, -2),
      new Sample("latency_bucket", Labels.of("le", "0.1"), T, 3),
      new Sample("latency_sum", Labels.EMPTY, T, 0.2),
      new Sample("rtt", Labels.of("quantile", "0.9"), T, 12),
      new Sample("stale", Labels.EMPTY, T, Double.NaN),
      new Sample("huge", Labels.EMPTY, T, Double.POSITIVE_INFINITY),
      new Sample("unknown", Labels.of("k", "v"), T + 2, 7));

  @Test
  void storesWhatTranslatingTheEncodedRequestStores() {
    CollectingSink viaOtlp = new CollectingSink();
    OtlpMetricsTranslator.builder(viaOtlp).nodeName("edge-1")
        .clock(Clock.fixed(Instant.ofEpochMilli(T), ZoneOffset.UTC)).build()
        .translate(new OtlpMetricsEncoder("edge-1").encode(samples, known));
    CollectingSink direct = new CollectingSink();

    int kept = new DirectIngest("edge-1", direct).deliver(samples, known);

    assertThat(direct.samples()).containsExactlyInAnyOrderElementsOf(viaOtlp.samples());
    assertThat(direct.metadata()).containsExactlyInAnyOrderEntriesOf(viaOtlp.metadata());
    assertThat(kept).isEqualTo(viaOtlp.samples().size()).isEqualTo(8);
    assertThat(direct.samples()).allSatisfy(s -> assertThat(s.labels().get("node")).isNotNull());
    assertThat(direct.last("cpu", Labels.of("node", "n1", "app", "a"))).isEqualTo(0.5);
    assertThat(direct.metadata()).containsEntry("rtt", new MetricMetadata(MetricType.GAUGE, "ms",
        "Round trip"));
  }

  @Test
  void describesAMetricAgainOnlyWhenWhatIsKnownOfItChanges() {
    CollectingSink sink = new CollectingSink();
    DirectIngest ingest = new DirectIngest(null, sink);
    List<Sample> one = List.of(new Sample("cpu", Labels.of("node", "n1"), T, 0.5),
        new Sample("cpu", Labels.of("node", "n2"), T, 0.6));

    ingest.deliver(one, known);
    ingest.deliver(one, known);
    ingest.deliver(one, m -> Optional.empty());

    assertThat(sink.describeCalls()).isEqualTo(2);
    assertThat(sink.metadata()).containsEntry("cpu", MetricMetadata.of(MetricType.GAUGE));
  }

  @Test
  void withoutANodeNameSeriesKeepTheirLabels() {
    CollectingSink sink = new CollectingSink();

    new DirectIngest(null, sink).deliver(List.of(new Sample("x", Labels.of("k", "v"), T, 1)),
        known);

    assertThat(sink.samples()).containsExactly(new Sample("x", Labels.of("k", "v"), T, 1));
  }
}
