package eu.mlsysops.telemetry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Read access to telemetry, as policies, models and the northbound API see it. Label matchers are
 * equality matchers: a series matches when it carries every given label with the given value.
 */
public interface TelemetryQuery {

  /** Latest value of the newest-updated series that matches, if any sample exists. */
  OptionalDouble latest(String metric, Map<String, String> matchers);

  /** Every matching series, each with its samples in [now - window, now], oldest first. */
  List<Series> range(String metric, Map<String, String> matchers, Duration window);

  /** Mean over all samples of all matching series within the window; empty when none. */
  OptionalDouble avgOverWindow(String metric, Map<String, String> matchers, Duration window);

  /** Maximum over all samples of all matching series within the window; empty when none. */
  OptionalDouble maxOverWindow(String metric, Map<String, String> matchers, Duration window);

  /** The names of metrics that have at least one series. */
  List<String> metricNames();

  /**
   * The newest sample of every matching series whose newest sample is at most {@code lookback} old
   * (Prometheus' instant-vector semantics). The default walks {@link #range}; stores override it.
   */
  default List<Sample> lastValues(String metric, Map<String, String> matchers, Duration lookback) {
    List<Sample> out = new java.util.ArrayList<>();
    for (Series s : range(metric, matchers, lookback)) {
      if (!s.samples().isEmpty()) {
        out.add(s.samples().get(s.samples().size() - 1));
      }
    }
    return out;
  }

  /** What the metric is, when a reporter said so. */
  default java.util.Optional<MetricMetadata> metadata(String metric) {
    return java.util.Optional.empty();
  }

  /** One time series and a window of its samples. */
  record Series(String metric, Labels labels, List<Sample> samples) {
    public Series {
      samples = List.copyOf(samples);
    }
  }
}
