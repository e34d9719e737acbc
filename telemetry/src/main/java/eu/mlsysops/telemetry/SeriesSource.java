package eu.mlsysops.telemetry;

import java.util.List;

/**
 * Low-level, allocation-free read access to stored series, for query engines: the samples of each
 * matching series are handed to a visitor as primitive arrays rather than as {@link Sample}
 * objects.
 */
public interface SeriesSource {

  /** The names of metrics that have at least one series, sorted. */
  List<String> metricNames();

  /**
   * Calls {@code visitor} once for every series of {@code metric} that satisfies all {@code
   * matchers} and has at least one sample with a timestamp in {@code [fromMillis, toMillis]}. The
   * visitor runs on the calling thread, holding no lock of the source; series are visited in no
   * particular order.
   */
  void scan(
      String metric,
      List<LabelMatcher> matchers,
      long fromMillis,
      long toMillis,
      SeriesVisitor visitor);
}
