package eu.mlsysops.orchestration;

import eu.mlsysops.model.AccelerationApi;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.ComponentMetadata;
import eu.mlsysops.model.Container;
import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.CpuRequirements;
import eu.mlsysops.model.FpgaRequirements;
import eu.mlsysops.model.GpuRequirements;
import eu.mlsysops.model.McuRequirements;
import eu.mlsysops.model.MemoryRequirements;
import eu.mlsysops.model.NodePlacement;
import eu.mlsysops.model.PlatformRequirements;
import eu.mlsysops.model.QosMetric;
import eu.mlsysops.model.Quantity;
import eu.mlsysops.model.Relation;
import eu.mlsysops.model.Scaling;
import eu.mlsysops.model.Sensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds one-container components for tests. */
final class TestComponents {
  private final String name;
  private Quantity cpu;
  private Quantity cpuLimit;
  private Quantity memory;
  private Quantity memoryLimit;
  private final List<ContinuumLayer> layers = new ArrayList<>();
  private final List<String> labels = new ArrayList<>();
  private Boolean mobile;
  private String node;
  private Integer instances;
  private final List<String> arch = new ArrayList<>();
  private Double ghz;
  private GpuRequirements gpu;
  private FpgaRequirements fpga;
  private McuRequirements mcu;
  private final List<Sensor> sensors = new ArrayList<>();
  private final List<QosMetric> qos = new ArrayList<>();
  private Double cpuPerformance;
  private Quantity disk;
  private String os;
  private String nodeType;
  private String containerRuntime;
  private String runtimeClass;
  private final List<String> dependsOn = new ArrayList<>();
  private final List<AccelerationApi> accelerationApis = new ArrayList<>();

  private TestComponents(String name) {
    this.name = name;
  }

  static TestComponents component(String name) {
    return new TestComponents(name);
  }

  TestComponents cpu(String requests) {
    cpu = Quantity.parse(requests);
    return this;
  }

  TestComponents cpuLimit(String limits) {
    cpuLimit = Quantity.parse(limits);
    return this;
  }

  TestComponents memory(String requests) {
    memory = Quantity.parse(requests);
    return this;
  }

  TestComponents memoryLimit(String limits) {
    memoryLimit = Quantity.parse(limits);
    return this;
  }

  TestComponents layers(ContinuumLayer... ls) {
    layers.addAll(List.of(ls));
    return this;
  }

  TestComponents label(String l) {
    labels.add(l);
    return this;
  }

  TestComponents mobile(boolean m) {
    mobile = m;
    return this;
  }

  TestComponents node(String n) {
    node = n;
    return this;
  }

  TestComponents instances(int n) {
    instances = n;
    return this;
  }

  TestComponents arch(String... a) {
    arch.addAll(List.of(a));
    return this;
  }

  TestComponents ghz(double f) {
    ghz = f;
    return this;
  }

  TestComponents gpu(String model, Integer memoryGb) {
    gpu = new GpuRequirements(1, 1, model, memoryGb, null, null);
    return this;
  }

  TestComponents fpga(String model) {
    fpga = new FpgaRequirements(model, null, null, null);
    return this;
  }

  TestComponents gpu(Integer requests, String model, Integer memoryGb, Double performance) {
    gpu = new GpuRequirements(requests, requests, model, memoryGb, null, performance);
    return this;
  }

  TestComponents fpga(String model, Integer memoryGb, Double performance) {
    fpga = new FpgaRequirements(model, memoryGb, null, performance);
    return this;
  }

  TestComponents mcu() {
    mcu = new McuRequirements(null, null, List.of(), null, null, null);
    return this;
  }

  TestComponents mcu(List<String> arch, Double ghz) {
    mcu = new McuRequirements(null, null, arch, null, ghz, null);
    return this;
  }

  TestComponents cpuPerformance(double p) {
    cpuPerformance = p;
    return this;
  }

  TestComponents disk(String q) {
    // As the descriptor binder reads it: a plain number is GiB.
    disk = Quantity.parse(q.chars().allMatch(Character::isDigit) ? q + "Gi" : q);
    return this;
  }

  TestComponents os(String o) {
    os = o;
    return this;
  }

  TestComponents nodeType(String t) {
    nodeType = t;
    return this;
  }

  TestComponents containerRuntime(String r) {
    containerRuntime = r;
    return this;
  }

  TestComponents runtimeClass(String r) {
    runtimeClass = r;
    return this;
  }

  TestComponents dependsOn(String... names) {
    dependsOn.addAll(List.of(names));
    return this;
  }

  TestComponents accelerationApi(String call, String framework) {
    accelerationApis.add(new AccelerationApi(call, framework));
    return this;
  }

  TestComponents sensor(String type, String model) {
    sensors.add(new Sensor(type, model, Map.of()));
    return this;
  }

  TestComponents qos(String metricId) {
    qos.add(new QosMetric(metricId, 100, Relation.LOWER_OR_EQUAL, List.of()));
    return this;
  }

  Component build() {
    CpuRequirements cpuReq =
        cpu == null && cpuLimit == null && arch.isEmpty() && ghz == null && cpuPerformance == null
            ? null
            : new CpuRequirements(cpu, cpuLimit, arch, ghz, cpuPerformance);
    MemoryRequirements memReq =
        memory == null && memoryLimit == null ? null : new MemoryRequirements(memory, memoryLimit);
    PlatformRequirements platform = new PlatformRequirements(cpuReq, memReq, mcu, disk, gpu, fpga);
    Container container =
        new Container(
            "registry.example/" + name + ":1",
            List.of(),
            null,
            accelerationApis,
            platform,
            List.of(),
            List.of(),
            null);
    NodePlacement placement =
        new NodePlacement(
            layers,
            instances == null ? null : new Scaling("manual", instances, null),
            mobile,
            labels,
            node);
    return new Component(
        new ComponentMetadata(name, null),
        placement,
        dependsOn,
        null,
        sensors,
        qos,
        null,
        null,
        null,
        null,
        null,
        false,
        runtimeClass,
        null,
        os,
        nodeType,
        containerRuntime,
        List.of(container));
  }
}
