package eu.mlsysops.orchestration;

import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.CpuHardware;
import eu.mlsysops.model.FpgaHardware;
import eu.mlsysops.model.FpgaRequirements;
import eu.mlsysops.model.GpuHardware;
import eu.mlsysops.model.GpuRequirements;
import eu.mlsysops.model.Hardware;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.Sensor;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The placer's filters, one class each, in the order they run. A reason names the constraint as the
 * descriptor does and says what was needed, so that equal reasons of different nodes count together
 * in {@link Placement#explanation()}.
 */
final class Filters {
  private Filters() {}

  /** Every filter, cheapest and most decisive first; resources come last. */
  static List<Filter> all() {
    return List.of(
        new Excluded(),
        new Healthy(),
        new NamedNode(),
        new Layer(),
        new Labels(),
        new Mobile(),
        new CpuArchitecture(),
        new CpuFrequency(),
        new Sensors(),
        new Gpu(),
        new Fpga(),
        new Mcu(),
        new CpuFit(),
        new MemoryFit());
  }

  private static Optional<String> reject(String reason) {
    return Optional.of(reason);
  }

  private static Hardware hardware(NodeCandidate n) {
    return n.node().hardware();
  }

  /** Nodes the caller ruled out, typically the node an instance is being moved away from. */
  static final class Excluded implements Filter {
    static final String REASON = "excluded (current node)";

    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      return r.excludedNodes().contains(n.name()) ? Filters.reject(REASON) : Optional.empty();
    }
  }

  /** A node that does not answer cannot start anything. */
  static final class Healthy implements Filter {
    static final String REASON = "unreachable";

    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      return n.healthy() ? Optional.empty() : Filters.reject(REASON);
    }
  }

  /** {@code node_placement.node}: the component is pinned to one node. */
  static final class NamedNode implements Filter {
    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      String wanted = r.requirements().node();
      return wanted == null || wanted.equals(n.name())
          ? Optional.empty()
          : Filters.reject("not the named node " + wanted);
    }
  }

  /** {@code node_placement.continuum_layer}; {@code "*"} allows every layer. */
  static final class Layer implements Filter {
    static final String REASON = "wrong continuum_layer";

    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      List<ContinuumLayer> allowed = r.requirements().layers();
      if (allowed.isEmpty() || allowed.contains(ContinuumLayer.ANY)) {
        return Optional.empty();
      }
      return allowed.contains(n.node().continuumLayer())
          ? Optional.empty()
          : Filters.reject(REASON);
    }
  }

  /** {@code node_placement.labels}: the node must carry every one. */
  static final class Labels implements Filter {
    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      for (String label : r.requirements().labels()) {
        if (!n.node().labels().contains(label)) {
          return Filters.reject("missing label " + label);
        }
      }
      return Optional.empty();
    }
  }

  /** {@code node_placement.mobile: true} needs a mobile node; false or absent accepts any. */
  static final class Mobile implements Filter {
    static final String REASON = "not mobile";

    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      return r.requirements().mobile() && !n.node().mobile()
          ? Filters.reject(REASON)
          : Optional.empty();
    }
  }

  /** Every container's {@code cpu.architecture} list must include the node's architecture. */
  static final class CpuArchitecture implements Filter {
    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      Hardware h = hardware(n);
      CpuHardware cpu = h == null ? null : h.cpu();
      String arch = cpu == null ? null : cpu.architecture();
      for (List<String> allowed : r.requirements().architectures()) {
        if (arch == null || !allowed.contains(arch)) {
          return Filters.reject("wrong cpu architecture (need " + String.join("/", allowed) + ")");
        }
      }
      return Optional.empty();
    }
  }

  /** {@code cpu.frequency}: the node's highest frequency must reach it. */
  static final class CpuFrequency implements Filter {
    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      double need = r.requirements().minFrequencyGhz();
      // 1 kHz of slack: frequencies come from unit conversions (MHz, Hz → GHz).
      if (need <= 0 || NodeDefaults.maxGhz(n.node()) >= need - 1e-6) {
        return Optional.empty();
      }
      return Filters.reject(
          String.format(Locale.ROOT, "cpu frequency too low (need %s GHz)", ghz(need)));
    }

    private static String ghz(double v) {
      return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
  }

  /** The component's {@code sensors}: each needs a node sensor of that type (and model). */
  static final class Sensors implements Filter {
    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      for (Sensor wanted : r.requirements().sensors()) {
        if (!has(n.node(), wanted)) {
          return Filters.reject(
              "missing sensor "
                  + wanted.type()
                  + (wanted.model() == null ? "" : "/" + wanted.model()));
        }
      }
      return Optional.empty();
    }

    private static boolean has(NodeDescriptor node, Sensor wanted) {
      for (Sensor s : node.sensors()) {
        if (s.type().equals(wanted.type())
            && (wanted.model() == null || wanted.model().equals(s.model()))) {
          return true;
        }
      }
      return false;
    }
  }

  /** {@code platform_requirements.gpu}: a GPU, of the model, with the memory (GB) asked for. */
  static final class Gpu implements Filter {
    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      Hardware h = hardware(n);
      GpuHardware gpu = h == null ? null : h.gpu();
      for (GpuRequirements need : r.requirements().gpus()) {
        if (gpu == null) {
          return Filters.reject("missing gpu");
        }
        if (need.model() != null && !need.model().equals(gpu.model())) {
          return Filters.reject("wrong gpu model (need " + need.model() + ")");
        }
        if (need.memory() != null && (gpu.memory() == null || gpu.memory() < need.memory())) {
          return Filters.reject("insufficient gpu memory (need " + need.memory() + " GB)");
        }
      }
      return Optional.empty();
    }
  }

  /** {@code platform_requirements.fpga}: an FPGA of the model asked for. */
  static final class Fpga implements Filter {
    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      Hardware h = hardware(n);
      FpgaHardware fpga = h == null ? null : h.fpga();
      for (FpgaRequirements need : r.requirements().fpgas()) {
        if (fpga == null) {
          return Filters.reject("missing fpga");
        }
        if (need.model() != null && !need.model().equals(fpga.model())) {
          return Filters.reject("wrong fpga model (need " + need.model() + ")");
        }
      }
      return Optional.empty();
    }
  }

  /**
   * {@code platform_requirements.mcu} needs a far-edge node with a microcontroller; conversely a
   * node that has only a microcontroller cannot run a component that needs a CPU.
   */
  static final class Mcu implements Filter {
    static final String NEEDS_MCU = "no mcu (needs a far_edge node with an mcu)";
    static final String MCU_ONLY = "mcu-only node (component needs a cpu)";

    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      Hardware h = hardware(n);
      boolean hasMcu = h != null && h.mcu() != null;
      if (r.requirements().mcuRequired()) {
        return hasMcu && n.node().continuumLayer() == ContinuumLayer.FAR_EDGE
            ? Optional.empty()
            : Filters.reject(NEEDS_MCU);
      }
      return NodeDefaults.mcuOnly(n.node()) ? Filters.reject(MCU_ONLY) : Optional.empty();
    }
  }

  /** CPU requests against what is not yet allocated on the node. */
  static final class CpuFit implements Filter {
    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      long need = r.requirements().cpuRequestMillis();
      return need > n.cpuFreeMillis()
          ? Filters.reject("insufficient cpu (need " + Units.cpu(need) + ")")
          : Optional.empty();
    }
  }

  /** Memory requests against what is not yet allocated on the node. */
  static final class MemoryFit implements Filter {
    @Override
    public Optional<String> reject(PlacementRequest r, NodeCandidate n) {
      long need = r.requirements().memoryRequestBytes();
      return need > n.memoryFreeBytes()
          ? Filters.reject("insufficient memory (need " + Units.bytes(need) + ")")
          : Optional.empty();
    }
  }
}
