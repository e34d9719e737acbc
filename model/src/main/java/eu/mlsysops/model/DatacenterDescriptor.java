package eu.mlsysops.model;

import java.util.List;

/**
 * An {@code MLSysOpsDatacenter} descriptor.
 *
 * @param name the datacenter name; the parser falls back to {@code metadata.name}, then to {@code
 *     datacenterId}
 * @param datacenterId the unique datacenter id
 * @param clusterId the cluster the datacenter belongs to
 * @param continuum the datacenter's layer
 * @param nodes the registered node names
 * @param continent e.g. {@code europe}, or null
 * @param country e.g. {@code el}, or null
 * @param city e.g. {@code volos}, or null
 * @param location {@code [longitude, latitude]}, or empty
 * @param cloudProvider {@code private}, {@code aws}, {@code microsoft_azure} or {@code gcp}, or
 *     null
 */
public record DatacenterDescriptor(
    String name,
    String datacenterId,
    String clusterId,
    ContinuumLayer continuum,
    List<String> nodes,
    String continent,
    String country,
    String city,
    List<Double> location,
    String cloudProvider)
    implements Descriptor {

  /**
   * Copies the lists; nulls become empty lists.
   *
   * @param name see the record description
   * @param datacenterId see the record description
   * @param clusterId see the record description
   * @param continuum see the record description
   * @param nodes see the record description
   * @param continent see the record description
   * @param country see the record description
   * @param city see the record description
   * @param location see the record description
   * @param cloudProvider see the record description
   */
  public DatacenterDescriptor {
    nodes = Immutable.list(nodes);
    location = Immutable.list(location);
  }

  /** Returns {@link DescriptorKind#DATACENTER}. */
  @Override
  public DescriptorKind kind() {
    return DescriptorKind.DATACENTER;
  }
}
