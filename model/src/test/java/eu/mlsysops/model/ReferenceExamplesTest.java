package eu.mlsysops.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class ReferenceExamplesTest {
  static final List<String> EXAMPLES = TestFiles.EXAMPLES;

  @ParameterizedTest
  @FieldSource("EXAMPLES")
  void everyReferenceExampleParsesWithoutErrors(String file) {
    ParseResult result = Descriptors.parse(TestFiles.example(file), ParseOptions.DEFAULT);

    assertThat(result.errors()).isEmpty();
    assertThat(result.descriptors()).hasSize(1);
  }

  @ParameterizedTest
  @FieldSource("EXAMPLES")
  void everyReferenceExampleParsesInStrictModeToo(String file) {
    ParseResult result = Descriptors.parse(TestFiles.example(file), ParseOptions.STRICT);

    assertThat(result.errors()).isEmpty();
  }

  @Test
  void appExampleCarriesComponentsRequestsAndTargets() {
    AppDescriptor app =
        TestFiles.single(
            Descriptors.parse(TestFiles.example("app.yaml"), ParseOptions.DEFAULT),
            AppDescriptor.class);

    assertThat(app.name()).isEqualTo("test-application");
    assertThat(app.kind()).isEqualTo(DescriptorKind.APP);
    assertThat(app.components())
        .extracting(Component::name)
        .containsExactly("server-app", "client-app");
    assertThat(app.clusterPlacement().clusterId()).containsExactly("uth-prod-cluster");

    Component server = app.component("server-app").orElseThrow();
    assertThat(server.cpuRequests().millis()).isEqualTo(250);
    assertThat(server.memoryRequests().longValue()).isEqualTo(67_108_864L);
    assertThat(server.memoryRequests()).isEqualTo(Quantity.parse("64Mi"));
    assertThat(server.instances()).isEqualTo(1);
    assertThat(server.restartPolicy()).isEqualTo(RestartPolicy.ON_FAILURE);
    assertThat(server.runtimeClassName()).isEqualTo("nvidia");
    assertThat(server.hostNetwork()).isFalse();
    assertThat(server.nodePlacement().continuumLayer()).containsExactly(ContinuumLayer.EDGE);
    assertThat(server.nodePlacement().mobile()).isTrue();
    assertThat(server.nodePlacement().node()).isEqualTo("node-1");

    QosMetric qos = server.qosMetrics().get(0);
    assertThat(qos.applicationMetricId()).isEqualTo("test_received_success_counter");
    assertThat(qos.target()).isEqualTo(20.0);
    assertThat(qos.relation()).isEqualTo(Relation.LOWER_OR_EQUAL);
    assertThat(qos.systemMetricsHints()).containsExactly("cpu_frequency");

    Container container = server.containers().get(0);
    assertThat(container.image()).isEqualTo("harbor.nbfc.io/mlsysops/test-app:latest");
    assertThat(container.command()).containsExactly("python", "TcpServer.py");
    assertThat(container.imagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(container.ports()).containsExactly(new Port(10000, null, null, null, "TCP"));
    assertThat(container.env()).contains(new EnvVar("NODE_IP", null, "status.hostIP"));
    PlatformRequirements requirements = container.platformRequirements();
    assertThat(requirements.cpu().limits()).isEqualTo(Quantity.ofMillis(500));
    assertThat(requirements.cpu().architecture()).containsExactly("amd64");
    assertThat(requirements.cpu().frequencyGhz()).isEqualTo(1.4);
    assertThat(requirements.cpu().performanceIndicator()).isEqualTo(30.0);
    assertThat(requirements.diskBytes()).isEqualTo(120L << 30);

    assertThat(server.sensors())
        .containsExactly(
            new Sensor(
                "camera",
                "d455",
                Map.of("camera_type", "rgb", "minimum_framerate", 20L, "resolution", "1024x768")));

    Component client = app.component("client-app").orElseThrow();
    assertThat(client.containers().get(0).platformRequirements().gpu())
        .isEqualTo(new GpuRequirements(null, null, "k80", 2, null, 320.0));
    assertThat(client.qosMetrics().get(0).relation()).isEqualTo(Relation.EQUAL);

    assertThat(app.componentInteractions())
        .containsExactly(
            new ComponentInteraction("client-app", "egress", "server-app", null, List.of()));
    assertThat(app.globalSatisfaction().threshold()).isEqualTo(0.7);
    assertThat(app.globalSatisfaction().relation()).isEqualTo(Relation.GREATER_THAN);
    assertThat(app.globalSatisfaction().achievementWeights()).hasSize(2);
  }

  @Test
  void nodeExampleReadsPlainMemoryAsGibAndNormalisesFrequencies() {
    ParseResult result = Descriptors.parse(TestFiles.example("node-1.yaml"), ParseOptions.DEFAULT);
    NodeDescriptor node = TestFiles.single(result, NodeDescriptor.class);

    assertThat(node.name()).isEqualTo("node-1");
    assertThat(node.clusterId()).isEqualTo("uth-prod-cluster");
    assertThat(node.continuumLayer()).isEqualTo(ContinuumLayer.EDGE);
    assertThat(node.mobile()).isTrue();
    assertThat(node.hardware().memoryBytes()).isEqualTo(4L << 30);
    assertThat(node.hardware().memory()).isEqualTo(Quantity.parse("4Gi"));
    assertThat(node.hardware().diskBytes()).isEqualTo(120L << 30);
    assertThat(node.hardware().cpu().architecture()).isEqualTo("arm64");
    assertThat(node.hardware().cpu().frequencyGhz()).containsExactly(1.4, 1.7);
    assertThat(node.hardware().gpu()).isEqualTo(new GpuHardware("k80", 3, null, 330.0));
    assertThat(node.environment())
        .isEqualTo(new Environment("native", "ubuntu", List.of("containerd")));
    assertThat(node.sensors()).extracting(Sensor::type).containsExactly("temperature", "camera");
    assertThat(node.sensors().get(1).attributes())
        .containsEntry("supported_resolutions", List.of("1024x768", "4056x3040"));
    assertThat(result.warnings())
        .extracting(Problem::path)
        .containsExactlyInAnyOrder(
            "hardware.cpu.frequency[0]",
            "hardware.cpu.frequency[1]",
            "hardware.gpu.memory",
            "hardware.memory");
    assertThat(result.warnings())
        .extracting(Problem::message)
        .contains(
            "expected integer, got string \"4\"; accepted as 4",
            "14000 is not a plausible frequency in GHz, MHz or Hz; read as 1.4 GHz");
  }

  @Test
  void nodeExampleWithGhzFrequenciesAndLocation() {
    NodeDescriptor node =
        TestFiles.single(
            Descriptors.parse(TestFiles.example("node-2.yaml"), ParseOptions.DEFAULT),
            NodeDescriptor.class);

    assertThat(node.mobile()).isFalse();
    assertThat(node.location()).containsExactly(22.812791301, 29.82382932);
    assertThat(node.hardware().cpu().frequencyGhz()).containsExactly(1.4, 1.7);
    assertThat(node.hardware().cpu().performanceIndicator()).isEqualTo(700.0);
    assertThat(node.hardware().diskBytes()).isEqualTo(100L << 30);
  }

  @Test
  void nodeWithoutGpuModelStillBinds() {
    NodeDescriptor node =
        TestFiles.single(
            Descriptors.parse(TestFiles.example("node-3.yaml"), ParseOptions.DEFAULT),
            NodeDescriptor.class);

    assertThat(node.hardware().gpu().model()).isNull();
    assertThat(node.hardware().gpu().memory()).isEqualTo(8);
    assertThat(node.hardware().cpu().architecture()).isEqualTo("amd64");
  }

  @Test
  void clusterAndContinuumExamplesListTheirMembers() {
    ClusterDescriptor cluster =
        TestFiles.single(
            Descriptors.parse(TestFiles.example("cluster.yaml"), ParseOptions.DEFAULT),
            ClusterDescriptor.class);
    ContinuumDescriptor continuum =
        TestFiles.single(
            Descriptors.parse(TestFiles.example("continuum.yaml"), ParseOptions.DEFAULT),
            ContinuumDescriptor.class);

    assertThat(cluster)
        .isEqualTo(
            new ClusterDescriptor(
                "uth-prod-cluster",
                "uth-prod-cluster",
                null,
                List.of("node-1", "node-2", "node-3")));
    assertThat(continuum)
        .isEqualTo(
            new ContinuumDescriptor(
                "mlsysops-slice-1", "mlsysops-slice-1", List.of("uth-prod-cluster", "uth-dev-1")));
  }

  @Test
  void appExampleDiskSumsAndGpuRequirementsAreExact() {
    AppDescriptor app = Descriptors.parseApp(TestFiles.exampleText("app.yaml"));
    long totalMillis =
        app.components().stream()
            .mapToLong(c -> c.cpuRequests().times(c.instances()).millis())
            .sum();

    assertThat(totalMillis).isEqualTo(500);
    assertThat(
            app.components().get(1).containers().get(0).platformRequirements().cpu().frequencyGhz())
        .isCloseTo(1.4, within(1e-12));
  }
}
