package eu.mlsysops.agent.tier;

import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricStore;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.otlp.OtlpMetricsTranslator;
import java.time.Clock;
import java.time.Duration;

/**
 * The metric store of each tier. Nodes keep raw samples for 15 minutes. Clusters and the continuum
 * receive their children's per-interval aggregates (rollups over the export interval, 5 s by
 * default) and keep them longer: an hour at a cluster, six at the continuum. The per-series cap
 * bounds a child that exports faster than the default: at a negotiated 1 s interval a cluster keeps
 * the newest hour's 3,600 points, at 100 ms the newest six minutes, and what falls off is counted as
 * evicted.
 */
final class TierStores {
  static final Duration NODE_RETENTION = Duration.ofMinutes(15);
  static final Duration CLUSTER_RETENTION = Duration.ofHours(1);
  static final Duration CONTINUUM_RETENTION = Duration.ofHours(6);
  /**
   * A series that missed this many of its reporting intervals has stopped (an instance that hung
   * or left without its runtime knowing): node and cluster agents end it with a staleness marker
   * at each export instead of letting its last value answer for the 5-minute lookback.
   */
  static final int SILENT_INTERVALS = 2;
  /** …but not before this much silence (a GC pause of this process is not a series stopping). */
  static final long MIN_SILENCE_MILLIS = 2_000;

  /** Ends the series of {@code store} that stopped arriving (see {@link #SILENT_INTERVALS}). */
  static void endSilentSeries(MetricStore store, long nowMillis) {
    store.markSilentStale(nowMillis, SILENT_INTERVALS, MIN_SILENCE_MILLIS);
  }

  private TierStores() {}

  static MetricStore node(Clock clock) {
    return store(clock, NODE_RETENTION, 900, 20_000, 64L << 20);
  }

  static MetricStore cluster(Clock clock) {
    return store(clock, CLUSTER_RETENTION, 3_600, 200_000, 256L << 20);
  }

  static MetricStore continuum(Clock clock) {
    return store(clock, CONTINUUM_RETENTION, 4_320, 200_000, 256L << 20);
  }

  private static MetricStore store(
      Clock clock, Duration retention, int perSeries, int maxSeries, long budgetBytes) {
    return MetricStore.builder()
        .clock(clock)
        .retention(retention)
        .samplesPerSeries(perSeries)
        .maxSeries(maxSeries)
        .memoryBudgetBytes(budgetBytes)
        .build();
  }

  /**
   * Reads one cluster's telemetry into the continuum's store; series that name no cluster get
   * {@code cluster}'s id.
   */
  static OtlpMetricsTranslator fromCluster(MetricStore store, String cluster, Clock clock) {
    SampleSink sink = new SampleSink() {
      @Override
      public boolean accept(Sample s) {
        return store.append(s.labels().get("cluster") != null ? s
            : new Sample(s.metric(), s.labels().with("cluster", cluster), s.timestampMillis(),
                s.value()));
      }

      @Override
      public void describe(String metric, MetricMetadata metadata) {
        store.describe(metric, metadata);
      }
    };
    return OtlpMetricsTranslator.builder(sink).clock(clock).build();
  }
}
