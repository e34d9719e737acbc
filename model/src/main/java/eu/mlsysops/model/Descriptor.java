package eu.mlsysops.model;

/**
 * A parsed and validated {@code mlsysops.eu/v1} descriptor. Obtain them from {@link Descriptors}.
 */
public sealed interface Descriptor
    permits AppDescriptor,
        NodeDescriptor,
        ClusterDescriptor,
        ContinuumDescriptor,
        DatacenterDescriptor {

  /**
   * Returns which kind of descriptor this is.
   *
   * @return the kind
   */
  DescriptorKind kind();

  /**
   * Returns the descriptor's name: its {@code name} field, else the custom resource's {@code
   * metadata.name}, else (cluster, continuum, datacenter) its id.
   *
   * @return the name, never null for a parsed descriptor
   */
  String name();
}
