package eu.mlsysops.model;

import java.util.List;

/**
 * An {@code MLSysOpsContinuum} descriptor.
 *
 * @param name the continuum name; the parser falls back to {@code metadata.name}, then to {@code
 *     continuumId}
 * @param continuumId the unique continuum id
 * @param clusters the registered cluster ids
 */
public record ContinuumDescriptor(String name, String continuumId, List<String> clusters)
    implements Descriptor {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param name see the record description
   * @param continuumId see the record description
   * @param clusters see the record description
   */
  public ContinuumDescriptor {
    clusters = Immutable.list(clusters);
  }

  /** Returns {@link DescriptorKind#CONTINUUM}. */
  @Override
  public DescriptorKind kind() {
    return DescriptorKind.CONTINUUM;
  }
}
