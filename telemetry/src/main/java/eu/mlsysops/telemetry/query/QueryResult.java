package eu.mlsysops.telemetry.query;

import eu.mlsysops.telemetry.Labels;
import java.util.List;
import java.util.Objects;

/**
 * The immutable result of evaluating a {@link Query}: a scalar, an instant vector or a range
 * (matrix). Series are sorted by metric name, then labels.
 */
public sealed interface QueryResult
    permits QueryResult.Scalar, QueryResult.Vector, QueryResult.Matrix {

  /**
   * A number at one time.
   *
   * @param timestampMillis the evaluation time
   * @param value the value (may be NaN or infinite, e.g. after a division by zero)
   */
  record Scalar(long timestampMillis, double value) implements QueryResult {}

  /**
   * One value per series at one time.
   *
   * @param timestampMillis the evaluation time
   * @param elements the series and their values
   */
  record Vector(long timestampMillis, List<Element> elements) implements QueryResult {
    public Vector {
      elements = List.copyOf(elements);
    }
  }

  /**
   * Values of series over time: a range query's result, or the raw samples of a range selector
   * queried at an instant.
   *
   * @param series the series, each with its points
   */
  record Matrix(List<RangeSeries> series) implements QueryResult {
    public Matrix {
      series = List.copyOf(series);
    }
  }

  /**
   * One series of a vector.
   *
   * @param metric the metric name, empty when the expression dropped it (functions, aggregations,
   *     arithmetic), as PromQL drops {@code __name__}
   * @param labels the labels, without the metric name
   * @param value the value
   */
  record Element(String metric, Labels labels, double value) {
    public Element {
      Objects.requireNonNull(metric, "metric");
      Objects.requireNonNull(labels, "labels");
    }
  }

  /**
   * One series of a matrix.
   *
   * @param metric the metric name, empty when dropped
   * @param labels the labels, without the metric name
   * @param points the points, oldest first
   */
  record RangeSeries(String metric, Labels labels, List<Point> points) {
    public RangeSeries {
      Objects.requireNonNull(metric, "metric");
      Objects.requireNonNull(labels, "labels");
      points = List.copyOf(points);
    }
  }

  /**
   * A value at a time.
   *
   * @param timestampMillis epoch milliseconds
   * @param value the value
   */
  record Point(long timestampMillis, double value) {}
}
