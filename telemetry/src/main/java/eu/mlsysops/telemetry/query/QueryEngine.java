package eu.mlsysops.telemetry.query;

import eu.mlsysops.telemetry.SeriesSource;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Evaluates PromQL expressions against a {@link SeriesSource}, normally an agent's {@link
 * eu.mlsysops.telemetry.MetricStore}. Supported: vector selectors with {@code =}, {@code !=},
 * {@code =~}, {@code !~} matchers (metric and label names may contain dots), range selectors
 * ({@code [30s]}, {@code [5m]}, {@code [1h30m]}), the functions {@code rate}, {@code irate}, {@code
 * increase}, {@code delta}, {@code idelta}, {@code resets}, {@code changes}, {@code
 * avg|min|max|sum|count|last|stddev_over_time}, {@code quantile_over_time}, {@code
 * histogram_quantile}, {@code abs}, {@code ceil}, {@code floor}, {@code clamp_min}, {@code
 * clamp_max}, {@code scalar}, {@code vector}, {@code time}, the aggregations {@code
 * sum|avg|min|max|count} with {@code by} or {@code without}, number literals, arithmetic {@code + -
 * * / % ^} and comparisons {@code == != > < >= <=} (optionally {@code bool}) between scalars and
 * vectors, and one-to-one vector matching (optionally {@code on(...)} or {@code ignoring(...)}).
 *
 * <p>Semantics follow Prometheus 3: windows are left-open, {@code (t - range, t]}; an instant
 * selector takes the newest sample within the lookback (default 5 minutes); rate, increase and
 * delta extrapolate to the window's edges as Prometheus does and handle counter resets.
 *
 * <p>Immutable and thread-safe.
 */
public final class QueryEngine {
  /** Default lookback of instant vector selectors: 5 minutes. */
  public static final Duration DEFAULT_LOOKBACK = Duration.ofMinutes(5);

  /** Default limit of steps of a range query: 11,000, as Prometheus. */
  public static final int DEFAULT_MAX_STEPS = 11_000;

  private final SeriesSource source;
  private final long lookbackMillis;
  private final int maxSteps;

  /** An engine with the default lookback and step limit. */
  public QueryEngine(SeriesSource source) {
    this(builder(source));
  }

  private QueryEngine(Builder b) {
    this.source = b.source;
    this.lookbackMillis = b.lookback.toMillis();
    this.maxSteps = b.maxSteps;
  }

  /** A builder for an engine reading {@code source}. */
  public static Builder builder(SeriesSource source) {
    return new Builder(source);
  }

  /** Configures a {@link QueryEngine}. */
  public static final class Builder {
    private final SeriesSource source;
    private Duration lookback = DEFAULT_LOOKBACK;
    private int maxSteps = DEFAULT_MAX_STEPS;

    private Builder(SeriesSource source) {
      this.source = Objects.requireNonNull(source, "source");
    }

    /** How far back an instant selector looks for a series' newest sample; default 5 minutes. */
    public Builder lookback(Duration lookback) {
      Objects.requireNonNull(lookback, "lookback");
      if (lookback.isNegative() || lookback.isZero()) {
        throw new IllegalArgumentException("lookback must be positive");
      }
      this.lookback = lookback;
      return this;
    }

    /** Most steps a range query may have; default 11,000. */
    public Builder maxSteps(int maxSteps) {
      if (maxSteps < 1) {
        throw new IllegalArgumentException("maxSteps must be positive");
      }
      this.maxSteps = maxSteps;
      return this;
    }

    /** The engine. */
    public QueryEngine build() {
      return new QueryEngine(this);
    }
  }

  /**
   * Parses and type-checks an expression for repeated evaluation.
   *
   * @throws QueryException with the position of the first error
   */
  public Query parse(String expr) {
    Objects.requireNonNull(expr, "expr");
    return new Query(expr, Parser.parse(expr), source, lookbackMillis, maxSteps);
  }

  /**
   * Evaluates {@code expr} at one time; see {@link Query#instant}.
   *
   * @throws QueryException when the expression is invalid or cannot be evaluated
   */
  public QueryResult instant(String expr, long atMillis) {
    return parse(expr).instant(atMillis);
  }

  /**
   * Evaluates {@code expr} at every step from {@code start} to {@code end}; see {@link
   * Query#range}.
   *
   * @throws QueryException when the expression or the range is invalid
   */
  public QueryResult.Matrix range(String expr, long startMillis, long endMillis, long stepMillis) {
    return parse(expr).range(startMillis, endMillis, stepMillis);
  }

  /**
   * The elements of an instant-vector expression at one time, for code that knows it asks for a
   * vector.
   *
   * @throws QueryException when the expression is invalid or not an instant vector
   */
  public List<QueryResult.Element> vector(String expr, long atMillis) {
    Query q = parse(expr);
    if (q.type() != ValueType.VECTOR) {
      throw QueryException.at(
          expr, 0, "expected an instant vector expression, got " + q.type().text());
    }
    return ((QueryResult.Vector) q.instant(atMillis)).elements();
  }

  /**
   * The single value of an expression at one time: a scalar's value, or the value of a vector's
   * only element; empty when the vector is empty. Convenient for policies: {@code
   * value("avg(rate(cpu_seconds_total[1m]))", now)}.
   *
   * @throws QueryException when the expression is invalid, a range vector, or yields more than one
   *     element
   */
  public OptionalDouble value(String expr, long atMillis) {
    QueryResult r = instant(expr, atMillis);
    if (r instanceof QueryResult.Scalar s) {
      return OptionalDouble.of(s.value());
    }
    if (r instanceof QueryResult.Vector v) {
      if (v.elements().size() > 1) {
        throw QueryException.at(
            expr,
            0,
            "expected at most one element, got "
                + v.elements().size()
                + " (aggregate, e.g. with sum or avg)");
      }
      return v.elements().isEmpty()
          ? OptionalDouble.empty()
          : OptionalDouble.of(v.elements().get(0).value());
    }
    throw QueryException.at(
        expr, 0, "expected a scalar or instant vector expression, got " + "range vector");
  }
}
