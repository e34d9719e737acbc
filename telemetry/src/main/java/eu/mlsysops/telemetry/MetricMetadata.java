package eu.mlsysops.telemetry;

import java.util.Objects;

/**
 * What a metric is, as OTLP and the Prometheus exposition format describe it.
 *
 * @param type how values of the metric behave
 * @param unit UCUM unit as OTLP sends it ("s", "By", "1"), empty when unknown
 * @param help one-line description, empty when unknown
 */
public record MetricMetadata(MetricType type, String unit, String help) {
  public MetricMetadata {
    Objects.requireNonNull(type, "type");
    unit = unit == null ? "" : unit;
    help = help == null ? "" : help;
  }

  public static MetricMetadata of(MetricType type) {
    return new MetricMetadata(type, "", "");
  }

  /**
   * How a metric's values behave. Histograms and summaries are stored flattened the way Prometheus
   * does it ({@code _bucket{le=…}}, {@code _sum}, {@code _count}, {@code {quantile=…}}); the
   * metadata is recorded under the base name.
   */
  public enum MetricType {
    GAUGE,
    /** Monotonic cumulative sum: only ever goes up, except on reset. */
    COUNTER,
    /** Cumulative sum that may go down (OTLP non-monotonic sum, UpDownCounter). */
    UP_DOWN_COUNTER,
    HISTOGRAM,
    SUMMARY
  }
}
