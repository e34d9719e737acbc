package eu.mlsysops.telemetry.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.telemetry.DescribedStore;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The collector against fixture trees: {@code host/vm} holds files captured on the project's CI VM
 * (2 CPUs, virtio disk, no cpufreq), {@code host/edge} hand-written edge cases (malformed lines,
 * partitions, cpufreq, odd process names, a kernel thread).
 */
class HostCollectorTest {
  private static final long NOW = 1_800_000_000_000L;
  private final Clock clock = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);

  @TempDir Path tmp;

  @Test
  void readsTheFilesCapturedOnTheVmWithNodeExporterNamesAndUnits() {
    DescribedStore store = new DescribedStore(clock);
    HostCollector c = collector(fixture("vm"), store);

    List<Sample> samples = c.collect();

    assertThat(c.errors()).isZero();
    assertThat(samples)
        .allSatisfy(
            s -> {
              assertThat(s.labels().get("node")).isEqualTo("n1");
              assertThat(s.timestampMillis()).isEqualTo(NOW);
            });
    assertThat(labelValues(samples, "node_cpu_seconds_total", "cpu")).containsExactly("0", "1");
    assertThat(labelValues(samples, "node_cpu_seconds_total", "mode"))
        .containsExactlyInAnyOrder(
            "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal");
    assertThat(value(samples, "node_cpu_seconds_total", "cpu", "1", "mode", "user"))
        .isCloseTo(1753.65, within(1e-9));
    assertThat(value(samples, "node_cpu_seconds_total", "cpu", "0", "mode", "steal"))
        .isCloseTo(0.98, within(1e-9));
    assertThat(value(samples, "node_load1")).isEqualTo(0.20);
    assertThat(value(samples, "node_load5")).isEqualTo(0.05);
    assertThat(value(samples, "node_load15")).isEqualTo(0.06);
    assertThat(value(samples, "node_memory_MemTotal_bytes")).isEqualTo(24684092 * 1024.0);
    assertThat(value(samples, "node_memory_MemFree_bytes")).isEqualTo(24234656 * 1024.0);
    assertThat(value(samples, "node_memory_MemAvailable_bytes")).isEqualTo(24264284 * 1024.0);
    assertThat(value(samples, "node_memory_Buffers_bytes")).isEqualTo(692 * 1024.0);
    assertThat(value(samples, "node_memory_Cached_bytes")).isEqualTo(140728 * 1024.0);
    assertThat(value(samples, "node_memory_SwapTotal_bytes")).isZero();
    assertThat(value(samples, "node_memory_SwapFree_bytes")).isZero();
    assertThat(value(samples, "node_boot_time_seconds")).isEqualTo(1795836272);
    assertThat(value(samples, "node_context_switches_total")).isEqualTo(123606486);
    assertThat(value(samples, "node_procs_running")).isEqualTo(2);

    // loop0..7 and zram0 are filtered out like node-exporter does
    assertThat(labelValues(samples, "node_disk_read_bytes_total", "device")).containsExactly("vda");
    assertThat(value(samples, "node_disk_reads_completed_total", "device", "vda"))
        .isEqualTo(239130);
    assertThat(value(samples, "node_disk_read_bytes_total", "device", "vda"))
        .isEqualTo(10410146 * 512.0);
    assertThat(value(samples, "node_disk_writes_completed_total", "device", "vda"))
        .isEqualTo(1045656);
    assertThat(value(samples, "node_disk_written_bytes_total", "device", "vda"))
        .isEqualTo(27223264 * 512.0);
    assertThat(value(samples, "node_disk_io_time_seconds_total", "device", "vda")).isEqualTo(38.44);

    assertThat(labelValues(samples, "node_network_receive_bytes_total", "device"))
        .containsExactly("eth0", "ifb0", "ifb1", "lo");
    assertThat(value(samples, "node_network_receive_bytes_total", "device", "lo"))
        .isEqualTo(4046722109.0);
    assertThat(value(samples, "node_network_receive_bytes_total", "device", "eth0"))
        .isEqualTo(304882410);
    assertThat(value(samples, "node_network_receive_packets_total", "device", "eth0"))
        .isEqualTo(11603);
    assertThat(value(samples, "node_network_transmit_bytes_total", "device", "eth0"))
        .isEqualTo(869037);
    assertThat(value(samples, "node_network_transmit_packets_total", "device", "eth0"))
        .isEqualTo(8140);
    assertThat(value(samples, "node_network_receive_errs_total", "device", "eth0")).isZero();
    assertThat(value(samples, "node_network_transmit_errs_total", "device", "eth0")).isZero();

    // This VM has no cpufreq driver: nothing is emitted, and that is said, not counted as an error
    assertThat(names(samples)).doesNotContain("node_cpu_scaling_frequency_hertz");
    assertThat(c.cpuFrequencyAvailable()).isFalse();
    assertThat(value(samples, "mlsysops_host_cpufreq_available")).isZero();
    // the first pass has no previous one to compute utilisation against
    assertThat(names(samples)).doesNotContain("node_cpu_utilization");

    assertThat(store.latest("node_load1", Map.of("node", "n1"))).hasValue(0.20);
  }

  @Test
  void describesEveryMetricOnceOnTheFirstPass() {
    AtomicInteger describes = new AtomicInteger();
    DescribedStore store = new DescribedStore(clock);
    HostCollector c =
        HostCollector.builder()
            .procRoot(fixture("vm").resolve("proc"))
            .sysRoot(fixture("vm").resolve("sys"))
            .node("n1")
            .clock(clock)
            .sink(
                new eu.mlsysops.telemetry.SampleSink() {
                  @Override
                  public boolean accept(Sample s) {
                    return store.accept(s);
                  }

                  @Override
                  public void describe(String metric, eu.mlsysops.telemetry.MetricMetadata m) {
                    describes.incrementAndGet();
                    store.describe(metric, m);
                  }
                })
            .build();

    c.collect();
    int afterFirst = describes.get();
    c.collect();

    assertThat(describes.get()).isEqualTo(afterFirst).isEqualTo(HostMetrics.ALL.size());
    assertThat(store.described().keySet()).containsAll(store.metricNames());
    assertThat(store.described().get("node_cpu_seconds_total").type())
        .isEqualTo(MetricType.COUNTER);
    assertThat(store.described().get("node_cpu_seconds_total").unit()).isEqualTo("s");
    assertThat(store.described().get("node_memory_MemAvailable_bytes").type())
        .isEqualTo(MetricType.GAUGE);
    assertThat(store.described().get("node_memory_MemAvailable_bytes").unit()).isEqualTo("By");
    assertThat(store.described().get("node_load1").help()).isEqualTo("1m load average.");
    assertThat(store.described().values()).allSatisfy(m -> assertThat(m.help()).isNotEmpty());
    assertThat(store.described().keySet())
        .filteredOn(n -> n.endsWith("_total"))
        .allSatisfy(n -> assertThat(store.described().get(n).type()).isEqualTo(MetricType.COUNTER));
  }

  @Test
  void malformedLinesAreCountedPerSourceAndTheRestOfThePassGoesOn() {
    HostCollector c = collector(fixture("edge"), new DescribedStore(clock));

    List<Sample> samples = c.collect();

    assertThat(c.errorsBySource())
        .containsOnly(
            entry("stat", 1L), // cpu4 garbage
            entry("loadavg", 1L), // load15 "bogus"
            entry("meminfo", 2L), // MemFree "x", a line without a colon
            entry("diskstats", 2L), // vdb too short, vdc "x"
            entry("netdev", 1L), // wlan0 too short
            entry("cpufreq", 1L), // cpu2 "n/a"
            entry("process", 0L));
    assertThat(c.errors()).isEqualTo(8);
    assertThat(value(samples, "mlsysops_host_collector_errors_total", "source", "diskstats"))
        .isEqualTo(2);
    assertThat(value(samples, "mlsysops_host_collector_errors_total", "source", "process"))
        .isZero();

    assertThat(labelValues(samples, "node_cpu_seconds_total", "cpu"))
        .containsExactly("0", "1", "2", "3");
    assertThat(value(samples, "node_context_switches_total")).isEqualTo(987654321);
    assertThat(value(samples, "node_procs_running")).isEqualTo(3);
    assertThat(value(samples, "node_load1")).isEqualTo(1.5);
    assertThat(value(samples, "node_load5")).isEqualTo(0.75);
    assertThat(names(samples)).doesNotContain("node_load15");
    assertThat(value(samples, "node_memory_MemTotal_bytes")).isEqualTo(8000000 * 1024.0);
    assertThat(value(samples, "node_memory_SwapFree_bytes")).isEqualTo(500000 * 1024.0);
    // an old kernel without MemAvailable: not emitted, not an error
    assertThat(names(samples))
        .doesNotContain("node_memory_MemAvailable_bytes", "node_memory_MemFree_bytes");

    // whole disks and device-mapper devices, no partitions, RAM or loop devices
    assertThat(labelValues(samples, "node_disk_io_time_seconds_total", "device"))
        .containsExactly("dm-0", "nvme0n1", "sda");
    assertThat(value(samples, "node_disk_read_bytes_total", "device", "sda")).isEqualTo(1024000);
    assertThat(value(samples, "node_disk_written_bytes_total", "device", "sda")).isEqualTo(2048000);
    assertThat(value(samples, "node_disk_io_time_seconds_total", "device", "sda")).isEqualTo(1.5);

    // "eth0:123456" without a space after the colon, as older kernels write it
    assertThat(labelValues(samples, "node_network_receive_bytes_total", "device"))
        .containsExactly("eth0", "lo");
    assertThat(value(samples, "node_network_receive_bytes_total", "device", "eth0"))
        .isEqualTo(123456);
    assertThat(value(samples, "node_network_receive_errs_total", "device", "eth0")).isEqualTo(1);
    assertThat(value(samples, "node_network_transmit_bytes_total", "device", "eth0"))
        .isEqualTo(654321);
    assertThat(value(samples, "node_network_transmit_errs_total", "device", "eth0")).isEqualTo(2);

    // kHz to Hz; cpu2 unreadable, cpu3 without a cpufreq directory
    assertThat(labelValues(samples, "node_cpu_scaling_frequency_hertz", "cpu"))
        .containsExactly("0", "1");
    assertThat(value(samples, "node_cpu_scaling_frequency_hertz", "cpu", "0")).isEqualTo(2.4e9);
    assertThat(value(samples, "node_cpu_scaling_frequency_hertz", "cpu", "1")).isEqualTo(1.2e9);
    assertThat(c.cpuFrequencyAvailable()).isTrue();
    assertThat(value(samples, "mlsysops_host_cpufreq_available")).isEqualTo(1);
  }

  @Test
  void missingFilesAreCountedAndCollectDoesNotThrow() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("nothing"));
    HostCollector c =
        HostCollector.builder()
            .procRoot(empty.resolve("proc"))
            .sysRoot(empty.resolve("sys"))
            .node("n1")
            .clock(clock)
            .build();
    c.watch(77, Labels.of("app", "a"));

    List<Sample> samples = c.collect();

    assertThat(c.errorsBySource())
        .containsOnly(
            entry("stat", 1L),
            entry("loadavg", 1L),
            entry("meminfo", 1L),
            entry("diskstats", 1L),
            entry("netdev", 1L),
            entry("cpufreq", 1L),
            entry("process", 0L));
    // without /proc the watched process counts as gone
    assertThat(c.vanishedProcesses()).isEqualTo(1);
    assertThat(names(samples))
        .containsExactlyInAnyOrder(
            "mlsysops_host_collector_errors_total",
            "mlsysops_host_collector_duration_seconds",
            "mlsysops_host_cpufreq_available");
    c.collect();
    assertThat(c.errors()).isEqualTo(12);
  }

  @Test
  void cpuUtilizationIsTheBusyShareOfAllCpusSinceThePreviousPass() throws IOException {
    Path root = copy(fixture("edge"));
    HostCollector c = collector(root, new DescribedStore(clock));
    c.collect();

    // +300 user, +100 system, +500 idle, +100 iowait: 400 of 1000 ticks busy
    writeAggregateCpu(root, "cpu  4300 100 2100 12500 500 0 100 0 0 0");
    assertThat(value(c.collect(), "node_cpu_utilization")).isCloseTo(0.4, within(1e-12));

    // no ticks in between: nothing to say
    assertThat(names(c.collect())).doesNotContain("node_cpu_utilization");

    // counters went back (a reboot under a running agent): skipped, then measured again
    writeAggregateCpu(root, "cpu  10 0 10 80 0 0 0 0 0 0");
    assertThat(names(c.collect())).doesNotContain("node_cpu_utilization");
    writeAggregateCpu(root, "cpu  20 0 20 140 20 0 0 0 0 0");
    assertThat(value(c.collect(), "node_cpu_utilization")).isCloseTo(0.2, within(1e-12));
  }

  @Test
  void reportsWatchedProcessesWithTheirLabels() {
    HostCollector c = collector(fixture("edge"), new DescribedStore(clock));
    c.watch(77, Labels.of("app", "shop", "component", "cart", "instance", "shop/cart/0"));
    c.watch(78, Labels.of("component", "kworker"));

    List<Sample> samples = c.collect();

    String[] cart = {"app", "shop", "component", "cart", "instance", "shop/cart/0", "node", "n1"};
    assertThat(value(samples, "process_cpu_seconds_total", cart)).isEqualTo(3.0); // 250+50 ticks
    assertThat(value(samples, "process_resident_memory_bytes", cart)).isEqualTo(10240 * 1024.0);
    assertThat(value(samples, "process_virtual_memory_bytes", cart)).isEqualTo(104857600);
    assertThat(value(samples, "process_open_fds", cart)).isEqualTo(7);
    assertThat(value(samples, "process_threads", cart)).isEqualTo(7);
    // btime 1700000000 + 360000 ticks / 100
    assertThat(value(samples, "process_start_time_seconds", cart)).isEqualTo(1700003600);

    // a kernel thread has no VmRSS in status: resident pages from statm
    String[] kworker = {"component", "kworker", "node", "n1"};
    assertThat(value(samples, "process_resident_memory_bytes", kworker)).isEqualTo(3 * 4096);
    assertThat(value(samples, "process_cpu_seconds_total", kworker)).isEqualTo(0.03);
    assertThat(value(samples, "process_open_fds", kworker)).isEqualTo(1);

    c.unwatch(78);
    assertThat(c.watched()).containsExactly(77L);
    assertThat(labelValues(c.collect(), "process_threads", "component")).containsExactly("cart");
  }

  @Test
  void aVanishedProcessIsReportedOnceAndDropped() throws IOException {
    Path root = copy(fixture("edge"));
    HostCollector c = collector(root, new DescribedStore(clock));
    c.watch(77, Labels.of("app", "a"));
    c.watch(78, Labels.of("app", "b"));
    assertThat(names(c.collect())).contains("process_threads");

    deleteTree(root.resolve("proc/77"));
    List<Sample> samples = c.collect();
    c.collect();

    assertThat(c.vanishedProcesses()).isEqualTo(1);
    assertThat(c.watched()).containsExactly(78L);
    assertThat(labelValues(samples, "process_threads", "app")).containsExactly("b");
    assertThat(c.errors()).isEqualTo(24); // the fixture's own 8 per pass, none for the process
  }

  @Test
  void aPidTakenOverByAnotherProcessIsDropped() throws IOException {
    Path root = copy(fixture("edge"));
    HostCollector c = collector(root, new DescribedStore(clock));
    c.watch(77, Labels.of("app", "a"));
    c.collect();

    Path stat = root.resolve("proc/77/stat");
    Files.writeString(stat, Files.readString(stat).replace(" 360000 ", " 470000 "));
    List<Sample> samples = c.collect();

    assertThat(c.vanishedProcesses()).isEqualTo(1);
    assertThat(c.watched()).isEmpty();
    assertThat(names(samples)).doesNotContain("process_threads");
  }

  @Test
  void aMalformedProcessFileIsAnErrorNotAVanishing() throws IOException {
    Path root = copy(fixture("edge"));
    HostCollector c = collector(root, new DescribedStore(clock));
    c.watch(77, Labels.of("app", "a"));
    Files.writeString(root.resolve("proc/77/stat"), "77 (truncated");
    deleteTree(root.resolve("proc/78/fd"));
    c.watch(78, Labels.of("app", "b"));

    c.collect();

    assertThat(c.errorsBySource().get("process")).isEqualTo(2);
    assertThat(c.watched()).containsExactly(77L, 78L);
    assertThat(c.vanishedProcesses()).isZero();
  }

  @Test
  void refusedSamplesAreCounted() {
    HostCollector c =
        HostCollector.builder()
            .procRoot(fixture("vm").resolve("proc"))
            .sysRoot(fixture("vm").resolve("sys"))
            .node("n1")
            .clock(clock)
            .sink(s -> !s.metric().startsWith("node_cpu_seconds"))
            .build();

    c.collect();

    assertThat(c.refusedSamples()).isEqualTo(16);
  }

  @Test
  void startRunsPassesUntilClosed() {
    DescribedStore store = new DescribedStore(clock);
    AtomicInteger passes = new AtomicInteger();
    HostCollector c =
        HostCollector.builder()
            .procRoot(fixture("vm").resolve("proc"))
            .sysRoot(fixture("vm").resolve("sys"))
            .node("n1")
            .clock(clock)
            .sink(
                s -> {
                  if (s.metric().equals("node_load1")) {
                    passes.incrementAndGet();
                  }
                  return store.accept(s);
                })
            .build();
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1);
    executor.setRemoveOnCancelPolicy(true);
    try {
      c.start(executor, Duration.ofMillis(5));
      assertThatThrownBy(() -> c.start(executor, Duration.ofMillis(5)))
          .isInstanceOf(IllegalStateException.class);
      await().atMost(Duration.ofSeconds(10)).until(() -> passes.get() >= 3);

      c.close();

      assertThat(executor.getQueue()).isEmpty();
      assertThatThrownBy(() -> c.start(executor, Duration.ofMillis(5)))
          .isInstanceOf(IllegalStateException.class);
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void configurationMistakesFailAtBuildTime() {
    assertThatThrownBy(() -> HostCollector.builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("node");
    assertThatThrownBy(() -> HostCollector.builder().node(" "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> HostCollector.builder().userHz(0))
        .isInstanceOf(IllegalArgumentException.class);
    HostCollector c = HostCollector.builder().node("n1").build();
    assertThatThrownBy(() -> c.watch(0, Labels.EMPTY)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.start(new ScheduledThreadPoolExecutor(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // --- helpers ---------------------------------------------------------------------------

  private HostCollector collector(Path root, DescribedStore sink) {
    return HostCollector.builder()
        .procRoot(root.resolve("proc"))
        .sysRoot(root.resolve("sys"))
        .node("n1")
        .clock(clock)
        .sink(sink)
        .build();
  }

  static Path fixture(String name) {
    try {
      return Path.of(HostCollectorTest.class.getResource("/host/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private Path copy(Path from) throws IOException {
    Path to = tmp.resolve("root");
    try (Stream<Path> files = Files.walk(from)) {
      files.forEach(
          f -> {
            try {
              Path t = to.resolve(from.relativize(f).toString());
              if (Files.isDirectory(f)) {
                Files.createDirectories(t);
              } else {
                Files.copy(f, t);
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
    return to;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    }
  }

  private static void writeAggregateCpu(Path root, String line) throws IOException {
    Path stat = root.resolve("proc/stat");
    String text = Files.readString(stat);
    Files.writeString(stat, line + text.substring(text.indexOf('\n')));
  }

  static Set<String> names(List<Sample> samples) {
    return samples.stream().map(Sample::metric).collect(Collectors.toCollection(TreeSet::new));
  }

  static Set<String> labelValues(List<Sample> samples, String metric, String label) {
    return samples.stream()
        .filter(s -> s.metric().equals(metric))
        .map(s -> s.labels().get(label))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The value of the one sample of {@code metric} whose labels include the given pairs. */
  static double value(List<Sample> samples, String metric, String... labels) {
    Labels wanted = Labels.of(labels);
    List<Sample> found =
        samples.stream()
            .filter(s -> s.metric().equals(metric) && s.labels().matches(wanted.map()))
            .toList();
    assertThat(found).as("%s%s", metric, wanted).hasSize(1);
    return found.get(0).value();
  }
}
