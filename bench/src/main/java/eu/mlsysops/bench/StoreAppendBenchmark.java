package eu.mlsysops.bench;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Append throughput of the metric store, as the OTLP receiver drives it ({@code accept(Sample)},
 * the sample built per call): each thread round-robins over its own {@code seriesPerThread} series,
 * advancing time by 1 s per round, so the store is in its steady state (chunks sealed, the oldest
 * trimmed by the per-series cap and retention). Run with {@code -t 1} and {@code -t 2}; the
 * receiver's target is 1,000,000 data points/s on 2 cores.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
@Threads(2)
public class StoreAppendBenchmark {
  @Param({"10000"})
  public int seriesPerThread;

  MetricStore store;
  final AtomicInteger threads = new AtomicInteger();

  @Setup(Level.Trial)
  public void setUp() {
    store = MetricStore.builder().clock(Clock.systemUTC()).maxSeries(1_000_000).build();
  }

  /** One appending thread's series and clock. */
  @State(Scope.Thread)
  public static class Feeder {
    Labels[] labels;
    int next;
    long ts = 1_700_000_000_000L;

    @Setup(Level.Trial)
    public void setUp(StoreAppendBenchmark b) {
      int id = b.threads.getAndIncrement();
      labels = new Labels[b.seriesPerThread];
      for (int i = 0; i < labels.length; i++) {
        labels[i] = Labels.of("node", "node-" + (i % 100), "instance", "t" + id + "-instance-" + i);
      }
    }
  }

  @Benchmark
  public boolean append(Feeder f) {
    int i = f.next;
    boolean ok = store.accept(new Sample("x", f.labels[i], f.ts, i));
    if (++i == f.labels.length) {
      i = 0;
      f.ts += 1000;
    }
    f.next = i;
    return ok;
  }
}
