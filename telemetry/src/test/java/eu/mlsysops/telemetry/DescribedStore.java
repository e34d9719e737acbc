package eu.mlsysops.telemetry;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link MetricStore} seen as a {@link SampleSink} that keeps metadata, and as a {@link
 * TelemetryQuery} that returns it: what tests of collectors and of the exposition need, using only
 * the store's public API.
 */
public final class DescribedStore implements SampleSink, TelemetryQuery {
  private final MetricStore store;
  private final Map<String, MetricMetadata> metadata = new ConcurrentHashMap<>();

  public DescribedStore(Clock clock) {
    this.store = MetricStore.withDefaults(clock);
  }

  public MetricStore store() {
    return store;
  }

  @Override
  public boolean accept(Sample sample) {
    return store.append(sample);
  }

  @Override
  public void describe(String metric, MetricMetadata m) {
    metadata.put(metric, m);
  }

  /** Everything described so far. */
  public Map<String, MetricMetadata> described() {
    return Map.copyOf(metadata);
  }

  @Override
  public Optional<MetricMetadata> metadata(String metric) {
    return Optional.ofNullable(metadata.get(metric));
  }

  @Override
  public OptionalDouble latest(String metric, Map<String, String> matchers) {
    return store.latest(metric, matchers);
  }

  @Override
  public List<Series> range(String metric, Map<String, String> matchers, Duration window) {
    return store.range(metric, matchers, window);
  }

  @Override
  public OptionalDouble avgOverWindow(String metric, Map<String, String> m, Duration window) {
    return store.avgOverWindow(metric, m, window);
  }

  @Override
  public OptionalDouble maxOverWindow(String metric, Map<String, String> m, Duration window) {
    return store.maxOverWindow(metric, m, window);
  }

  @Override
  public List<String> metricNames() {
    return store.metricNames();
  }

  @Override
  public List<Sample> lastValues(String metric, Map<String, String> matchers, Duration lookback) {
    return store.lastValues(metric, matchers, lookback);
  }
}
