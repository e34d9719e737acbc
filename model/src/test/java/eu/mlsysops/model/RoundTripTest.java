package eu.mlsysops.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RoundTripTest {

  static List<Path> descriptorFiles() throws URISyntaxException {
    List<Path> files = new ArrayList<>();
    for (String name : TestFiles.EXAMPLES) {
      files.add(TestFiles.example(name));
    }
    for (String name : List.of("full-app.yaml", "full-node.yaml", "full-datacenter.json")) {
      files.add(Path.of(RoundTripTest.class.getResource("/descriptors/" + name).toURI()));
    }
    return files;
  }

  private static Descriptor parseOne(Path file) {
    ParseResult result = Descriptors.parse(file, ParseOptions.DEFAULT);
    assertThat(result.errors()).isEmpty();
    assertThat(result.descriptors()).hasSize(1);
    return result.descriptors().get(0);
  }

  @ParameterizedTest
  @MethodSource("descriptorFiles")
  void yamlRoundTripGivesAnEqualRecord(Path file) {
    Descriptor original = parseOne(file);

    String yaml = Descriptors.toYaml(original);
    ParseResult back = Descriptors.parse(yaml, "written.yaml", ParseOptions.STRICT);

    assertThat(back.problems()).isEmpty();
    assertThat(back.descriptors()).containsExactly(original);
    assertThat(Descriptors.toYaml(back.descriptors().get(0))).isEqualTo(yaml);
  }

  @ParameterizedTest
  @MethodSource("descriptorFiles")
  void jsonRoundTripGivesAnEqualRecord(Path file) {
    Descriptor original = parseOne(file);

    String json = Descriptors.toJson(original);
    ParseResult back = Descriptors.parse(json, "written.json", ParseOptions.STRICT);

    assertThat(back.problems()).isEmpty();
    assertThat(back.descriptors()).containsExactly(original);
  }

  @Test
  void fullAppBindsEveryField() {
    AppDescriptor app = (AppDescriptor) parseOne(pathOf("full-app.yaml"));

    assertThat(app.clusterPlacement())
        .isEqualTo(
            new ClusterPlacement(
                List.of("c1", "c2"),
                2,
                new PlacementLocation(
                    List.of("Europe"), List.of("el", "it"), List.of("volos", "milan")),
                "aws",
                List.of("gpu", "fpga"),
                List.of(ContinuumLayer.CLOUD, ContinuumLayer.EDGE)));
    assertThat(app.singleNode())
        .containsExactly(
            new SingleNodeGroup(
                List.of("camera-reader", "detector"),
                List.of(ContinuumLayer.EDGE, ContinuumLayer.ANY),
                new Scaling("manual", 1, null),
                false,
                List.of("lab"),
                "node-1"));
    assertThat(app.permittedActions()).containsExactly("component_relocation", "*");

    Component reader = app.component("camera-reader").orElseThrow();
    assertThat(reader.instances()).isEqualTo(3);
    assertThat(reader.metadata()).isEqualTo(new ComponentMetadata("camera-reader", "u-1"));
    assertThat(reader.runtimeConfiguration())
        .isEqualTo(new RuntimeConfiguration("/spec.json", "/etc/app/spec.json"));
    assertThat(reader.sensors().get(0))
        .isEqualTo(
            new Sensor(
                "camera",
                "imx477",
                Map.of(
                    "camera_type",
                    "nir",
                    "minimum_framerate",
                    30L,
                    "resolution",
                    "4056x3040",
                    "protocol",
                    "RTSP",
                    "instances",
                    2L,
                    "endpoint_variable",
                    "CAMERA_URL")));
    assertThat(reader.sensors().get(1).attributes())
        .containsEntry("measurement_min", -40L)
        .containsEntry("measurement_max", 85.5);
    assertThat(reader.storage().buckets())
        .containsExactly(new StorageBucket("frames", "tok", true, "one", 20.0, 5.5, "on"));
    assertThat(reader.dataSensitivity()).isTrue();
    assertThat(reader.externalComponent()).isFalse();
    assertThat(reader.hostNetwork()).isTrue();
    assertThat(reader.restartPolicy()).isEqualTo(RestartPolicy.NEVER);

    Container container = reader.containers().get(0);
    assertThat(container.accelerationApi())
        .containsExactly(new AccelerationApi("calc_optical_flow", "opencl"));
    PlatformRequirements r = container.platformRequirements();
    assertThat(r.cpu())
        .isEqualTo(
            new CpuRequirements(
                Quantity.parse("1.5"), Quantity.of(2), List.of("arm64"), 1.8, 12.5));
    assertThat(r.memory().requests().longValue()).isEqualTo(1536L << 20);
    assertThat(r.mcu())
        .isEqualTo(
            new McuRequirements(
                Quantity.ofMillis(100),
                Quantity.ofMillis(200),
                List.of("arm-m4"),
                "1M",
                0.168,
                3.0));
    assertThat(r.diskBytes()).isEqualTo(500L << 20);
    assertThat(r.gpu()).isEqualTo(new GpuRequirements(1, 2, "k40", 12, "50", 99.5));
    assertThat(r.fpga()).isEqualTo(new FpgaRequirements("zcu102", 4, "30", 7.0));
    assertThat(container.ports()).containsExactly(new Port(8080, "0.0.0.0", 8080, "http", "UDP"));
    assertThat(container.env())
        .containsExactly(new EnvVar("A", "1", null), new EnvVar("B", null, "metadata.name"));

    Component detector = app.component("detector").orElseThrow();
    assertThat(detector.dependsOn()).containsExactly("camera-reader");
    assertThat(detector.containers().get(0).platformRequirements().diskBytes()).isEqualTo(1L << 29);
    assertThat(detector.cpuRequests().isZero()).isTrue();

    assertThat(app.componentInteractions().get(0).interactionMetrics())
        .containsExactly(
            new InteractionMetric("latency", 30.0, "milliseconds", Relation.LOWER_THAN));
    assertThat(app.globalSatisfaction().achievementWeights())
        .containsExactly(new AchievementWeight("fps", 1.0));
  }

  @Test
  void fullNodeBindsEveryField() {
    ParseResult result = Descriptors.parse(pathOf("full-node.yaml"), ParseOptions.STRICT);
    NodeDescriptor node = TestFiles.single(result, NodeDescriptor.class);

    assertThat(result.problems()).isEmpty();
    assertThat(node.name()).isEqualTo("full-node");
    assertThat(node.continuumLayer()).isEqualTo(ContinuumLayer.EDGE_INFRASTRUCTURE);
    assertThat(node.datacenterId()).isEqualTo("dc1");
    assertThat(node.availability()).isEqualTo("transient");
    assertThat(node.sensors())
        .extracting(Sensor::type)
        .containsExactly(
            "camera", "humidity", "sound", "co2", "barometer", "air_quality", "accelerometer");
    assertThat(node.sensors().get(0).attributes())
        .containsEntry("protocol", "MQTT")
        .containsEntry("instances", 2L)
        .containsEntry("endpoint", "mqtt://broker/cam");
    assertThat(node.sensors().get(1).attributes())
        .containsEntry("sampling_frequency", Map.of("min", 1L, "max", 10L));
    assertThat(node.distributedStorageService())
        .isEqualTo(new DistributedStorageService(true, 250.5));
    assertThat(node.accelerationApi().get(0).supportedPlatforms())
        .containsExactly(
            new SupportedPlatform("gpu", List.of("pytorch", "tensorflow")),
            new SupportedPlatform("cpu", List.of("opencl")));

    Hardware h = node.hardware();
    assertThat(h.cpu())
        .isEqualTo(new CpuHardware("Cortex-A72", "arm64", 4, List.of(0.6, 1.5, 1.8), 108.0));
    assertThat(h.mcu()).isEqualTo(new McuHardware("arm-M4", "512k", 1, 0.168, 1.5));
    assertThat(h.memoryBytes()).isEqualTo(8L << 30);
    assertThat(h.diskBytes()).isEqualTo(64_000_000_000L);
    assertThat(h.gpu()).isEqualTo(new GpuHardware("k40", 12, 2.0, 5000.0));
    assertThat(h.fpga()).isEqualTo(new FpgaHardware("zcu102", 4, 70.0));

    assertThat(node.networkResources())
        .isEqualTo(
            new NetworkResources(
                new BasicInterface("5g", 1000.0, "wwan0", false),
                List.of(
                    new RedirectionInterface(
                        "wifi",
                        50.0,
                        "wlan0",
                        "adhoc",
                        "aa:bb:cc:dd:ee:ff",
                        new PairingInfo("10.0.0.2", "mesh", "secret")))));
    Power power = node.power();
    assertThat(power.target().consumption())
        .isEqualTo(new PowerGoal(10.0, Relation.LOWER_OR_EQUAL, "kwh"));
    assertThat(power.target().co2Emission().relation()).isEqualTo(Relation.LOWER_OR_EQUAL);
    assertThat(power.maxConsumption()).isEqualTo(new PowerValue(65.0, "w"));
    assertThat(power.grid()).isFalse();
    assertThat(power.renewable())
        .containsExactly(
            new RenewableSource("solar_panel", new EnergyLevels(List.of(0.0, 50.5, 100.0), "wh")));
    assertThat(power.battery()).isEqualTo(new Battery(new EnergyLevels(List.of(20.0, 80.0), "wh")));
  }

  @Test
  void writesTheTopLevelKeyForm() {
    String yaml = Descriptors.toYaml(parseOne(TestFiles.example("cluster.yaml")));
    String json = Descriptors.toJson(parseOne(TestFiles.example("cluster.yaml")));

    assertThat(yaml).startsWith("MLSysOpsCluster:\n");
    assertThat(json).startsWith("{\n  \"MLSysOpsCluster\" : {");
  }

  @Test
  void writesByteSizesSoThatTheyReadBackAsBytes() {
    NodeDescriptor node =
        new NodeDescriptor(
            "n",
            List.of(),
            ContinuumLayer.EDGE,
            null,
            null,
            null,
            false,
            List.of(),
            List.of(),
            List.of(),
            null,
            new Environment(null, "ubuntu", List.of()),
            List.of(),
            new Hardware(null, null, Quantity.of(1500), Quantity.parse("1"), null, null),
            null,
            null);

    NodeDescriptor back =
        TestFiles.single(
            Descriptors.parse(Descriptors.toYaml(node), "n.yaml", ParseOptions.DEFAULT),
            NodeDescriptor.class);

    assertThat(back).isEqualTo(node);
    assertThat(back.hardware().memoryBytes()).isEqualTo(1500);
  }

  private static Path pathOf(String name) {
    try {
      return Path.of(RoundTripTest.class.getResource("/descriptors/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
