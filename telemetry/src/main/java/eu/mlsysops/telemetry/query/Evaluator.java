package eu.mlsysops.telemetry.query;

import eu.mlsysops.telemetry.LabelMatcher;
import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.PromNames;
import eu.mlsysops.telemetry.SeriesSource;
import eu.mlsysops.telemetry.SeriesVisitor;
import eu.mlsysops.telemetry.query.Expr.BinaryOp;
import eu.mlsysops.telemetry.query.Expr.Function;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Evaluates an expression at a fixed list of step times, vectorised over steps: a scalar is a
 * {@code double[]} with one value per step, an instant vector a list of rows, each a series with a
 * {@code double[]} per step in which {@link #ABSENT} marks steps without a value. Selectors read
 * the source once for all steps (one scan per metric name, samples in primitive arrays) and slide
 * their windows over the steps. One evaluator per evaluation; not thread-safe.
 */
final class Evaluator {
  /** A NaN with a payload no arithmetic produces: "no value at this step". */
  static final double ABSENT = Double.longBitsToDouble(0x7ff8_dead_beef_0001L);

  private static final long ABSENT_BITS = Double.doubleToRawLongBits(ABSENT);

  private final SeriesSource source;
  private final String query;
  private final long lookback;
  private final long[] times;
  private final int n;
  private double[] scratch = new double[256];
  private double[] corrections = new double[256];

  Evaluator(SeriesSource source, String query, long lookbackMillis, long[] times) {
    this.source = source;
    this.query = query;
    this.lookback = lookbackMillis;
    this.times = times;
    this.n = times.length;
  }

  static boolean absent(double v) {
    return Double.doubleToRawLongBits(v) == ABSENT_BITS;
  }

  /** A series of an instant vector over the steps. */
  static final class Row {
    final String metric;
    final Labels labels;
    final double[] v;

    Row(String metric, Labels labels, double[] v) {
      this.metric = metric;
      this.labels = labels;
      this.v = v;
    }

    boolean any() {
      for (double x : v) {
        if (!absent(x)) {
          return true;
        }
      }
      return false;
    }
  }

  private double[] absentSteps() {
    double[] a = new double[n];
    Arrays.fill(a, ABSENT);
    return a;
  }

  // ---------------------------------------------------------------- dispatch

  double[] scalar(Expr e) {
    if (e instanceof Expr.NumberLiteral l) {
      double[] a = new double[n];
      Arrays.fill(a, l.value());
      return a;
    }
    if (e instanceof Expr.Negate neg) {
      double[] a = scalar(neg.expr());
      for (int i = 0; i < n; i++) {
        a[i] = -a[i];
      }
      return a;
    }
    if (e instanceof Expr.Binary b) {
      double[] l = scalar(b.lhs());
      double[] r = scalar(b.rhs());
      double[] out = new double[n];
      for (int i = 0; i < n; i++) {
        out[i] =
            b.op().comparison ? (compare(b.op(), l[i], r[i]) ? 1 : 0) : arith(b.op(), l[i], r[i]);
      }
      return out;
    }
    if (e instanceof Expr.Call c) {
      if (c.function() == Function.TIME) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
          a[i] = times[i] / 1000.0;
        }
        return a;
      }
      if (c.function() == Function.SCALAR) {
        List<Row> rows = vector(c.args().get(0));
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
          double only = Double.NaN;
          int count = 0;
          for (Row r : rows) {
            if (!absent(r.v[i])) {
              only = r.v[i];
              count++;
            }
          }
          a[i] = count == 1 ? only : Double.NaN;
        }
        return a;
      }
    }
    throw new IllegalStateException("not a scalar expression: " + e);
  }

  List<Row> vector(Expr e) {
    if (e instanceof Expr.Selector s) {
      return select(s);
    }
    if (e instanceof Expr.Call c) {
      return call(c);
    }
    if (e instanceof Expr.Aggregation a) {
      return aggregate(a);
    }
    if (e instanceof Expr.Binary b) {
      return binary(b);
    }
    if (e instanceof Expr.Negate neg) {
      List<Row> out = new ArrayList<>();
      for (Row r : vector(neg.expr())) {
        double[] v = r.v.clone();
        for (int i = 0; i < n; i++) {
          if (!absent(v[i])) {
            v[i] = -v[i];
          }
        }
        out.add(new Row("", r.labels, v));
      }
      return out;
    }
    throw new IllegalStateException("not a vector expression: " + e);
  }

  // ---------------------------------------------------------------- selectors

  private List<String> names(Expr.Selector s) {
    if (s.metric() != null) {
      for (LabelMatcher m : s.nameMatchers()) {
        if (!m.matches(s.metric())) {
          return List.of();
        }
      }
      return List.of(s.metric());
    }
    List<String> out = new ArrayList<>();
    for (String name : source.metricNames()) {
      boolean ok = true;
      for (LabelMatcher m : s.nameMatchers()) {
        ok &= m.matches(name) || m.matches(PromNames.metricName(name));
      }
      if (ok) {
        out.add(name);
      }
    }
    return out;
  }

  /**
   * Scans the series of {@code s} named {@code name} as seen from [from, to]: under {@code offset
   * d} the samples of [from - d, to - d], handed on with their timestamps moved d later, so that
   * everything downstream evaluates them as if they were current.
   */
  private void scan(Expr.Selector s, String name, long from, long to, SeriesVisitor visitor) {
    long d = s.offsetMillis();
    if (d == 0) {
      source.scan(name, s.matchers(), from, to, visitor);
      return;
    }
    source.scan(name, s.matchers(), from - d, to - d, (metric, labels, ts, vs, count) -> {
      for (int i = 0; i < count; i++) {
        ts[i] += d;
      }
      visitor.visit(metric, labels, ts, vs, count);
    });
  }

  /**
   * An instant vector selector: each step takes the newest sample in (t - lookback, t], unless it
   * is a staleness marker (the series ended before t).
   */
  private List<Row> select(Expr.Selector s) {
    List<Row> rows = new ArrayList<>();
    long from = times[0] - lookback + 1;
    long to = times[n - 1];
    for (String name : names(s)) {
      scan(
          s,
          name,
          from,
          to,
          (metric, labels, ts, vs, count) -> {
            double[] out = null;
            int j = 0;
            for (int i = 0; i < n; i++) {
              long t = times[i];
              while (j < count && ts[j] <= t) {
                j++;
              }
              if (j > 0 && ts[j - 1] > t - lookback && !Double.isNaN(vs[j - 1])) {
                if (out == null) {
                  out = absentSteps();
                }
                out[i] = vs[j - 1];
              }
            }
            if (out != null) {
              rows.add(new Row(metric, labels, out));
            }
          });
    }
    return rows;
  }

  /**
   * Drops staleness markers (NaN: real samples never are, see {@code MetricStore.STALE_MARKER})
   * from a scanned series, in place in the scan's buffers; returns how many samples are left.
   */
  static int withoutMarkers(long[] ts, double[] vs, int count) {
    int k = 0;
    for (int i = 0; i < count; i++) {
      if (!Double.isNaN(vs[i])) {
        ts[k] = ts[i];
        vs[k] = vs[i];
        k++;
      }
    }
    return k;
  }

  /** The raw samples of a range selector at one time, for an instant query's matrix result. */
  QueryResult.Matrix matrix(Expr.RangeSelector rs) {
    List<QueryResult.RangeSeries> out = new ArrayList<>();
    long t = times[0];
    Expr.Selector sel = rs.selector();
    for (String name : names(sel)) {
      // Raw samples keep their own timestamps, also under an offset.
      source.scan(
          name,
          sel.matchers(),
          t - sel.offsetMillis() - rs.rangeMillis() + 1,
          t - sel.offsetMillis(),
          (metric, labels, ts, vs, all) -> {
            int count = withoutMarkers(ts, vs, all);
            if (count == 0) {
              return;
            }
            QueryResult.Point[] points = new QueryResult.Point[count];
            for (int i = 0; i < count; i++) {
              points[i] = new QueryResult.Point(ts[i], vs[i]);
            }
            out.add(new QueryResult.RangeSeries(metric, labels, Arrays.asList(points)));
          });
    }
    out.sort(
        Comparator.comparing(QueryResult.RangeSeries::metric)
            .thenComparing(QueryResult.RangeSeries::labels, Evaluator::compareLabels));
    return new QueryResult.Matrix(out);
  }

  // ---------------------------------------------------------------- functions

  private List<Row> call(Expr.Call c) {
    Function fn = c.function();
    int m = fn.matrixArg();
    if (m >= 0) {
      // The scalar parameter, before the range (quantile_over_time) or after it (predict_linear).
      int p = m > 0 ? 0 : c.args().size() > 1 ? 1 : -1;
      double[] param = p >= 0 ? scalar(c.args().get(p)) : null;
      return rangeFunction(fn, (Expr.RangeSelector) c.args().get(m), param);
    }
    switch (fn) {
      case HISTOGRAM_QUANTILE:
        return histogramQuantile(scalar(c.args().get(0)), vector(c.args().get(1)));
      case LABEL_REPLACE:
      case LABEL_JOIN:
        return relabel(c);
      case VECTOR:
        {
          double[] v = scalar(c.args().get(0));
          return List.of(new Row("", Labels.EMPTY, v));
        }
      case ABSENT:
        return absentRows(c.args().get(0));
      case ABS:
      case CEIL:
      case FLOOR:
      case CLAMP_MIN:
      case CLAMP_MAX:
      case CLAMP:
      case ROUND:
      case SQRT:
      case EXP:
      case LN:
      case LOG2:
      case LOG10:
      case SGN:
        {
          double[] p = c.args().size() > 1 ? scalar(c.args().get(1)) : null;
          double[] q = c.args().size() > 2 ? scalar(c.args().get(2)) : null;
          List<Row> out = new ArrayList<>();
          for (Row r : vector(c.args().get(0))) {
            double[] v = r.v.clone();
            boolean any = false;
            for (int i = 0; i < n; i++) {
              if (!absent(v[i])) {
                v[i] = elementwise(fn, v[i], p == null ? 1 : p[i], q == null ? 0 : q[i]);
                any |= !absent(v[i]);
              }
            }
            if (any) {
              out.add(new Row("", r.labels, v));
            }
          }
          return out;
        }
      default:
        throw new IllegalStateException("not a vector function: " + fn);
    }
  }

  /** One value through an element-wise function ({@code p}, {@code q}: its scalar arguments). */
  private static double elementwise(Function fn, double v, double p, double q) {
    return switch (fn) {
      case ABS -> Math.abs(v);
      case CEIL -> Math.ceil(v);
      case FLOOR -> Math.floor(v);
      case CLAMP_MIN -> Math.max(v, p);
      case CLAMP_MAX -> Math.min(v, p);
      // As Prometheus: no value when min > max.
      case CLAMP -> p > q ? ABSENT : Math.max(p, Math.min(q, v));
      // As Prometheus: to the nearest multiple of p, halves up.
      case ROUND -> Math.floor(v * (1 / p) + 0.5) / (1 / p);
      case SQRT -> Math.sqrt(v);
      case EXP -> Math.exp(v);
      case LN -> Math.log(v);
      case LOG2 -> log2(v);
      case LOG10 -> Math.log10(v);
      case SGN -> Math.signum(v);
      default -> throw new IllegalStateException("not element-wise: " + fn);
    };
  }

  /** Exact for powers of two, as Go's math.Log2 (which Prometheus uses). */
  private static double log2(double v) {
    if (v > 0 && !Double.isInfinite(v) && v >= Double.MIN_NORMAL) {
      int e = Math.getExponent(v);
      double frac = v / Math.scalb(1.0, e); // in [1, 2)
      if (frac == 1.0) {
        return e;
      }
      return Math.log(frac) / Math.log(2) + e;
    }
    return Math.log(v) / Math.log(2);
  }

  /**
   * {@code absent(v)}: one series, valued 1 at the steps where {@code v} has none; its labels are
   * the argument's equality matchers when it is a selector (as Prometheus does).
   */
  private List<Row> absentRows(Expr arg) {
    double[] out = absentSteps();
    boolean any = false;
    List<Row> rows = vector(arg);
    for (int i = 0; i < n; i++) {
      boolean has = false;
      for (Row r : rows) {
        if (!absent(r.v[i])) {
          has = true;
          break;
        }
      }
      if (!has) {
        out[i] = 1;
        any = true;
      }
    }
    List<Row> result = new ArrayList<>(); // callers may sort it in place
    if (!any) {
      return result;
    }
    // As Prometheus: the equality matchers with a value, unless the name is matched twice.
    java.util.Map<String, String> labels = new java.util.TreeMap<>();
    if (arg instanceof Expr.Selector s) {
      java.util.Map<String, Integer> seen = new HashMap<>();
      for (LabelMatcher lm : s.matchers()) {
        seen.merge(lm.name(), 1, Integer::sum);
      }
      for (LabelMatcher lm : s.matchers()) {
        if (lm.type() == LabelMatcher.Type.EQUAL && !lm.name().equals("__name__")
            && !lm.value().isEmpty() && seen.get(lm.name()) == 1) {
          labels.put(lm.name(), lm.value());
        }
      }
    }
    result.add(new Row("", new Labels(labels), out));
    return result;
  }

  /**
   * A function over a range vector: reads each series once for all steps and slides the window (t -
   * range, t] over it.
   */
  private List<Row> rangeFunction(Function fn, Expr.RangeSelector rs, double[] param) {
    List<Row> rows = new ArrayList<>();
    long range = rs.rangeMillis();
    long from = times[0] - range + 1;
    long to = times[n - 1];
    boolean counter = fn == Function.RATE || fn == Function.INCREASE;
    for (String name : names(rs.selector())) {
      scan(
          rs.selector(),
          name,
          from,
          to,
          (metric, labels, ts, vs, all) -> {
            int count = withoutMarkers(ts, vs, all); // range vectors skip staleness markers
            double[] corr = null;
            if (counter && n > 1) {
              corr = corrections(vs, count);
            }
            double[] out = null;
            int lo = 0;
            int hi = 0;
            for (int i = 0; i < n; i++) {
              long t = times[i];
              while (hi < count && ts[hi] <= t) {
                hi++;
              }
              while (lo < hi && ts[lo] <= t - range) {
                lo++;
              }
              if (hi == lo) {
                continue;
              }
              double v = apply(fn, ts, vs, lo, hi, t, range, param == null ? 0 : param[i], corr);
              if (!absent(v)) {
                if (out == null) {
                  out = absentSteps();
                }
                out[i] = v;
              }
            }
            if (out != null) {
              rows.add(new Row("", labels, out));
            }
          });
    }
    return rows;
  }

  /** Cumulative counter-reset corrections: c[k] = sum of v[j-1] over resets j <= k. */
  private double[] corrections(double[] vs, int count) {
    if (corrections.length < count) {
      corrections = new double[Math.max(count, corrections.length * 2)];
    }
    double[] c = corrections;
    c[0] = 0;
    for (int k = 1; k < count; k++) {
      c[k] = c[k - 1] + (vs[k] < vs[k - 1] ? vs[k - 1] : 0);
    }
    return c;
  }

  private double apply(
      Function fn,
      long[] ts,
      double[] vs,
      int lo,
      int hi,
      long t,
      long range,
      double param,
      double[] corr) {
    int count = hi - lo;
    switch (fn) {
      case COUNT_OVER_TIME:
        return count;
      case LAST_OVER_TIME:
        return vs[hi - 1];
      case SUM_OVER_TIME:
      case AVG_OVER_TIME:
        {
          double sum = 0;
          for (int i = lo; i < hi; i++) {
            sum += vs[i];
          }
          return fn == Function.SUM_OVER_TIME ? sum : sum / count;
        }
      case MIN_OVER_TIME:
        {
          double min = vs[lo];
          for (int i = lo + 1; i < hi; i++) {
            min = Math.min(min, vs[i]);
          }
          return min;
        }
      case MAX_OVER_TIME:
        {
          double max = vs[lo];
          for (int i = lo + 1; i < hi; i++) {
            max = Math.max(max, vs[i]);
          }
          return max;
        }
      case STDDEV_OVER_TIME:
        {
          double sum = 0;
          for (int i = lo; i < hi; i++) {
            sum += vs[i];
          }
          double mean = sum / count;
          double sq = 0;
          for (int i = lo; i < hi; i++) {
            sq += (vs[i] - mean) * (vs[i] - mean);
          }
          return Math.sqrt(sq / count);
        }
      case QUANTILE_OVER_TIME:
        {
          if (scratch.length < count) {
            scratch = new double[Math.max(count, scratch.length * 2)];
          }
          System.arraycopy(vs, lo, scratch, 0, count);
          Arrays.sort(scratch, 0, count);
          return quantile(param, scratch, count);
        }
      case DERIV:
      case PREDICT_LINEAR:
        {
          if (count < 2) {
            return ABSENT;
          }
          // Least squares over (seconds from t, value), as Prometheus's linearRegression; a
          // constant series is a flat line exactly (rounding would make it a tiny slope).
          boolean constant = true;
          for (int i = lo + 1; i < hi && constant; i++) {
            constant = vs[i] == vs[lo];
          }
          if (constant) {
            return fn == Function.DERIV ? 0 : vs[lo];
          }
          double sx = 0;
          double sy = 0;
          double sxy = 0;
          double sxx = 0;
          for (int i = lo; i < hi; i++) {
            double x = (ts[i] - t) / 1000.0;
            sx += x;
            sy += vs[i];
            sxy += x * vs[i];
            sxx += x * x;
          }
          double varX = sxx - sx * sx / count;
          if (varX == 0) {
            return ABSENT;
          }
          double slope = (sxy - sx * sy / count) / varX;
          if (fn == Function.DERIV) {
            return slope;
          }
          double intercept = sy / count - slope * sx / count;
          return intercept + slope * param;
        }
      case RESETS:
      case CHANGES:
        {
          int k = 0;
          for (int i = lo + 1; i < hi; i++) {
            if (fn == Function.RESETS ? vs[i] < vs[i - 1] : vs[i] != vs[i - 1]) {
              k++;
            }
          }
          return k;
        }
      case IRATE:
      case IDELTA:
        {
          if (count < 2) {
            return ABSENT;
          }
          double last = vs[hi - 1];
          double prev = vs[hi - 2];
          double d = fn == Function.IRATE && last < prev ? last : last - prev;
          if (fn == Function.IDELTA) {
            return d;
          }
          long dt = ts[hi - 1] - ts[hi - 2];
          return d / (dt / 1000.0);
        }
      case RATE:
      case INCREASE:
      case DELTA:
        {
          if (count < 2) {
            return ABSENT;
          }
          boolean counter = fn != Function.DELTA;
          double result = vs[hi - 1] - vs[lo];
          if (counter) {
            if (corr != null) {
              result += corr[hi - 1] - corr[lo];
            } else {
              for (int i = lo + 1; i < hi; i++) {
                if (vs[i] < vs[i - 1]) {
                  result += vs[i - 1];
                }
              }
            }
          }
          return extrapolate(
              result,
              ts[lo],
              ts[hi - 1],
              vs[lo],
              count,
              t - range,
              t,
              range,
              counter,
              fn == Function.RATE);
        }
      default:
        throw new IllegalStateException("not a range function: " + fn);
    }
  }

  /**
   * Prometheus' extrapolation of rate, increase and delta: the observed change is stretched to the
   * window's boundaries when the first and last samples are within 1.1 average intervals of them,
   * else by half an interval; a counter is not extrapolated below zero.
   */
  static double extrapolate(
      double result,
      long firstT,
      long lastT,
      double firstV,
      int count,
      long rangeStart,
      long rangeEnd,
      long range,
      boolean counter,
      boolean perSecond) {
    double toStart = (firstT - rangeStart) / 1000.0;
    double toEnd = (rangeEnd - lastT) / 1000.0;
    double sampled = (lastT - firstT) / 1000.0;
    double avgInterval = sampled / (count - 1);
    double threshold = avgInterval * 1.1;
    if (toStart >= threshold) {
      toStart = avgInterval / 2;
    }
    if (counter && result > 0 && firstV >= 0) {
      double toZero = sampled * (firstV / result);
      if (toZero < toStart) {
        toStart = toZero;
      }
    }
    if (toEnd >= threshold) {
      toEnd = avgInterval / 2;
    }
    double factor = (sampled + toStart + toEnd) / sampled;
    if (perSecond) {
      factor /= range / 1000.0;
    }
    return result * factor;
  }

  /** Prometheus' quantile of sorted values: linear interpolation between closest ranks. */
  static double quantile(double q, double[] sorted, int count) {
    if (Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    double rank = q * (count - 1);
    int lower = (int) Math.max(0, Math.floor(rank));
    int upper = Math.min(count - 1, lower + 1);
    double weight = rank - Math.floor(rank);
    return sorted[lower] * (1 - weight) + sorted[upper] * weight;
  }

  // ---------------------------------------------------------------- histogram_quantile

  private List<Row> histogramQuantile(double[] phi, List<Row> buckets) {
    Map<Labels, List<double[]>> bounds = new LinkedHashMap<>();
    Map<Labels, List<Row>> groups = new LinkedHashMap<>();
    for (Row r : buckets) {
      String le = r.labels.get("le");
      if (le == null) {
        continue;
      }
      double upper;
      try {
        upper = parseBound(le);
      } catch (NumberFormatException ex) {
        continue;
      }
      Labels key = without(r.labels, List.of("le"));
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
      bounds.computeIfAbsent(key, k -> new ArrayList<>()).add(new double[] {upper});
    }
    List<Row> out = new ArrayList<>();
    for (Map.Entry<Labels, List<Row>> g : groups.entrySet()) {
      List<Row> rows = g.getValue();
      List<double[]> ub = bounds.get(g.getKey());
      Integer[] order = new Integer[rows.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparingDouble(i -> ub.get(i)[0]));
      double[] upper = new double[order.length];
      double[] counts = new double[order.length];
      double[] result = null;
      for (int step = 0; step < n; step++) {
        int k = 0;
        for (Integer idx : order) {
          double v = rows.get(idx).v[step];
          if (!absent(v)) {
            upper[k] = ub.get(idx)[0];
            counts[k] = v;
            k++;
          }
        }
        if (k == 0) {
          continue;
        }
        if (result == null) {
          result = absentSteps();
        }
        result[step] = bucketQuantile(phi[step], upper, counts, k);
      }
      if (result != null) {
        out.add(new Row("", g.getKey(), result));
      }
    }
    return out;
  }

  static double parseBound(String le) {
    return switch (le) {
      case "+Inf", "Inf", "+inf", "inf" -> Double.POSITIVE_INFINITY;
      case "-Inf", "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(le);
    };
  }

  /**
   * Prometheus' bucketQuantile over cumulative buckets sorted by upper bound (modified in place):
   * NaN without a +Inf bucket or observations; equal bounds are merged and counts made monotonic;
   * the quantile is interpolated linearly inside its bucket, the lowest bucket starting at 0 (or
   * returning its bound when that is not positive), and a rank in the +Inf bucket returns the
   * highest finite bound.
   */
  static double bucketQuantile(double q, double[] upper, double[] counts, int k) {
    if (Double.isNaN(q)) {
      return Double.NaN;
    }
    if (q < 0) {
      return Double.NEGATIVE_INFINITY;
    }
    if (q > 1) {
      return Double.POSITIVE_INFINITY;
    }
    if (upper[k - 1] != Double.POSITIVE_INFINITY) {
      return Double.NaN;
    }
    int m = 0;
    for (int i = 0; i < k; i++) {
      if (m > 0 && upper[m - 1] == upper[i]) {
        counts[m - 1] += counts[i];
      } else {
        upper[m] = upper[i];
        counts[m] = counts[i];
        m++;
      }
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < m; i++) {
      if (counts[i] < max) {
        counts[i] = max;
      } else {
        max = counts[i];
      }
    }
    if (m < 2) {
      return Double.NaN;
    }
    double observations = counts[m - 1];
    if (observations == 0) {
      return Double.NaN;
    }
    double rank = q * observations;
    int b = 0;
    while (b < m - 1 && counts[b] < rank) {
      b++;
    }
    if (b == m - 1) {
      return upper[m - 2];
    }
    if (b == 0 && upper[0] <= 0) {
      return upper[0];
    }
    double start = 0;
    double end = upper[b];
    double count = counts[b];
    if (b > 0) {
      start = upper[b - 1];
      count -= counts[b - 1];
      rank -= counts[b - 1];
    }
    return start + (end - start) * (rank / count);
  }

  // ---------------------------------------------------------------- aggregation

  private static final class Group {
    final Labels labels;
    final double[] acc;
    final int[] count;

    Group(Labels labels, int n) {
      this.labels = labels;
      this.acc = new double[n];
      this.count = new int[n];
    }
  }

  private List<Row> aggregate(Expr.Aggregation a) {
    if (a.op().ordinal() > Expr.AggregationOp.COUNT.ordinal()) {
      return aggregateMembers(a);
    }
    List<Row> in = vector(a.expr());
    Map<Object, Group> groups = new LinkedHashMap<>();
    List<String> grouping = a.grouping() == null ? List.of() : a.grouping();
    for (Row r : in) {
      Object key;
      Group g;
      if (a.without()) {
        Labels l = without(r.labels, grouping);
        key = l;
        g = groups.get(key);
        if (g == null) {
          g = new Group(l, n);
          groups.put(key, g);
        }
      } else {
        String[] values = new String[grouping.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = PromNames.label(r.labels, grouping.get(i));
        }
        key = Arrays.asList(values);
        g = groups.get(key);
        if (g == null) {
          TreeMap<String, String> m = new TreeMap<>();
          for (int i = 0; i < values.length; i++) {
            if (values[i] != null && !values[i].isEmpty()) {
              m.put(grouping.get(i), values[i]);
            }
          }
          g = new Group(m.isEmpty() ? Labels.EMPTY : new Labels(m), n);
          groups.put(key, g);
        }
      }
      for (int i = 0; i < n; i++) {
        double v = r.v[i];
        if (absent(v)) {
          continue;
        }
        if (g.count[i] == 0) {
          g.acc[i] = a.op() == Expr.AggregationOp.COUNT ? 1 : v;
        } else {
          g.acc[i] =
              switch (a.op()) {
                case SUM, AVG -> g.acc[i] + v;
                case MIN -> Double.isNaN(g.acc[i]) || v < g.acc[i] ? v : g.acc[i];
                case MAX -> Double.isNaN(g.acc[i]) || v > g.acc[i] ? v : g.acc[i];
                case COUNT -> g.acc[i] + 1;
                default -> throw new IllegalStateException("a member aggregation: " + a.op());
              };
        }
        g.count[i]++;
      }
    }
    List<Row> out = new ArrayList<>(groups.size());
    for (Group g : groups.values()) {
      double[] v = absentSteps();
      boolean any = false;
      for (int i = 0; i < n; i++) {
        if (g.count[i] > 0) {
          v[i] = a.op() == Expr.AggregationOp.AVG ? g.acc[i] / g.count[i] : g.acc[i];
          any = true;
        }
      }
      if (any) {
        out.add(new Row("", g.labels, v));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- label_replace, label_join

  private List<Row> relabel(Expr.Call c) {
    List<String> text = new ArrayList<>();
    for (Expr e : c.args().subList(1, c.args().size())) {
      text.add(((Expr.StringLiteral) e).value());
    }
    String dst = text.get(0);
    java.util.regex.Pattern regex = c.function() == Function.LABEL_REPLACE
        ? anchored(text.get(3)) : null;
    List<Row> out = new ArrayList<>();
    for (Row r : vector(c.args().get(0))) {
      String value;
      if (regex != null) {
        String src = PromNames.label(r.labels, text.get(2));
        java.util.regex.Matcher m = regex.matcher(src == null ? "" : src);
        if (!m.matches()) {
          out.add(r);
          continue;
        }
        value = expand(text.get(1), m);
      } else {
        List<String> parts = new ArrayList<>();
        for (String src : text.subList(2, text.size())) {
          String v = PromNames.label(r.labels, src);
          parts.add(v == null ? "" : v);
        }
        value = String.join(text.get(1), parts);
      }
      TreeMap<String, String> labels = new TreeMap<>(r.labels.map());
      if (value.isEmpty()) {
        labels.remove(dst);
      } else {
        labels.put(dst, value);
      }
      out.add(new Row(r.metric, labels.isEmpty() ? Labels.EMPTY : new Labels(labels), r.v));
    }
    return out;
  }

  /**
   * A label_replace regular expression as Prometheus reads it: anchored at both ends, Go's
   * {@code (?P<name>…)} groups accepted.
   */
  static java.util.regex.Pattern anchored(String regex) {
    return java.util.regex.Pattern.compile("^(?:" + regex.replace("(?P<", "(?<") + ")$");
  }

  /** Go's regexp Expand: {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}}, {@code $$}. */
  static String expand(String template, java.util.regex.Matcher m) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < template.length(); i++) {
      char ch = template.charAt(i);
      if (ch != '$' || i + 1 >= template.length()) {
        b.append(ch);
        continue;
      }
      char next = template.charAt(i + 1);
      if (next == '$') {
        b.append('$');
        i++;
        continue;
      }
      int end;
      String name;
      if (next == '{') {
        end = template.indexOf('}', i + 2);
        if (end < 0) {
          b.append(ch);
          continue;
        }
        name = template.substring(i + 2, end);
      } else {
        end = i + 1;
        while (end < template.length()
            && (Character.isLetterOrDigit(template.charAt(end)) || template.charAt(end) == '_')) {
          end++;
        }
        name = template.substring(i + 1, end);
        end--;
      }
      if (name.isEmpty()) {
        b.append(ch);
        continue;
      }
      String group = null;
      try {
        group = name.chars().allMatch(Character::isDigit)
            ? (Integer.parseInt(name) <= m.groupCount() ? m.group(Integer.parseInt(name)) : null)
            : m.group(name);
      } catch (IllegalArgumentException e) {
        group = null; // no such group (or a number too big): Go expands it to nothing
      }
      b.append(group == null ? "" : group);
      i = end;
    }
    return b.toString();
  }

  /** One group of an aggregation: its labels and the series in it. */
  private record Members(Labels labels, List<Row> rows) {}

  private Collection<Members> groupsOf(Expr.Aggregation a, List<Row> in) {
    List<String> grouping = a.grouping() == null ? List.of() : a.grouping();
    Map<Labels, Members> groups = new LinkedHashMap<>();
    for (Row r : in) {
      Labels l = a.without() ? without(r.labels, grouping) : only(r.labels, grouping);
      groups.computeIfAbsent(l, k -> new Members(k, new ArrayList<>())).rows().add(r);
    }
    return groups.values();
  }

  /**
   * The aggregations that need every member's value at a step: {@code stddev}, {@code stdvar},
   * {@code group}, {@code quantile}, {@code topk}, {@code bottomk}, {@code count_values}, with
   * Prometheus' semantics (population variance, quantile by linear interpolation, top and bottom
   * series keeping their own labels and name, values written as Go's {@code FormatFloat}).
   */
  private List<Row> aggregateMembers(Expr.Aggregation a) {
    List<Row> in = vector(a.expr());
    double[] param = a.param() == null ? null : scalar(a.param());
    List<Row> out = new ArrayList<>();
    for (Members g : groupsOf(a, in)) {
      switch (a.op()) {
        case TOPK, BOTTOMK -> out.addAll(extremes(g, param, a.op() == Expr.AggregationOp.TOPK));
        case COUNT_VALUES -> out.addAll(countValues(g, a.label()));
        default -> {
          double[] v = absentSteps();
          boolean any = false;
          double[] xs = new double[g.rows().size()];
          for (int i = 0; i < n; i++) {
            int k = 0;
            for (Row r : g.rows()) {
              if (!absent(r.v[i])) {
                xs[k++] = r.v[i];
              }
            }
            if (k == 0) {
              continue;
            }
            any = true;
            v[i] = switch (a.op()) {
              case GROUP -> 1;
              case STDVAR -> variance(xs, k);
              case STDDEV -> Math.sqrt(variance(xs, k));
              case QUANTILE -> {
                Arrays.sort(xs, 0, k);
                yield quantile(param[i], xs, k);
              }
              default -> throw new IllegalStateException("not a member aggregation: " + a.op());
            };
          }
          if (any) {
            out.add(new Row("", g.labels(), v));
          }
        }
      }
    }
    return out;
  }

  private static double variance(double[] xs, int k) {
    double mean = 0;
    for (int j = 0; j < k; j++) {
      mean += xs[j];
    }
    mean /= k;
    double sq = 0;
    for (int j = 0; j < k; j++) {
      sq += (xs[j] - mean) * (xs[j] - mean);
    }
    return sq / k;
  }

  /** {@code topk} / {@code bottomk}: at each step the k members of highest (lowest) value. */
  private List<Row> extremes(Members g, double[] k, boolean top) {
    Map<Row, double[]> chosen = new LinkedHashMap<>();
    List<Row> present = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(k[i]) || k[i] < 1) {
        continue;
      }
      int step = i;
      present.clear();
      for (Row r : g.rows()) {
        if (!absent(r.v[i])) {
          present.add(r);
        }
      }
      // NaN sorts last either way, as in Prometheus.
      present.sort((x, y) -> {
        double a = x.v[step];
        double b = y.v[step];
        if (Double.isNaN(a) || Double.isNaN(b)) {
          return Boolean.compare(Double.isNaN(a), Double.isNaN(b));
        }
        return top ? Double.compare(b, a) : Double.compare(a, b);
      });
      int take = (int) Math.min(present.size(), Math.min(k[i], Integer.MAX_VALUE));
      for (int j = 0; j < take; j++) {
        Row r = present.get(j);
        chosen.computeIfAbsent(r, x -> absentSteps())[i] = r.v[i];
      }
    }
    List<Row> out = new ArrayList<>();
    chosen.forEach((r, v) -> out.add(new Row(r.metric, r.labels, v)));
    return out;
  }

  /** {@code count_values}: how many members have each value, the value in {@code label}. */
  private List<Row> countValues(Members g, String label) {
    Map<String, double[]> byValue = new LinkedHashMap<>();
    for (Row r : g.rows()) {
      for (int i = 0; i < n; i++) {
        if (absent(r.v[i])) {
          continue;
        }
        double[] c = byValue.computeIfAbsent(formatValue(r.v[i]), x -> absentSteps());
        c[i] = absent(c[i]) ? 1 : c[i] + 1;
      }
    }
    List<Row> out = new ArrayList<>();
    byValue.forEach((value, counts) -> out.add(new Row("", g.labels().with(label, value),
        counts)));
    return out;
  }

  /** A value as Prometheus writes it in a label (Go's FormatFloat(v, 'f', -1, 64)). */
  static String formatValue(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  static Labels without(Labels labels, List<String> names) {
    TreeMap<String, String> m = null;
    for (int i = 0; i < labels.size(); i++) {
      String stored = labels.name(i);
      for (String name : names) {
        if (PromNames.refersTo(name, stored, labels)) {
          if (m == null) {
            m = new TreeMap<>(labels.map());
          }
          m.remove(stored);
          break;
        }
      }
    }
    if (m == null) {
      return labels;
    }
    return m.isEmpty() ? Labels.EMPTY : new Labels(m);
  }

  static Labels only(Labels labels, List<String> names) {
    TreeMap<String, String> m = new TreeMap<>();
    for (String name : names) {
      String v = PromNames.label(labels, name);
      if (v != null) {
        m.put(name, v);
      }
    }
    return m.isEmpty() ? Labels.EMPTY : new Labels(m);
  }

  // ---------------------------------------------------------------- binary operators

  private List<Row> binary(Expr.Binary b) {
    BinaryOp op = b.op();
    boolean filter = op.comparison && !b.returnBool();
    if (b.lhs().type() == ValueType.SCALAR || b.rhs().type() == ValueType.SCALAR) {
      boolean scalarLeft = b.lhs().type() == ValueType.SCALAR;
      double[] s = scalar(scalarLeft ? b.lhs() : b.rhs());
      List<Row> out = new ArrayList<>();
      for (Row r : vector(scalarLeft ? b.rhs() : b.lhs())) {
        double[] v = absentSteps();
        boolean any = false;
        for (int i = 0; i < n; i++) {
          if (absent(r.v[i])) {
            continue;
          }
          double l = scalarLeft ? s[i] : r.v[i];
          double rr = scalarLeft ? r.v[i] : s[i];
          if (op.comparison) {
            boolean ok = compare(op, l, rr);
            if (filter) {
              if (ok) {
                v[i] = r.v[i];
                any = true;
              }
            } else {
              v[i] = ok ? 1 : 0;
              any = true;
            }
          } else {
            v[i] = arith(op, l, rr);
            any = true;
          }
        }
        if (any) {
          out.add(new Row(filter ? r.metric : "", r.labels, v));
        }
      }
      return out;
    }
    List<Row> lhs = vector(b.lhs());
    List<Row> rhs = vector(b.rhs());
    if (op.isSet()) {
      return setOperation(b, lhs, rhs);
    }
    // The "one" side is looked up by match group for each series of the "many" side (the left
    // one unless group_right); values keep their sides.
    boolean manyRight = b.card() == Expr.Card.ONE_TO_MANY;
    boolean oneToOne = b.card() == Expr.Card.ONE_TO_ONE;
    Map<Labels, List<Row>> ones = new HashMap<>();
    for (Row r : manyRight ? lhs : rhs) {
      ones.computeIfAbsent(matchKey(b, r.labels), k -> new ArrayList<>(1)).add(r);
    }
    String oneSide = manyRight ? "left" : "right";
    Map<List<Object>, Row> out = new LinkedHashMap<>();
    for (Row l : manyRight ? rhs : lhs) {
      Labels key = matchKey(b, l.labels);
      List<Row> candidates = ones.get(key);
      if (candidates == null) {
        continue;
      }
      String metric = filter ? l.metric : "";
      Labels labels = oneToOne && (b.on() != null || b.ignoring() != null) ? key : l.labels;
      List<Object> outKey = List.of(metric, labels);
      Row target = out.get(outKey);
      for (int i = 0; i < n; i++) {
        if (absent(l.v[i])) {
          continue;
        }
        Row match = null;
        for (Row c : candidates) {
          if (!absent(c.v[i])) {
            if (match != null) {
              throw QueryException.at(
                  query,
                  b.pos(),
                  "many-to-many matching not allowed: found duplicate series for the match group "
                      + key
                      + " on the " + oneSide + "-hand side of \""
                      + op.symbol
                      + "\"");
            }
            match = c;
          }
        }
        if (match == null) {
          continue;
        }
        double lv = manyRight ? match.v[i] : l.v[i];
        double rv = manyRight ? l.v[i] : match.v[i];
        double value;
        if (op.comparison) {
          boolean ok = compare(op, lv, rv);
          if (filter && !ok) {
            continue;
          }
          value = filter ? lv : ok ? 1 : 0;
        } else {
          value = arith(op, lv, rv);
        }
        if (!b.include().isEmpty()) {
          // Labels copied from the one side can differ from step to step.
          Labels withIncluded = included(labels, match.labels, b.include());
          outKey = List.of(metric, withIncluded);
          target = out.get(outKey);
          if (target == null) {
            target = new Row(metric, withIncluded, absentSteps());
            out.put(outKey, target);
          }
        } else if (target == null) {
          target = new Row(metric, labels, absentSteps());
          out.put(outKey, target);
        }
        if (!absent(target.v[i])) {
          throw QueryException.at(
              query,
              b.pos(),
              oneToOne
                  ? "found duplicate series for the match group " + key
                      + " on the left-hand side of \"" + op.symbol
                      + "\" (many-to-one matching must be explicit: group_left or group_right)"
                  : "multiple matches for labels " + target.labels
                      + ": grouping labels must ensure unique matches");
        }
        target.v[i] = value;
      }
    }
    return new ArrayList<>(out.values());
  }

  /** The labels of a many side's series with {@code include} taken from the one side's. */
  private static Labels included(Labels many, Labels one, List<String> include) {
    TreeMap<String, String> m = new TreeMap<>(many.map());
    for (String name : include) {
      m.keySet().removeIf(stored -> PromNames.refersTo(name, stored, many));
      String v = PromNames.label(one, name);
      if (v != null && !v.isEmpty()) {
        m.put(name, v);
      }
    }
    return m.isEmpty() ? Labels.EMPTY : new Labels(m);
  }

  /**
   * {@code and}, {@code or}, {@code unless}, step by step as Prometheus evaluates them: {@code and}
   * keeps the left's series whose match group the right has at that step, {@code unless} those it
   * has not, {@code or} all of the left's and the right's whose group the left has not. Series
   * keep their names, labels and values.
   */
  private List<Row> setOperation(Expr.Binary b, List<Row> lhs, List<Row> rhs) {
    BinaryOp op = b.op();
    Map<Labels, List<Row>> rightGroups = new HashMap<>();
    for (Row r : rhs) {
      rightGroups.computeIfAbsent(matchKey(b, r.labels), k -> new ArrayList<>(1)).add(r);
    }
    Map<Labels, List<Row>> leftGroups = new HashMap<>();
    List<Row> out = new ArrayList<>();
    for (Row l : lhs) {
      Labels key = matchKey(b, l.labels);
      if (op == BinaryOp.OR) {
        leftGroups.computeIfAbsent(key, k -> new ArrayList<>(1)).add(l);
        out.add(l);
        continue;
      }
      List<Row> others = rightGroups.getOrDefault(key, List.of());
      double[] v = absentSteps();
      boolean any = false;
      for (int i = 0; i < n; i++) {
        if (!absent(l.v[i]) && presentAt(others, i) == (op == BinaryOp.AND)) {
          v[i] = l.v[i];
          any = true;
        }
      }
      if (any) {
        out.add(new Row(l.metric, l.labels, v));
      }
    }
    if (op == BinaryOp.OR) {
      for (Row r : rhs) {
        List<Row> others = leftGroups.getOrDefault(matchKey(b, r.labels), List.of());
        double[] v = absentSteps();
        boolean any = false;
        for (int i = 0; i < n; i++) {
          if (!absent(r.v[i]) && !presentAt(others, i)) {
            v[i] = r.v[i];
            any = true;
          }
        }
        if (any) {
          out.add(new Row(r.metric, r.labels, v));
        }
      }
    }
    return out;
  }

  private static boolean presentAt(List<Row> rows, int step) {
    for (Row r : rows) {
      if (!absent(r.v[step])) {
        return true;
      }
    }
    return false;
  }

  private static Labels matchKey(Expr.Binary b, Labels labels) {
    if (b.on() != null) {
      return only(labels, b.on());
    }
    if (b.ignoring() != null) {
      return without(labels, b.ignoring());
    }
    return labels;
  }

  static double arith(BinaryOp op, double l, double r) {
    return switch (op) {
      case ADD -> l + r;
      case SUB -> l - r;
      case MUL -> l * r;
      case DIV -> l / r;
      case MOD -> l % r;
      case POW -> Math.pow(l, r);
      default -> throw new IllegalStateException(op.name());
    };
  }

  static boolean compare(BinaryOp op, double l, double r) {
    return switch (op) {
      case EQL -> l == r;
      case NEQ -> l != r;
      case GTR -> l > r;
      case LSS -> l < r;
      case GTE -> l >= r;
      case LTE -> l <= r;
      default -> throw new IllegalStateException(op.name());
    };
  }

  // ---------------------------------------------------------------- ordering

  static int compareLabels(Labels a, Labels b) {
    Iterator<Map.Entry<String, String>> x = a.map().entrySet().iterator();
    Iterator<Map.Entry<String, String>> y = b.map().entrySet().iterator();
    while (x.hasNext() && y.hasNext()) {
      Map.Entry<String, String> ex = x.next();
      Map.Entry<String, String> ey = y.next();
      int c = ex.getKey().compareTo(ey.getKey());
      if (c != 0) {
        return c;
      }
      c = ex.getValue().compareTo(ey.getValue());
      if (c != 0) {
        return c;
      }
    }
    return Boolean.compare(x.hasNext(), y.hasNext());
  }

  static final Comparator<Row> ROW_ORDER =
      Comparator.<Row, String>comparing(r -> r.metric)
          .thenComparing((r1, r2) -> compareLabels(r1.labels, r2.labels));
}
