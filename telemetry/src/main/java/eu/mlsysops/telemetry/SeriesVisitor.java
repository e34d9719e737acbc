package eu.mlsysops.telemetry;

/**
 * Receives the samples of one series during a {@link SeriesSource#scan}. The arrays are the
 * scanner's reusable buffers: only indexes {@code [0, count)} are meaningful, and only during the
 * call. A visitor that needs the data later copies it; one may also rearrange them in place (the
 * scanner refills them for the next series).
 */
@FunctionalInterface
public interface SeriesVisitor {

  /**
   * One series' samples in the scanned interval, oldest first, timestamps strictly increasing.
   *
   * @param metric the series' metric name
   * @param labels the series' labels
   * @param timestamps epoch milliseconds
   * @param values the values: finite, or NaN for a staleness marker (the series ended at that
   *     time; a later sample revives it). Range reads skip markers; an instant read whose newest
   *     sample is a marker finds no value.
   * @param count how many entries of the arrays belong to this series (at least 1)
   */
  void visit(String metric, Labels labels, long[] timestamps, double[] values, int count);
}
