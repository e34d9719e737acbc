package eu.mlsysops.model;

import java.util.List;

/**
 * One entry of an app's {@code components}.
 *
 * @param metadata name and uid; the name is unique within the app
 * @param nodePlacement where the component may run, or null
 * @param dependsOn components that must be running before this one starts
 * @param runtimeConfiguration node-level runtime configuration knobs, or null
 * @param sensors sensors the component needs
 * @param qosMetrics application-level QoS targets
 * @param storage storage buckets, or null
 * @param dataSensitivity whether the component handles sensitive data, or null
 * @param dataCriticality {@code low}, {@code medium} or {@code high}, or null
 * @param externalComponent true if MLSysOps only deploys and removes it, or null
 * @param externalAccess whether it is reachable from outside its cluster, or null
 * @param hostNetwork whether it uses the host's network namespace (default false)
 * @param runtimeClassName e.g. {@code nvidia}, {@code kata-fc}, or null
 * @param restartPolicy the restart policy, or null (Kubernetes defaults to Always)
 * @param os required OS, e.g. {@code ubuntu}, or null
 * @param nodeType {@code virtualized}, {@code native} or {@code bare_metal}, or null
 * @param containerRuntime {@code containerd}, {@code docker} or {@code emb_serve}, or null
 * @param containers the containers; at least one
 * @param qosWarmup how long an instance of this component runs before its QoS targets are judged
 *     ({@code qos_warmup}, our extension, as at the app level), or null for the app's
 */
public record Component(
    ComponentMetadata metadata,
    NodePlacement nodePlacement,
    List<String> dependsOn,
    RuntimeConfiguration runtimeConfiguration,
    List<Sensor> sensors,
    List<QosMetric> qosMetrics,
    Storage storage,
    Boolean dataSensitivity,
    String dataCriticality,
    Boolean externalComponent,
    Boolean externalAccess,
    boolean hostNetwork,
    String runtimeClassName,
    RestartPolicy restartPolicy,
    String os,
    String nodeType,
    String containerRuntime,
    List<Container> containers,
    java.time.Duration qosWarmup) {

  /** A component without a warm-up of its own. */
  public Component(ComponentMetadata metadata, NodePlacement nodePlacement, List<String> dependsOn,
      RuntimeConfiguration runtimeConfiguration, List<Sensor> sensors, List<QosMetric> qosMetrics,
      Storage storage, Boolean dataSensitivity, String dataCriticality, Boolean externalComponent,
      Boolean externalAccess, boolean hostNetwork, String runtimeClassName,
      RestartPolicy restartPolicy, String os, String nodeType, String containerRuntime,
      List<Container> containers) {
    this(metadata, nodePlacement, dependsOn, runtimeConfiguration, sensors, qosMetrics, storage,
        dataSensitivity, dataCriticality, externalComponent, externalAccess, hostNetwork,
        runtimeClassName, restartPolicy, os, nodeType, containerRuntime, containers, null);
  }

  /** This component with {@code warmup} as its own {@code qos_warmup}. */
  public Component withQosWarmup(java.time.Duration warmup) {
    return new Component(metadata, nodePlacement, dependsOn, runtimeConfiguration, sensors,
        qosMetrics, storage, dataSensitivity, dataCriticality, externalComponent, externalAccess,
        hostNetwork, runtimeClassName, restartPolicy, os, nodeType, containerRuntime, containers,
        warmup);
  }

  /** How long its instances run before their QoS targets are judged: its own, or the app's. */
  public java.time.Duration qosWarmupIn(AppDescriptor app) {
    return qosWarmup != null ? qosWarmup : app.qosWarmupOrDefault();
  }

  /**
   * Copies the lists; nulls become empty lists.
   *
   * @param metadata see the record description
   * @param nodePlacement see the record description
   * @param dependsOn see the record description
   * @param runtimeConfiguration see the record description
   * @param sensors see the record description
   * @param qosMetrics see the record description
   * @param storage see the record description
   * @param dataSensitivity see the record description
   * @param dataCriticality see the record description
   * @param externalComponent see the record description
   * @param externalAccess see the record description
   * @param hostNetwork see the record description
   * @param runtimeClassName see the record description
   * @param restartPolicy see the record description
   * @param os see the record description
   * @param nodeType see the record description
   * @param containerRuntime see the record description
   * @param containers see the record description
   * @param qosWarmup see the record description
   */
  public Component {
    dependsOn = Immutable.list(dependsOn);
    sensors = Immutable.list(sensors);
    qosMetrics = Immutable.list(qosMetrics);
    containers = Immutable.list(containers);
  }

  /**
   * Returns the component name.
   *
   * @return {@code metadata.name}, or null without metadata
   */
  public String name() {
    return metadata == null ? null : metadata.name();
  }

  /**
   * Returns the requested number of instances.
   *
   * @return {@code node_placement.scaling.instances}, or 1 when not given
   */
  public int instances() {
    if (nodePlacement == null
        || nodePlacement.scaling() == null
        || nodePlacement.scaling().instances() == null) {
      return 1;
    }
    return nodePlacement.scaling().instances();
  }

  /**
   * Returns the CPU requests of one instance.
   *
   * @return the sum over containers of {@code platform_requirements.cpu.requests}; zero when none
   *     is given
   */
  public Quantity cpuRequests() {
    Quantity sum = Quantity.ZERO;
    for (Container c : containers) {
      if (c.platformRequirements() != null
          && c.platformRequirements().cpu() != null
          && c.platformRequirements().cpu().requests() != null) {
        sum = sum.plus(c.platformRequirements().cpu().requests());
      }
    }
    return sum;
  }

  /**
   * Returns the memory requests of one instance, in bytes.
   *
   * @return the sum over containers of {@code platform_requirements.memory.requests}; zero when
   *     none is given
   */
  public Quantity memoryRequests() {
    Quantity sum = Quantity.ZERO;
    for (Container c : containers) {
      if (c.platformRequirements() != null
          && c.platformRequirements().memory() != null
          && c.platformRequirements().memory().requests() != null) {
        sum = sum.plus(c.platformRequirements().memory().requests());
      }
    }
    return sum;
  }
}
