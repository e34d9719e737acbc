package eu.mlsysops.model;

/**
 * One power target.
 *
 * @param value the target value, or null
 * @param relation how the measured value must relate to it, or null (the CRD's {@code
 *     lower_or_qqual} reads as {@link Relation#LOWER_OR_EQUAL})
 * @param measurementUnit e.g. {@code kwh}, {@code kt/kwh}, or null
 */
public record PowerGoal(Double value, Relation relation, String measurementUnit) {}
