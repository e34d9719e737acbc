package eu.mlsysops.bench;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * Bytes per stored sample of the metric store, measured from the heap and cross-checked with the
 * store's own accounting: fills SERIES series (default 10,000, labels {@code node} of 100 and
 * {@code instance}) with 15 minutes of samples at 1 s, the node default retention, and compares the
 * heap used after full GCs before and after. Target: at most 16 bytes per sample.
 *
 * <p>Run: {@code java -Xmx2g -cp bench/target/benchmarks.jar eu.mlsysops.bench.StoreFootprint
 * [SERIES [SECONDS]]}
 */
public final class StoreFootprint {
  private StoreFootprint() {}

  public static void main(String[] args) {
    int series = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 900;
    long start = 1_700_000_000_000L;
    Clock clock = Clock.fixed(Instant.ofEpochMilli(start + seconds * 1000L), ZoneOffset.UTC);
    long before = usedAfterGc();
    // The label sets count: the store keeps the first sample's as the series key.
    Labels[] labels = new Labels[series];
    for (int i = 0; i < series; i++) {
      labels[i] = Labels.of("node", "node-" + (i % 100), "instance", "instance-" + i);
    }
    MetricStore store =
        MetricStore.builder().clock(clock).samplesPerSeries(Math.max(900, seconds)).build();
    long t0 = System.nanoTime();
    for (int s = 0; s < seconds; s++) {
      long ts = start + s * 1000L;
      for (int i = 0; i < series; i++) {
        store.append(new Sample("app_requests_total", labels[i], ts, s * 3.0 + i));
      }
    }
    long fillNanos = System.nanoTime() - t0;
    long after = usedAfterGc();
    MetricStore.Stats st = store.stats();
    long heap = after - before;
    System.out.printf(
        "series=%d samples=%d (expected %d) fill=%.2f s (%.0f samples/s, 1 thread)%n",
        st.series(),
        st.samples(),
        (long) series * seconds,
        fillNanos / 1e9,
        st.samples() / (fillNanos / 1e9));
    System.out.printf(
        "heap delta=%,d B -> %.2f B/sample (label sets of the samples included)%n",
        heap, (double) heap / st.samples());
    System.out.printf(
        "store estimate=%,d B -> %.2f B/sample (estimate/heap = %.3f)%n",
        st.bytesUsed(), st.bytesPerSample(), (double) st.bytesUsed() / heap);
    System.out.printf(
        "dropped: nonFinite=%d rejected=%d outOfOrder=%d evicted=%d%n",
        st.droppedNonFinite(), st.rejected(), st.droppedOutOfOrder(), st.evicted());
    // Keep the store reachable until after the measurement.
    if (store.seriesCount() < 0) {
      System.out.println(labels.length);
    }
  }

  private static long usedAfterGc() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
