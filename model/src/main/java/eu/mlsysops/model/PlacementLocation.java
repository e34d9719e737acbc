package eu.mlsysops.model;

import java.util.List;

/**
 * {@code cluster_placement.location}: where the hosting cluster must be.
 *
 * @param continent accepted continents, e.g. {@code Europe}
 * @param country accepted ISO country codes, e.g. {@code el}
 * @param city accepted cities, e.g. {@code volos}
 */
public record PlacementLocation(List<String> continent, List<String> country, List<String> city) {

  /**
   * Copies the lists; nulls become empty lists.
   *
   * @param continent see the record description
   * @param country see the record description
   * @param city see the record description
   */
  public PlacementLocation {
    continent = Immutable.list(continent);
    country = Immutable.list(country);
    city = Immutable.list(city);
  }
}
