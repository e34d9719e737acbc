package eu.mlsysops.orchestration;

import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.CpuHardware;
import eu.mlsysops.model.Environment;
import eu.mlsysops.model.FpgaHardware;
import eu.mlsysops.model.GpuHardware;
import eu.mlsysops.model.Hardware;
import eu.mlsysops.model.McuHardware;
import eu.mlsysops.model.NodeAccelerationApi;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.Sensor;
import eu.mlsysops.model.SupportedPlatform;
import java.util.Locale;

/**
 * What the filters and scorers need of one node, read once from its descriptor with every default
 * applied: set-valued facts as a bit set over {@link FactIndex} ids, numbers as fields. Immutable;
 * shared between copies of a snapshot.
 */
final class NodeFacts {
  static final double MCU_DEFAULT_GHZ = 0.1;

  final NodeDescriptor descriptor;
  final String name;

  /** {@code 1 << layer.ordinal()}, 0 when the descriptor gives no layer. */
  final int layerBit;

  final boolean mobile;
  private final long[] bits;
  final double maxGhz;

  /** NaN when unknown. */
  final double cpuPerformance;

  final boolean hasGpu;

  /** GB, -1 when unknown. */
  final int gpuMemoryGb;

  final double gpuCount;
  final double gpuPerformance;
  final boolean hasFpga;
  final int fpgaMemoryGb;
  final double fpgaPerformance;
  final boolean hasMcu;
  final boolean farEdge;
  final boolean mcuOnly;
  final double mcuGhz;
  final double mcuPerformance;

  /** 0 when unknown. */
  final long diskBytes;

  final long cpuCapacityMillis;
  final long memoryCapacityBytes;

  /** The node's cluster among the snapshot's places (see {@link NodeTable#places}), or NONE. */
  final int cluster;

  /** The node's datacenter among the snapshot's places, or {@link FactIndex#NONE}. */
  final int datacenter;

  final double wattsPerCore;

  NodeFacts(NodeDescriptor d, FactIndex index, FactIndex places) {
    this.descriptor = d;
    this.name = d.name();
    this.layerBit = d.continuumLayer() == null ? 0 : 1 << d.continuumLayer().ordinal();
    this.mobile = d.mobile();
    BitsBuilder b = new BitsBuilder(index);
    for (String l : d.labels()) {
      b.add("label:" + l);
    }
    Environment env = d.environment();
    if (env != null) {
      if (env.os() != null) {
        b.add("os:" + env.os());
      }
      if (env.nodeType() != null) {
        b.add("node_type:" + env.nodeType());
      }
      for (String r : env.containerRuntime()) {
        b.add("container_runtime:" + r);
      }
    }
    for (String rc : RuntimeClasses.offeredBy(d)) {
      b.add("runtime_class_name:" + rc);
    }
    for (Sensor s : d.sensors()) {
      b.add("sensor:" + s.type());
      if (s.model() != null) {
        b.add("sensor:" + s.type() + "/" + s.model());
      }
    }
    for (NodeAccelerationApi api : d.accelerationApi()) {
      if (api.callName() == null) {
        continue;
      }
      b.add("acceleration_api:" + api.callName());
      for (SupportedPlatform p : api.supportedPlatforms()) {
        for (String fw : p.supportedFrameworks()) {
          b.add("acceleration_api:" + api.callName() + "/" + fw);
        }
      }
    }
    Hardware h = d.hardware();
    CpuHardware cpu = h == null ? null : h.cpu();
    GpuHardware gpu = h == null ? null : h.gpu();
    FpgaHardware fpga = h == null ? null : h.fpga();
    McuHardware mcu = h == null ? null : h.mcu();
    if (cpu != null && cpu.architecture() != null) {
      b.add("arch:" + cpu.architecture());
    }
    this.maxGhz = NodeDefaults.maxGhz(d);
    this.cpuPerformance =
        cpu == null || cpu.performanceIndicator() == null ? Double.NaN : cpu.performanceIndicator();
    this.hasGpu = gpu != null;
    if (gpu != null && gpu.model() != null) {
      b.add("gpu:" + gpu.model());
    }
    this.gpuMemoryGb = gpu == null || gpu.memory() == null ? -1 : gpu.memory();
    this.gpuCount = gpu == null ? 0 : gpu.instances() == null ? 1 : gpu.instances();
    this.gpuPerformance =
        gpu == null || gpu.performanceIndicator() == null ? Double.NaN : gpu.performanceIndicator();
    this.hasFpga = fpga != null;
    if (fpga != null && fpga.model() != null) {
      b.add("fpga:" + fpga.model());
    }
    this.fpgaMemoryGb = fpga == null || fpga.memory() == null ? -1 : fpga.memory();
    this.fpgaPerformance =
        fpga == null || fpga.performanceIndicator() == null
            ? Double.NaN
            : fpga.performanceIndicator();
    this.hasMcu = mcu != null;
    if (mcu != null && mcu.architecture() != null) {
      b.add(mcuArchFact(mcu.architecture()));
    }
    this.farEdge = d.continuumLayer() == ContinuumLayer.FAR_EDGE;
    this.mcuOnly = NodeDefaults.mcuOnly(d);
    this.mcuGhz =
        mcu == null
            ? 0
            : mcu.frequencyGhz() != null && mcu.frequencyGhz() > 0
                ? mcu.frequencyGhz()
                : MCU_DEFAULT_GHZ;
    this.mcuPerformance =
        mcu == null || mcu.performanceIndicator() == null ? Double.NaN : mcu.performanceIndicator();
    this.diskBytes = h == null ? 0 : h.diskBytes();
    this.cpuCapacityMillis = NodeDefaults.cores(d) * 1000L;
    this.memoryCapacityBytes = NodeDefaults.memoryBytes(d);
    this.cluster =
        d.clusterId() == null ? FactIndex.NONE : places.intern("cluster:" + d.clusterId());
    this.datacenter =
        d.datacenterId() == null ? FactIndex.NONE : places.intern("datacenter:" + d.datacenterId());
    this.wattsPerCore = EnergyScorer.wattsPerCore(d);
    this.bits = b.bits();
  }

  /**
   * MCU architectures compare without case: the node CRD writes {@code arm-M4}, apps {@code
   * arm-m4}.
   */
  static String mcuArchFact(String arch) {
    return "mcu:" + arch.toLowerCase(Locale.ROOT);
  }

  /** True when the node offers the fact; false for {@link FactIndex#NONE}. */
  boolean has(int fact) {
    if (fact < 0) {
      return false;
    }
    int word = fact >>> 6;
    return word < bits.length && (bits[word] & (1L << fact)) != 0;
  }

  /** True when the node offers at least one of the facts. */
  boolean hasAny(int[] facts) {
    for (int f : facts) {
      if (has(f)) {
        return true;
      }
    }
    return false;
  }

  private static final class BitsBuilder {
    private final FactIndex index;
    private long[] bits = new long[1];

    BitsBuilder(FactIndex index) {
      this.index = index;
    }

    void add(String fact) {
      int id = index.intern(fact);
      int word = id >>> 6;
      if (word >= bits.length) {
        long[] grown = new long[Math.max(word + 1, bits.length * 2)];
        System.arraycopy(bits, 0, grown, 0, bits.length);
        bits = grown;
      }
      bits[word] |= 1L << id;
    }

    long[] bits() {
      int used = bits.length;
      while (used > 1 && bits[used - 1] == 0) {
        used--;
      }
      long[] out = new long[used];
      System.arraycopy(bits, 0, out, 0, used);
      return out;
    }
  }
}
