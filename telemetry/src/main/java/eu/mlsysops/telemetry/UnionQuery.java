package eu.mlsysops.telemetry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Several agents' telemetry read as one, e.g. every cluster agent's per-node summaries. The stores
 * are asked each time (agents come and go); series are not merged, since stores of one tier hold
 * disjoint series (each carries its own {@code node} or {@code cluster} label). Stores that are
 * also {@link SeriesSource}s are scanned directly, so the query engine reads a union as it reads one
 * store. A store that is also {@link PartialResults} has its warnings passed on.
 */
public final class UnionQuery implements TelemetryQuery, SeriesSource, PartialResults {
  private final Supplier<List<? extends TelemetryQuery>> stores;

  /** @param stores the stores to read, asked on every query */
  public UnionQuery(Supplier<List<? extends TelemetryQuery>> stores) {
    this.stores = Objects.requireNonNull(stores, "stores");
  }

  @Override
  public OptionalDouble latest(String metric, Map<String, String> matchers) {
    Sample newest = null;
    for (TelemetryQuery q : stores.get()) {
      for (Sample s : q.lastValues(metric, matchers, Duration.ofDays(365))) {
        if (newest == null || s.timestampMillis() > newest.timestampMillis()) {
          newest = s;
        }
      }
    }
    return newest == null ? OptionalDouble.empty() : OptionalDouble.of(newest.value());
  }

  @Override
  public List<Series> range(String metric, Map<String, String> matchers, Duration window) {
    List<Series> out = new ArrayList<>();
    for (TelemetryQuery q : stores.get()) {
      out.addAll(q.range(metric, matchers, window));
    }
    return out;
  }

  @Override
  public OptionalDouble avgOverWindow(String metric, Map<String, String> matchers, Duration w) {
    double sum = 0;
    long n = 0;
    for (Series s : range(metric, matchers, w)) {
      for (Sample p : s.samples()) {
        sum += p.value();
        n++;
      }
    }
    return n == 0 ? OptionalDouble.empty() : OptionalDouble.of(sum / n);
  }

  @Override
  public OptionalDouble maxOverWindow(String metric, Map<String, String> matchers, Duration w) {
    OptionalDouble max = OptionalDouble.empty();
    for (TelemetryQuery q : stores.get()) {
      OptionalDouble m = q.maxOverWindow(metric, matchers, w);
      if (m.isPresent() && (max.isEmpty() || m.getAsDouble() > max.getAsDouble())) {
        max = m;
      }
    }
    return max;
  }

  @Override
  public List<String> metricNames() {
    TreeSet<String> names = new TreeSet<>();
    for (TelemetryQuery q : stores.get()) {
      names.addAll(q.metricNames());
    }
    return List.copyOf(names);
  }

  @Override
  public List<Sample> lastValues(String metric, Map<String, String> matchers, Duration lookback) {
    List<Sample> out = new ArrayList<>();
    for (TelemetryQuery q : stores.get()) {
      out.addAll(q.lastValues(metric, matchers, lookback));
    }
    return out;
  }

  @Override
  public Optional<MetricMetadata> metadata(String metric) {
    for (TelemetryQuery q : stores.get()) {
      Optional<MetricMetadata> m = q.metadata(metric);
      if (m.isPresent()) {
        return m;
      }
    }
    return Optional.empty();
  }

  @Override
  public void scan(
      String metric,
      List<LabelMatcher> matchers,
      long fromMillis,
      long toMillis,
      SeriesVisitor visitor) {
    for (TelemetryQuery q : stores.get()) {
      if (q instanceof SeriesSource source) {
        source.scan(metric, matchers, fromMillis, toMillis, visitor);
      }
    }
  }

  @Override
  public List<String> warnings() {
    List<String> out = new ArrayList<>();
    for (TelemetryQuery q : stores.get()) {
      if (q instanceof PartialResults p) {
        out.addAll(p.warnings());
      }
    }
    return out;
  }
}
