package eu.mlsysops.orchestration;

import java.util.List;
import java.util.Locale;

/**
 * The placer's filters, in the order they run: the cheap and decisive static checks first, the
 * resources against what is free next, the trust hook last (it calls out). A node is reported under
 * the first filter that rejects it.
 *
 * <p>A check returns -1 when the node passes, else a small "sub" number saying which part failed
 * (which label, which GPU property); {@link #code} packs filter and sub into one int so that a
 * placement keeps one int per rejected node and renders the {@link Rejection} only when asked
 * ({@link #reason}). Everything here is allocation-free on the node loop.
 */
final class Filters {
  static final int EXCLUDED = 0;
  static final int UNREACHABLE = 1;
  static final int NAMED_NODE = 2;
  static final int LAYER = 3;
  static final int LABELS = 4;
  static final int MOBILE = 5;
  static final int OS = 6;
  static final int NODE_TYPE = 7;
  static final int CONTAINER_RUNTIME = 8;
  static final int RUNTIME_CLASS = 9;
  static final int CPU_ARCHITECTURE = 10;
  static final int CPU_FREQUENCY = 11;
  static final int CPU_PERFORMANCE = 12;
  static final int SENSORS = 13;
  static final int GPU = 14;
  static final int FPGA = 15;
  static final int MCU = 16;
  static final int ACCELERATION_API = 17;
  static final int DISK = 18;
  static final int CPU_FIT = 19;
  static final int MEMORY_FIT = 20;
  static final int TRUST = 21;

  static final String EXCLUDED_REASON = "excluded (current node)";
  static final String NEEDS_MCU = "no mcu";
  static final String NEEDS_MCU_DETAIL = "needs a far_edge node with an mcu";
  static final String MCU_ONLY = "mcu-only node (component needs a cpu)";

  // Sub codes of the hardware filters: kind in the low 3 bits, which model in the rest.
  private static final int MISSING = 0;
  private static final int MODEL = 1;
  private static final int MEMORY = 2;
  private static final int COUNT = 3;
  private static final int PERFORMANCE = 4;
  private static final int MCU_ONLY_SUB = 1;
  private static final int MCU_ARCH = 2;
  private static final int MCU_FREQUENCY = 3;
  private static final int MCU_PERFORMANCE = 4;

  /** Slack for frequencies that went through unit conversions (MHz, Hz → GHz). */
  private static final double GHZ_SLACK = 1e-6;

  private Filters() {}

  /** Filter and sub in one int, never 0 (0 means "passed every filter"). */
  static int code(int filter, int sub) {
    return ((filter + 1) << 16) | sub;
  }

  static int filterOf(int code) {
    return (code >>> 16) - 1;
  }

  /** The code of the first filter that rejects node {@code i}, or 0 when every filter passes. */
  static int firstRejection(CompiledRequest r, NodeTable t, int i, TrustSource trust) {
    NodeFacts f = t.facts[i];
    for (int filter : r.filters) {
      int sub = check(filter, r, t, f, i, trust);
      if (sub >= 0) {
        return code(filter, sub);
      }
    }
    return 0;
  }

  /** -1 when node {@code i} passes {@code filter}, else which part of it failed. */
  static int check(int filter, CompiledRequest r, NodeTable t, NodeFacts f, int i, TrustSource ts) {
    switch (filter) {
      case EXCLUDED:
        for (int x : r.excluded) {
          if (x == i) {
            return 0;
          }
        }
        return -1;
      case UNREACHABLE:
        return t.healthy[i] ? -1 : 0;
      case NAMED_NODE:
        return r.namedNode == i ? -1 : 0;
      case LAYER:
        return (f.layerBit & r.layerMask) != 0 ? -1 : 0;
      case LABELS:
        return firstMissing(f, r.labels);
      case MOBILE:
        return f.mobile ? -1 : 0;
      case OS:
        return firstMissing(f, r.os);
      case NODE_TYPE:
        return firstMissing(f, r.nodeTypes);
      case CONTAINER_RUNTIME:
        return firstMissing(f, r.containerRuntimes);
      case RUNTIME_CLASS:
        return firstMissing(f, r.runtimeClasses);
      case CPU_ARCHITECTURE:
        for (int j = 0; j < r.architectures.length; j++) {
          if (!f.hasAny(r.architectures[j])) {
            return j;
          }
        }
        return -1;
      case CPU_FREQUENCY:
        return f.maxGhz >= r.reqs.minFrequencyGhz() - GHZ_SLACK ? -1 : 0;
      case CPU_PERFORMANCE:
        return Double.isNaN(f.cpuPerformance) || f.cpuPerformance >= r.reqs.cpuPerformance()
            ? -1
            : 0;
      case SENSORS:
        return firstMissing(f, r.sensors);
      case GPU:
        return gpu(r, f);
      case FPGA:
        return fpga(r, f);
      case MCU:
        return mcu(r, f);
      case ACCELERATION_API:
        return firstMissing(f, r.accelerationApis);
      case DISK:
        return f.diskBytes > 0 && f.diskBytes < r.reqs.diskBytes() ? 0 : -1;
      case CPU_FIT:
        return r.reqs.cpuRequestMillis() > t.cpuFree(i) ? 0 : -1;
      case MEMORY_FIT:
        return r.reqs.memoryRequestBytes() > t.memoryFree(i) ? 0 : -1;
      case TRUST:
        return trust(ts, f) >= r.trustThreshold ? -1 : 0;
      default:
        throw new IllegalStateException("no filter " + filter);
    }
  }

  private static int firstMissing(NodeFacts f, int[] facts) {
    for (int j = 0; j < facts.length; j++) {
      if (!f.has(facts[j])) {
        return j;
      }
    }
    return -1;
  }

  private static int gpu(CompiledRequest r, NodeFacts f) {
    if (!f.hasGpu) {
      return MISSING;
    }
    for (int j = 0; j < r.gpuModels.length; j++) {
      if (!f.has(r.gpuModels[j])) {
        return MODEL | (j << 3);
      }
    }
    if (r.gpuMemoryGb > 0 && f.gpuMemoryGb < r.gpuMemoryGb) {
      return MEMORY;
    }
    if (r.gpuCount > f.gpuCount) {
      return COUNT;
    }
    if (r.gpuPerformance > 0
        && !Double.isNaN(f.gpuPerformance)
        && f.gpuPerformance < r.gpuPerformance) {
      return PERFORMANCE;
    }
    return -1;
  }

  private static int fpga(CompiledRequest r, NodeFacts f) {
    if (!f.hasFpga) {
      return MISSING;
    }
    for (int j = 0; j < r.fpgaModels.length; j++) {
      if (!f.has(r.fpgaModels[j])) {
        return MODEL | (j << 3);
      }
    }
    if (r.fpgaMemoryGb > 0 && f.fpgaMemoryGb < r.fpgaMemoryGb) {
      return MEMORY;
    }
    if (r.fpgaPerformance > 0
        && !Double.isNaN(f.fpgaPerformance)
        && f.fpgaPerformance < r.fpgaPerformance) {
      return PERFORMANCE;
    }
    return -1;
  }

  private static int mcu(CompiledRequest r, NodeFacts f) {
    if (!r.mcu) {
      return f.mcuOnly ? MCU_ONLY_SUB : -1;
    }
    if (!f.hasMcu || !f.farEdge) {
      return MISSING;
    }
    for (int j = 0; j < r.mcuArchitectures.length; j++) {
      if (!f.hasAny(r.mcuArchitectures[j])) {
        return MCU_ARCH | (j << 3);
      }
    }
    if (r.mcuGhz > 0 && f.mcuGhz < r.mcuGhz - GHZ_SLACK) {
      return MCU_FREQUENCY;
    }
    if (r.mcuPerformance > 0
        && !Double.isNaN(f.mcuPerformance)
        && f.mcuPerformance < r.mcuPerformance) {
      return MCU_PERFORMANCE;
    }
    return -1;
  }

  private static double trust(TrustSource ts, NodeFacts f) {
    double v;
    try {
      v = ts.trust(f.descriptor);
    } catch (RuntimeException e) {
      // A trust service that fails must not make every placement fail: the node is untrusted.
      return 0;
    }
    return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
  }

  /** The reason a {@link #code} stands for. */
  static Rejection reason(CompiledRequest r, int code) {
    int filter = filterOf(code);
    int sub = code & 0xFFFF;
    ComponentRequirements q = r.reqs;
    switch (filter) {
      case EXCLUDED:
        return Rejection.of(EXCLUDED_REASON);
      case UNREACHABLE:
        return Rejection.of("unreachable");
      case NAMED_NODE:
        return new Rejection("not the named node", q.node());
      case LAYER:
        return Rejection.of("wrong continuum_layer");
      case LABELS:
        return new Rejection("missing label", q.labels().get(sub));
      case MOBILE:
        return Rejection.of("not mobile");
      case OS:
        return new Rejection("wrong os", "need " + q.os().get(sub));
      case NODE_TYPE:
        return new Rejection("wrong node_type", "need " + q.nodeTypes().get(sub));
      case CONTAINER_RUNTIME:
        return new Rejection("missing container_runtime", q.containerRuntimes().get(sub));
      case RUNTIME_CLASS:
        return new Rejection("unsupported runtime_class_name", q.runtimeClasses().get(sub));
      case CPU_ARCHITECTURE:
        return new Rejection(
            "wrong cpu architecture", "need " + String.join("/", q.architectures().get(sub)));
      case CPU_FREQUENCY:
        return new Rejection(
            "cpu frequency too low", "need " + number(q.minFrequencyGhz()) + " GHz");
      case CPU_PERFORMANCE:
        return new Rejection("cpu performance too low", "need " + number(q.cpuPerformance()));
      case SENSORS:
        return new Rejection("missing sensor", r.sensorNames.get(sub));
      case GPU:
        return hardware("gpu", sub, r.gpuModelNames, r.gpuMemoryGb, r.gpuCount, r.gpuPerformance);
      case FPGA:
        return hardware("fpga", sub, r.fpgaModelNames, r.fpgaMemoryGb, 0, r.fpgaPerformance);
      case MCU:
        return mcuReason(r, sub);
      case ACCELERATION_API:
        return new Rejection("missing acceleration_api", r.accelerationApiNames.get(sub));
      case DISK:
        return new Rejection("insufficient disk", "need " + Units.bytes(q.diskBytes()));
      case CPU_FIT:
        return new Rejection("insufficient cpu", "need " + Units.cpu(q.cpuRequestMillis()));
      case MEMORY_FIT:
        return new Rejection("insufficient memory", "need " + Units.bytes(q.memoryRequestBytes()));
      case TRUST:
        return new Rejection("untrusted", "need trust >= " + number(r.trustThreshold));
      default:
        throw new IllegalStateException("no filter " + filter);
    }
  }

  private static Rejection hardware(
      String what, int sub, List<String> models, int memoryGb, double count, double perf) {
    switch (sub & 7) {
      case MISSING:
        return Rejection.of("missing " + what);
      case MODEL:
        return new Rejection("wrong " + what + " model", "need " + models.get(sub >>> 3));
      case MEMORY:
        return new Rejection("insufficient " + what + " memory", "need " + memoryGb + " GB");
      case COUNT:
        return new Rejection("insufficient " + what + "s", "need " + number(count));
      default:
        return new Rejection(what + " performance too low", "need " + number(perf));
    }
  }

  private static Rejection mcuReason(CompiledRequest r, int sub) {
    switch (sub & 7) {
      case MISSING:
        return new Rejection(NEEDS_MCU, NEEDS_MCU_DETAIL);
      case MCU_ONLY_SUB:
        return Rejection.of(MCU_ONLY);
      case MCU_ARCH:
        return new Rejection(
            "wrong mcu architecture",
            "need " + String.join("/", r.mcuArchitectureNames.get(sub >>> 3)));
      case MCU_FREQUENCY:
        return new Rejection("mcu frequency too low", "need " + number(r.mcuGhz) + " GHz");
      default:
        return new Rejection("mcu performance too low", "need " + number(r.mcuPerformance));
    }
  }

  /** {@code 2}, not {@code 2.0}; {@code 1.4} as written. */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return String.format(Locale.ROOT, "%s", v);
  }
}
