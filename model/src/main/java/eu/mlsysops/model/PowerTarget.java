package eu.mlsysops.model;

/**
 * {@code power.target}.
 *
 * @param consumption energy consumption target, or null
 * @param cost energy cost target, or null
 * @param co2Emission CO2 per energy unit target, or null
 */
public record PowerTarget(PowerGoal consumption, PowerGoal cost, PowerGoal co2Emission) {}
