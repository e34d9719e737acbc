package eu.mlsysops.bench;

import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleBatch;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.otlp.OtlpGrpcReceiver;
import eu.mlsysops.telemetry.otlp.OtlpIngestStats;
import eu.mlsysops.telemetry.otlp.OtlpMetricsTranslator;
import eu.mlsysops.telemetry.pipeline.UplinkAggregator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * OTLP/gRPC ingest into one node agent's telemetry path, with the load from a separate process
 * over loopback (the setting): receiver → OTLP translator → the node's metric store and
 * its uplink aggregator (what {@code NodeAgent.ingest} does for every sample). The figure is the
 * data points the receiver accepted per second of the run.
 *
 * <p>The sink is what {@code NodeAgent.sink()} is: samples one by one ({@code accept}) or a metric's
 * points at once ({@code acceptBatch}, which the OTLP translator uses for gauges and sums).
 *
 * <p>Usage: {@code bench/run otlp-ingest [SERIES [POINTS_PER_REQUEST [SECONDS [IN_FLIGHT]]]]},
 * defaults 10000 1000 20 8.
 */
public final class OtlpIngestBenchmark {
  private OtlpIngestBenchmark() {}

  public static void main(String[] args) throws Exception {
    String series = arg(args, 0, "10000");
    String perRequest = arg(args, 1, "1000");
    String seconds = arg(args, 2, "20");
    String inFlight = arg(args, 3, "8");

    MetricStore store = MetricStore.withDefaults(Clock.systemUTC());
    UplinkAggregator uplink = UplinkAggregator.builder().build();
    SampleSink node = new SampleSink() {
      @Override
      public boolean accept(Sample s) {
        if (!store.append(s)) {
          return false;
        }
        uplink.accept(s);
        return true;
      }

      @Override
      public void acceptBatch(SampleBatch batch) {
        store.acceptBatch(batch);
        uplink.foldAccepted(batch);
      }

      @Override
      public void describe(String metric, MetricMetadata m) {
        store.describe(metric, m);
        uplink.describe(metric, m);
      }
    };
    OtlpMetricsTranslator translator = OtlpMetricsTranslator.builder(node).nodeName("bench-node")
        .build();
    try (OtlpGrpcReceiver receiver = OtlpGrpcReceiver.builder(translator).port(0)
        .maxMessageBytes(16 << 20).build().start()) {
      List<String> cmd = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx1g", "-cp", System.getProperty("java.class.path"),
          OtlpLoadGenerator.class.getName(), "127.0.0.1:" + receiver.port(),
          series, perRequest, seconds, inFlight));
      System.out.printf("load: %s series, %s points per request, %s s, %s requests in flight,"
          + " from a separate JVM%n", series, perRequest, seconds, inFlight);
      Process gen = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      OtlpIngestStats before = translator.counters().snapshot();
      long cpu0 = processCpuNanos();
      long t0 = System.nanoTime();
      String result = "";
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(gen.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          System.out.println("  generator: " + line);
          result = line;
        }
      }
      int exit = gen.waitFor();
      double elapsed = (System.nanoTime() - t0) / 1e9;
      double cpu = (processCpuNanos() - cpu0) / 1e9;
      OtlpIngestStats after = translator.counters().snapshot();
      long accepted = after.pointsAccepted() - before.pointsAccepted();
      long rejected = after.pointsRejected() - before.pointsRejected();
      System.out.printf(Locale.ROOT,
          "%nOTLP/gRPC ingest, receiver side: %,d points accepted, %,d rejected in %.1f s"
              + " (incl. generator start-up) = %,.0f points/s%n",
          accepted, rejected, elapsed, accepted / elapsed);
      // CPU time says what a point costs even when other processes share the cores.
      System.out.printf(Locale.ROOT,
          "receiver CPU: %.1f s over %.1f s = %.2f cores; %.2f µs per point,"
              + " %,.0f points per CPU-second%n",
          cpu, elapsed, cpu / elapsed, cpu * 1e6 / Math.max(1, accepted), accepted / cpu);
      // Out of order: the receiver handles requests on several threads, so a series' point of
      // one round can be stored after its point of the next round, and is then dropped.
      System.out.printf(Locale.ROOT, "store: %,d series, %,d samples dropped (non-finite %,d,"
          + " series limit %,d, out of order %,d)%n", store.seriesCount(),
          store.droppedNonFinite() + store.rejectedSamples() + store.droppedOutOfOrder(),
          store.droppedNonFinite(), store.rejectedSamples(), store.droppedOutOfOrder());
      if (exit != 0 || !result.startsWith("sent=")) {
        System.err.println("the load generator failed (exit " + exit + ")");
        System.exit(1);
      }
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String arg(String[] args, int i, String dflt) {
    return args.length > i ? args[i] : dflt;
  }
}
