package eu.mlsysops.model;

import java.util.List;

/**
 * One application-level QoS target ({@code qos_metrics} entry).
 *
 * @param applicationMetricId the metric's id as exported by the app
 * @param target the target value
 * @param relation how the measured value must relate to the target
 * @param systemMetricsHints system metrics that affect this one, e.g. {@code cpu_frequency}
 */
public record QosMetric(
    String applicationMetricId, double target, Relation relation, List<String> systemMetricsHints) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param applicationMetricId see the record description
   * @param target see the record description
   * @param relation see the record description
   * @param systemMetricsHints see the record description
   */
  public QosMetric {
    systemMetricsHints = Immutable.list(systemMetricsHints);
  }

  /**
   * Tells whether a measured value meets this target.
   *
   * @param value the measured value
   * @return true if {@code relation.holds(value, target)}; true when no relation is given
   */
  public boolean isMet(double value) {
    return relation == null || relation.holds(value, target);
  }
}
