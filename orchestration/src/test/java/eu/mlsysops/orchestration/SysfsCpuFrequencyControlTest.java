package eu.mlsysops.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SysfsCpuFrequencyControlTest {

  private static Path cpu(Path root, int n, String governor) throws IOException {
    Path dir = Files.createDirectories(root.resolve("cpu" + n).resolve("cpufreq"));
    Files.writeString(dir.resolve("scaling_governor"), governor + "\n");
    Files.writeString(dir.resolve("scaling_cur_freq"), "2000000\n");
    Files.writeString(dir.resolve("scaling_max_freq"), "2800000\n");
    return dir;
  }

  @Test
  void readsTheFrequencyTableAndCapsEveryCpu(@TempDir Path root) throws IOException {
    Path cpu0 = cpu(root, 0, "schedutil");
    Path cpu1 = cpu(root, 1, "schedutil");
    Files.writeString(cpu0.resolve("scaling_available_frequencies"), "2800000 1200000 2000000 \n");
    Files.createDirectories(root.resolve("cpufreq")); // policy dir: not a CPU

    var control = new SysfsCpuFrequencyControl(root);

    assertThat(control.unavailableReason()).isEmpty();
    assertThat(control.availableGhz()).containsExactly(1.2, 2.0, 2.8);
    assertThat(control.currentGhz()).isEqualTo(2.0);
    control.setGhz(1.5);
    assertThat(Files.readString(cpu0.resolve("scaling_max_freq"))).isEqualTo("2000000");
    assertThat(Files.readString(cpu1.resolve("scaling_max_freq"))).isEqualTo("2000000");
  }

  @Test
  void fallsBackToTheHardwareRangeInHundredMegahertzSteps(@TempDir Path root) throws IOException {
    Path cpu0 = cpu(root, 0, "powersave");
    Files.writeString(cpu0.resolve("cpuinfo_min_freq"), "800000\n");
    Files.writeString(cpu0.resolve("cpuinfo_max_freq"), "1250000\n");

    var control = new SysfsCpuFrequencyControl(root);

    assertThat(control.availableGhz()).containsExactly(0.8, 0.9, 1.0, 1.1, 1.2, 1.25);
    control.setGhz(5);
    assertThat(Files.readString(cpu0.resolve("scaling_max_freq"))).isEqualTo("1250000");
  }

  @Test
  void writesSetspeedUnderTheUserspaceGovernor(@TempDir Path root) throws IOException {
    Path cpu0 = cpu(root, 0, "userspace");
    Files.writeString(cpu0.resolve("scaling_available_frequencies"), "1200000 2800000\n");
    Files.writeString(cpu0.resolve("scaling_setspeed"), "<unsupported>\n");

    new SysfsCpuFrequencyControl(root).setGhz(1.2);

    assertThat(Files.readString(cpu0.resolve("scaling_setspeed"))).isEqualTo("1200000");
    assertThat(Files.readString(cpu0.resolve("scaling_max_freq"))).isEqualTo("2800000\n");
  }

  @Test
  void explainsWhyWhenTheKernelExposesNoCpufreq(@TempDir Path root) throws IOException {
    Files.createDirectories(root.resolve("cpu0"));

    var control = new SysfsCpuFrequencyControl(root);

    String expected =
        root.resolve("cpu0/cpufreq")
            + " does not exist: this kernel or VM exposes no cpufreq; use the simulated runtime to"
            + " model DVFS";
    assertThat(control.availableGhz()).isEmpty();
    assertThat(control.unavailableReason()).isEqualTo(expected);
    assertThatThrownBy(() -> control.setGhz(2.0))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessage(expected);
  }

  @Test
  void explainsWhyWhenThereIsNoCpuTreeAtAll(@TempDir Path dir) {
    var control = new SysfsCpuFrequencyControl(dir.resolve("missing"));

    assertThat(control.availableGhz()).isEmpty();
    assertThat(control.currentGhz()).isNaN();
    assertThat(control.unavailableReason())
        .startsWith(dir.resolve("missing/cpu0/cpufreq") + " does not exist");
  }

  @Test
  void explainsWhyWhenTheCapIsNotWritable(@TempDir Path root) throws IOException {
    Path cpu0 = cpu(root, 0, "schedutil");
    Files.writeString(cpu0.resolve("scaling_available_frequencies"), "1200000 2800000\n");

    var control = new SysfsCpuFrequencyControl(root, path -> false);

    assertThat(control.availableGhz()).isEmpty();
    assertThat(control.unavailableReason())
        .startsWith(cpu0.resolve("scaling_max_freq") + " is not writable");
    assertThatThrownBy(() -> control.setGhz(2.0))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("not writable");
  }
}
