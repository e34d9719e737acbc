package eu.mlsysops.model;

/**
 * The weight of one QoS metric in the global satisfaction.
 *
 * @param metricId an {@code application_metric_id} of some component
 * @param weight the weight, at least 0, or null
 */
public record AchievementWeight(String metricId, Double weight) {}
