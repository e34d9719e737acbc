package eu.mlsysops.model;

import java.util.List;

/**
 * An {@code MLSysOpsCluster} descriptor.
 *
 * @param name the cluster name; the parser falls back to {@code metadata.name}, then to {@code
 *     clusterId}
 * @param clusterId the unique cluster id
 * @param datacenterId the datacenter, or null
 * @param nodes the registered node names
 */
public record ClusterDescriptor(
    String name, String clusterId, String datacenterId, List<String> nodes) implements Descriptor {

  /**
   * Copies the list; null becomes an empty list.
   *
   * @param name see the record description
   * @param clusterId see the record description
   * @param datacenterId see the record description
   * @param nodes see the record description
   */
  public ClusterDescriptor {
    nodes = Immutable.list(nodes);
  }

  /** Returns {@link DescriptorKind#CLUSTER}. */
  @Override
  public DescriptorKind kind() {
    return DescriptorKind.CLUSTER;
  }
}
