package eu.mlsysops.model;

/**
 * {@code power.battery}.
 *
 * @param capacity capacity levels, or null
 */
public record Battery(EnergyLevels capacity) {}
