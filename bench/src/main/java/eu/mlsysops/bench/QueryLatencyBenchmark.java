package eu.mlsysops.bench;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.query.Query;
import eu.mlsysops.telemetry.query.QueryEngine;
import eu.mlsysops.telemetry.query.QueryResult;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
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
 * Query latency over a node-sized store: {@code series} series (labels {@code node} of 100 and
 * {@code instance}) of a counter {@code x} holding 15 minutes at 1 s, queried through the PromQL
 * engine at the newest sample. Target: p99 of a 15-minute range over 10,000 series reported.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class QueryLatencyBenchmark {
  private static final long START = 1_700_000_000_000L;
  private static final int SECONDS = 900;

  @Param({"10000"})
  public int series;

  private long now;
  private Query avgOverTime15m;
  private Query sumByNodeRate5m;
  private Query sumByNodeRate5mRange15m;
  private Query oneNodeRate5m;

  @Setup(Level.Trial)
  public void fill() {
    now = START + (SECONDS - 1) * 1000L;
    MetricStore store =
        MetricStore.builder().clock(Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC)).build();
    Labels[] labels = new Labels[series];
    for (int i = 0; i < series; i++) {
      labels[i] = Labels.of("node", "node-" + (i % 100), "instance", "instance-" + i);
    }
    for (int s = 0; s < SECONDS; s++) {
      for (int i = 0; i < series; i++) {
        store.append(new Sample("x", labels[i], START + s * 1000L, s * (1 + i % 7)));
      }
    }
    QueryEngine engine = new QueryEngine(store);
    avgOverTime15m = engine.parse("avg_over_time(x[15m])");
    sumByNodeRate5m = engine.parse("sum by (node) (rate(x[5m]))");
    sumByNodeRate5mRange15m = engine.parse("sum by (node) (rate(x[5m]))");
    oneNodeRate5m = engine.parse("sum(rate(x{node=\"node-7\"}[5m]))");
  }

  /** 15-minute range over every series, one value per series (10,000 elements out). */
  @Benchmark
  public QueryResult avgOverTime15m() {
    return avgOverTime15m.instant(now);
  }

  /** 5-minute rate of every series, summed per node (100 elements out). */
  @Benchmark
  public QueryResult sumByNodeRate5m() {
    return sumByNodeRate5m.instant(now);
  }

  /** The same as a range query over the last 15 minutes at a 15 s step (61 steps). */
  @Benchmark
  public QueryResult sumByNodeRate5mRange15m() {
    return sumByNodeRate5mRange15m.range(now - 15 * 60_000L, now, 15_000);
  }

  /** One node's 100 series, found through the label index. */
  @Benchmark
  public QueryResult oneNodeRate5m() {
    return oneNodeRate5m.instant(now);
  }
}
