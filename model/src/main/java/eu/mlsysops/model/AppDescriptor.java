package eu.mlsysops.model;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@code MLSysOpsApp} descriptor.
 *
 * @param name the application name
 * @param clusterPlacement constraints on the clusters that may host the app, or null
 * @param singleNode groups of components that must share one node
 * @param components the components, in descriptor order; names are unique
 * @param componentInteractions the declared traffic between components
 * @param permittedActions actions the agents may take ({@code *} for all)
 * @param globalSatisfaction how overall QoS satisfaction is judged, or null
 * @param disconnect what happens to instances on a node that stops answering, or null for the
 *     agents' defaults (an extension of the reference CRD)
 * @param qosWarmup how long an instance runs before its QoS targets are judged ({@code
 *     qos_warmup}, an extension of the reference CRD), or null for the agents' default
 */
public record AppDescriptor(
    String name,
    ClusterPlacement clusterPlacement,
    List<SingleNodeGroup> singleNode,
    List<Component> components,
    List<ComponentInteraction> componentInteractions,
    List<String> permittedActions,
    GlobalSatisfaction globalSatisfaction,
    DisconnectPolicy disconnect,
    java.time.Duration qosWarmup)
    implements Descriptor {

  /**
   * An app without a {@code disconnect} policy.
   *
   * @param name see the record description
   * @param clusterPlacement see the record description
   * @param singleNode see the record description
   * @param components see the record description
   * @param componentInteractions see the record description
   * @param permittedActions see the record description
   * @param globalSatisfaction see the record description
   */
  public AppDescriptor(
      String name,
      ClusterPlacement clusterPlacement,
      List<SingleNodeGroup> singleNode,
      List<Component> components,
      List<ComponentInteraction> componentInteractions,
      List<String> permittedActions,
      GlobalSatisfaction globalSatisfaction) {
    this(
        name,
        clusterPlacement,
        singleNode,
        components,
        componentInteractions,
        permittedActions,
        globalSatisfaction,
        null,
        null);
  }

  /**
   * The disconnect policy, or the defaults when the descriptor has none.
   *
   * @return never null
   */
  public DisconnectPolicy disconnectOrDefault() {
    return disconnect == null ? DisconnectPolicy.DEFAULT : disconnect;
  }

  /**
   * Copies the lists; nulls become empty lists.
   *
   * @param name see the record description
   * @param clusterPlacement see the record description
   * @param singleNode see the record description
   * @param components see the record description
   * @param componentInteractions see the record description
   * @param permittedActions see the record description
   * @param globalSatisfaction see the record description
   * @param disconnect see the record description
   * @param qosWarmup see the record description
   */
  public AppDescriptor {
    singleNode = Immutable.list(singleNode);
    components = Immutable.list(components);
    componentInteractions = Immutable.list(componentInteractions);
    permittedActions = Immutable.list(permittedActions);
  }

  /** The agents' QoS warm-up when an app sets no {@code qos_warmup}. */
  public static final java.time.Duration DEFAULT_QOS_WARMUP = java.time.Duration.ofSeconds(10);

  /** The app's {@code qos_warmup}, or {@link #DEFAULT_QOS_WARMUP}. */
  public java.time.Duration qosWarmupOrDefault() {
    return qosWarmup == null ? DEFAULT_QOS_WARMUP : qosWarmup;
  }

  /** A copy with other components (and the rest as it is). */
  public AppDescriptor withComponents(List<Component> others) {
    return new AppDescriptor(name, clusterPlacement, singleNode, others, componentInteractions,
        permittedActions, globalSatisfaction, disconnect, qosWarmup);
  }

  /** Returns {@link DescriptorKind#APP}. */
  @Override
  public DescriptorKind kind() {
    return DescriptorKind.APP;
  }

  /**
   * Finds a component by name.
   *
   * @param componentName the component's {@code metadata.name}
   * @return the component, or empty
   */
  public Optional<Component> component(String componentName) {
    return components.stream().filter(c -> Objects.equals(c.name(), componentName)).findFirst();
  }
}
