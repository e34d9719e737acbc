package eu.mlsysops.orchestration;

import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.CpuHardware;
import eu.mlsysops.model.Hardware;
import eu.mlsysops.model.McuHardware;
import eu.mlsysops.model.NodeDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * What a node has when its descriptor does not say: typical figures for each continuum layer
 * (documented in {@code docs/simulation.md}). Shared by the placer's capacity and the simulation.
 */
final class NodeDefaults {
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;
  private static final List<Double> SERVER_GHZ = List.of(1.2, 2.0, 2.8);
  private static final List<Double> EDGE_GHZ = List.of(0.6, 1.2, 1.8);
  private static final List<Double> FAR_EDGE_GHZ = List.of(0.4, 0.7, 1.0);
  private static final double MCU_DEFAULT_GHZ = 0.1;
  private static final long MCU_MEMORY_BYTES = 512L * 1024;

  private NodeDefaults() {}

  /** The layer, with a node that gives none treated as edge. */
  static ContinuumLayer layer(NodeDescriptor d) {
    ContinuumLayer l = d.continuumLayer();
    return l == null || l == ContinuumLayer.ANY ? ContinuumLayer.EDGE : l;
  }

  /** A node with a microcontroller and no CPU: it runs one small task at the MCU's clock. */
  static boolean mcuOnly(NodeDescriptor d) {
    Hardware h = d.hardware();
    return h != null && h.mcu() != null && h.cpu() == null;
  }

  static int cores(NodeDescriptor d) {
    if (mcuOnly(d)) {
      return 1;
    }
    CpuHardware cpu = d.hardware() == null ? null : d.hardware().cpu();
    if (cpu != null && cpu.cores() != null && cpu.cores() > 0) {
      return cpu.cores();
    }
    switch (layer(d)) {
      case CLOUD:
        return 8;
      case FAR_EDGE:
        return 1;
      default:
        return 4;
    }
  }

  /** Available frequency steps in GHz, ascending, never empty. */
  static List<Double> frequenciesGhz(NodeDescriptor d) {
    Hardware h = d.hardware();
    if (mcuOnly(d)) {
      McuHardware mcu = h.mcu();
      double f =
          mcu.frequencyGhz() != null && mcu.frequencyGhz() > 0
              ? mcu.frequencyGhz()
              : MCU_DEFAULT_GHZ;
      return List.of(f);
    }
    if (h != null && h.cpu() != null && !h.cpu().frequencyGhz().isEmpty()) {
      TreeSet<Double> steps = new TreeSet<>();
      for (Double f : h.cpu().frequencyGhz()) {
        if (f != null && f > 0) {
          steps.add(f);
        }
      }
      if (!steps.isEmpty()) {
        return List.copyOf(new ArrayList<>(steps));
      }
    }
    switch (layer(d)) {
      case EDGE:
        return EDGE_GHZ;
      case FAR_EDGE:
        return FAR_EDGE_GHZ;
      default:
        return SERVER_GHZ;
    }
  }

  /** The node's highest frequency in GHz. */
  static double maxGhz(NodeDescriptor d) {
    List<Double> f = frequenciesGhz(d);
    return f.get(f.size() - 1);
  }

  static long memoryBytes(NodeDescriptor d) {
    Hardware h = d.hardware();
    if (h != null && h.memoryBytes() > 0) {
      return h.memoryBytes();
    }
    if (mcuOnly(d)) {
      return MCU_MEMORY_BYTES;
    }
    switch (layer(d)) {
      case CLOUD:
        return 32 * GIB;
      case EDGE_INFRASTRUCTURE:
        return 16 * GIB;
      case FAR_EDGE:
        return 512 * MIB;
      default:
        return 4 * GIB;
    }
  }

  /** Power at idle and at full load, full frequency, in watts. */
  static double[] powerWatts(NodeDescriptor d) {
    switch (layer(d)) {
      case CLOUD:
        return new double[] {100, 250};
      case EDGE_INFRASTRUCTURE:
        return new double[] {30, 90};
      case FAR_EDGE:
        return new double[] {0.1, 0.5};
      default:
        return new double[] {5, 15};
    }
  }

  static NodeProfile profile(NodeDescriptor d) {
    if (d.name() == null || d.name().isBlank()) {
      throw new IllegalArgumentException("a node needs a name");
    }
    double[] power = powerWatts(d);
    return new NodeProfile(
        d.name(), d.clusterId(), cores(d), frequenciesGhz(d), memoryBytes(d), power[0], power[1]);
  }
}
