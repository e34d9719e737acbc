package eu.mlsysops.model;

import java.util.List;

/**
 * An {@code MLSysOpsNode} descriptor.
 *
 * @param name the node name
 * @param labels labels used for placement filtering
 * @param continuumLayer the node's layer (never {@link ContinuumLayer#ANY})
 * @param clusterId the cluster the node belongs to, or null
 * @param datacenterId the datacenter the node belongs to, or null for a standalone node
 * @param availability {@code transient} or {@code stable}, or null
 * @param mobile whether the node moves (default false; {@code mobility} is accepted as a variant)
 * @param location {@code [longitude, latitude]} of a fixed node, or empty
 * @param sensors sensors offered as services
 * @param permittedActions actions the agents may take on this node ({@code *} for all)
 * @param distributedStorageService membership in the distributed storage service, or null
 * @param environment node type, OS and container runtimes
 * @param accelerationApi acceleration API calls the node offers
 * @param hardware the node's hardware
 * @param networkResources network interfaces, or null
 * @param power power targets and sources, or null
 */
public record NodeDescriptor(
    String name,
    List<String> labels,
    ContinuumLayer continuumLayer,
    String clusterId,
    String datacenterId,
    String availability,
    boolean mobile,
    List<Double> location,
    List<Sensor> sensors,
    List<String> permittedActions,
    DistributedStorageService distributedStorageService,
    Environment environment,
    List<NodeAccelerationApi> accelerationApi,
    Hardware hardware,
    NetworkResources networkResources,
    Power power)
    implements Descriptor {

  /**
   * Copies the lists; nulls become empty lists.
   *
   * @param name see the record description
   * @param labels see the record description
   * @param continuumLayer see the record description
   * @param clusterId see the record description
   * @param datacenterId see the record description
   * @param availability see the record description
   * @param mobile see the record description
   * @param location see the record description
   * @param sensors see the record description
   * @param permittedActions see the record description
   * @param distributedStorageService see the record description
   * @param environment see the record description
   * @param accelerationApi see the record description
   * @param hardware see the record description
   * @param networkResources see the record description
   * @param power see the record description
   */
  public NodeDescriptor {
    labels = Immutable.list(labels);
    location = Immutable.list(location);
    sensors = Immutable.list(sensors);
    permittedActions = Immutable.list(permittedActions);
    accelerationApi = Immutable.list(accelerationApi);
  }

  /** Returns {@link DescriptorKind#NODE}. */
  @Override
  public DescriptorKind kind() {
    return DescriptorKind.NODE;
  }
}
