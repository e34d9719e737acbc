package eu.mlsysops.orchestration.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LaunchPlannerTest {
  private final LaunchPlanner planner = new LaunchPlanner("edge-1", "10.0.0.7",
      Map.of("PATH", "/usr/bin:/bin", "HOME", "/root", "OTEL_TRACES_EXPORTER", "none",
          "MLS_TOKEN", "secret"),
      Path.of("/"));
  private final TelemetryEndpoint otlp = new TelemetryEndpoint("127.0.0.1", 4317, 4318);

  private ContainerPlan plan(String yaml) throws LaunchException {
    return planner.plan(TestSpecs.spec("app/c/0", yaml), otlp).get(0);
  }

  @Test
  void referenceStyleEnvIsResolvedAsKubernetesWould() throws Exception {
    ContainerPlan p = plan("""
        containers:
        - image: x
          command: [sh, -c, "echo $(GREETING) $$HOME"]
          env:
          - name: NODE_IP
            value_from: {field_ref: {field_path: status.hostIP}}
          - name: TELEMETRY_ENDPOINT
            value: "$(NODE_IP):43170"
          - name: POD
            value_from: {field_ref: {field_path: metadata.name}}
          - name: WHERE
            value_from: {field_ref: {field_path: spec.nodeName}}
          - name: GREETING
            value: hi
          - name: UNKNOWN_REF
            value: "$(NOT_DEFINED)/x"
        """);
    assertThat(p.env()).containsEntry("NODE_IP", "10.0.0.7")
        .containsEntry("TELEMETRY_ENDPOINT", "10.0.0.7:43170")
        .containsEntry("POD", "app-c-0")
        .containsEntry("WHERE", "edge-1")
        .containsEntry("UNKNOWN_REF", "$(NOT_DEFINED)/x")
        .containsEntry("HOME", "/root");
    assertThat(p.argv()).containsExactly("sh", "-c", "echo hi $HOME");
  }

  @Test
  void telemetryVariablesPointAtTheNodeAgentAndNameWhereTheInstanceRuns() throws Exception {
    ContainerPlan p = plan("containers:\n- {image: x, command: [sleep, '1']}");
    assertThat(p.env()).containsEntry("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
        .containsEntry("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        .containsEntry("TELEMETRY_ENDPOINT", "127.0.0.1:4317")
        .containsEntry("OTEL_SERVICE_NAME", "c")
        .containsEntry("OTEL_RESOURCE_ATTRIBUTES", "service.name=c,mlsysops.node=edge-1,"
            + "mlsysops.app=app,mlsysops.component=c,mlsysops.instance=app/c/0")
        .doesNotContainKey("OTEL_TRACES_EXPORTER")
        .doesNotContainKey("MLS_TOKEN");
  }

  @Test
  void whereReceiversAskForTokensEachInstanceGetsItsOwnNamingItself() throws Exception {
    eu.mlsysops.telemetry.otlp.OtlpCredentials c =
        eu.mlsysops.telemetry.otlp.OtlpCredentials.randomTokens();
    ContainerPlan p = planner.plan(TestSpecs.spec("app/c/0",
        "containers:\n- {image: x, command: [sleep, '1']}"), otlp.withCredentials(c)).get(0);
    String headers = p.env().get("OTEL_EXPORTER_OTLP_HEADERS");
    assertThat(headers).startsWith("Authorization=Bearer%20mlsotel_");
    assertThat(c.verify("Bearer " + headers.substring("Authorization=Bearer%20".length())))
        .contains(new eu.mlsysops.telemetry.otlp.OtlpCredentials.Source("edge-1", "app", "c",
            "app/c/0"));
    assertThat(plan("containers:\n- {image: x, command: [sleep, '1']}").env())
        .as("receivers that let anyone in: no token").doesNotContainKey(
            "OTEL_EXPORTER_OTLP_HEADERS");
  }

  @Test
  void appResourceAttributesAreKeptAndTheRoutingOnesAdded() throws Exception {
    ContainerPlan p = plan("""
        containers:
        - image: x
          command: [sleep, '1']
          env:
          - {name: OTEL_RESOURCE_ATTRIBUTES, value: "service.name=server-app, service.version=0.0.0, mlsysops.node=elsewhere"}
        """);
    assertThat(p.env().get("OTEL_RESOURCE_ATTRIBUTES")).isEqualTo(
        "service.name=server-app,service.version=0.0.0,mlsysops.node=edge-1,mlsysops.app=app,"
            + "mlsysops.component=c,mlsysops.instance=app/c/0");
  }

  @Test
  void withoutAnEndpointTheEndpointVariablesAreLeftOut() throws Exception {
    ContainerPlan p = planner.plan(TestSpecs.spec("app/c/0",
        "containers:\n- {image: x, command: [sleep, '1']}"), null).get(0);
    assertThat(p.env()).doesNotContainKey("OTEL_EXPORTER_OTLP_ENDPOINT")
        .containsKey("OTEL_RESOURCE_ATTRIBUTES");
  }

  @Test
  void httpOffMeansGrpcForTheSdkAndViceVersa() {
    TelemetryEndpoint grpcOnly = new TelemetryEndpoint("::1", 4317, -1);
    assertThat(grpcOnly.otlpEndpointUrl()).isEqualTo("http://[::1]:4317");
    assertThat(grpcOnly.otlpProtocol()).isEqualTo("grpc");
    TelemetryEndpoint httpOnly = TelemetryEndpoint.boundTo("0.0.0.0", -1, 4318);
    assertThat(httpOnly.telemetryEndpoint()).isEqualTo("127.0.0.1:4318");
    assertThatThrownBy(() -> new TelemetryEndpoint("h", -1, -1))
        .hasMessageContaining("grpcPort, httpPort");
  }

  @Test
  void anUnsupportedFieldPathNamesTheFieldAndWhatIsSupported() {
    assertThatThrownBy(() -> plan("""
        containers:
        - image: x
          command: [sleep, '1']
          env:
          - {name: A, value: a}
          - name: PHASE
            value_from: {field_ref: {field_path: status.phase}}
        """))
        .isInstanceOf(LaunchException.class)
        .hasMessageStartingWith("containers[0].env[1].value_from.field_ref.field_path: "
            + "\"status.phase\" is not supported by the process runtime (supported: metadata.name");
  }

  @Test
  void aCommandThatIsNotOnPathIsRefusedNamingTheField() {
    assertThatThrownBy(() -> plan("containers:\n- {image: x, command: [no-such-program-xyz]}"))
        .hasMessage("containers[0].command[0]: \"no-such-program-xyz\" is not an executable on"
            + " PATH (/usr/bin:/bin)");
    assertThatThrownBy(() -> plan("containers:\n- {image: x, command: [/nonexistent/prog]}"))
        .hasMessageStartingWith("containers[0].command[0]: \"/nonexistent/prog\" does not exist");
  }

  @Test
  void aContainerWithoutCommandIsRefused() {
    assertThatThrownBy(() -> plan("containers:\n- {image: registry/app:1}"))
        .hasMessageStartingWith("containers[0].command: empty; the process runtime runs");
  }

  @Test
  void portsAndLimitsAreCarriedOver() throws Exception {
    ContainerPlan p = plan("""
        containers:
        - image: x
          command: [sleep, '1']
          platform_requirements:
            cpu: {requests: 250m, limits: 500m}
            memory: {requests: 64Mi, limits: 128Mi}
          ports:
          - {container_port: 10000}
          - {container_port: 53, host_port: 5353, protocol: UDP, host_ip: 127.0.0.1}
        """);
    assertThat(p.cpuLimitMillis()).isEqualTo(500);
    assertThat(p.cpuRequestMillis()).isEqualTo(250);
    assertThat(p.memoryLimitBytes()).isEqualTo(128L << 20);
    assertThat(p.ports()).containsExactly(
        new ContainerPlan.PortBinding("containers[0].ports[0].container_port", null, 10000, "TCP"),
        new ContainerPlan.PortBinding("containers[0].ports[1].host_port", "127.0.0.1", 5353,
            "UDP"));
  }

  @Test
  void expansionFollowsKubernetesRules() {
    Map<String, String> env = Map.of("A", "1", "B", "two");
    assertThat(LaunchPlanner.expand("$(A)-$(B)", env)).isEqualTo("1-two");
    assertThat(LaunchPlanner.expand("$$(A) costs $$5", env)).isEqualTo("$(A) costs $5");
    assertThat(LaunchPlanner.expand("$(C) $(A", env)).isEqualTo("$(C) $(A");
    assertThat(LaunchPlanner.expand("plain $A", env)).isEqualTo("plain $A");
  }

  @Test
  void podNamesAreDnsLabels() {
    assertThat(LaunchPlanner.podName("Smart-Camera/detector/0")).isEqualTo("smart-camera-detector-0");
    assertThat(LaunchPlanner.podName("/x__y/")).isEqualTo("x-y");
    assertThat(List.of(LaunchPlanner.podName("a".repeat(80)))).allMatch(s -> s.length() <= 63);
  }
}
