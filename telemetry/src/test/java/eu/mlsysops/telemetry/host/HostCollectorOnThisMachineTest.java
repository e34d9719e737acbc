package eu.mlsysops.telemetry.host;

import static eu.mlsysops.telemetry.host.HostCollectorTest.labelValues;
import static eu.mlsysops.telemetry.host.HostCollectorTest.names;
import static eu.mlsysops.telemetry.host.HostCollectorTest.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The collector against the real /proc and /sys of the machine the tests run on: plausible values
 * rather than exact ones. Also prints how long a pass takes (see the surefire report's output
 * file); that is a measurement, not an assertion.
 */
@EnabledOnOs(OS.LINUX)
class HostCollectorOnThisMachineTest {

  @Test
  void readsPlausibleFiguresOfThisMachine() throws IOException {
    HostCollector c = HostCollector.builder().node("here").build();
    long pid = ProcessHandle.current().pid();
    c.watch(pid, Labels.of("component", "test-jvm"));

    List<Sample> first = c.collect();
    // Utilisation needs CPU ticks (10 ms each) between two passes.
    AtomicReference<List<Sample>> later = new AtomicReference<>();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> names(later.updateAndGet(x -> c.collect())).contains("node_cpu_utilization"));
    List<Sample> second = later.get();

    assertThat(c.errors()).isZero();
    assertThat(value(first, "node_memory_MemTotal_bytes")).isPositive();
    assertThat(value(first, "node_memory_MemAvailable_bytes"))
        .isPositive()
        .isLessThanOrEqualTo(value(first, "node_memory_MemTotal_bytes"));
    assertThat(labelValues(first, "node_cpu_seconds_total", "cpu")).isEqualTo(cpusInProcStat());
    assertThat(value(first, "node_load1")).isNotNegative();
    assertThat(value(first, "node_boot_time_seconds"))
        .isLessThan(Instant.now().getEpochSecond())
        .isGreaterThan(1e9);
    assertThat(labelValues(first, "node_network_receive_bytes_total", "device")).contains("lo");
    assertThat(value(second, "node_cpu_utilization")).isBetween(0.0, 1.0);

    String[] me = {"component", "test-jvm"};
    assertThat(value(second, "process_threads", me)).isGreaterThan(1);
    assertThat(value(second, "process_open_fds", me)).isPositive();
    assertThat(value(second, "process_resident_memory_bytes", me)).isGreaterThan(1 << 20);
    assertThat(value(second, "process_virtual_memory_bytes", me))
        .isGreaterThan(value(second, "process_resident_memory_bytes", me));
    assertThat(value(second, "process_cpu_seconds_total", me)).isPositive();
    double started =
        ProcessHandle.current().info().startInstant().orElseThrow().toEpochMilli() / 1000.0;
    assertThat(value(second, "process_start_time_seconds", me)).isCloseTo(started, within(2.0));

    boolean hasCpufreq =
        Files.exists(Path.of("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq"));
    assertThat(c.cpuFrequencyAvailable()).isEqualTo(hasCpufreq);
  }

  @Test
  void measuresHowLongAPassTakes() {
    HostCollector c = HostCollector.builder().node("here").build();
    c.watch(ProcessHandle.current().pid(), Labels.of("component", "test-jvm"));
    for (int i = 0; i < 2_000; i++) { // warm-up: let the JIT compile the parsers
      c.collect();
    }
    int n = 1_000;
    long[] nanos = new long[n];
    int samples = 0;
    for (int i = 0; i < n; i++) {
      long t = System.nanoTime();
      samples = c.collect().size();
      nanos[i] = System.nanoTime() - t;
    }
    Arrays.sort(nanos);
    System.out.printf(
        "HostCollector.collect() on this machine, %d samples per pass, %d passes:"
            + " median %.3f ms, p99 %.3f ms, max %.3f ms%n",
        samples, n, nanos[n / 2] / 1e6, nanos[n * 99 / 100] / 1e6, nanos[n - 1] / 1e6);
    assertThat(c.errors()).isZero();
  }

  private static Set<String> cpusInProcStat() throws IOException {
    Set<String> cpus = new TreeSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
      if (line.matches("cpu\\d+ .*")) {
        cpus.add(line.substring(3, line.indexOf(' ')));
      }
    }
    return cpus;
  }
}
