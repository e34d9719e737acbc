package eu.mlsysops.agent.core;

import eu.mlsysops.agent.InstancePhase;
import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.Plan;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CpuFrequencyPolicyTest {
  private static final long NOW = 1_000_000;
  private final MetricStore store =
      new MetricStore(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC), 100, 100);
  private final FakeFrequencyControl knob = new FakeFrequencyControl("");
  private final TestView view = new TestView(store,
      Map.of("cpu_frequency", new CpuFrequencyMechanism(knob)),
      new SystemView("n1", List.of(), List.of()), null, NOW);
  private final CpuFrequencyPolicy policy = new CpuFrequencyPolicy();
  private final PolicyDriver<?> driver = new PolicyDriver<>(policy);

  private void utilisation(double... values) {
    for (int i = 0; i < values.length; i++) {
      store.append(new Sample("node_cpu_utilization", Labels.of("node", "n1"),
          NOW - 1000L * (values.length - i), values[i]));
    }
  }

  @Test
  void raisesOneLevelWhenTheCpuIsBusy() {
    utilisation(0.9, 0.95, 0.92);

    assertThat(driver.turn(view)).isTrue();
    Plan p = driver.last();

    assertThat(p.commands()).hasSize(1);
    assertThat(p.commands().get(0).args()).containsEntry("ghz", "2.8");
    assertThat(p.explanation()).isEqualTo("cpu utilisation 92% > 85% at 2.00 GHz: raise to 2.80 GHz");
  }

  @Test
  void lowersOneLevelWhenTheCpuIsIdle() {
    utilisation(0.1, 0.05, 0.12);
    assertThat(driver.turn(view)).isTrue();
    assertThat(driver.last().commands().get(0).args()).containsEntry("ghz", "1.2");
  }

  @Test
  void holdsInTheComfortBandAndAtTheTopLevel() {
    utilisation(0.5, 0.6, 0.55);
    assertThat(driver.turn(view)).isFalse();

    knob.current = 2.8;
    utilisation(0.99, 0.99, 0.99);
    assertThat(driver.turn(view)).isFalse();
  }

  @Test
  void waitsForTheCooldownAfterAChange() {
    utilisation(0.9, 0.95, 0.92);
    assertThat(driver.turn(view)).isTrue();
    driver.last();

    view.now = NOW + 1000;
    assertThat(driver.turn(view)).isFalse();
    view.now = NOW + 3001;
    assertThat(driver.turn(view)).isTrue();
  }

  @Test
  void doesNothingWhenTheKnobIsUnavailable() {
    TestView unavailable = new TestView(store,
        Map.of("cpu_frequency", new CpuFrequencyMechanism(new FakeFrequencyControl("no cpufreq"))),
        view.system, null, NOW);
    utilisation(0.99, 0.99, 0.99);
    assertThat(driver.turn(unavailable)).isFalse();
  }

  private static final String QOS_APP = """
      MLSysOpsApp:
        name: cam
        components:
          - metadata: {name: detector}
            containers: [{image: det:1}]
            qos_metrics:
              - application_metric_id: detector_latency_ms
                target: 100
                relation: lower_or_equal
      """;

  private TestView atTheTopWithTheDetector(double latencyMs) {
    return atTheTopWithTheDetector(latencyMs, 16);
  }

  /** The detector has reported once a second for {@code seconds}. */
  private TestView atTheTopWithTheDetector(double latencyMs, int seconds) {
    knob.current = 2.8;
    utilisation(0.97, 0.99, 0.98);
    return withTheDetector(latencyMs, seconds);
  }

  private TestView withTheDetector(double latencyMs, int seconds) {
    for (int i = 0; i < seconds; i++) {
      store.append(new Sample("detector_latency_ms", Labels.of("app", "cam", "component",
          "detector", "instance", "cam/detector/0"), NOW - 1000L * (seconds - i), latencyMs));
    }
    return new TestView(store,
        Map.of("cpu_frequency", new CpuFrequencyMechanism(knob),
            // A stand-in for the cluster's placement mechanism, as a node agent forwards it.
            "placement", new eu.mlsysops.agent.plan.ScriptedMechanism("placement", false)),
        new SystemView("n1", List.of(), List.of(new SystemView.InstancePlacement("cam",
            "detector", "cam/detector/0", "n1", InstancePhase.RUNNING))),
        eu.mlsysops.model.Descriptors.parseApp(QOS_APP), NOW);
  }

  @Test
  void atTheTopFrequencyAndStillViolatingQosItAsksTheClusterToRelocateTheInstanceOnce() {
    TestView top = atTheTopWithTheDetector(180);

    assertThat(driver.turn(top)).isTrue();
    Plan p = driver.last();

    assertThat(p.commands()).singleElement().satisfies(c -> {
      assertThat(c.mechanism()).isEqualTo("placement");
      assertThat(c.action()).isEqualTo("relocate");
      assertThat(c.args()).containsExactlyInAnyOrderEntriesOf(
          Map.of("app", "cam", "component", "detector", "slot", "0"));
    });
    assertThat(p.explanation()).isEqualTo("detector_latency_ms of detector#0 averages 180.0,"
        + " violating lower_or_equal 100.0, while n1 is at its top frequency (2.80 GHz) and 98%"
        + " busy: ask the cluster to relocate it");
    assertThat(p.inputs()).containsEntry("detector_latency_ms", "180.00");
    // Asked once: the cluster needs time to act.
    assertThat(driver.turn(top)).isFalse();
    top.now = NOW + CpuFrequencyPolicy.ASK_AGAIN_AFTER.toMillis();
    assertThat(driver.turn(top)).isTrue();
  }

  @Test
  void aStartingInstanceIsNotJudgedBeforeItsWarmUp() {
    // Three seconds of samples: how it started, not how it serves.
    TestView top = atTheTopWithTheDetector(180, 3);

    assertThat(driver.turn(top)).isFalse();
  }

  @Test
  void atTheTopFrequencyWithQosMetItAsksNothing() {
    TestView top = atTheTopWithTheDetector(40);

    assertThat(driver.turn(top)).isFalse();
  }

  @Test
  void aMissedQosTargetRaisesTheFrequencyEvenOnAnIdleNodeBeforeAnythingMoves() {
    knob.current = 1.2;
    utilisation(0.2, 0.1, 0.15); // idle: without the target it would stay low
    TestView slow = withTheDetector(180, 16);

    assertThat(driver.turn(slow)).isTrue();
    Plan p = driver.last();

    assertThat(p.commands()).singleElement().satisfies(c -> {
      assertThat(c.mechanism()).isEqualTo("cpu_frequency");
      assertThat(c.args()).containsEntry("ghz", "2.0");
    });
    assertThat(p.explanation()).isEqualTo("detector_latency_ms of detector#0 averages 180.0,"
        + " violating lower_or_equal 100.0, at 1.20 GHz: raise to 2.00 GHz");
  }

  @Test
  void aFrequencyRaisedForAMissedTargetIsNotLoweredAtOnceWhenTheTargetIsMet() {
    knob.current = 1.2;
    utilisation(0.2, 0.1, 0.15);
    assertThat(driver.turn(withTheDetector(180, 16))).isTrue(); // raised for the target
    driver.last();
    knob.current = 2.0;

    // Met now, and the CPU idles: without the hold the two rules would take turns.
    MetricStore after = new MetricStore(Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC),
        100, 100);
    for (int i = 16; i >= 1; i--) {
      after.append(new Sample("node_cpu_utilization", Labels.of("node", "n1"), NOW - 1000L * i,
          0.1));
      after.append(new Sample("detector_latency_ms", Labels.of("app", "cam", "component",
          "detector", "instance", "cam/detector/0"), NOW - 1000L * i, 40));
    }
    TestView first = withTheDetector(40, 1);
    TestView met = new TestView(after, first.mechanisms, first.system, first.app, NOW + 10_000);
    assertThat(driver.turn(met)).as("held").isFalse();
    met.now = NOW + CpuFrequencyPolicy.QOS_HOLD.toMillis();
    assertThat(driver.turn(met)).as("lowered after the hold").isTrue();
    assertThat(driver.last().commands().get(0).args()).containsEntry("ghz", "1.2");
  }
}
