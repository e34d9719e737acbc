package eu.mlsysops.agent.core;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import org.junit.jupiter.api.Test;

class CpuFrequencyMechanismTest {

  private static ApplyResult apply(CpuFrequencyMechanism m, Command c) {
    return m.apply(c).toCompletableFuture().join();
  }

  @Test
  void setsTheFrequencyAndSaysFromWhatToWhat() {
    FakeFrequencyControl knob = new FakeFrequencyControl("");
    CpuFrequencyMechanism m = new CpuFrequencyMechanism(knob);

    ApplyResult r = apply(m, Command.of("cpu_frequency", "set", "ghz", "2.8"));

    assertThat(r.isSuccess()).isTrue();
    assertThat(r.reason()).isEqualTo("cpu frequency 2.00 → 2.80 GHz");
    assertThat(m.state()).containsEntry("current_ghz", 2.8).containsEntry("available", true);
    assertThat(m.options()).containsKey("available_ghz");
  }

  @Test
  void saysWhenTheRequestedFrequencyWasRoundedToALevelOrAlreadySet() {
    FakeFrequencyControl knob = new FakeFrequencyControl("");
    CpuFrequencyMechanism m = new CpuFrequencyMechanism(knob);

    assertThat(apply(m, Command.of("cpu_frequency", "set", "ghz", "2.5")).reason())
        .isEqualTo("cpu frequency 2.00 → 2.80 GHz (2.50 GHz requested; nearest available level)");
    assertThat(apply(m, Command.of("cpu_frequency", "set", "ghz", "2.8")).reason())
        .isEqualTo("cpu frequency already 2.80 GHz");
    assertThat(apply(m, Command.of("cpu_frequency", "set", "ghz", "-1")).outcome())
        .isEqualTo(ApplyResult.Outcome.FAILURE);
  }

  @Test
  void failsWithTheMachinesReasonWhenTheKnobCannotAct() {
    CpuFrequencyMechanism m = new CpuFrequencyMechanism(
        new FakeFrequencyControl("/sys/devices/system/cpu/cpu0/cpufreq does not exist"));

    ApplyResult r = apply(m, Command.of("cpu_frequency", "set", "ghz", "2.0"));

    assertThat(r.outcome()).isEqualTo(ApplyResult.Outcome.FAILURE);
    assertThat(r.reason()).isEqualTo("/sys/devices/system/cpu/cpu0/cpufreq does not exist");
    assertThat(m.state()).containsEntry("available", false);
  }

  @Test
  void rejectsBadArgumentsNamingThem() {
    CpuFrequencyMechanism m = new CpuFrequencyMechanism(new FakeFrequencyControl(""));
    assertThat(apply(m, Command.of("cpu_frequency", "set", "ghz", "fast")).reason())
        .isEqualTo("cpu_frequency set: ghz: \"fast\" is not a number");
    assertThat(apply(m, Command.of("cpu_frequency", "boost")).reason())
        .isEqualTo("cpu_frequency has no action \"boost\" (use set)");
  }
}
