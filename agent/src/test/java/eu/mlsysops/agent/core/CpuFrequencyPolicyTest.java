package eu.mlsysops.agent.core;

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

  private void utilisation(double... values) {
    for (int i = 0; i < values.length; i++) {
      store.append(new Sample("node_cpu_utilization", Labels.of("node", "n1"),
          NOW - 1000L * (values.length - i), values[i]));
    }
  }

  @Test
  void raisesOneLevelWhenTheCpuIsBusy() {
    utilisation(0.9, 0.95, 0.92);

    assertThat(policy.analyze(view)).isTrue();
    Plan p = policy.plan(view);

    assertThat(p.commands()).hasSize(1);
    assertThat(p.commands().get(0).args()).containsEntry("ghz", "2.8");
    assertThat(p.explanation()).isEqualTo("cpu utilisation 92% > 85% at 2.00 GHz: raise to 2.80 GHz");
  }

  @Test
  void lowersOneLevelWhenTheCpuIsIdle() {
    utilisation(0.1, 0.05, 0.12);
    assertThat(policy.analyze(view)).isTrue();
    assertThat(policy.plan(view).commands().get(0).args()).containsEntry("ghz", "1.2");
  }

  @Test
  void holdsInTheComfortBandAndAtTheTopLevel() {
    utilisation(0.5, 0.6, 0.55);
    assertThat(policy.analyze(view)).isFalse();

    knob.current = 2.8;
    utilisation(0.99, 0.99, 0.99);
    assertThat(policy.analyze(view)).isFalse();
  }

  @Test
  void waitsForTheCooldownAfterAChange() {
    utilisation(0.9, 0.95, 0.92);
    assertThat(policy.analyze(view)).isTrue();
    policy.plan(view);

    view.now = NOW + 1000;
    assertThat(policy.analyze(view)).isFalse();
    view.now = NOW + 3001;
    assertThat(policy.analyze(view)).isTrue();
  }

  @Test
  void doesNothingWhenTheKnobIsUnavailable() {
    TestView unavailable = new TestView(store,
        Map.of("cpu_frequency", new CpuFrequencyMechanism(new FakeFrequencyControl("no cpufreq"))),
        view.system, null, NOW);
    utilisation(0.99, 0.99, 0.99);
    assertThat(policy.analyze(unavailable)).isFalse();
  }
}
