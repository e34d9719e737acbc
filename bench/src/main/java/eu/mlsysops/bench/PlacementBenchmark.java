package eu.mlsysops.bench;

import eu.mlsysops.orchestration.Placement;
import eu.mlsysops.orchestration.PlacementRequest;
import eu.mlsysops.orchestration.PlacementSnapshot;
import eu.mlsysops.orchestration.Placer;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Placement throughput (issue: orchestration): 10,000 components with mixed constraints placed one
 * after the other onto 5,000 heterogeneous nodes ({@link PlacementWorkload}, seeded), each
 * placement committed so the next sees what is left. Target: at least 5,000 placements per second
 * on the 2-core machine, with the p99 of one placement reported. kube-scheduler's CI floor for a
 * basic 5,000-node workload is 680 pods/s.
 *
 * <ul>
 *   <li>{@code placeOne} (JMH {@code SampleTime}): the latency of one placement, percentiles
 *       included; the snapshot starts again empty after every 10,000.
 *   <li>{@code placeAll} (JMH {@code SingleShotTime}): all 10,000 into an empty snapshot; the
 *       throughput is 10,000 divided by that time.
 * </ul>
 *
 * <p>Run with {@code bench/run Placement}. {@link #main} measures the same without JMH and prints
 * placements/s and percentiles directly.
 */
@State(Scope.Benchmark)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class PlacementBenchmark {
  /** Nodes in the continuum. */
  @Param({"5000"})
  public int nodes;

  /** Components to place, in apps of five. */
  @Param({"10000"})
  public int components;

  /** Seed of the workload. */
  @Param({"42"})
  public long seed;

  private PlacementWorkload workload;
  private PlacementSnapshot empty;
  private PlacementSnapshot snapshot;
  private int cursor;

  @Setup(Level.Trial)
  public void setUp() {
    workload = new PlacementWorkload(nodes, components, seed);
    empty = Placer.withDefaults().snapshot(workload.nodes);
    snapshot = empty.copy();
    System.out.println();
    System.out.println(describe(empty.copy(), workload));
  }

  /** Starts again from an empty continuum once every component is placed. */
  @Setup(Level.Invocation)
  public void wrapAround() {
    if (cursor == workload.requests.size()) {
      snapshot = empty.copy();
      cursor = 0;
    }
  }

  /** One placement (filter, score, commit) of the next component. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Warmup(iterations = 2, time = 3)
  @Measurement(iterations = 3, time = 5)
  public Placement placeOne() {
    return snapshot.placeAndCommit(workload.requests.get(cursor++));
  }

  /** A fresh, empty copy of the continuum for each {@code placeAll}. */
  @State(Scope.Thread)
  public static class Fresh {
    PlacementSnapshot snapshot;

    @Setup(Level.Invocation)
    public void copy(PlacementBenchmark b) {
      snapshot = b.empty.copy();
    }
  }

  /** All components, one after the other, into an empty continuum; returns how many were placed. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  @Warmup(iterations = 5)
  @Measurement(iterations = 10)
  public int placeAll(Fresh fresh) {
    int placed = 0;
    for (PlacementRequest r : workload.requests) {
      if (fresh.snapshot.placeAndCommit(r).isPlaced()) {
        placed++;
      }
    }
    return placed;
  }

  /** How many of the workload's components find a node, with an unschedulable one as example. */
  static String describe(PlacementSnapshot s, PlacementWorkload w) {
    int placed = 0;
    String example = null;
    for (PlacementRequest r : w.requests) {
      Placement p = s.placeAndCommit(r);
      if (p.isPlaced()) {
        placed++;
      } else if (example == null) {
        example = r.app() + "/" + r.component().name() + ": " + p.summary();
      }
    }
    return String.format(
        Locale.ROOT,
        "workload: %d nodes, %d components, %d placed, %d unschedulable%s",
        w.nodes.size(),
        w.requests.size(),
        placed,
        w.requests.size() - placed,
        example == null ? "" : "; e.g. " + example);
  }

  /**
   * Without JMH: {@code rounds} rounds (default 20, the first 5 warm-up) of placing every component
   * into an empty continuum, timing each placement; prints placements/s and the percentiles of one
   * placement over the measured rounds. Args: rounds, nodes, components, seed.
   */
  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int nodeCount = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    int componentCount = args.length > 2 ? Integer.parseInt(args[2]) : 10000;
    long seed = args.length > 3 ? Long.parseLong(args[3]) : 42;
    int warmup = Math.min(5, rounds - 1);
    PlacementWorkload w = new PlacementWorkload(nodeCount, componentCount, seed);
    long t0 = System.nanoTime();
    PlacementSnapshot empty = Placer.withDefaults().snapshot(w.nodes);
    System.out.printf(
        Locale.ROOT,
        "snapshot of %d nodes built in %.1f ms%n",
        nodeCount,
        (System.nanoTime() - t0) / 1e6);
    System.out.println(describe(empty.copy(), w));
    int n = w.requests.size();
    long[] samples = new long[n * (rounds - warmup)];
    int k = 0;
    long measuredNanos = 0;
    for (int round = 0; round < rounds; round++) {
      PlacementSnapshot s = empty.copy();
      long start = System.nanoTime();
      for (PlacementRequest r : w.requests) {
        long a = System.nanoTime();
        s.placeAndCommit(r);
        long b = System.nanoTime();
        if (round >= warmup) {
          samples[k++] = b - a;
        }
      }
      long took = System.nanoTime() - start;
      if (round >= warmup) {
        measuredNanos += took;
      }
      System.out.printf(
          Locale.ROOT,
          "round %2d%s: %d placements in %.0f ms, %.0f placements/s%n",
          round,
          round < warmup ? " (warm-up)" : "",
          n,
          took / 1e6,
          n / (took / 1e9));
    }
    Arrays.sort(samples, 0, k);
    System.out.printf(
        Locale.ROOT,
        "%d nodes, %d components, %d measured rounds: %.0f placements/s;"
            + " per placement p50 %.1f µs, p90 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs%n",
        nodeCount,
        n,
        rounds - warmup,
        (double) k / (measuredNanos / 1e9),
        pct(samples, k, 0.50),
        pct(samples, k, 0.90),
        pct(samples, k, 0.99),
        pct(samples, k, 0.999),
        samples[k - 1] / 1e3);
  }

  private static double pct(long[] sorted, int count, double q) {
    int i = (int) Math.min(count - 1, Math.ceil(q * count) - 1);
    return sorted[Math.max(0, i)] / 1e3;
  }
}
