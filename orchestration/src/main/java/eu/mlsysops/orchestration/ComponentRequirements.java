package eu.mlsysops.orchestration;

import eu.mlsysops.model.AccelerationApi;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.Container;
import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.CpuRequirements;
import eu.mlsysops.model.FpgaRequirements;
import eu.mlsysops.model.GpuRequirements;
import eu.mlsysops.model.McuRequirements;
import eu.mlsysops.model.NodePlacement;
import eu.mlsysops.model.PlatformRequirements;
import eu.mlsysops.model.QosMetric;
import eu.mlsysops.model.Quantity;
import eu.mlsysops.model.Sensor;
import eu.mlsysops.model.SingleNodeGroup;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A component's requirements in the form the placer and the simulation use, read once from its
 * descriptor: resources summed over its containers, constraints from {@code node_placement}, {@code
 * sensors}, the component's environment fields and every container's {@code platform_requirements}
 * and {@code acceleration_api}.
 *
 * @param name the component's name; for a {@code single_node} group the members joined by {@code +}
 * @param layers allowed continuum layers; empty (or containing ANY) allows every layer
 * @param node the node the component is pinned to, or null
 * @param architectures one list per container that restricts the CPU architecture
 * @param minFrequencyGhz the highest CPU frequency any container asks for, 0 when none
 * @param cpuPerformance the highest CPU {@code performance_indicator} any container asks for, 0
 *     when none
 * @param mcus every container's {@code platform_requirements.mcu}
 * @param os required {@code os} values (one per member of a group; normally zero or one)
 * @param nodeTypes required {@code node_type} values
 * @param containerRuntimes required {@code container_runtime} values
 * @param runtimeClasses required {@code runtime_class_name} values
 * @param diskBytes the disk space asked for, summed over containers
 * @param accelerationApis the acceleration API calls the containers use
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
    double cpuPerformance,
    List<GpuRequirements> gpus,
    List<FpgaRequirements> fpgas,
    List<McuRequirements> mcus,
    List<Sensor> sensors,
    List<String> qosMetricIds,
    List<String> os,
    List<String> nodeTypes,
    List<String> containerRuntimes,
    List<String> runtimeClasses,
    long diskBytes,
    List<AccelerationApi> accelerationApis) {

  /** True when some container needs a microcontroller. */
  boolean mcuRequired() {
    return !mcus.isEmpty();
  }

  static ComponentRequirements of(Component c) {
    long cpuLimit = 0;
    long memoryLimit = 0;
    List<List<String>> architectures = new ArrayList<>();
    double minGhz = 0;
    double cpuPerf = 0;
    List<GpuRequirements> gpus = new ArrayList<>();
    List<FpgaRequirements> fpgas = new ArrayList<>();
    List<McuRequirements> mcus = new ArrayList<>();
    List<AccelerationApi> accel = new ArrayList<>();
    long disk = 0;
    // As in a Kubernetes pod, one container without a limit leaves the whole component unlimited.
    boolean cpuLimited = true;
    boolean memoryLimited = true;
    for (Container container : c.containers()) {
      for (AccelerationApi a : container.accelerationApi()) {
        if (a.callName() != null && !a.callName().isBlank()) {
          accel.add(a);
        }
      }
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
        if (cpu.performanceIndicator() != null) {
          cpuPerf = Math.max(cpuPerf, cpu.performanceIndicator());
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
      if (p.mcu() != null) {
        mcus.add(p.mcu());
      }
      disk += Math.max(0, p.diskBytes());
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
        placement == null ? null : blankToNull(placement.node()),
        List.copyOf(architectures),
        minGhz,
        cpuPerf,
        List.copyOf(gpus),
        List.copyOf(fpgas),
        List.copyOf(mcus),
        c.sensors(),
        List.copyOf(qos),
        single(c.os()),
        single(c.nodeType()),
        single(c.containerRuntime()),
        single(c.runtimeClassName()),
        disk,
        List.copyOf(accel));
  }

  /**
   * The requirements of one replica of a {@code single_node} group: the members' resources summed
   * and their node constraints combined, with the group's placement ({@code continuum_layer},
   * {@code labels}, {@code mobile}, {@code node}) overriding the members' own, as the CRD says.
   */
  static ComponentRequirements group(SingleNodeGroup g, List<ComponentRequirements> members) {
    List<String> names = new ArrayList<>();
    long cpu = 0;
    long cpuLimit = 0;
    long mem = 0;
    long memLimit = 0;
    int instances = 1;
    List<List<String>> arch = new ArrayList<>();
    double ghz = 0;
    double perf = 0;
    List<GpuRequirements> gpus = new ArrayList<>();
    List<FpgaRequirements> fpgas = new ArrayList<>();
    List<McuRequirements> mcus = new ArrayList<>();
    List<Sensor> sensors = new ArrayList<>();
    List<String> qos = new ArrayList<>();
    LinkedHashSet<String> os = new LinkedHashSet<>();
    LinkedHashSet<String> types = new LinkedHashSet<>();
    LinkedHashSet<String> runtimes = new LinkedHashSet<>();
    LinkedHashSet<String> classes = new LinkedHashSet<>();
    long disk = 0;
    List<AccelerationApi> accel = new ArrayList<>();
    boolean cpuLimited = true;
    boolean memLimited = true;
    for (ComponentRequirements m : members) {
      names.add(m.name());
      cpu += m.cpuRequestMillis();
      mem += m.memoryRequestBytes();
      cpuLimited &= m.cpuLimitMillis() > 0;
      memLimited &= m.memoryLimitBytes() > 0;
      cpuLimit += m.cpuLimitMillis();
      memLimit += m.memoryLimitBytes();
      instances = Math.max(instances, m.declaredInstances());
      arch.addAll(m.architectures());
      ghz = Math.max(ghz, m.minFrequencyGhz());
      perf = Math.max(perf, m.cpuPerformance());
      gpus.addAll(m.gpus());
      fpgas.addAll(m.fpgas());
      mcus.addAll(m.mcus());
      sensors.addAll(m.sensors());
      qos.addAll(m.qosMetricIds());
      os.addAll(m.os());
      types.addAll(m.nodeTypes());
      runtimes.addAll(m.containerRuntimes());
      classes.addAll(m.runtimeClasses());
      disk += m.diskBytes();
      accel.addAll(m.accelerationApis());
    }
    if (g.scaling() != null && g.scaling().instances() != null) {
      instances = Math.max(1, g.scaling().instances());
    }
    // The group's placement overrides the members' where the group states it; where it is silent,
    // every member's own constraint still holds (one node must satisfy them all).
    List<ContinuumLayer> layers = g.continuumLayer();
    LinkedHashSet<String> labels = new LinkedHashSet<>(g.labels());
    boolean mobile = Boolean.TRUE.equals(g.mobile());
    String node = blankToNull(g.node());
    for (ComponentRequirements m : members) {
      if (g.continuumLayer().isEmpty() && !m.layers().isEmpty()
          && !m.layers().contains(ContinuumLayer.ANY)) {
        if (layers.isEmpty()) {
          layers = m.layers();
        } else {
          List<ContinuumLayer> common = new ArrayList<>(layers);
          common.retainAll(m.layers());
          layers = common.isEmpty() ? m.layers() : common;
        }
      }
      if (g.labels().isEmpty()) {
        labels.addAll(m.labels());
      }
      if (g.mobile() == null) {
        mobile |= m.mobile();
      }
      if (node == null) {
        node = m.node();
      }
    }
    return new ComponentRequirements(
        String.join("+", names),
        cpu,
        cpuLimited ? cpuLimit : 0,
        mem,
        memLimited ? memLimit : 0,
        instances,
        List.copyOf(layers),
        List.copyOf(labels),
        mobile,
        node,
        List.copyOf(arch),
        ghz,
        perf,
        List.copyOf(gpus),
        List.copyOf(fpgas),
        List.copyOf(mcus),
        List.copyOf(sensors),
        List.copyOf(qos),
        List.copyOf(os),
        List.copyOf(types),
        List.copyOf(runtimes),
        List.copyOf(classes),
        disk,
        List.copyOf(accel));
  }

  /** The same requirements pinned to {@code nodeName}. */
  ComponentRequirements pinnedTo(String nodeName) {
    return new ComponentRequirements(
        name,
        cpuRequestMillis,
        cpuLimitMillis,
        memoryRequestBytes,
        memoryLimitBytes,
        declaredInstances,
        layers,
        labels,
        mobile,
        nodeName,
        architectures,
        minFrequencyGhz,
        cpuPerformance,
        gpus,
        fpgas,
        mcus,
        sensors,
        qosMetricIds,
        os,
        nodeTypes,
        containerRuntimes,
        runtimeClasses,
        diskBytes,
        accelerationApis);
  }

  /** The component's CPU requests, summed over containers, in millicores. */
  static long cpuRequestMillis(Component c) {
    return millis(c.cpuRequests());
  }

  /** The component's memory requests, summed over containers, in bytes. */
  static long memoryRequestBytes(Component c) {
    return bytes(c.memoryRequests());
  }

  private static List<String> single(String value) {
    String v = blankToNull(value);
    return v == null ? List.of() : List.of(v);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static long millis(Quantity q) {
    return q == null ? 0 : Math.max(0, q.millis());
  }

  private static long bytes(Quantity q) {
    return q == null ? 0 : Math.max(0, q.longValue());
  }
}
