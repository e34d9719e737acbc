package eu.mlsysops.model;

/**
 * One {@code power.renewable} entry.
 *
 * @param name e.g. {@code solar_panel}, or null
 * @param production production levels, or null
 */
public record RenewableSource(String name, EnergyLevels production) {}
