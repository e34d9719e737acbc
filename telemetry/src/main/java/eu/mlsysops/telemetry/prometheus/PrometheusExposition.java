package eu.mlsysops.telemetry.prometheus;

import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.PromNames;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.TelemetryQuery;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes what a {@link TelemetryQuery} holds in the Prometheus text exposition format 0.0.4, the
 * body of an agent's {@code GET /metrics}: for every metric the newest sample of each series that
 * is at most {@linkplain Builder#lookback lookback} old, under {@code # HELP} and {@code # TYPE}
 * lines taken from {@link TelemetryQuery#metadata}.
 *
 * <ul>
 *   <li>Types: counter, gauge (also for up-down counters), histogram, summary; {@code untyped} when
 *       the metric was never described.
 *   <li>Histograms and summaries stored flattened ({@code x_bucket{le=…}}, {@code x_sum}, {@code
 *       x_count}, {@code x{quantile=…}}) with metadata under the base name {@code x} are written as
 *       one family under {@code # TYPE x histogram} (or summary), per label set: buckets by
 *       ascending {@code le} (quantiles by ascending quantile), then {@code _sum}, then {@code
 *       _count}.
 *   <li>Metric names are made valid ({@code [a-zA-Z_:][a-zA-Z0-9_:]*}: every other character, such
 *       as the dots of OpenTelemetry names, becomes {@code _}; a leading digit gets a {@code _} in
 *       front), label names likewise without {@code :}. Metrics whose names become equal are
 *       written as one family, with the metadata of the first (in name order) that has any.
 *   <li>Label values and help texts are escaped; NaN and infinities are written {@code NaN}, {@code
 *       +Inf}, {@code -Inf}; integral values without an exponent up to 10^15.
 *   <li>Order is deterministic: families by name, series by their labels.
 * </ul>
 *
 * <p>Immutable and thread-safe; each call reads the query anew.
 */
public final class PrometheusExposition {
  /** The {@code Content-Type} of the body. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** Default lookback: Prometheus' own staleness period. */
  public static final Duration DEFAULT_LOOKBACK = Duration.ofMinutes(5);

  private final TelemetryQuery query;
  private final Duration lookback;
  private final boolean timestamps;

  private PrometheusExposition(Builder b) {
    this.query = b.query;
    this.lookback = b.lookback;
    this.timestamps = b.timestamps;
  }

  /** An exposition of {@code query} with the defaults (5 minutes lookback, no timestamps). */
  public static PrometheusExposition of(TelemetryQuery query) {
    return builder(query).build();
  }

  /** A builder for an exposition of {@code query}. */
  public static Builder builder(TelemetryQuery query) {
    return new Builder(query);
  }

  /** The whole exposition as text. */
  public String render() {
    StringBuilder sb = new StringBuilder(4096);
    try {
      write(sb);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringBuilder does not throw
    }
    return sb.toString();
  }

  /** Writes the exposition in UTF-8 to {@code out}, which stays open. */
  public void writeTo(OutputStream out) throws IOException {
    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    write(w);
    w.flush();
  }

  /** Writes the exposition to {@code out}. */
  public void write(Appendable out) throws IOException {
    for (Family f : families().values()) {
      if (!f.help.isEmpty()) {
        out.append("# HELP ").append(f.name).append(' ').append(escapeHelp(f.help)).append('\n');
      }
      out.append("# TYPE ").append(f.name).append(' ').append(f.type).append('\n');
      f.lines.sort(LINE_ORDER);
      for (Line l : f.lines) {
        out.append(l.name).append(l.labels).append(' ').append(formatValue(l.sample.value()));
        if (timestamps) {
          out.append(' ').append(Long.toString(l.sample.timestampMillis()));
        }
        out.append('\n');
      }
    }
  }

  /** Groups the current samples into families, keyed and ordered by their exposed name. */
  private Map<String, Family> families() {
    Map<String, Optional<MetricMetadata>> metadata = new HashMap<>();
    Map<String, Family> families = new TreeMap<>();
    for (String metric : query.metricNames()) {
      List<Sample> samples = query.lastValues(metric, Map.of(), lookback);
      if (samples.isEmpty()) {
        continue;
      }
      // Which family: a histogram's or summary's part, or a metric of its own.
      String base = metric;
      String suffix = "";
      MetricMetadata meta = null;
      for (String s : new String[] {"_bucket", "_sum", "_count"}) {
        if (metric.endsWith(s) && metric.length() > s.length()) {
          String b = metric.substring(0, metric.length() - s.length());
          MetricMetadata m = metadata.computeIfAbsent(b, query::metadata).orElse(null);
          if (m != null
              && (m.type() == MetricType.HISTOGRAM
                  || (m.type() == MetricType.SUMMARY && !s.equals("_bucket")))) {
            base = b;
            suffix = s;
            meta = m;
          }
          break;
        }
      }
      if (meta == null) {
        meta = metadata.computeIfAbsent(metric, query::metadata).orElse(null);
      }
      String name = metricName(base);
      Family f = families.computeIfAbsent(name, Family::new);
      f.describe(meta);
      String sampleName = name + suffix;
      int rank =
          switch (suffix) {
            case "_sum" -> 1;
            case "_count" -> 2;
            default -> 0;
          };
      for (Sample s : samples) {
        f.lines.add(line(sampleName, rank, s));
      }
    }
    return families;
  }

  private static Line line(String name, int rank, Sample s) {
    TreeMap<String, String> labels = new TreeMap<>();
    s.labels().map().forEach((k, v) -> labels.put(labelName(k), v));
    String le = rank == 0 ? labels.get("le") : null;
    String quantile = rank == 0 && le == null ? labels.get("quantile") : null;
    String bound = le != null ? le : quantile;
    StringBuilder all = new StringBuilder();
    StringBuilder group = new StringBuilder();
    for (Map.Entry<String, String> e : labels.entrySet()) {
      String pair = e.getKey() + "=\"" + escapeLabelValue(e.getValue()) + "\"";
      all.append(all.length() == 0 ? "{" : ",").append(pair);
      if (bound == null || !e.getKey().equals(le != null ? "le" : "quantile")) {
        group.append(pair).append(',');
      }
    }
    if (all.length() > 0) {
      all.append('}');
    }
    return new Line(name, all.toString(), group.toString(), rank, bound, s);
  }

  static String metricName(String name) {
    return PromNames.metricName(name);
  }

  static String labelName(String name) {
    return PromNames.labelName(name);
  }

  static String escapeLabelValue(String v) {
    if (v.indexOf('\\') < 0 && v.indexOf('"') < 0 && v.indexOf('\n') < 0) {
      return v;
    }
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String escapeHelp(String help) {
    return help.replace("\\", "\\\\").replace("\n", "\\n");
  }

  /**
   * A value as Prometheus spells it, in the text format and in its HTTP API's JSON: {@code NaN},
   * {@code +Inf}, {@code -Inf}, integers without a fraction, else Java's shortest representation.
   */
  public static String formatValue(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v).replace('E', 'e');
  }

  private static String typeName(MetricType t) {
    return switch (t) {
      case COUNTER -> "counter";
      case GAUGE, UP_DOWN_COUNTER -> "gauge";
      case HISTOGRAM -> "histogram";
      case SUMMARY -> "summary";
    };
  }

  /** Sorts a numeric bound ({@code le} or {@code quantile}) numerically, +Inf last. */
  private static double boundValue(String bound) {
    if (bound == null) {
      return Double.NEGATIVE_INFINITY;
    }
    switch (bound) {
      case "+Inf":
      case "Inf":
        return Double.POSITIVE_INFINITY;
      case "-Inf":
        return Double.NEGATIVE_INFINITY;
      default:
        try {
          return Double.parseDouble(bound);
        } catch (NumberFormatException e) {
          return Double.NaN; // Double.compare puts NaN after +Inf
        }
    }
  }

  private static final Comparator<Line> LINE_ORDER =
      Comparator.comparing((Line l) -> l.group)
          .thenComparingInt(l -> l.rank)
          .thenComparing(l -> boundValue(l.bound), Double::compare)
          .thenComparing(l -> l.bound == null ? "" : l.bound)
          .thenComparing(l -> l.name)
          .thenComparing(l -> l.labels);

  /** One exposed metric family. */
  private static final class Family {
    final String name;
    String type = "untyped";
    String help = "";
    boolean described;
    final List<Line> lines = new ArrayList<>();

    Family(String name) {
      this.name = name;
    }

    void describe(MetricMetadata m) {
      if (m != null && !described) {
        type = typeName(m.type());
        help = m.help();
        described = true;
      }
    }
  }

  /**
   * One sample line.
   *
   * @param group rendered labels without the bound label: the series a histogram's lines share
   * @param rank 0 for buckets, quantiles and plain samples, 1 for {@code _sum}, 2 for {@code
   *     _count}
   * @param bound the {@code le} or {@code quantile} value, null for other lines
   */
  private record Line(
      String name, String labels, String group, int rank, String bound, Sample sample) {}

  /** Configures a {@link PrometheusExposition}. */
  public static final class Builder {
    private final TelemetryQuery query;
    private Duration lookback = DEFAULT_LOOKBACK;
    private boolean timestamps;

    private Builder(TelemetryQuery query) {
      this.query = Objects.requireNonNull(query, "query");
    }

    /**
     * Series whose newest sample is older than this are left out; default {@link
     * #DEFAULT_LOOKBACK}.
     */
    public Builder lookback(Duration lookback) {
      Objects.requireNonNull(lookback, "lookback");
      if (lookback.isNegative() || lookback.isZero()) {
        throw new IllegalArgumentException("lookback must be positive, got " + lookback);
      }
      this.lookback = lookback;
      return this;
    }

    /**
     * Whether each line carries the sample's timestamp (epoch milliseconds); default false, so that
     * Prometheus stamps samples with the scrape time and applies its staleness handling.
     */
    public Builder timestamps(boolean timestamps) {
      this.timestamps = timestamps;
      return this;
    }

    /** The exposition; the builder may be reused. */
    public PrometheusExposition build() {
      return new PrometheusExposition(this);
    }
  }
}
