package eu.mlsysops.mlconnector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TelemetryDatasetTest {
  static final long NOW = 1_800_000_000_000L;
  @TempDir Path dir;

  /** Two nodes' cpu and one instance's latency, which follows node n1's cpu. */
  private static MetricStore store() {
    MetricStore s = MetricStore.withDefaults(Clock.fixed(Instant.ofEpochMilli(NOW),
        ZoneOffset.UTC));
    for (int i = 0; i < 120; i++) {
      long t = NOW - 119_000 + i * 1000L;
      double cpu = 0.5 + 0.4 * Math.sin(i / 7.0);
      s.append(new Sample("node_cpu_utilization", Labels.of("node", "n1"), t, cpu));
      s.append(new Sample("node_cpu_utilization", Labels.of("node", "n2"), t, 0.1));
      s.append(new Sample("detector_latency_ms", Labels.of("app", "cam", "node", "n1"), t,
          20 + 100 * cpu));
    }
    return s;
  }

  private static ModelSpec spec() {
    return new ModelSpec(ModelId.random(), "latency", ModelKind.REGRESSION, Algorithm.LINEAR,
        List.of(Feature.input("cpu"), Feature.target("latency_ms")), Map.of(), null, List.of(),
        "admin", null, 0, Map.of());
  }

  @Test
  void aModelTrainedFromTelemetryQueriesPredictsTheTarget() throws Exception {
    try (MlService ml = new MlService(dir, Clock.fixed(Instant.ofEpochMilli(NOW),
        ZoneOffset.UTC))) {
      ModelSpec spec = ml.register(spec());

      ModelVersion v = ml.trainFromTelemetry(spec.id(), new TelemetryDataset("node",
          Map.of("cpu", "node_cpu_utilization{node=\"n1\"}"), "avg(detector_latency_ms)",
          Duration.ofMinutes(2), Duration.ofSeconds(1), null), store());

      assertThat(v.metrics().get("rows") + v.metrics().get("holdout_rows")).isEqualTo(120);
      assertThat(v.metrics().get("rmse")).isLessThan(0.5);
      assertThat(ml.uploads(spec.id())).singleElement().satisfies(u -> {
        assertThat(u.filename()).isEqualTo("telemetry-" + NOW + ".csv");
        assertThat(u.sha256()).isEqualTo(v.data());
      });
      assertThat(ml.predict(spec.id(), Map.of("cpu", 0.7)).output().value())
          .isCloseTo(90, within(1.0));
    }
  }

  @Test
  void anExpressionThatDoesNotGiveOneSeriesIsNamed() throws Exception {
    try (MlService ml = new MlService(dir, Clock.fixed(Instant.ofEpochMilli(NOW),
        ZoneOffset.UTC))) {
      ModelSpec spec = ml.register(spec());
      Duration w = Duration.ofMinutes(2);
      Duration s = Duration.ofSeconds(1);

      assertThatThrownBy(() -> ml.trainFromTelemetry(spec.id(), new TelemetryDataset("node",
          Map.of("cpu", "node_cpu_utilization"), "avg(detector_latency_ms)", w, s, null), store()))
          .hasMessage("telemetry.features.cpu: \"node_cpu_utilization\" gives 2 series;"
              + " aggregate them to one (e.g. avg(…))");
      assertThatThrownBy(() -> ml.trainFromTelemetry(spec.id(), new TelemetryDataset("node",
          Map.of("cpu", "avg(node_cpu_utilization"), "avg(detector_latency_ms)", w, s, null), store()))
          .hasMessageStartingWith("telemetry.features.cpu: 1:");
      assertThatThrownBy(() -> ml.trainFromTelemetry(spec.id(), new TelemetryDataset("node",
          Map.of("cpu", "avg(node_cpu_utilization)"), "nothing_here", w, s, null), store()))
          .hasMessageStartingWith("telemetry.target: \"nothing_here\" gives no series");
      assertThatThrownBy(() -> ml.trainFromTelemetry(spec.id(), new TelemetryDataset("node",
          Map.of("fps", "avg(node_cpu_utilization)"), "avg(detector_latency_ms)", w, s, null), store()))
          .hasMessageStartingWith("telemetry.features: \"fps\" is not an input");
      assertThat(ml.versions(spec.id())).isEmpty();
    }
  }
}
