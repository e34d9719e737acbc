package eu.mlsysops.orchestration;

import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.CpuHardware;
import eu.mlsysops.model.FpgaHardware;
import eu.mlsysops.model.GpuHardware;
import eu.mlsysops.model.Hardware;
import eu.mlsysops.model.McuHardware;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.Quantity;
import eu.mlsysops.model.Sensor;
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

  TestNodes fpga(String model) {
    fpga = new FpgaHardware(model, null, null);
    return this;
  }

  /** A microcontroller and no CPU. */
  TestNodes mcuOnly(double ghz) {
    mcu = new McuHardware("arm-M4", "1Mi", 1, ghz, null);
    noCpu = true;
    return this;
  }

  NodeDescriptor build() {
    CpuHardware cpu = noCpu ? null : new CpuHardware(null, arch, cores, ghz, null);
    Hardware hw = new Hardware(cpu, mcu, memory, null, gpu, fpga);
    return new NodeDescriptor(
        name, labels, layer, cluster, null, null, mobile, null, sensors, null, null, null, null, hw,
        null, null);
  }
}
