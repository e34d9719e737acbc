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
import eu.mlsysops.model.Power;
import eu.mlsysops.model.PowerValue;
import eu.mlsysops.model.Quantity;
import eu.mlsysops.model.Sensor;
import eu.mlsysops.model.SupportedPlatform;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds node descriptors for tests, with only the fields a test cares about. */
final class TestNodes {
  private final String name;
  private ContinuumLayer layer = ContinuumLayer.EDGE;
  private String cluster;
  private boolean mobile;
  private final List<String> labels = new ArrayList<>();
  private final List<Sensor> sensors = new ArrayList<>();
  private Integer cores;
  private List<Double> ghz = List.of();
  private String arch;
  private Quantity memory;
  private GpuHardware gpu;
  private FpgaHardware fpga;
  private McuHardware mcu;
  private boolean noCpu;
  private String datacenter;
  private Double cpuPerformance;
  private Quantity disk;
  private String os;
  private String nodeType;
  private final List<String> runtimes = new ArrayList<>();
  private final List<NodeAccelerationApi> accelerationApis = new ArrayList<>();
  private Power power;

  private TestNodes(String name) {
    this.name = name;
  }

  static TestNodes node(String name) {
    return new TestNodes(name);
  }

  TestNodes layer(ContinuumLayer l) {
    layer = l;
    return this;
  }

  TestNodes cluster(String c) {
    cluster = c;
    return this;
  }

  TestNodes datacenter(String d) {
    datacenter = d;
    return this;
  }

  TestNodes mobile() {
    mobile = true;
    return this;
  }

  TestNodes label(String l) {
    labels.add(l);
    return this;
  }

  TestNodes sensor(String type, String model) {
    sensors.add(new Sensor(type, model, Map.of()));
    return this;
  }

  TestNodes cores(int n) {
    cores = n;
    return this;
  }

  TestNodes ghz(Double... steps) {
    ghz = List.of(steps);
    return this;
  }

  TestNodes arch(String a) {
    arch = a;
    return this;
  }

  TestNodes memory(String q) {
    memory = Quantity.parse(q);
    return this;
  }

  TestNodes gpu(String model, Integer memoryGb) {
    gpu = new GpuHardware(model, memoryGb, 1.0, null);
    return this;
  }

  TestNodes gpu(String model, Integer memoryGb, Double instances, Double performance) {
    gpu = new GpuHardware(model, memoryGb, instances, performance);
    return this;
  }

  TestNodes fpga(String model) {
    fpga = new FpgaHardware(model, null, null);
    return this;
  }

  TestNodes fpga(String model, Integer memoryGb, Double performance) {
    fpga = new FpgaHardware(model, memoryGb, performance);
    return this;
  }

  /** A microcontroller beside the CPU. */
  TestNodes mcu(String arch, Double ghz) {
    mcu = new McuHardware(arch, "1Mi", 1, ghz, null);
    return this;
  }

  TestNodes cpuPerformance(double p) {
    cpuPerformance = p;
    return this;
  }

  TestNodes disk(String q) {
    // As the descriptor binder reads it: a plain number is GiB.
    disk = Quantity.parse(q.chars().allMatch(Character::isDigit) ? q + "Gi" : q);
    return this;
  }

  TestNodes os(String o) {
    os = o;
    return this;
  }

  TestNodes nodeType(String t) {
    nodeType = t;
    return this;
  }

  TestNodes runtimes(String... rs) {
    runtimes.addAll(List.of(rs));
    return this;
  }

  TestNodes accelerationApi(String call, String platform, String... frameworks) {
    accelerationApis.add(
        new NodeAccelerationApi(
            call, List.of(new SupportedPlatform(platform, List.of(frameworks)))));
    return this;
  }

  TestNodes maxWatts(double value, String unit) {
    power = new Power(null, new PowerValue(value, unit), null, null, null);
    return this;
  }

  /** A microcontroller and no CPU. */
  TestNodes mcuOnly(double ghz) {
    mcu = new McuHardware("arm-M4", "1Mi", 1, ghz, null);
    noCpu = true;
    return this;
  }

  NodeDescriptor build() {
    CpuHardware cpu = noCpu ? null : new CpuHardware(null, arch, cores, ghz, cpuPerformance);
    Hardware hw = new Hardware(cpu, mcu, memory, disk, gpu, fpga);
    Environment env =
        os == null && nodeType == null && runtimes.isEmpty()
            ? null
            : new Environment(nodeType, os, runtimes);
    return new NodeDescriptor(
        name,
        labels,
        layer,
        cluster,
        datacenter,
        null,
        mobile,
        null,
        sensors,
        null,
        null,
        env,
        accelerationApis,
        hw,
        null,
        power);
  }
}
