package eu.mlsysops.model;

/**
 * A system-level target on an interaction.
 *
 * @param systemMetricId {@code latency}, {@code bandwidth} or {@code end_to_end_invocation_delay}
 * @param target the target value, or null
 * @param measurementUnit {@code milliseconds}, {@code seconds} or {@code Mbps}, or null
 * @param relation how the measured value must relate to the target, or null
 */
public record InteractionMetric(
    String systemMetricId, Double target, String measurementUnit, Relation relation) {}
