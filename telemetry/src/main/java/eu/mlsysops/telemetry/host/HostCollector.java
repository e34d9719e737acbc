package eu.mlsysops.telemetry.host;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Reads a Linux host's figures from /proc and /sys and writes them, with node-exporter's names,
 * units and labels, to a {@link SampleSink}: CPU time per core and mode, load averages, memory,
 * disk and network I/O, CPU frequency where the kernel exposes it, boot time, context switches,
 * runnable processes, a derived {@code node_cpu_utilization}, and per-process figures of the
 * processes {@linkplain #watch watched} (components run as local processes). Every sample carries
 * the label {@code node}. The full list is in {@code docs/telemetry.md}.
 *
 * <p>{@link #collect()} never throws: a missing or malformed file (or line) is counted per source
 * ({@link #errors()}, and the metric {@code mlsysops_host_collector_errors_total{source}}), logged
 * once per source, and the rest of the pass goes on. Thread-safe; passes are serialised.
 *
 * <pre>{@code
 * HostCollector host = HostCollector.builder().node("n1").sink(sink).build();
 * host.start(executor, Duration.ofSeconds(5));
 * host.watch(pid, Labels.of("app", "a", "component", "c", "instance", "a/c/0"));
 * }</pre>
 */
public final class HostCollector implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(HostCollector.class.getName());

  /** Sources of errors, as the {@code source} label of the errors metric. */
  static final List<String> SOURCES =
      List.of("stat", "loadavg", "meminfo", "diskstats", "netdev", "cpufreq", "process");

  private static final Pattern CPU_DIR = Pattern.compile("cpu\\d+");

  private final Path proc;
  private final Path sys;
  private final String node;
  private final Clock clock;
  private final SampleSink sink;
  private final double userHz;
  private final long pageSize;

  private final Map<Long, Watched> watched = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> errorsBySource = new TreeMap<>();
  private final Set<String> loggedSources = ConcurrentHashMap.newKeySet();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong vanished = new AtomicLong();
  private final Object passLock = new Object();
  private final Object scheduleLock = new Object();

  // Guarded by passLock.
  private boolean described;
  private long[] previousCpuTicks;
  private long bootTimeSeconds = -1;
  private volatile boolean cpuFrequencyAvailable;
  private volatile long lastPassNanos;

  // Guarded by scheduleLock.
  private ScheduledFuture<?> schedule;
  private boolean closed;

  private HostCollector(Builder b) {
    this.proc = b.procRoot;
    this.sys = b.sysRoot;
    this.node = b.node;
    this.clock = b.clock;
    this.sink = b.sink;
    this.userHz = b.userHz;
    this.pageSize = b.pageSize;
    for (String s : SOURCES) {
      errorsBySource.put(s, new AtomicLong());
    }
  }

  /** A builder; see its setters for the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * One pass over the host's files. The samples are written to the sink (metadata of every metric
   * is described to it on the first pass) and returned. The first pass emits no {@code
   * node_cpu_utilization}, which needs a previous pass.
   *
   * @return the samples of this pass, all with the same timestamp
   */
  public List<Sample> collect() {
    synchronized (passLock) {
      long start = System.nanoTime();
      Pass p = new Pass(clock.millis(), node);
      if (!described) {
        for (HostMetrics.Def d : HostMetrics.ALL) {
          sink.describe(d.name(), d.metadata());
        }
        described = true;
      }
      readStat(p);
      read("loadavg", proc.resolve("loadavg"), p, text -> ProcParser.loadavg(text, p));
      read("meminfo", proc.resolve("meminfo"), p, text -> ProcParser.meminfo(text, p));
      read("diskstats", proc.resolve("diskstats"), p, text -> ProcParser.diskstats(text, p));
      read("netdev", proc.resolve("net/dev"), p, text -> ProcParser.netdev(text, p));
      readCpuFrequencies(p);
      for (Watched w : watched.values()) {
        readProcess(w, p);
      }
      recordErrors(p);
      long nanos = System.nanoTime() - start;
      lastPassNanos = nanos;
      p.add(HostMetrics.CPUFREQ_AVAILABLE, cpuFrequencyAvailable ? 1 : 0);
      p.add(HostMetrics.COLLECTOR_DURATION, nanos / 1e9);
      for (Sample s : p.samples) {
        if (!sink.accept(s)) {
          refused.incrementAndGet();
        }
      }
      return p.samples;
    }
  }

  /**
   * Runs {@link #collect()} every {@code interval} on {@code executor}, starting now, until {@link
   * #close()}.
   *
   * @throws IllegalStateException when already started or closed
   */
  public void start(ScheduledExecutorService executor, Duration interval) {
    Objects.requireNonNull(executor, "executor");
    long ms = interval.toMillis();
    if (ms <= 0) {
      throw new IllegalArgumentException("interval must be at least 1 ms, got " + interval);
    }
    synchronized (scheduleLock) {
      if (closed || schedule != null) {
        throw new IllegalStateException(closed ? "closed" : "already started");
      }
      schedule = executor.scheduleAtFixedRate(this::collectQuietly, 0, ms, TimeUnit.MILLISECONDS);
    }
  }

  /** Stops periodic collection (a pass in progress finishes). Idempotent. */
  @Override
  public void close() {
    synchronized (scheduleLock) {
      closed = true;
      if (schedule != null) {
        schedule.cancel(false);
      }
    }
  }

  /**
   * Adds a process whose figures every pass reports ({@code process_cpu_seconds_total}, {@code
   * process_resident_memory_bytes}, {@code process_virtual_memory_bytes}, {@code process_open_fds},
   * {@code process_threads}, {@code process_start_time_seconds}), labelled with {@code labels}
   * (e.g. app, component, instance) plus {@code node}. A process that has gone is logged once and
   * dropped from the watch list; so is one whose pid was reused by another process. Watching a pid
   * again replaces its labels.
   */
  public void watch(long pid, Labels labels) {
    Objects.requireNonNull(labels, "labels");
    if (pid <= 0) {
      throw new IllegalArgumentException("pid must be positive, got " + pid);
    }
    watched.put(pid, new Watched(pid, labels.with("node", node)));
  }

  /** Stops reporting a process; no-op when not watched. */
  public void unwatch(long pid) {
    watched.remove(pid);
  }

  /** The pids currently watched, ascending. */
  public Set<Long> watched() {
    return new TreeSet<>(watched.keySet());
  }

  /** Problems met so far (files missing, unreadable or malformed), all sources together. */
  public long errors() {
    long n = 0;
    for (AtomicLong a : errorsBySource.values()) {
      n += a.get();
    }
    return n;
  }

  /** Problems met so far per source ({@code stat, loadavg, meminfo, diskstats, netdev, …}). */
  public Map<String, Long> errorsBySource() {
    Map<String, Long> out = new TreeMap<>();
    errorsBySource.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Samples the sink refused. */
  public long refusedSamples() {
    return refused.get();
  }

  /** Watched processes that went away (or whose pid was reused) and were dropped. */
  public long vanishedProcesses() {
    return vanished.get();
  }

  /**
   * Whether the latest pass found a CPU frequency. False where the kernel has no cpufreq driver
   * (typical of virtual machines, this project's CI included): then {@code
   * /sys/devices/system/cpu/cpu<N>/cpufreq/scaling_cur_freq} does not exist, no {@code
   * node_cpu_scaling_frequency_hertz} is emitted, and {@code mlsysops_host_cpufreq_available} is 0.
   * Not counted as an error.
   */
  public boolean cpuFrequencyAvailable() {
    return cpuFrequencyAvailable;
  }

  /** Duration of the latest pass in nanoseconds, 0 before the first. */
  public long lastPassNanos() {
    return lastPassNanos;
  }

  private void collectQuietly() {
    try {
      collect();
    } catch (RuntimeException e) {
      // collect() handles what the files can do to it; this is a bug, but the loop survives it.
      LOG.log(System.Logger.Level.ERROR, "host collector pass failed", e);
    }
  }

  private void readStat(Pass p) {
    read(
        "stat",
        proc.resolve("stat"),
        p,
        text -> {
          ProcParser.Stat stat = ProcParser.stat(text, userHz, p);
          if (stat.bootTimeSeconds() >= 0) {
            bootTimeSeconds = stat.bootTimeSeconds();
          }
          long[] now = stat.aggregateTicks();
          if (now == null) {
            p.error("stat", "no aggregate cpu line");
            return;
          }
          long[] before = previousCpuTicks;
          previousCpuTicks = now;
          if (before != null && before.length == now.length) {
            double total = 0;
            double idle = 0;
            for (int m = 0; m < now.length; m++) {
              long d = now[m] - before[m];
              total += d;
              if (m == ProcParser.IDLE || m == ProcParser.IOWAIT) {
                idle += d;
              }
            }
            if (total > 0) { // no ticks in between, or counters went back: nothing to say
              p.add(HostMetrics.CPU_UTILIZATION, Math.max(0, Math.min(1, 1 - idle / total)));
            }
          }
        });
  }

  private void readCpuFrequencies(Pass p) {
    Path cpus = sys.resolve("devices/system/cpu");
    boolean any = false;
    List<Path> dirs = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(cpus)) {
      for (Path d : ds) {
        if (CPU_DIR.matcher(d.getFileName().toString()).matches()) {
          dirs.add(d);
        }
      }
    } catch (IOException | RuntimeException e) {
      p.error("cpufreq", "cannot list " + cpus + ": " + e);
    }
    for (Path d : dirs) {
      Path f = d.resolve("cpufreq/scaling_cur_freq");
      if (!Files.exists(f)) {
        continue; // no cpufreq driver for this CPU: nothing to report, not a problem
      }
      String cpu = d.getFileName().toString().substring(3);
      boolean ok =
          read(
              "cpufreq",
              f,
              p,
              text -> {
                long khz = ProcParser.parseLong(text.strip());
                if (khz < 0) {
                  p.error("cpufreq", "not a frequency in " + f + ": " + text.strip());
                  return;
                }
                p.add(HostMetrics.CPU_FREQUENCY, p.labels("cpu", cpu), khz * 1000.0);
              });
      any |= ok;
    }
    cpuFrequencyAvailable = any;
  }

  private void readProcess(Watched w, Pass p) {
    Path dir = proc.resolve(Long.toString(w.pid));
    try {
      ProcParser.ProcessStat st = ProcParser.processStat(readString(dir.resolve("stat")));
      if (st == null) {
        p.error("process", "malformed " + dir.resolve("stat"));
        return;
      }
      if (w.startTicks >= 0 && w.startTicks != st.startTicks()) {
        drop(w, "its pid now belongs to another process");
        return;
      }
      w.startTicks = st.startTicks();
      long resident = ProcParser.statusResidentBytes(readString(dir.resolve("status")));
      if (resident < 0) {
        long pages = ProcParser.statmResidentPages(readString(dir.resolve("statm")));
        resident = pages < 0 ? -1 : pages * pageSize;
      }
      long fds = countEntries(dir.resolve("fd"));
      Labels l = w.labels;
      p.add(HostMetrics.PROCESS_CPU, l, (st.utimeTicks() + st.stimeTicks()) / userHz);
      if (resident >= 0) {
        p.add(HostMetrics.PROCESS_RESIDENT, l, resident);
      } else {
        p.error("process", "no resident size for pid " + w.pid);
      }
      p.add(HostMetrics.PROCESS_VIRTUAL, l, st.vsize());
      p.add(HostMetrics.PROCESS_OPEN_FDS, l, fds);
      p.add(HostMetrics.PROCESS_THREADS, l, st.threads());
      if (bootTimeSeconds >= 0) {
        p.add(HostMetrics.PROCESS_START_TIME, l, bootTimeSeconds + st.startTicks() / userHz);
      }
    } catch (NoSuchFileException e) {
      if (Files.isDirectory(dir)) {
        p.error("process", "pid " + w.pid + ": no " + e.getFile());
      } else {
        drop(w, "it has exited");
      }
    } catch (IOException | RuntimeException e) {
      p.error("process", "pid " + w.pid + ": " + e);
    }
  }

  private void drop(Watched w, String why) {
    if (watched.remove(w.pid, w)) {
      vanished.incrementAndGet();
      LOG.log(
          System.Logger.Level.INFO,
          "no longer watching process {0} {1}: {2}",
          w.pid,
          w.labels,
          why);
    }
  }

  private long countEntries(Path dir) throws IOException {
    long n = 0;
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path ignored : ds) {
        n++;
      }
    }
    return n;
  }

  /** Reads a file and hands it to a parser; a failure of either is counted, never thrown. */
  private boolean read(
      String source, Path file, Pass p, java.util.function.Consumer<String> parse) {
    try {
      parse.accept(readString(file));
      return true;
    } catch (IOException | RuntimeException e) {
      p.error(source, "cannot read " + file + ": " + e);
      return false;
    }
  }

  private static String readString(Path file) throws IOException {
    // Latin-1 never fails to decode; every figure read here is ASCII.
    return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
  }

  private void recordErrors(Pass p) {
    p.errors.forEach(
        (source, n) -> {
          errorsBySource.get(source).addAndGet(n);
          if (loggedSources.add(source)) {
            LOG.log(
                System.Logger.Level.WARNING,
                "host collector: {0} problem(s) with {1} (further ones are only counted): {2}",
                n,
                source,
                p.firstError.get(source));
          }
        });
    errorsBySource.forEach(
        (source, n) -> p.add(HostMetrics.COLLECTOR_ERRORS, p.labels("source", source), n.get()));
  }

  /** A watched process. */
  private static final class Watched {
    final long pid;
    final Labels labels;

    /** Start time in ticks since boot when first seen; tells a reused pid apart. */
    long startTicks = -1;

    Watched(long pid, Labels labels) {
      this.pid = pid;
      this.labels = labels;
    }
  }

  /** Configures a {@link HostCollector}. */
  public static final class Builder {
    private Path procRoot = Path.of("/proc");
    private Path sysRoot = Path.of("/sys");
    private String node;
    private Clock clock = Clock.systemUTC();
    private SampleSink sink = s -> true;
    private double userHz = 100;
    private long pageSize = 4096;

    private Builder() {}

    /** Where procfs is mounted; default {@code /proc}. Tests point this at a fixture tree. */
    public Builder procRoot(Path procRoot) {
      this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
      return this;
    }

    /** Where sysfs is mounted; default {@code /sys}. */
    public Builder sysRoot(Path sysRoot) {
      this.sysRoot = Objects.requireNonNull(sysRoot, "sysRoot");
      return this;
    }

    /** The value of every sample's {@code node} label; required. */
    public Builder node(String node) {
      Objects.requireNonNull(node, "node");
      if (node.isBlank()) {
        throw new IllegalArgumentException("node must not be blank");
      }
      this.node = node;
      return this;
    }

    /** Timestamps of the samples; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Where samples and metadata go; default none (samples are only returned by collect). */
    public Builder sink(SampleSink sink) {
      this.sink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * Clock ticks per second of /proc/stat and /proc/[pid]/stat ({@code getconf CLK_TCK}); default
     * 100, which Linux uses on every architecture.
     */
    public Builder userHz(double userHz) {
      if (!(userHz > 0)) {
        throw new IllegalArgumentException("userHz must be positive, got " + userHz);
      }
      this.userHz = userHz;
      return this;
    }

    /** Page size in bytes, used only for a process whose status has no VmRSS; default 4096. */
    public Builder pageSize(long pageSize) {
      if (pageSize <= 0) {
        throw new IllegalArgumentException("pageSize must be positive, got " + pageSize);
      }
      this.pageSize = pageSize;
      return this;
    }

    /**
     * The collector; nothing is read until the first pass.
     *
     * @throws IllegalStateException when no node name was given
     */
    public HostCollector build() {
      if (node == null) {
        throw new IllegalStateException("node is required");
      }
      return new HostCollector(this);
    }
  }
}
