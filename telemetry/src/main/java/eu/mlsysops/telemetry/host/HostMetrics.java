package eu.mlsysops.telemetry.host;

import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import java.util.List;

/**
 * Names and metadata of what {@link HostCollector} emits. Names, units and labels are those of
 * Prometheus' node-exporter (and of client libraries' process collectors for {@code process_*}), so
 * that policies and dashboards written against node-exporter keep working.
 */
final class HostMetrics {
  private HostMetrics() {}

  /** One metric: its name and what it is. */
  record Def(String name, MetricMetadata metadata) {}

  static final String CPU_SECONDS = "node_cpu_seconds_total";
  static final String CPU_UTILIZATION = "node_cpu_utilization";
  static final String CPU_FREQUENCY = "node_cpu_scaling_frequency_hertz";
  static final String LOAD1 = "node_load1";
  static final String LOAD5 = "node_load5";
  static final String LOAD15 = "node_load15";
  static final String BOOT_TIME = "node_boot_time_seconds";
  static final String CONTEXT_SWITCHES = "node_context_switches_total";
  static final String PROCS_RUNNING = "node_procs_running";

  static final String DISK_READ_BYTES = "node_disk_read_bytes_total";
  static final String DISK_WRITTEN_BYTES = "node_disk_written_bytes_total";
  static final String DISK_READS = "node_disk_reads_completed_total";
  static final String DISK_WRITES = "node_disk_writes_completed_total";
  static final String DISK_IO_TIME = "node_disk_io_time_seconds_total";

  static final String NET_RX_BYTES = "node_network_receive_bytes_total";
  static final String NET_TX_BYTES = "node_network_transmit_bytes_total";
  static final String NET_RX_PACKETS = "node_network_receive_packets_total";
  static final String NET_TX_PACKETS = "node_network_transmit_packets_total";
  static final String NET_RX_ERRS = "node_network_receive_errs_total";
  static final String NET_TX_ERRS = "node_network_transmit_errs_total";

  static final String PROCESS_CPU = "process_cpu_seconds_total";
  static final String PROCESS_RESIDENT = "process_resident_memory_bytes";
  static final String PROCESS_VIRTUAL = "process_virtual_memory_bytes";
  static final String PROCESS_OPEN_FDS = "process_open_fds";
  static final String PROCESS_THREADS = "process_threads";
  static final String PROCESS_START_TIME = "process_start_time_seconds";

  static final String COLLECTOR_ERRORS = "mlsysops_host_collector_errors_total";
  static final String COLLECTOR_DURATION = "mlsysops_host_collector_duration_seconds";
  static final String CPUFREQ_AVAILABLE = "mlsysops_host_cpufreq_available";

  /** /proc/meminfo keys that are exported, as {@code node_memory_<key>_bytes}. */
  static final List<String> MEMINFO_KEYS =
      List.of("MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapTotal", "SwapFree");

  static String memoryMetric(String meminfoKey) {
    return "node_memory_" + meminfoKey + "_bytes";
  }

  static final List<Def> ALL = all();

  private static List<Def> all() {
    List<Def> d = new java.util.ArrayList<>();
    d.add(counter(CPU_SECONDS, "s", "Seconds the CPUs spent in each mode."));
    d.add(
        gauge(
            CPU_UTILIZATION,
            "1",
            "Busy share of all CPUs (not idle, not iowait) since the previous collection, 0..1."));
    d.add(gauge(CPU_FREQUENCY, "Hz", "Current scaled CPU thread frequency in hertz."));
    d.add(gauge(LOAD1, "1", "1m load average."));
    d.add(gauge(LOAD5, "1", "5m load average."));
    d.add(gauge(LOAD15, "1", "15m load average."));
    d.add(gauge(BOOT_TIME, "s", "Node boot time, in unixtime."));
    d.add(counter(CONTEXT_SWITCHES, "1", "Total number of context switches."));
    d.add(gauge(PROCS_RUNNING, "1", "Number of processes in runnable state."));
    for (String k : MEMINFO_KEYS) {
      d.add(gauge(memoryMetric(k), "By", "Memory information field " + k + "_bytes."));
    }
    d.add(counter(DISK_READ_BYTES, "By", "The total number of bytes read successfully."));
    d.add(counter(DISK_WRITTEN_BYTES, "By", "The total number of bytes written successfully."));
    d.add(counter(DISK_READS, "1", "The total number of reads completed successfully."));
    d.add(counter(DISK_WRITES, "1", "The total number of writes completed successfully."));
    d.add(counter(DISK_IO_TIME, "s", "Total seconds spent doing I/Os."));
    d.add(counter(NET_RX_BYTES, "By", "Network device statistic receive_bytes."));
    d.add(counter(NET_TX_BYTES, "By", "Network device statistic transmit_bytes."));
    d.add(counter(NET_RX_PACKETS, "1", "Network device statistic receive_packets."));
    d.add(counter(NET_TX_PACKETS, "1", "Network device statistic transmit_packets."));
    d.add(counter(NET_RX_ERRS, "1", "Network device statistic receive_errs."));
    d.add(counter(NET_TX_ERRS, "1", "Network device statistic transmit_errs."));
    d.add(counter(PROCESS_CPU, "s", "Total user and system CPU time spent in seconds."));
    d.add(gauge(PROCESS_RESIDENT, "By", "Resident memory size in bytes."));
    d.add(gauge(PROCESS_VIRTUAL, "By", "Virtual memory size in bytes."));
    d.add(gauge(PROCESS_OPEN_FDS, "1", "Number of open file descriptors."));
    d.add(gauge(PROCESS_THREADS, "1", "Number of OS threads in the process."));
    d.add(gauge(PROCESS_START_TIME, "s", "Start time of the process since unix epoch in seconds."));
    d.add(
        counter(
            COLLECTOR_ERRORS,
            "1",
            "Files of a source the host collector could not read or parse."));
    d.add(gauge(COLLECTOR_DURATION, "s", "Duration of the host collector's latest pass."));
    d.add(
        gauge(
            CPUFREQ_AVAILABLE,
            "1",
            "1 when the kernel exposes cpufreq scaling_cur_freq, else 0 (common in VMs)."));
    return List.copyOf(d);
  }

  private static Def counter(String name, String unit, String help) {
    return new Def(name, new MetricMetadata(MetricType.COUNTER, unit, help));
  }

  private static Def gauge(String name, String unit, String help) {
    return new Def(name, new MetricMetadata(MetricType.GAUGE, unit, help));
  }
}
