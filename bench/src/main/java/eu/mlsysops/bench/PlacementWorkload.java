package eu.mlsysops.bench;

import eu.mlsysops.model.AccelerationApi;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.ComponentInteraction;
import eu.mlsysops.model.ComponentMetadata;
import eu.mlsysops.model.Container;
import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.CpuHardware;
import eu.mlsysops.model.CpuRequirements;
import eu.mlsysops.model.Environment;
import eu.mlsysops.model.FpgaHardware;
import eu.mlsysops.model.FpgaRequirements;
import eu.mlsysops.model.GpuHardware;
import eu.mlsysops.model.GpuRequirements;
import eu.mlsysops.model.Hardware;
import eu.mlsysops.model.McuHardware;
import eu.mlsysops.model.McuRequirements;
import eu.mlsysops.model.MemoryRequirements;
import eu.mlsysops.model.NodeAccelerationApi;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.NodePlacement;
import eu.mlsysops.model.PlatformRequirements;
import eu.mlsysops.model.Power;
import eu.mlsysops.model.PowerValue;
import eu.mlsysops.model.Quantity;
import eu.mlsysops.model.Sensor;
import eu.mlsysops.model.SupportedPlatform;
import eu.mlsysops.orchestration.NodeCandidate;
import eu.mlsysops.orchestration.PlacementRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Random;
import java.util.Set;

/**
 * A seeded, heterogeneous continuum for the placement benchmark: nodes across the four layers, 50
 * clusters and 200 datacenters, with both CPU architectures, cameras and thermometers, GPUs, FPGAs,
 * microcontrollers, labels, container runtimes and acceleration APIs; and components with a mix of
 * the constraints a descriptor can state, in apps of five whose consecutive components interact.
 * Same seed, same workload.
 */
final class PlacementWorkload {
  private static final String[] LABELS = {
    "zone-a",
    "zone-b",
    "zone-c",
    "zone-d",
    "gdpr",
    "ssd",
    "tier-1",
    "tier-2",
    "public",
    "lab",
    "secure-boot",
    "gpu-pool",
    "batch",
    "low-latency",
    "solar",
    "rack-1",
    "rack-2",
    "rack-3",
    "outdoor",
    "indoor"
  };
  private static final String[] CAMERAS = {"imx415", "imx219", "d455", "imx477", "picamera-v2"};
  private static final String[] THERMOMETERS = {"sdc30", "ds18b20"};
  private static final int APP_SIZE = 5;

  final List<NodeCandidate> nodes;
  final List<PlacementRequest> requests;

  PlacementWorkload(int nodeCount, int componentCount, long seed) {
    Random rnd = new Random(seed);
    List<NodeCandidate> ns = new ArrayList<>(nodeCount);
    for (int i = 0; i < nodeCount; i++) {
      ns.add(NodeCandidate.idle(node(i, rnd)));
    }
    this.nodes = List.copyOf(ns);
    List<PlacementRequest> rs = new ArrayList<>(componentCount);
    for (int a = 0; a * APP_SIZE < componentCount; a++) {
      String app = "app-" + a;
      int size = Math.min(APP_SIZE, componentCount - a * APP_SIZE);
      List<ComponentInteraction> interactions = new ArrayList<>();
      for (int c = 1; c < size; c++) {
        interactions.add(
            new ComponentInteraction(
                "c" + (c - 1), "egress", "c" + c, rnd.nextInt(3) == 0 ? "high" : null, List.of()));
      }
      for (int c = 0; c < size; c++) {
        rs.add(
            new PlacementRequest(
                app,
                component("c" + c, rnd),
                Set.of(),
                List.copyOf(interactions),
                OptionalDouble.empty()));
      }
    }
    this.requests = List.copyOf(rs);
  }

  private static NodeDescriptor node(int i, Random rnd) {
    double p = rnd.nextDouble();
    ContinuumLayer layer =
        p < 0.10
            ? ContinuumLayer.CLOUD
            : p < 0.25
                ? ContinuumLayer.EDGE_INFRASTRUCTURE
                : p < 0.75 ? ContinuumLayer.EDGE : ContinuumLayer.FAR_EDGE;
    List<String> labels = new ArrayList<>();
    int nl = rnd.nextInt(5);
    for (int l = 0; l < nl; l++) {
      String label = LABELS[rnd.nextInt(LABELS.length)];
      if (!labels.contains(label)) {
        labels.add(label);
      }
    }
    List<Sensor> sensors = new ArrayList<>();
    boolean small = layer == ContinuumLayer.EDGE || layer == ContinuumLayer.FAR_EDGE;
    if (small && rnd.nextDouble() < 0.3) {
      sensors.add(new Sensor("camera", CAMERAS[rnd.nextInt(CAMERAS.length)], Map.of()));
    }
    if (small && rnd.nextDouble() < 0.3) {
      sensors.add(
          new Sensor("temperature", THERMOMETERS[rnd.nextInt(THERMOMETERS.length)], Map.of()));
    }
    int cores;
    long memGi;
    String arch;
    List<Double> ghz;
    switch (layer) {
      case CLOUD:
        cores = 16 << rnd.nextInt(3);
        memGi = 64L << rnd.nextInt(3);
        arch = "amd64";
        ghz = List.of(1.2, 2.4, 3.0 + rnd.nextInt(5) / 10.0);
        break;
      case EDGE_INFRASTRUCTURE:
        cores = 8 << rnd.nextInt(2);
        memGi = 16L << rnd.nextInt(3);
        arch = rnd.nextDouble() < 0.8 ? "amd64" : "arm64";
        ghz = List.of(1.0, 2.0, 2.6);
        break;
      case EDGE:
        cores = 2 << rnd.nextInt(3);
        memGi = 2L << rnd.nextInt(4);
        arch = rnd.nextBoolean() ? "amd64" : "arm64";
        ghz = List.of(0.6, 1.2, 1.4 + rnd.nextInt(6) / 10.0);
        break;
      default:
        cores = 1 + rnd.nextInt(2);
        memGi = 1 + rnd.nextInt(2);
        arch = "arm64";
        ghz = List.of(0.4, 0.8, 1.0 + rnd.nextInt(3) / 10.0);
    }
    boolean mcuOnly = layer == ContinuumLayer.FAR_EDGE && rnd.nextDouble() < 0.1;
    boolean mcu = layer == ContinuumLayer.FAR_EDGE && (mcuOnly || rnd.nextDouble() < 0.2);
    CpuHardware cpu =
        mcuOnly ? null : new CpuHardware(null, arch, cores, ghz, 20.0 + rnd.nextInt(100));
    McuHardware mcuHw =
        mcu ? new McuHardware("arm-M4", "1Mi", 1, 0.05 + rnd.nextInt(10) / 100.0, null) : null;
    GpuHardware gpu = null;
    double gpuShare =
        layer == ContinuumLayer.CLOUD
            ? 0.3
            : layer == ContinuumLayer.EDGE_INFRASTRUCTURE ? 0.2 : small ? 0.05 : 0;
    if (!mcuOnly && rnd.nextDouble() < gpuShare) {
      gpu =
          new GpuHardware(
              rnd.nextBoolean() ? "k80" : "k40",
              small ? 2 + rnd.nextInt(3) : 12 * (1 + rnd.nextInt(2)),
              (double) (1 + rnd.nextInt(small ? 1 : 4)),
              200.0 + rnd.nextInt(200));
    }
    FpgaHardware fpga =
        !mcuOnly && rnd.nextDouble() < 0.02 ? new FpgaHardware("zcu102", 4, null) : null;
    Hardware hw =
        new Hardware(
            cpu,
            mcuHw,
            mcuOnly ? null : Quantity.parse(memGi + "Gi"),
            Quantity.parse((32 << rnd.nextInt(5)) + "Gi"),
            gpu,
            fpga);
    List<String> runtimes = new ArrayList<>();
    if (mcuOnly) {
      runtimes.add("emb_serve");
    } else {
      if (rnd.nextDouble() < 0.9) {
        runtimes.add("containerd");
      }
      if (runtimes.isEmpty() || rnd.nextDouble() < 0.3) {
        runtimes.add("docker");
      }
    }
    Environment env =
        new Environment(
            mcuOnly ? "bare_metal" : rnd.nextDouble() < 0.6 ? "native" : "virtualized",
            mcuOnly ? "zephyr" : "ubuntu",
            runtimes);
    List<NodeAccelerationApi> accel = new ArrayList<>();
    if (!mcuOnly && rnd.nextDouble() < 0.1) {
      accel.add(
          new NodeAccelerationApi(
              "image_inference",
              List.of(
                  new SupportedPlatform(
                      gpu != null ? "gpu" : "cpu",
                      rnd.nextBoolean() ? List.of("pytorch") : List.of("pytorch", "tensorflow")))));
    }
    Power power =
        rnd.nextDouble() < 0.3
            ? new Power(null, new PowerValue(5.0 + rnd.nextInt(400), "w"), true, null, null)
            : null;
    return new NodeDescriptor(
        String.format("node-%05d", i),
        labels,
        layer,
        "cluster-" + (i % 50),
        "dc-" + (i % 200),
        null,
        small && rnd.nextDouble() < 0.05,
        null,
        sensors,
        null,
        null,
        env,
        accel,
        hw,
        null,
        power);
  }

  private static Component component(String name, Random rnd) {
    List<ContinuumLayer> layers = new ArrayList<>();
    double p = rnd.nextDouble();
    if (p < 0.3) {
      layers.add(ContinuumLayer.EDGE);
    } else if (p < 0.45) {
      layers.add(ContinuumLayer.CLOUD);
    } else if (p < 0.6) {
      layers.add(ContinuumLayer.EDGE);
      layers.add(ContinuumLayer.EDGE_INFRASTRUCTURE);
    } else if (p < 0.65) {
      layers.add(ContinuumLayer.FAR_EDGE);
    }
    List<String> labels = new ArrayList<>();
    if (rnd.nextDouble() < 0.2) {
      labels.add(LABELS[rnd.nextInt(LABELS.length)]);
    }
    boolean mcu = rnd.nextDouble() < 0.02;
    List<String> arch =
        !mcu && rnd.nextDouble() < 0.3 ? List.of(rnd.nextBoolean() ? "amd64" : "arm64") : List.of();
    Double ghz = !mcu && rnd.nextDouble() < 0.1 ? 1.4 + rnd.nextInt(8) / 10.0 : null;
    long cpuMillis = mcu ? 0 : 100 * (1 + rnd.nextInt(rnd.nextDouble() < 0.9 ? 10 : 40));
    long memMi = mcu ? 0 : 64L << rnd.nextInt(6);
    CpuRequirements cpu =
        mcu
            ? null
            : new CpuRequirements(
                Quantity.parse(cpuMillis + "m"),
                Quantity.parse(cpuMillis * 2 + "m"),
                arch,
                ghz,
                null);
    MemoryRequirements memory =
        mcu
            ? null
            : new MemoryRequirements(
                Quantity.parse(memMi + "Mi"), Quantity.parse(memMi * 2 + "Mi"));
    GpuRequirements gpu =
        !mcu && rnd.nextDouble() < 0.05
            ? new GpuRequirements(
                1,
                1,
                rnd.nextBoolean() ? "k80" : null,
                rnd.nextBoolean() ? 2 + rnd.nextInt(12) : null,
                null,
                null)
            : null;
    FpgaRequirements fpga =
        !mcu && rnd.nextDouble() < 0.01 ? new FpgaRequirements("zcu102", null, null, null) : null;
    McuRequirements mcuReq =
        mcu ? new McuRequirements(null, null, List.of("arm-m4"), null, 0.05, null) : null;
    List<AccelerationApi> accel =
        !mcu && rnd.nextDouble() < 0.03
            ? List.of(new AccelerationApi("image_inference", rnd.nextBoolean() ? "pytorch" : "*"))
            : List.of();
    List<Sensor> sensors = new ArrayList<>();
    if (rnd.nextDouble() < 0.1) {
      sensors.add(
          new Sensor(
              "camera", rnd.nextBoolean() ? CAMERAS[rnd.nextInt(CAMERAS.length)] : null, Map.of()));
    }
    if (rnd.nextDouble() < 0.05) {
      sensors.add(new Sensor("temperature", null, Map.of()));
    }
    String runtimeClass =
        mcu
            ? null
            : rnd.nextDouble() < 0.05 ? "nvidia" : rnd.nextDouble() < 0.05 ? "kata-fc" : null;
    String containerRuntime = mcu ? "emb_serve" : rnd.nextDouble() < 0.2 ? "containerd" : null;
    Container container =
        new Container(
            "registry.local/bench/" + name + ":1",
            List.of(),
            null,
            accel,
            new PlatformRequirements(cpu, memory, mcuReq, null, gpu, fpga),
            List.of(),
            List.of(),
            null);
    return new Component(
        new ComponentMetadata(name, null),
        new NodePlacement(
            layers, null, rnd.nextDouble() < 0.02 ? Boolean.TRUE : null, labels, null),
        List.of(),
        null,
        sensors,
        List.of(),
        null,
        null,
        null,
        null,
        null,
        false,
        runtimeClass,
        null,
        mcu ? "zephyr" : null,
        null,
        containerRuntime,
        List.of(container));
  }
}
