package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;
import java.util.List;

/**
 * What the simulation needs to know of a component: resource requests and limits summed over its
 * containers (0 when absent), how many instances it declares, and the ids of its QoS metrics.
 */
record ComponentProfile(
    long cpuRequestMillis,
    long cpuLimitMillis,
    long memoryRequestBytes,
    long memoryLimitBytes,
    int declaredInstances,
    List<String> qosMetricIds) {
  ComponentProfile {
    qosMetricIds = List.copyOf(qosMetricIds);
  }

  static ComponentProfile of(Component component) {
    ComponentRequirements r = ComponentRequirements.of(component);
    return new ComponentProfile(
        r.cpuRequestMillis(),
        r.cpuLimitMillis(),
        r.memoryRequestBytes(),
        r.memoryLimitBytes(),
        r.declaredInstances(),
        r.qosMetricIds());
  }

  /** The CPU that utilisation is measured against: the limit, else the request, in cores. */
  double referenceCores() {
    long m = cpuLimitMillis > 0 ? cpuLimitMillis : cpuRequestMillis;
    return (m > 0 ? m : Simulation.DEFAULT_CPU_REQUEST_MILLIS) / 1000.0;
  }

  /** The requested CPU in cores, with the simulation's default when none is declared. */
  double requestCores() {
    return (cpuRequestMillis > 0 ? cpuRequestMillis : Simulation.DEFAULT_CPU_REQUEST_MILLIS)
        / 1000.0;
  }
}
