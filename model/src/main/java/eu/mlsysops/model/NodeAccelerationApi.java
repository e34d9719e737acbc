package eu.mlsysops.model;

import java.util.List;

/**
 * An acceleration API call a node offers.
 *
 * @param callName e.g. {@code calc_optical_flow}
 * @param supportedPlatforms the platforms that implement it
 */
public record NodeAccelerationApi(String callName, List<SupportedPlatform> supportedPlatforms) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param callName see the record description
   * @param supportedPlatforms see the record description
   */
  public NodeAccelerationApi {
    supportedPlatforms = Immutable.list(supportedPlatforms);
  }
}
