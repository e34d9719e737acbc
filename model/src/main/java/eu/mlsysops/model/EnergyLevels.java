package eu.mlsysops.model;

import java.util.List;

/**
 * Energy levels with a unit, for renewable production and battery capacity.
 *
 * @param levels the levels
 * @param measurementUnit e.g. {@code wh}, or null
 */
public record EnergyLevels(List<Double> levels, String measurementUnit) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param levels see the record description
   * @param measurementUnit see the record description
   */
  public EnergyLevels {
    levels = Immutable.list(levels);
  }
}
