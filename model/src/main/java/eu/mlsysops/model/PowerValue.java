package eu.mlsysops.model;

/**
 * {@code power.max_consumption}.
 *
 * @param value the value, or null
 * @param measurementUnit {@code w}, {@code kw} or {@code Mw}, or null
 */
public record PowerValue(Double value, String measurementUnit) {}
