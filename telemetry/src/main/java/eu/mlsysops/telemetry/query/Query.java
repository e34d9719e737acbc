package eu.mlsysops.telemetry.query;

import eu.mlsysops.telemetry.SeriesSource;
import java.util.ArrayList;
import java.util.List;

/**
 * A parsed and type-checked expression bound to a source, ready to be evaluated any number of times
 * (policies parse once and evaluate every tick). Immutable and thread-safe; made by {@link
 * QueryEngine#parse}.
 */
public final class Query {
  private final String text;
  private final Expr expr;
  private final SeriesSource source;
  private final long lookbackMillis;
  private final int maxSteps;

  Query(String text, Expr expr, SeriesSource source, long lookbackMillis, int maxSteps) {
    this.text = text;
    this.expr = expr;
    this.source = source;
    this.lookbackMillis = lookbackMillis;
    this.maxSteps = maxSteps;
  }

  /** The expression as given. */
  public String text() {
    return text;
  }

  /** What the expression evaluates to. */
  public ValueType type() {
    return expr.type();
  }

  /**
   * Evaluates at one time: a {@link QueryResult.Scalar}, a {@link QueryResult.Vector}, or for a
   * bare range selector ({@code x[5m]}) a {@link QueryResult.Matrix} of its raw samples.
   *
   * @throws QueryException when evaluation fails (e.g. many-to-many matching)
   */
  public QueryResult instant(long atMillis) {
    Evaluator ev = new Evaluator(source, text, lookbackMillis, new long[] {atMillis});
    return switch (expr.type()) {
      case SCALAR -> new QueryResult.Scalar(atMillis, ev.scalar(expr)[0]);
      case MATRIX -> ev.matrix((Expr.RangeSelector) expr);
      case STRING -> throw new IllegalStateException("strings parse only as function arguments");
      case VECTOR -> {
        // A copy: some expressions answer an unmodifiable list (vector(s) alone did, and failed).
        List<Evaluator.Row> rows = new ArrayList<>(ev.vector(expr));
        rows.sort(Evaluator.ROW_ORDER);
        List<QueryResult.Element> out = new ArrayList<>(rows.size());
        for (Evaluator.Row r : rows) {
          if (!Evaluator.absent(r.v[0])) {
            out.add(new QueryResult.Element(r.metric, r.labels, r.v[0]));
          }
        }
        yield new QueryResult.Vector(atMillis, out);
      }
    };
  }

  /**
   * Evaluates at {@code start}, {@code start + step}, … up to {@code end} inclusive, as Prometheus'
   * range query does. A scalar expression gives one series with no labels.
   *
   * @throws QueryException for a range vector expression, {@code end < start}, a step that is not
   *     positive, more steps than the engine allows, or an evaluation error
   */
  public QueryResult.Matrix range(long startMillis, long endMillis, long stepMillis) {
    if (expr.type() == ValueType.MATRIX) {
      throw QueryException.at(
          text,
          expr.pos(),
          "range queries need a scalar or instant vector expression, got " + "range vector");
    }
    if (stepMillis <= 0) {
      throw QueryException.general("step must be positive, got " + stepMillis + " ms");
    }
    if (endMillis < startMillis) {
      throw QueryException.general("end " + endMillis + " is before start " + startMillis);
    }
    long steps = (endMillis - startMillis) / stepMillis + 1;
    if (steps > maxSteps) {
      throw QueryException.general(
          "range query would have "
              + steps
              + " points per series, more than "
              + maxSteps
              + "; use a larger step");
    }
    long[] times = new long[(int) steps];
    for (int i = 0; i < times.length; i++) {
      times[i] = startMillis + i * stepMillis;
    }
    Evaluator ev = new Evaluator(source, text, lookbackMillis, times);
    List<QueryResult.RangeSeries> out = new ArrayList<>();
    if (expr.type() == ValueType.SCALAR) {
      double[] v = ev.scalar(expr);
      out.add(
          new QueryResult.RangeSeries("", eu.mlsysops.telemetry.Labels.EMPTY, points(times, v)));
      return new QueryResult.Matrix(out);
    }
    List<Evaluator.Row> rows = new ArrayList<>(ev.vector(expr));
    rows.sort(Evaluator.ROW_ORDER);
    for (Evaluator.Row r : rows) {
      List<QueryResult.Point> p = points(times, r.v);
      if (!p.isEmpty()) {
        out.add(new QueryResult.RangeSeries(r.metric, r.labels, p));
      }
    }
    return new QueryResult.Matrix(out);
  }

  private static List<QueryResult.Point> points(long[] times, double[] v) {
    List<QueryResult.Point> p = new ArrayList<>();
    for (int i = 0; i < times.length; i++) {
      if (!Evaluator.absent(v[i])) {
        p.add(new QueryResult.Point(times[i], v[i]));
      }
    }
    return p;
  }

  @Override
  public String toString() {
    return text;
  }
}
