package eu.mlsysops.bench;

import com.sun.management.OperatingSystemMXBean;
import eu.mlsysops.agent.tier.AgentEvent;
import eu.mlsysops.agent.tier.ClusterAgent;
import eu.mlsysops.agent.tier.EmbeddedContinuum;
import eu.mlsysops.agent.tier.Topologies;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code bench/run scale [NODES [SECONDS [SETTLE]]]}: the embedded continuum ({@code mls up --nodes N})
 * with NODES simulated node agents in one JVM, telemetry every second. Reports the time until
 * every node has registered, then over SECONDS of steady state: heap after GC (total, and per node
 * over a 10-node baseline measured first in the same JVM), CPU (cores used), live threads, and how
 * many times a cluster called a node unreachable or back (every one is false: no node is killed).
 * Measuring starts SETTLE seconds (default 150) after every node registered.
 */
public final class ScaleBenchmark {
  private ScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
    int settle = args.length > 2 ? Integer.parseInt(args[2]) : SETTLE_SECONDS;
    Result base = run(10, 10, 5, false);
    Result r = run(nodes, seconds, settle, true);
    double perNode = (r.heapAfterGc - base.heapAfterGc) / (double) (nodes - 10);
    System.out.println();
    System.out.println("| nodes | all registered after | heap after GC | per idle node | CPU (cores)"
        + " | threads | false unreachable (start-up / steady) |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
    System.out.printf(Locale.ROOT, "| %,d | %.1f s | %.0f MiB | %.1f KiB | %.2f | %d | %d / %d |%n",
        nodes, r.registeredMillis / 1000.0, r.heapAfterGc / 1048576.0, perNode / 1024, r.cores,
        r.threads, r.startupFlaps, r.steadyFlaps);
  }

  record Result(long registeredMillis, long heapAfterGc, double cores, int threads,
      long startupFlaps, long steadyFlaps) {}

  /**
   * Seconds after every node registered before measuring: start-up work settles, and the trust
   * engine's anomaly detectors finish their warm-up (they learn one point in four and score once
   * they learned 32, so about 130 s in) and start scoring, which is part of the steady cost.
   */
  static final int SETTLE_SECONDS = 150;

  static Result run(int nodes, int seconds, int settle, boolean print) throws Exception {
    Path dir = Files.createTempDirectory("mls-scale-");
    List<AgentEvent> flaps = new CopyOnWriteArrayList<>();
    long t0 = System.nanoTime();
    try (EmbeddedContinuum c = EmbeddedContinuum.builder(dir)
        .topology(Topologies.generatedTopology(nodes))
        .tick(java.time.Duration.ofSeconds(1)) // telemetry every second, as mls up --nodes
        .events(e -> {
          if (e.kind().equals("node") && (e.message().contains(" is unreachable")
              || e.message().contains(" is back"))) {
            flaps.add(e);
          }
        })
        .build().start()) {
      while (registered(c) < nodes) {
        if (System.nanoTime() - t0 > 600_000_000_000L) {
          throw new IllegalStateException("only " + registered(c) + " of " + nodes
              + " nodes registered within 10 minutes");
        }
        Thread.sleep(100);
      }
      long registeredMillis = (System.nanoTime() - t0) / 1_000_000;
      if (print) {
        System.out.printf(Locale.ROOT, "%,d nodes registered after %.1f s; steady for %d s ...%n",
            nodes, registeredMillis / 1000.0, seconds);
      }
      if (print) {
        System.out.printf(Locale.ROOT, "settling for %d s ...%n", settle);
      }
      Thread.sleep(settle * 1000L);
      long startupFlaps = flaps.size();
      OperatingSystemMXBean os =
          (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long wall0 = System.nanoTime();
      long cpuMark = cpu0;
      long wallMark = wall0;
      for (int s = 0; s < seconds; s++) {
        Thread.sleep(1000);
        if (print && (s + 1) % 10 == 0) {
          long cpu = os.getProcessCpuTime();
          long wall = System.nanoTime();
          System.out.printf(Locale.ROOT,
              "  %d s: %.2f cores in the last 10 s, %.2f so far, %d flaps%n",
              s + 1, (cpu - cpuMark) / (double) (wall - wallMark),
              (cpu - cpu0) / (double) (wall - wall0), flaps.size() - startupFlaps);
          cpuMark = cpu;
          wallMark = wall;
        }
      }
      double cores = (os.getProcessCpuTime() - cpu0) / (double) (System.nanoTime() - wall0);
      int threads = ManagementFactory.getThreadMXBean().getThreadCount();
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(200);
      }
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      if (print && System.getenv("MLS_SCALE_HISTOGRAM") != null) {
        // What the heap holds, largest first (as jcmd GC.class_histogram prints it).
        Object histogram = ManagementFactory.getPlatformMBeanServer().invoke(
            new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
            "gcClassHistogram", new Object[] {new String[0]},
            new String[] {String[].class.getName()});
        String[] lines = histogram.toString().split("\n");
        for (int i = 0; i < Math.min(40, lines.length); i++) {
          System.out.println(lines[i]);
        }
      }
      return new Result(registeredMillis, heap, cores, threads, startupFlaps,
          flaps.size() - startupFlaps);
    }
  }

  private static int registered(EmbeddedContinuum c) {
    int n = 0;
    for (ClusterAgent a : c.clusters().values()) {
      for (Boolean healthy : a.nodeHealth().values()) {
        n += healthy ? 1 : 0;
      }
    }
    return n;
  }
}
