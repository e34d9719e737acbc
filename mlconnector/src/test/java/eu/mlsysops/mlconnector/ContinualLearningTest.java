package eu.mlsysops.mlconnector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The drift scenario: a latency model learned while a node ran lightly loaded; the load shifts
 * and the node behaves differently; the model's inputs drift, it is retrained on the latest
 * telemetry, the candidate is better on the newest data and promoted, its error is back down,
 * and a rollback brings the old version back.
 */
class ContinualLearningTest {
  @TempDir Path dir;

  /** A clock the test moves. */
  static final class Hands extends Clock {
    volatile long now = 1_800_000_000_000L;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(now);
    }
  }

  private static final Labels NODE = Labels.of("node", "n1");

  /** Two minutes of telemetry up to {@code end}: cpu in [lo, hi), latency = base + slope cpu. */
  private static void load(MetricStore s, long end, double lo, double hi, double base,
      double slope, long seed) {
    Random r = new Random(seed);
    for (int i = 0; i < 120; i++) {
      long t = end - 119_000 + i * 1000L;
      double cpu = lo + (hi - lo) * r.nextDouble();
      s.append(new Sample("cpu", NODE, t, cpu));
      s.append(new Sample("latency_ms", NODE, t, base + slope * cpu));
    }
  }

  @Test
  void driftedInputsRetrainTheModelAndABetterCandidateIsPromoted() throws Exception {
    Hands clock = new Hands();
    MetricStore store = MetricStore.withDefaults(clock);
    List<String> events = new CopyOnWriteArrayList<>();
    try (MlService ml = new MlService(dir, clock, Runnable::run)) {
      ml.telemetry((level, who) -> store);
      ml.events((kind, message) -> events.add(message));
      ModelSpec spec = ml.register(new ModelSpec(ModelId.random(), "latency",
          ModelKind.REGRESSION, Algorithm.LINEAR,
          List.of(Feature.input("cpu"), Feature.target("latency_ms")), Map.of(), null,
          List.of(), "admin", null, 0, Map.of()));
      TelemetryDataset data = new TelemetryDataset("node", Map.of("cpu", "max(cpu)"),
          "max(latency_ms)", Duration.ofMinutes(2), Duration.ofSeconds(1), null);

      load(store, clock.now, 0.2, 0.5, 20, 100, 1);
      ml.trainFromTelemetry(spec.id(), data, store);
      Random r = new Random(2);
      for (int i = 0; i < 300; i++) { // inputs like the training data: no drift
        ml.predict(spec.id(), Map.of("cpu", 0.2 + 0.3 * r.nextDouble()));
      }
      assertThat(ml.drift(spec.id()).orElseThrow().drifted()).isEmpty();
      assertThat(events).isEmpty();

      // Ten minutes later the node runs hot and slower per unit of load.
      clock.now += 600_000;
      load(store, clock.now, 0.6, 0.95, 50, 200, 3);
      double before = Math.abs(ml.predict(spec.id(), Map.of("cpu", 0.8)).output().value()
          - (50 + 200 * 0.8));
      for (int i = 0; i < 300 && ml.versions(spec.id()).size() == 1; i++) {
        ml.predict(spec.id(), Map.of("cpu", 0.6 + 0.35 * r.nextDouble()));
      }

      assertThat(events).hasSize(2);
      assertThat(events.get(0)).startsWith("model latency: its inputs drifted from its training"
          + " data: cpu (PSI ");
      assertThat(events.get(1)).startsWith("model latency: retrained on drift; v2 promoted"
          + " (rmse ").endsWith("v1 stays for a rollback");
      ModelVersion v2 = ml.versions(spec.id()).get(1);
      assertThat(v2.stage()).isEqualTo(Stage.SERVING);
      assertThat(v2.parent()).isEqualTo(1);
      double after = Math.abs(ml.predict(spec.id(), Map.of("cpu", 0.8)).output().value()
          - (50 + 200 * 0.8));
      assertThat(before).isGreaterThan(50);
      assertThat(after).isLessThan(1);

      assertThat(ml.rollback(spec.id()).version()).isEqualTo(1);
      assertThat(ml.predict(spec.id(), Map.of("cpu", 0.8)).output().value())
          .isCloseTo(20 + 100 * 0.8, within(1.0));
    }
  }

  @Test
  void whatActuallyHappenedDriftsWhileTheInputsDoNotAndTheModelLearnsIt() throws Exception {
    Hands clock = new Hands();
    MetricStore store = MetricStore.withDefaults(clock);
    List<String> events = new CopyOnWriteArrayList<>();
    try (MlService ml = new MlService(dir, clock, Runnable::run)) {
      ml.telemetry((level, who) -> store);
      ml.events((kind, message) -> events.add(message));
      ModelSpec spec = ml.register(new ModelSpec(ModelId.random(), "latency",
          ModelKind.REGRESSION, Algorithm.LINEAR,
          List.of(Feature.input("cpu"), Feature.target("latency_ms")), Map.of(), null,
          List.of(), "admin", null, 0, Map.of()));
      TelemetryDataset data = new TelemetryDataset("node", Map.of("cpu", "max(cpu)"),
          "max(latency_ms)", Duration.ofMinutes(2), Duration.ofSeconds(1), null);
      load(store, clock.now, 0.2, 0.5, 20, 100, 1);
      ml.trainFromTelemetry(spec.id(), data, store);

      // Every second a sample; every ten the continuum checks the model against it. Two
      // minutes as trained, then the same load costs 40 ms more (a neighbour took the cache).
      Random r = new Random(5);
      int promotedAt = -1;
      for (int second = 1; second <= 900 && promotedAt < 0; second++) {
        clock.now += 1000;
        double cpu = 0.2 + 0.3 * r.nextDouble();
        double base = second <= 120 ? 20 : 60;
        store.append(new Sample("cpu", NODE, clock.now, cpu));
        store.append(new Sample("latency_ms", NODE, clock.now, base + 100 * cpu));
        ml.predict(spec.id(), Map.of("cpu", cpu)); // a policy asks: the inputs look as ever
        if (second % 10 == 0) {
          ml.checkErrors();
          if (second == 120) {
            assertThat(events).as("as trained: no drift").isEmpty();
          }
        }
        if (ml.versions(spec.id()).stream().anyMatch(v -> v.version() > 1
            && v.stage() == Stage.SERVING)) {
          promotedAt = second;
        }
      }

      assertThat(events).noneMatch(e -> e.contains("inputs drifted"));
      assertThat(events.get(0)).startsWith("model latency: its prediction error rose: 40.00 on the"
          + " latest outcome, ");
      assertThat(events).anyMatch(e -> e.contains("retrained on drift; v2 promoted"));
      assertThat(promotedAt).as("promoted once its window holds the new behaviour")
          .isGreaterThan(120);
      assertThat(ml.predict(spec.id(), Map.of("cpu", 0.4)).output().value())
          .isCloseTo(60 + 100 * 0.4, within(1.0));
    }
  }

  @Test
  void psiAndKsSeeAShiftAndNotTheSameDistribution() {
    Random r = new Random(4);
    double[] ref = new double[2000];
    double[] same = new double[256];
    double[] shifted = new double[256];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = r.nextGaussian();
    }
    for (int i = 0; i < 256; i++) {
      same[i] = r.nextGaussian();
      shifted[i] = r.nextGaussian() + 1.5;
    }
    double[][] rows = new double[ref.length][];
    for (int i = 0; i < ref.length; i++) {
      rows[i] = new double[] {ref[i]};
    }
    DriftMonitor m = new DriftMonitor(List.of("x"), rows);
    DriftMonitor.Report report = null;
    for (double v : same) {
      report = m.observe(new double[] {v});
    }
    assertThat(report.drifted()).isEmpty();
    assertThat(report.features().get("x").psi()).isLessThan(0.1);
    for (double v : shifted) {
      DriftMonitor.Report next = m.observe(new double[] {v});
      report = next == null ? report : next;
    }
    assertThat(report.drifted()).containsExactly("x");
    assertThat(report.features().get("x").ks()).isGreaterThan(0.5);
  }

  @Test
  void aDevelopersModelIsRetrainedOnlyThroughThatDevelopersView() throws Exception {
    Hands clock = new Hands();
    MetricStore store = MetricStore.withDefaults(clock);
    List<String> events = new CopyOnWriteArrayList<>();
    try (MlService ml = new MlService(dir, clock, Runnable::run)) {
      // This reader cannot filter for a developer: it refuses rather than read everything.
      ml.telemetry((level, who) -> who == null ? store : null);
      ml.events((kind, message) -> events.add(message));
      ModelSpec spec = ml.register(new ModelSpec(ModelId.random(), "latency",
          ModelKind.REGRESSION, Algorithm.LINEAR,
          List.of(Feature.input("cpu"), Feature.target("latency_ms")), Map.of(), null,
          List.of(), "alice", "cam", 0, Map.of()));
      load(store, clock.now, 0.2, 0.5, 20, 100, 1);
      ml.trainFromTelemetry(spec.id(), new TelemetryDataset("node", Map.of("cpu", "max(cpu)"),
          "max(latency_ms)", Duration.ofMinutes(2), Duration.ofSeconds(1), "alice"), store);

      clock.now += 600_000;
      load(store, clock.now, 0.6, 0.95, 50, 200, 3);
      Random r = new Random(2);
      for (int i = 0; i < 300 && events.size() < 2; i++) {
        ml.predict(spec.id(), Map.of("cpu", 0.6 + 0.35 * r.nextDouble()));
      }

      assertThat(events).hasSize(2);
      assertThat(events.get(1)).isEqualTo("model latency [cam]: retraining on drift failed: its"
          + " telemetry cannot be read as alice here");
      assertThat(ml.versions(spec.id())).hasSize(1);
    }
  }
}
