package eu.mlsysops.northbound.api;

import eu.mlsysops.telemetry.LabelMatcher;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SeriesSource;
import eu.mlsysops.telemetry.SeriesVisitor;
import eu.mlsysops.telemetry.TelemetryQuery;
import eu.mlsysops.telemetry.UnionQuery;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A tier's telemetry as one caller may see it: series of other tenants' apps are left out where
 * they are selected, so PromQL aggregates, {@code /metrics} and raw reads never include them (a
 * {@code sum} over everything is a sum over what the caller may see).
 */
final class VisibleTelemetry implements TelemetryQuery, SeriesSource {
  /** How far back a metric must have a visible series for its name to be listed. */
  private static final Duration NAME_LOOKBACK = Duration.ofDays(1);

  private final UnionQuery all;
  private final Visibility visible;

  VisibleTelemetry(UnionQuery all, Visibility visible) {
    this.all = Objects.requireNonNull(all);
    this.visible = Objects.requireNonNull(visible);
  }

  @Override
  public void scan(String metric, List<LabelMatcher> matchers, long fromMillis, long toMillis,
      SeriesVisitor visitor) {
    all.scan(metric, matchers, fromMillis, toMillis, (m, labels, ts, values, count) -> {
      if (visible.series(labels)) {
        visitor.visit(m, labels, ts, values, count);
      }
    });
  }

  @Override
  public List<String> metricNames() {
    if (visible.all()) {
      return all.metricNames();
    }
    // A metric of another tenant's app is not even named.
    return all.metricNames().stream()
        .filter(m -> !lastValues(m, Map.of(), NAME_LOOKBACK).isEmpty()).toList();
  }

  @Override
  public List<Series> range(String metric, Map<String, String> matchers, Duration window) {
    return all.range(metric, matchers, window).stream()
        .filter(s -> visible.series(s.labels())).toList();
  }

  @Override
  public List<Sample> lastValues(String metric, Map<String, String> matchers, Duration lookback) {
    return all.lastValues(metric, matchers, lookback).stream()
        .filter(s -> visible.series(s.labels())).toList();
  }

  @Override
  public OptionalDouble latest(String metric, Map<String, String> matchers) {
    return lastValues(metric, matchers, NAME_LOOKBACK.multipliedBy(365)).stream()
        .max(java.util.Comparator.comparingLong(Sample::timestampMillis))
        .map(s -> OptionalDouble.of(s.value())).orElse(OptionalDouble.empty());
  }

  @Override
  public OptionalDouble avgOverWindow(String metric, Map<String, String> matchers,
      Duration window) {
    return range(metric, matchers, window).stream().flatMap(s -> s.samples().stream())
        .mapToDouble(Sample::value).average();
  }

  @Override
  public OptionalDouble maxOverWindow(String metric, Map<String, String> matchers,
      Duration window) {
    return range(metric, matchers, window).stream().flatMap(s -> s.samples().stream())
        .mapToDouble(Sample::value).max();
  }

  @Override
  public Optional<MetricMetadata> metadata(String metric) {
    return all.metadata(metric);
  }
}
