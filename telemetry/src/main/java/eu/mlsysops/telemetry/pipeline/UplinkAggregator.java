package eu.mlsysops.telemetry.pipeline;

import eu.mlsysops.telemetry.Labels;
import eu.mlsysops.telemetry.MetricMetadata;
import eu.mlsysops.telemetry.MetricMetadata.MetricType;
import eu.mlsysops.telemetry.Sample;
import eu.mlsysops.telemetry.SampleBatch;
import eu.mlsysops.telemetry.SampleSink;
import eu.mlsysops.telemetry.pipeline.AggregationRule.Aggregation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns what an agent receives into what it sends to its parent, one interval at a time: each
 * sample goes to the first {@link AggregationRule} that covers its metric and is either queued as
 * it is ({@code raw}) or folded into its group's running aggregate; {@link #drain()} returns the
 * interval's output and starts the next one. Metrics no rule covers are not sent up.
 *
 * <p>Bounded: at most {@code maxGroups} aggregates and {@code maxRawSamples} raw samples per
 * interval; beyond that samples are dropped and counted, so a burst can never grow the uplink
 * without limit. Folding is O(1) per sample (rule and label projection are cached), which matters
 * because a node agent aggregates everything its OTLP receiver takes in.
 */
public final class UplinkAggregator implements SampleSink {
  /** Node → cluster: one series per node and remaining labels; per-core and per-device merged. */
  public static final List<AggregationRule> NODE_DEFAULTS =
      List.of(AggregationRule.without("*", Aggregation.AUTO, "cpu", "device"));

  /**
   * Cluster → continuum: one series per cluster (nodes and instances merged), so that continuum
   * traffic grows with clusters and apps, not with nodes; except what every view of the continuum
   * shows per node: utilisation, power and CPU frequency (one series each per node) and the
   * cluster's trust in the node (five facets).
   */
  public static final List<AggregationRule> CLUSTER_DEFAULTS =
      List.of(
          AggregationRule.without("node_cpu_utilization", Aggregation.AUTO, "instance", "cpu",
              "device"),
          AggregationRule.without("node_power_watts", Aggregation.AUTO, "instance", "cpu",
              "device"),
          AggregationRule.without("node_cpu_scaling_frequency_hertz", Aggregation.AUTO,
              "instance", "cpu", "device"),
          // Node trust as the cluster judges it, per node and facet (see ClusterTrust).
          AggregationRule.by("mlsysops_node_trust", Aggregation.LAST, "node", "facet"),
          AggregationRule.without("*", Aggregation.AUTO, "node", "instance", "cpu", "device"));

  private static final Set<String> HISTOGRAM_SUFFIXES = Set.of("_bucket", "_sum", "_count");

  private final List<AggregationRule> rules;
  private final int maxGroups;
  private final int maxRawSamples;
  private final Map<String, MetricMetadata> metadata = new ConcurrentHashMap<>();
  private final Map<String, Route> routes = new HashMap<>();
  private Map<GroupKey, Group> groups = new LinkedHashMap<>();
  private List<Sample> raw = new ArrayList<>();

  /** Counts intervals; a {@link Projection}'s remembered group is valid in its interval only. */
  private long interval;

  private long dropped;

  private UplinkAggregator(Builder b) {
    this.rules = List.copyOf(b.rules);
    this.maxGroups = b.maxGroups;
    this.maxRawSamples = b.maxRawSamples;
  }

  /** A builder with defaults: {@link #NODE_DEFAULTS}, 100,000 groups, 100,000 raw samples. */
  public static Builder builder() {
    return new Builder();
  }

  /** The rules in the order they are tried. */
  public List<AggregationRule> rules() {
    return rules;
  }

  @Override
  public synchronized void describe(String metric, MetricMetadata meta) {
    if (!meta.equals(metadata.put(metric, meta))) {
      // AUTO resolves from metadata; a route cached before the metric was described is stale.
      routes.clear();
    }
  }

  /** Folds one sample into the current interval; false when it was dropped or not covered. */
  @Override
  public synchronized boolean accept(Sample sample) {
    Route route = routes.computeIfAbsent(sample.metric(), this::route);
    if (route.rule == null) {
      return false;
    }
    return fold(
        route, sample.metric(), sample.labels(), sample.timestampMillis(), sample.value(), sample);
  }

  /**
   * Folds the samples of {@code batch} that an earlier sink accepted, under one lock and with one
   * route lookup: a node agent stores a batch first, then folds what the store kept. Flags are left
   * as they are.
   */
  public synchronized void foldAccepted(SampleBatch batch) {
    Route route = routes.computeIfAbsent(batch.metric(), this::route);
    if (route.rule == null) {
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      if (batch.accepted(i)) {
        fold(
            route, batch.metric(), batch.labels(i), batch.timestampMillis(i), batch.value(i), null);
      }
    }
  }

  /** {@code sample} is the same sample as an object when the caller has one, else null. */
  private boolean fold(
      Route route, String metric, Labels labels, long ts, double v, Sample sample) {
    if (route.function == Aggregation.RAW) {
      if (raw.size() >= maxRawSamples) {
        dropped++;
        return false;
      }
      raw.add(sample != null ? sample : new Sample(metric, labels, ts, v));
      return true;
    }
    Projection p = route.project(metric, labels);
    Group g = p.interval == interval ? p.group : null;
    if (g == null) {
      g = groups.get(p.key);
      if (g == null) {
        if (groups.size() >= maxGroups) {
          dropped++;
          return false;
        }
        g = new Group(route.function);
        groups.put(p.key, g);
      }
      p.group = g;
      p.interval = interval;
    }
    g.add(labels, ts, v);
    return true;
  }

  /** Folds a batch under one lock. Returns how many samples were taken. */
  public synchronized int acceptAll(List<Sample> samples) {
    int n = 0;
    for (Sample s : samples) {
      if (accept(s)) {
        n++;
      }
    }
    return n;
  }

  /**
   * Ends the interval: returns its raw samples and one sample per group (timestamped with the
   * group's newest sample), with the metadata the parent needs to know what each metric is.
   */
  public Batch drain() {
    Map<GroupKey, Group> done;
    List<Sample> out;
    synchronized (this) {
      done = groups;
      out = raw;
      groups = new LinkedHashMap<>();
      raw = new ArrayList<>();
      interval++;
    }
    Map<String, MetricMetadata> meta = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    for (Sample s : out) {
      if (seen.add(s.metric())) {
        describeOutput(s.metric(), Aggregation.RAW, meta);
      }
    }
    for (Map.Entry<GroupKey, Group> e : done.entrySet()) {
      Group g = e.getValue();
      out.add(new Sample(e.getKey().metric, e.getKey().labels, g.newestTs, g.value()));
      if (seen.add(e.getKey().metric)) {
        describeOutput(e.getKey().metric, g.function, meta);
      }
    }
    return new Batch(out, meta);
  }

  /** Samples dropped because an interval's bounds were reached. */
  public synchronized long dropped() {
    return dropped;
  }

  private void describeOutput(String metric, Aggregation fn, Map<String, MetricMetadata> out) {
    String base = baseName(metric);
    MetricMetadata m = metadata.get(base);
    if (m == null) {
      m = metadata.get(metric);
      base = metric;
    }
    if (m == null) {
      return;
    }
    boolean keepsType = fn == Aggregation.RAW || fn == Aggregation.LAST || fn == Aggregation.SUM;
    out.put(base, keepsType ? m : new MetricMetadata(MetricType.GAUGE, m.unit(), m.help()));
  }

  /** The metric a flattened histogram or summary series belongs to ({@code x_bucket} → x). */
  private String baseName(String metric) {
    for (String suffix : HISTOGRAM_SUFFIXES) {
      if (metric.endsWith(suffix)) {
        String base = metric.substring(0, metric.length() - suffix.length());
        MetricMetadata m = metadata.get(base);
        if (m != null && (m.type() == MetricType.HISTOGRAM || m.type() == MetricType.SUMMARY)) {
          return base;
        }
      }
    }
    return metric;
  }

  private Route route(String metric) {
    for (AggregationRule r : rules) {
      if (r.covers(metric)) {
        return new Route(r, resolve(metric, r));
      }
    }
    return new Route(null, Aggregation.RAW);
  }

  private Aggregation resolve(String metric, AggregationRule rule) {
    if (rule.aggregation() != Aggregation.AUTO) {
      return rule.aggregation();
    }
    String base = baseName(metric);
    MetricMetadata m = metadata.get(base);
    MetricType type = m == null ? null : m.type();
    if (type == MetricType.HISTOGRAM) {
      return Aggregation.SUM;
    }
    if (type == MetricType.SUMMARY) {
      return base.equals(metric) ? Aggregation.AVG : Aggregation.SUM;
    }
    if (type == MetricType.COUNTER || type == MetricType.UP_DOWN_COUNTER) {
      return Aggregation.SUM;
    }
    // Reporters that send no metadata (the Prometheus naming convention still tells counters).
    return type == null && metric.endsWith("_total") ? Aggregation.SUM : Aggregation.AVG;
  }

  /** The rule chosen for one metric name and how it projects labels onto groups. */
  private static final class Route {
    final AggregationRule rule;
    final Aggregation function;
    private final Map<Labels, Projection> projections = new HashMap<>();

    Route(AggregationRule rule, Aggregation function) {
      this.rule = rule;
      this.function = function;
    }

    Projection project(String metric, Labels labels) {
      Projection p = projections.get(labels);
      if (p == null) {
        if (projections.size() > 100_000) {
          projections.clear();
        }
        p = new Projection(new GroupKey(metric, computeProjection(labels)));
        projections.put(labels, p);
      }
      return p;
    }

    private Labels computeProjection(Labels labels) {
      Map<String, String> kept = new TreeMap<>();
      for (Map.Entry<String, String> e : labels.map().entrySet()) {
        String name = e.getKey();
        // Bucket bounds and quantiles identify what a value is; merging across them is meaningless.
        boolean identity = name.equals("le") || name.equals("quantile");
        boolean listed = rule.labels().contains(name);
        if (identity || (rule.without() != listed)) {
          kept.put(name, e.getValue());
        }
      }
      return new Labels(kept);
    }
  }

  private record GroupKey(String metric, Labels labels) {}

  /**
   * Where a series' samples go: its group's key, and the group itself while the interval it was
   * looked up in lasts (so a series' samples after its first in an interval need no group lookup).
   */
  private static final class Projection {
    final GroupKey key;
    Group group;
    long interval = -1;

    Projection(GroupKey key) {
      this.key = key;
    }
  }

  /** The running aggregate of one group during one interval. */
  private static final class Group {
    final Aggregation function;
    double sum;
    long count;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long newestTs = Long.MIN_VALUE;
    double newest;

    /** For SUM: each member series' newest value, so repeated samples are not double-counted. */
    Map<Labels, double[]> members;

    Group(Aggregation function) {
      this.function = function;
      if (function == Aggregation.SUM) {
        members = new HashMap<>();
      }
    }

    void add(Labels labels, long ts, double v) {
      sum += v;
      count++;
      min = Math.min(min, v);
      max = Math.max(max, v);
      if (ts >= newestTs) {
        newestTs = ts;
        newest = v;
      }
      if (members != null) {
        double[] last = members.computeIfAbsent(labels, k -> new double[] {Long.MIN_VALUE, 0});
        if (ts >= last[0]) {
          last[0] = ts;
          last[1] = v;
        }
      }
    }

    double value() {
      return switch (function) {
        case LAST, RAW -> newest;
        case AVG, AUTO -> sum / count;
        case MIN -> min;
        case MAX -> max;
        case SUM -> {
          double total = 0;
          for (double[] last : members.values()) {
            total += last[1];
          }
          yield total;
        }
      };
    }
  }

  /**
   * One interval's output.
   *
   * @param samples raw samples first, then one per group
   * @param metadata what each sent metric is, by base name, for the metrics whose type is known
   */
  public record Batch(List<Sample> samples, Map<String, MetricMetadata> metadata) {
    public Batch {
      samples = List.copyOf(samples);
      metadata = Map.copyOf(metadata);
    }

    public boolean isEmpty() {
      return samples.isEmpty();
    }
  }

  /** Builds an {@link UplinkAggregator}. */
  public static final class Builder {
    private List<AggregationRule> rules = NODE_DEFAULTS;
    private int maxGroups = 100_000;
    private int maxRawSamples = 100_000;

    private Builder() {}

    /** The rules, tried in order; the first that covers a metric decides. */
    public Builder rules(List<AggregationRule> rules) {
      this.rules = List.copyOf(Objects.requireNonNull(rules, "rules"));
      return this;
    }

    /** Most groups (output series) per interval. */
    public Builder maxGroups(int maxGroups) {
      if (maxGroups < 1) {
        throw new IllegalArgumentException("maxGroups must be positive: " + maxGroups);
      }
      this.maxGroups = maxGroups;
      return this;
    }

    /** Most raw samples per interval. */
    public Builder maxRawSamples(int maxRawSamples) {
      if (maxRawSamples < 1) {
        throw new IllegalArgumentException("maxRawSamples must be positive: " + maxRawSamples);
      }
      this.maxRawSamples = maxRawSamples;
      return this;
    }

    public UplinkAggregator build() {
      return new UplinkAggregator(this);
    }
  }
}
