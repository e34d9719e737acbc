package eu.mlsysops.orchestration;

import eu.mlsysops.model.Component;
import eu.mlsysops.model.Container;
import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.CpuRequirements;
import eu.mlsysops.model.FpgaRequirements;
import eu.mlsysops.model.GpuRequirements;
import eu.mlsysops.model.NodePlacement;
import eu.mlsysops.model.PlatformRequirements;
import eu.mlsysops.model.QosMetric;
import eu.mlsysops.model.Quantity;
import eu.mlsysops.model.Sensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A component's requirements in the form the placer and the simulation use, read once from its
 * descriptor: resources summed over its containers, constraints from {@code node_placement}, {@code
 * sensors} and every container's {@code platform_requirements}.
 *
 * @param layers allowed continuum layers; empty (or containing ANY) allows every layer
 * @param node the node the component is pinned to, or null
 * @param architectures one list per container that restricts the CPU architecture
 * @param minFrequencyGhz the highest CPU frequency any container asks for, 0 when none
 */
record ComponentRequirements(
    String name,
    long cpuRequestMillis,
    long cpuLimitMillis,
    long memoryRequestBytes,
    long memoryLimitBytes,
    int declaredInstances,
    List<ContinuumLayer> layers,
    List<String> labels,
    boolean mobile,
    String node,
    List<List<String>> architectures,
    double minFrequencyGhz,
    List<GpuRequirements> gpus,
    List<FpgaRequirements> fpgas,
    boolean mcuRequired,
    List<Sensor> sensors,
    List<String> qosMetricIds) {

  static ComponentRequirements of(Component c) {
    long cpuLimit = 0;
    long memoryLimit = 0;
    List<List<String>> architectures = new ArrayList<>();
    double minGhz = 0;
    List<GpuRequirements> gpus = new ArrayList<>();
    List<FpgaRequirements> fpgas = new ArrayList<>();
    boolean mcu = false;
    // As in a Kubernetes pod, one container without a limit leaves the whole component unlimited.
    boolean cpuLimited = true;
    boolean memoryLimited = true;
    for (Container container : c.containers()) {
      PlatformRequirements p = container.platformRequirements();
      if (p == null) {
        cpuLimited = false;
        memoryLimited = false;
        continue;
      }
      CpuRequirements cpu = p.cpu();
      cpuLimited &= cpu != null && cpu.limits() != null;
      memoryLimited &= p.memory() != null && p.memory().limits() != null;
      if (cpu != null) {
        cpuLimit += millis(cpu.limits());
        if (!cpu.architecture().isEmpty()) {
          architectures.add(cpu.architecture());
        }
        if (cpu.frequencyGhz() != null) {
          minGhz = Math.max(minGhz, cpu.frequencyGhz());
        }
      }
      if (p.memory() != null) {
        memoryLimit += bytes(p.memory().limits());
      }
      if (p.gpu() != null) {
        gpus.add(p.gpu());
      }
      if (p.fpga() != null) {
        fpgas.add(p.fpga());
      }
      mcu |= p.mcu() != null;
    }
    NodePlacement placement = c.nodePlacement();
    List<String> qos = new ArrayList<>();
    for (QosMetric q : c.qosMetrics()) {
      if (q.applicationMetricId() != null && !q.applicationMetricId().isBlank()) {
        qos.add(q.applicationMetricId());
      }
    }
    return new ComponentRequirements(
        c.name(),
        cpuRequestMillis(c),
        cpuLimited ? cpuLimit : 0,
        memoryRequestBytes(c),
        memoryLimited ? memoryLimit : 0,
        Math.max(1, c.instances()),
        placement == null ? List.of() : placement.continuumLayer(),
        placement == null ? List.of() : placement.labels(),
        placement != null && Boolean.TRUE.equals(placement.mobile()),
        placement == null || placement.node() == null || placement.node().isBlank()
            ? null
            : placement.node(),
        List.copyOf(architectures),
        minGhz,
        List.copyOf(gpus),
        List.copyOf(fpgas),
        mcu,
        c.sensors(),
        List.copyOf(qos));
  }

  /** The component's CPU requests, summed over containers, in millicores. */
  static long cpuRequestMillis(Component c) {
    return millis(c.cpuRequests());
  }

  /** The component's memory requests, summed over containers, in bytes. */
  static long memoryRequestBytes(Component c) {
    return bytes(c.memoryRequests());
  }

  private static long millis(Quantity q) {
    return q == null ? 0 : Math.max(0, q.millis());
  }

  private static long bytes(Quantity q) {
    return q == null ? 0 : Math.max(0, q.longValue());
  }
}
