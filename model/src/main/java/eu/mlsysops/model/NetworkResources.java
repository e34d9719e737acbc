package eu.mlsysops.model;

import java.util.List;

/**
 * A node's {@code network_resources}.
 *
 * @param basicInterface the interface for control (and by default application) traffic, or null
 * @param redirectionInterface interfaces application traffic may be redirected to
 */
public record NetworkResources(
    BasicInterface basicInterface, List<RedirectionInterface> redirectionInterface) {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param basicInterface see the record description
   * @param redirectionInterface see the record description
   */
  public NetworkResources {
    redirectionInterface = Immutable.list(redirectionInterface);
  }
}
