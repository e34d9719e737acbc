package eu.mlsysops.bench;

import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.security.TrustEngine;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the trust engine adds to a cluster agent's telemetry path: one node tick is the seven node
 * gauges the simulation emits (power, load, memory, frequency, …), the last of which,
 * {@code node_cpu_utilization}, also scores and updates the node's Random Cut Forest (every
 * time with {@code detectorIntervalMs=0}; at most once a second per node by default).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TrustIngestBenchmark {
  private static final String[] METRICS = {
    "node_load1", "node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes",
    "node_cpu_scaling_frequency_hertz", "node_power_watts", "node_energy_joules_total",
    "node_cpu_utilization"
  };

  @Param({"100"})
  int nodes;

  /** 0: every tick is a detector point (its full cost); 1000: the engine's default. */
  @Param({"0", "1000"})
  long detectorIntervalMs;

  private TrustEngine engine;
  private Labels[] labels;
  private long tick;

  @Setup
  public void setup() {
    engine = TrustEngine.builder().clock(Clock.systemUTC())
        .detectorInterval(java.time.Duration.ofMillis(detectorIntervalMs)).build();
    labels = new Labels[nodes];
    for (int i = 0; i < nodes; i++) {
      String name = "n" + i;
      NodeDescriptor d = Descriptors.parse("""
          MLSysOpsNode:
            name: %s
            cluster_id: c
            continuum_layer: edge
            environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
            hardware:
              cpu: {cores: 4, frequency: [0.6, 1.2, 1.8]}
              memory: 4Gi
          """.formatted(name), name, ParseOptions.DEFAULT).ofType(NodeDescriptor.class).get(0);
      engine.registered(name, d, "c", Optional.empty());
      labels[i] = Labels.of("node", name);
    }
  }

  /** One node's tick: seven samples, one anomaly-detector point. */
  @Benchmark
  public void nodeTick() {
    long t = tick++;
    Labels l = labels[(int) (t % nodes)];
    double u = 0.4 + 0.1 * Math.sin(t * 0.01);
    for (String m : METRICS) {
      double v = switch (m) {
        case "node_cpu_utilization" -> u;
        case "node_load1" -> u * 4;
        case "node_power_watts" -> 5 + 10 * u;
        case "node_memory_MemTotal_bytes" -> 4.0 * (1L << 30);
        case "node_memory_MemAvailable_bytes" -> 3.0 * (1L << 30);
        case "node_cpu_scaling_frequency_hertz" -> 1.8e9;
        default -> t;
      };
      engine.telemetry(new Sample(m, l, t, v));
    }
  }
}
