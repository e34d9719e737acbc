package eu.mlsysops.telemetry.pipeline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an agent sends upward for the metrics whose names match {@code metricGlob}: every sample
 * ({@link Aggregation#RAW}) or one value per group and interval.
 *
 * <p>Written in configuration as {@code GLOB: FUNCTION [by|without (LABEL, …)]}, e.g. {@code
 * node_cpu_seconds_total: sum by (node, mode)} or {@code *: auto without (cpu, device)}.
 *
 * @param metricGlob metric names this rule covers; {@code *} matches any run of characters
 * @param aggregation what to compute per group
 * @param without true when {@code labels} are the labels to drop, false when they are the ones to
 *     keep
 * @param labels the grouping labels (kept with {@code by}, dropped with {@code without})
 */
public record AggregationRule(
    String metricGlob, Aggregation aggregation, boolean without, List<String> labels) {
  private static final Pattern SYNTAX =
      Pattern.compile(
          "\\s*([^\\s:]+)\\s*:\\s*([a-zA-Z_]+)\\s*(?:(by|without)\\s*\\(([^)]*)\\))?\\s*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_.]*");

  public AggregationRule {
    Objects.requireNonNull(metricGlob, "metricGlob");
    Objects.requireNonNull(aggregation, "aggregation");
    labels = List.copyOf(labels);
    if (metricGlob.isBlank()) {
      throw new IllegalArgumentException("metric pattern must not be empty");
    }
  }

  /** Forwards every sample of the matching metrics as it is. */
  public static AggregationRule raw(String metricGlob) {
    return new AggregationRule(metricGlob, Aggregation.RAW, true, List.of());
  }

  /** One value per group of series that agree on {@code labels}. */
  public static AggregationRule by(String metricGlob, Aggregation aggregation, String... labels) {
    return new AggregationRule(metricGlob, aggregation, false, List.of(labels));
  }

  /** One value per group of series that agree on every label except {@code labels}. */
  public static AggregationRule without(
      String metricGlob, Aggregation aggregation, String... labels) {
    return new AggregationRule(metricGlob, aggregation, true, List.of(labels));
  }

  /**
   * Parses the configuration form {@code GLOB: FUNCTION [by|without (LABEL, …)]}.
   *
   * @throws IllegalArgumentException naming what is wrong, e.g. {@code "avrg" is not an
   *     aggregation (one of raw, last, sum, avg, min, max, auto)}
   */
  public static AggregationRule parse(String text) {
    Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "\"" + text + "\" is not an aggregation rule; expected GLOB: FUNCTION [by|without (LABEL, …)],"
              + " e.g. \"node_*: avg without (cpu)\"");
    }
    Aggregation aggregation = Aggregation.fromName(m.group(2));
    List<String> labels = new ArrayList<>();
    if (m.group(4) != null) {
      for (String l : m.group(4).split(",")) {
        String label = l.trim();
        if (label.isEmpty()) {
          continue;
        }
        if (!LABEL.matcher(label).matches()) {
          throw new IllegalArgumentException(
              "\"" + label + "\" in \"" + text.trim() + "\" is not a label name");
        }
        labels.add(label);
      }
    }
    boolean without = m.group(3) == null || m.group(3).equals("without");
    if (aggregation == Aggregation.RAW && m.group(3) != null) {
      throw new IllegalArgumentException(
          "\"" + text.trim() + "\": raw forwards every series as it is and takes no grouping");
    }
    return new AggregationRule(m.group(1), aggregation, without, labels);
  }

  /** True when this rule covers {@code metric}. */
  public boolean covers(String metric) {
    return globMatches(metricGlob, 0, metric, 0);
  }

  private static boolean globMatches(String glob, int g, String s, int i) {
    while (g < glob.length()) {
      char c = glob.charAt(g);
      if (c == '*') {
        for (int k = i; k <= s.length(); k++) {
          if (globMatches(glob, g + 1, s, k)) {
            return true;
          }
        }
        return false;
      }
      if (i >= s.length() || s.charAt(i) != c) {
        return false;
      }
      g++;
      i++;
    }
    return i == s.length();
  }

  @Override
  public String toString() {
    String fn = aggregation.name().toLowerCase(Locale.ROOT);
    if (aggregation == Aggregation.RAW) {
      return metricGlob + ": " + fn;
    }
    return metricGlob + ": " + fn + (without ? " without (" : " by (") + String.join(", ", labels)
        + ")";
  }

  /** What is computed per group and interval. */
  public enum Aggregation {
    /** Every sample, as it came. */
    RAW,
    /** The newest sample of the group. */
    LAST,
    /** The sum over the group's series of each series' newest value (right for counters). */
    SUM,
    /** The mean of every sample of the group in the interval. */
    AVG,
    /** The smallest sample of the group in the interval. */
    MIN,
    /** The largest sample of the group in the interval. */
    MAX,
    /**
     * Chosen from what the metric is: counters, up-down counters and histogram parts are summed
     * (histograms merge bucket by bucket, {@code le} is always kept), summary quantiles and gauges
     * are averaged.
     */
    AUTO;

    static Aggregation fromName(String name) {
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "\"" + name + "\" is not an aggregation (one of raw, last, sum, avg, min, max, auto)");
      }
    }
  }
}
