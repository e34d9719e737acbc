package eu.mlsysops.model;

/**
 * A {@code scaling} block.
 *
 * @param scalingMode {@code manual} or {@code auto}, or null
 * @param instances number of instances for manual scaling, or null; never negative
 * @param scalingCriteria the criterion for auto scaling, e.g. {@code max_cpu_utilization}, or null
 */
public record Scaling(String scalingMode, Integer instances, String scalingCriteria) {}
