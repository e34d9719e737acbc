package eu.mlsysops.orchestration;

import eu.mlsysops.model.AccelerationApi;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.ComponentInteraction;
import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.FpgaRequirements;
import eu.mlsysops.model.GpuRequirements;
import eu.mlsysops.model.McuRequirements;
import eu.mlsysops.model.Sensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One placement's requirements translated into the {@link NodeTable}'s terms once, before the scan:
 * fact ids instead of strings, node indices instead of names, and the list of filters that can
 * reject anything at all ({@link #filters}), in {@link Filters} order. Immutable; it also renders
 * rejection reasons afterwards, so it keeps the strings.
 */
final class CompiledRequest {
  final ComponentRequirements reqs;
  final String app;

  /** The component custom scorers see; for a group, its first member. */
  final Component component;

  /** Active filter ids, in order. */
  final int[] filters;

  final int[] excluded;
  final int namedNode;
  final int layerMask;
  final int[] labels;
  final int[] os;
  final int[] nodeTypes;
  final int[] containerRuntimes;
  final int[] runtimeClasses;
  final int[][] architectures;
  final int[] sensors;
  final List<String> sensorNames;
  final int[] accelerationApis;
  final List<String> accelerationApiNames;

  final boolean gpu;
  final int[] gpuModels;
  final List<String> gpuModelNames;
  final int gpuMemoryGb;
  final double gpuCount;
  final double gpuPerformance;

  final boolean fpga;
  final int[] fpgaModels;
  final List<String> fpgaModelNames;
  final int fpgaMemoryGb;
  final double fpgaPerformance;

  final boolean mcu;
  final int[][] mcuArchitectures;
  final List<List<String>> mcuArchitectureNames;
  final double mcuGhz;
  final double mcuPerformance;

  final double trustThreshold;

  /** Nodes already running instances of this component, and how many each. */
  final int[] siblingNodes;

  final int[] siblingCounts;

  /** Per interacting peer with placed instances: its weight and the nodes it runs on. */
  final double[] peerWeights;

  final int[][] peerNodes;

  CompiledRequest(
      ComponentRequirements reqs,
      String app,
      Component component,
      List<String> selfNames,
      Set<String> excludedNodes,
      List<ComponentInteraction> interactions,
      double trustThreshold,
      boolean trustActive,
      NodeTable t,
      Map<String, List<String>> instances) {
    this.reqs = reqs;
    this.app = app;
    this.component = component;
    FactIndex fx = t.factIndex;
    List<Integer> active = new ArrayList<>();

    int[] ex = new int[excludedNodes.size()];
    int nex = 0;
    for (String name : excludedNodes) {
      int i = t.indexOf(name);
      if (i >= 0) {
        ex[nex++] = i;
      }
    }
    this.excluded = java.util.Arrays.copyOf(ex, nex);
    if (nex > 0) {
      active.add(Filters.EXCLUDED);
    }
    active.add(Filters.UNREACHABLE);

    if (reqs.node() != null) {
      int i = t.indexOf(reqs.node());
      this.namedNode = i >= 0 ? i : -2;
      active.add(Filters.NAMED_NODE);
    } else {
      this.namedNode = -1;
    }

    int mask = 0;
    boolean anyLayer = reqs.layers().isEmpty();
    for (ContinuumLayer l : reqs.layers()) {
      if (l == ContinuumLayer.ANY) {
        anyLayer = true;
      } else if (l != null) {
        mask |= 1 << l.ordinal();
      }
    }
    this.layerMask = mask;
    if (!anyLayer) {
      active.add(Filters.LAYER);
    }

    this.labels = ids(fx, "label:", reqs.labels());
    if (labels.length > 0) {
      active.add(Filters.LABELS);
    }
    if (reqs.mobile()) {
      active.add(Filters.MOBILE);
    }
    this.os = ids(fx, "os:", reqs.os());
    if (os.length > 0) {
      active.add(Filters.OS);
    }
    this.nodeTypes = ids(fx, "node_type:", reqs.nodeTypes());
    if (nodeTypes.length > 0) {
      active.add(Filters.NODE_TYPE);
    }
    this.containerRuntimes = ids(fx, "container_runtime:", reqs.containerRuntimes());
    if (containerRuntimes.length > 0) {
      active.add(Filters.CONTAINER_RUNTIME);
    }
    this.runtimeClasses = ids(fx, "runtime_class_name:", reqs.runtimeClasses());
    if (runtimeClasses.length > 0) {
      active.add(Filters.RUNTIME_CLASS);
    }

    this.architectures = new int[reqs.architectures().size()][];
    for (int j = 0; j < architectures.length; j++) {
      architectures[j] = ids(fx, "arch:", reqs.architectures().get(j));
    }
    if (architectures.length > 0) {
      active.add(Filters.CPU_ARCHITECTURE);
    }
    if (reqs.minFrequencyGhz() > 0) {
      active.add(Filters.CPU_FREQUENCY);
    }
    if (reqs.cpuPerformance() > 0) {
      active.add(Filters.CPU_PERFORMANCE);
    }

    List<String> sensorKeys = new ArrayList<>();
    for (Sensor s : reqs.sensors()) {
      sensorKeys.add(s.model() == null ? s.type() : s.type() + "/" + s.model());
    }
    this.sensorNames = List.copyOf(sensorKeys);
    this.sensors = ids(fx, "sensor:", sensorNames);
    if (sensors.length > 0) {
      active.add(Filters.SENSORS);
    }

    this.gpu = !reqs.gpus().isEmpty();
    LinkedHashSet<String> gModels = new LinkedHashSet<>();
    int gMem = 0;
    double gCount = 0;
    double gPerf = 0;
    for (GpuRequirements g : reqs.gpus()) {
      if (g.model() != null) {
        gModels.add(g.model());
      }
      gMem = Math.max(gMem, g.memory() == null ? 0 : g.memory());
      gCount += g.requests() == null ? 1 : Math.max(0, g.requests());
      gPerf = Math.max(gPerf, g.performanceIndicator() == null ? 0 : g.performanceIndicator());
    }
    this.gpuModelNames = List.copyOf(gModels);
    this.gpuModels = ids(fx, "gpu:", gpuModelNames);
    this.gpuMemoryGb = gMem;
    this.gpuCount = gCount;
    this.gpuPerformance = gPerf;
    if (gpu) {
      active.add(Filters.GPU);
    }

    this.fpga = !reqs.fpgas().isEmpty();
    LinkedHashSet<String> fModels = new LinkedHashSet<>();
    int fMem = 0;
    double fPerf = 0;
    for (FpgaRequirements f : reqs.fpgas()) {
      if (f.model() != null) {
        fModels.add(f.model());
      }
      fMem = Math.max(fMem, f.memory() == null ? 0 : f.memory());
      fPerf = Math.max(fPerf, f.performanceIndicator() == null ? 0 : f.performanceIndicator());
    }
    this.fpgaModelNames = List.copyOf(fModels);
    this.fpgaModels = ids(fx, "fpga:", fpgaModelNames);
    this.fpgaMemoryGb = fMem;
    this.fpgaPerformance = fPerf;
    if (fpga) {
      active.add(Filters.FPGA);
    }

    this.mcu = reqs.mcuRequired();
    List<int[]> mArch = new ArrayList<>();
    List<List<String>> mArchNames = new ArrayList<>();
    double mGhz = 0;
    double mPerf = 0;
    for (McuRequirements m : reqs.mcus()) {
      if (!m.architecture().isEmpty()) {
        int[] a = new int[m.architecture().size()];
        for (int j = 0; j < a.length; j++) {
          a[j] = fx.find(NodeFacts.mcuArchFact(m.architecture().get(j)));
        }
        mArch.add(a);
        mArchNames.add(m.architecture());
      }
      mGhz = Math.max(mGhz, m.frequencyGhz() == null ? 0 : m.frequencyGhz());
      mPerf = Math.max(mPerf, m.performanceIndicator() == null ? 0 : m.performanceIndicator());
    }
    this.mcuArchitectures = mArch.toArray(new int[0][]);
    this.mcuArchitectureNames = List.copyOf(mArchNames);
    this.mcuGhz = mGhz;
    this.mcuPerformance = mPerf;
    if (mcu || t.anyMcuOnly) {
      active.add(Filters.MCU);
    }

    List<String> apiKeys = new ArrayList<>();
    for (AccelerationApi a : reqs.accelerationApis()) {
      String fw = a.requiredFramework();
      apiKeys.add(fw == null || fw.equals("*") ? a.callName() : a.callName() + "/" + fw);
    }
    this.accelerationApiNames = List.copyOf(new LinkedHashSet<>(apiKeys));
    this.accelerationApis = ids(fx, "acceleration_api:", accelerationApiNames);
    if (accelerationApis.length > 0) {
      active.add(Filters.ACCELERATION_API);
    }
    if (reqs.diskBytes() > 0) {
      active.add(Filters.DISK);
    }
    active.add(Filters.CPU_FIT);
    active.add(Filters.MEMORY_FIT);
    this.trustThreshold = trustThreshold;
    if (trustActive && trustThreshold > 0) {
      active.add(Filters.TRUST);
    }
    this.filters = active.stream().mapToInt(Integer::intValue).toArray();

    // Spreading: nodes already running this component (for a group: its first member).
    Map<Integer, Integer> sib = new LinkedHashMap<>();
    if (!selfNames.isEmpty()) {
      for (String node : instances.getOrDefault(key(app, selfNames.get(0)), List.of())) {
        int i = t.indexOf(node);
        if (i >= 0) {
          sib.merge(i, 1, Integer::sum);
        }
      }
    }
    this.siblingNodes = new int[sib.size()];
    this.siblingCounts = new int[sib.size()];
    int s = 0;
    for (Map.Entry<Integer, Integer> e : sib.entrySet()) {
      siblingNodes[s] = e.getKey();
      siblingCounts[s++] = e.getValue();
    }

    // Locality: interacting peers (not members of this request) that already run somewhere.
    Map<String, Double> peers = new LinkedHashMap<>();
    for (ComponentInteraction ci : interactions) {
      String peer = null;
      if (selfNames.contains(ci.componentName1())) {
        peer = ci.componentName2();
      } else if (selfNames.contains(ci.componentName2())) {
        peer = ci.componentName1();
      }
      if (peer != null && !selfNames.contains(peer)) {
        peers.merge(peer, InteractionLocalityScorer.weight(ci.interactionCriticality()), Math::max);
      }
    }
    List<Double> weights = new ArrayList<>();
    List<int[]> nodes = new ArrayList<>();
    for (Map.Entry<String, Double> p : peers.entrySet()) {
      LinkedHashSet<Integer> where = new LinkedHashSet<>();
      for (String node : instances.getOrDefault(key(app, p.getKey()), List.of())) {
        int i = t.indexOf(node);
        if (i >= 0) {
          where.add(i);
        }
      }
      if (!where.isEmpty()) {
        weights.add(p.getValue());
        nodes.add(where.stream().mapToInt(Integer::intValue).toArray());
      }
    }
    this.peerWeights = weights.stream().mapToDouble(Double::doubleValue).toArray();
    this.peerNodes = nodes.toArray(new int[0][]);
  }

  /** The key of a component's instances in a snapshot. */
  static String key(String app, String component) {
    return app + '\u0000' + component;
  }

  boolean localityApplies() {
    return peerWeights.length > 0;
  }

  private static int[] ids(FactIndex fx, String prefix, List<String> values) {
    int[] out = new int[values.size()];
    for (int j = 0; j < out.length; j++) {
      out[j] = fx.find(prefix + values.get(j));
    }
    return out;
  }
}
