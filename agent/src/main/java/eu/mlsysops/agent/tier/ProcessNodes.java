package eu.mlsysops.agent.tier;

import eu.mlsysops.orchestration.process.CgroupCapability;
import eu.mlsysops.orchestration.process.ProcessRuntime;
import eu.mlsysops.orchestration.process.TelemetryEndpoint;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.host.HostCollector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process runtimes of an embedded continuum whose nodes run real processes: one per node, all
 * sharing one cgroup detection, one OTLP endpoint (set once the receivers are bound) and the
 * continuum's timers; each writes its instances' usage to its node agent. Every node is this
 * machine, so each node agent also gets this machine's figures from a {@link HostCollector}
 * ({@code node_cpu_seconds_total}, {@code node_memory_MemAvailable_bytes}, …), in place of the
 * simulation's.
 */
final class ProcessNodes {
  private static final Duration HOST_INTERVAL = Duration.ofSeconds(2);
  private final Path logRoot;
  private final Path workingDirectory;
  private final ScheduledExecutorService timers;
  private final Map<String, NodeAgent> agents;
  private final CgroupCapability cgroups = CgroupCapability.detect();
  private final eu.mlsysops.orchestration.process.WorkloadUser.Detection workloads;
  private final AtomicReference<TelemetryEndpoint> endpoint = new AtomicReference<>();
  private final Map<String, ProcessRuntime> runtimes = new ConcurrentHashMap<>();
  private final Map<String, HostCollector> hosts = new ConcurrentHashMap<>();
  // Processes outlive the JVM that started them: when it is told to exit (SIGTERM, Ctrl-C) they
  // are stopped too, even if the owner never gets to close the continuum.
  private final Thread shutdownHook = new Thread(this::closeRuntimes, "mls-process-runtimes-stop");

  ProcessNodes(Path logRoot, Path workingDirectory, ScheduledExecutorService timers,
      Map<String, NodeAgent> agents, String workloadUser) {
    this.workloads = eu.mlsysops.orchestration.process.WorkloadUser.detect(workloadUser);
    this.logRoot = logRoot;
    this.workingDirectory = workingDirectory;
    this.timers = timers;
    this.agents = agents;
    java.lang.Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** The runtime of a node, made on first use (again after {@link #close(String)}). */
  ProcessRuntime runtime(String node) {
    return runtimes.computeIfAbsent(node, n -> {
      HostCollector host = HostCollector.builder().node(n).sink(new AgentSink(n)).build();
      host.start(timers, HOST_INTERVAL);
      HostCollector old = hosts.put(n, host);
      if (old != null) {
        old.close();
      }
      return ProcessRuntime.builder(n)
          .logDirectory(logRoot.resolve(n.replaceAll("[^A-Za-z0-9._-]", "_")))
          .workingDirectory(workingDirectory)
          .runAs(workloads.user().orElse(null))
          .cgroups(cgroups)
          .executor(timers)
          .telemetry(endpoint::get)
          .metrics(new AgentSink(n))
          .build();
    });
  }

  Optional<ProcessRuntime> existing(String node) {
    return Optional.ofNullable(runtimes.get(node));
  }

  CgroupCapability cgroups() {
    return cgroups;
  }

  eu.mlsysops.orchestration.process.WorkloadUser.Detection workloads() {
    return workloads;
  }

  void endpoint(TelemetryEndpoint e) {
    endpoint.set(e);
  }

  /** Stops a node's processes (it crashed or left). */
  void close(String node) {
    HostCollector host = hosts.remove(node);
    if (host != null) {
      host.close();
    }
    ProcessRuntime r = runtimes.remove(node);
    if (r != null) {
      r.close();
    }
  }

  void closeAll() {
    closeRuntimes();
    try {
      java.lang.Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // Already shutting down: the hook is running or ran.
    }
  }

  private void closeRuntimes() {
    hosts.values().forEach(HostCollector::close);
    hosts.clear();
    // In parallel: each waits up to its grace period for its processes.
    List<Thread> closing = new ArrayList<>();
    for (ProcessRuntime r : runtimes.values()) {
      Thread t = new Thread(r::close, "close-" + r.nodeName());
      t.start();
      closing.add(t);
    }
    for (Thread t : closing) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    runtimes.clear();
  }

  /** Usage samples go to the node's agent, looked up on arrival (it is built after the runtime). */
  private final class AgentSink implements SampleSink {
    private final String node;

    AgentSink(String node) {
      this.node = node;
    }

    @Override
    public boolean accept(Sample sample) {
      NodeAgent a = agents.get(node);
      return a != null && a.ingest(sample);
    }

    @Override
    public void describe(String metric, MetricMetadata metadata) {
      NodeAgent a = agents.get(node);
      if (a != null) {
        a.sink().describe(metric, metadata);
      }
    }
  }
}
