package eu.mlsysops.cli.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.cli.agents.AgentFileConfig.Tier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentFileConfigTest {
  @TempDir Path dir;

  private Path file(String yaml) throws Exception {
    Path f = dir.resolve("agent.yaml");
    Files.writeString(f, yaml);
    return f;
  }

  @Test
  void readsANodeConfigurationWithPathsRelativeToTheFile() throws Exception {
    AgentFileConfig c =
        AgentFileConfig.load(
            Tier.NODE,
            file(
                """
                name: edge-1
                parent: cluster.example:7401
                parent_name: edge
                cert_dir: certs
                data_dir: /var/lib/mls
                policy_directory: policies
                continuum_layer: far_edge
                mechanisms: [cpu_frequency]
                monitoring_interval: 500ms
                """),
            Map.of());
    assertThat(c.name()).isEqualTo("edge-1");
    assertThat(c.parentHost()).isEqualTo("cluster.example");
    assertThat(c.parentPort()).isEqualTo(7401);
    assertThat(c.parentName()).isEqualTo("edge");
    assertThat(c.certDir()).isEqualTo(dir.resolve("certs"));
    assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/mls"));
    assertThat(c.policyDirectory()).isEqualTo(dir.resolve("policies"));
    assertThat(c.continuumLayer()).isEqualTo("far_edge");
    assertThat(c.monitoringInterval()).isEqualTo(Duration.ofMillis(500));
    assertThat(c.insecure()).isFalse();
  }

  @Test
  void defaultsForAContinuumAgent() throws Exception {
    AgentFileConfig c = AgentFileConfig.load(Tier.CONTINUUM, file("name: top\n"), Map.of());
    assertThat(c.listenPort()).isEqualTo(7400);
    assertThat(c.northboundPort()).isEqualTo(8080);
    assertThat(c.bind()).isEqualTo("127.0.0.1");
    assertThat(c.mechanisms()).containsExactly("cluster_placement");
    assertThat(c.monitoringInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.dataDir().endsWith(Path.of(".mlsysops", "agents", "top"))).isTrue();
    assertThat(c.certDir()).isEqualTo(c.dataDir().resolve("certs"));
  }

  @Test
  void environmentVariablesOverrideTheFile() throws Exception {
    AgentFileConfig c =
        AgentFileConfig.load(
            Tier.CLUSTER,
            file(
                """
                name: c1
                parent: 127.0.0.1:7400
                listen_port: 7401
                """),
            Map.of(
                "MLS_PARENT",
                "10.0.0.5:9000",
                "MLS_LISTEN_PORT",
                "9001",
                "MLS_MONITORING_INTERVAL",
                "2",
                "MLS_INSECURE",
                "true",
                "MLS_TOKEN",
                "not-a-key",
                "PATH",
                "/bin"));
    assertThat(c.parentHost()).isEqualTo("10.0.0.5");
    assertThat(c.parentPort()).isEqualTo(9000);
    assertThat(c.listenPort()).isEqualTo(9001);
    assertThat(c.monitoringInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.insecure()).isTrue();
  }

  @Test
  void environmentAloneIsEnough() {
    AgentFileConfig c =
        AgentFileConfig.load(
            Tier.NODE,
            null,
            Map.of("MLS_NAME", "n1", "MLS_PARENT", "[::1]:7401", "MLS_MECHANISMS", ""));
    assertThat(c.parentHost()).isEqualTo("::1");
    assertThat(c.mechanisms()).isEmpty();
  }

  @Test
  void errorsNameTheKeyAndWhereItCameFrom() throws Exception {
    assertThatThrownBy(
            () -> AgentFileConfig.load(Tier.NODE, file("name: n1\nparnet: x:1\n"), Map.of()))
        .hasMessageContaining("agent.yaml: parnet: unknown key (known: app_limits, bind,");
    assertThatThrownBy(
            () -> AgentFileConfig.load(Tier.NODE, file("name: n1\nparent: host\n"), Map.of()))
        .hasMessageEndingWith("agent.yaml: parent: \"host\" is not host:port");
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.NODE, file("name: n1\n"), Map.of()))
        .hasMessageStartingWith("parent: required for a node agent");
    assertThatThrownBy(
            () ->
                AgentFileConfig.load(
                    Tier.CLUSTER, file("name: c1\nparent: h:1\nlisten_port: 70000\n"), Map.of()))
        .hasMessageEndingWith("listen_port: \"70000\" is not a port (0-65535)");
    assertThatThrownBy(
            () ->
                AgentFileConfig.load(
                    Tier.NODE,
                    file("name: n1\nparent: h:1\n"),
                    Map.of("MLS_MONITORING_INTERVAL", "soon")))
        .hasMessageStartingWith(
            "environment variable MLS_MONITORING_INTERVAL"
                + " (monitoring_interval): \"soon\" is not a duration");
    assertThatThrownBy(
            () ->
                AgentFileConfig.load(
                    Tier.NODE, file("name: n1\nparent: h:1\nmechanisms: [placement]\n"), Map.of()))
        .hasMessageEndingWith(
            "mechanisms: \"placement\" is not a mechanism of node agents" + " (cpu_frequency)");
    assertThatThrownBy(
            () ->
                AgentFileConfig.load(
                    Tier.NODE, file("name: n1\nparent: h:1\nnorthbound_port: 1\n"), Map.of()))
        .hasMessageContaining("northbound_port: not used by a node agent");
    assertThatThrownBy(
            () -> AgentFileConfig.load(Tier.NODE, file("name: N_1\nparent: h:1\n"), Map.of()))
        .hasMessageContaining("name: \"N_1\" is not a DNS name");
    assertThatThrownBy(
            () ->
                AgentFileConfig.load(
                    Tier.NODE, file("name: n1\nparent: h:1\ncontinuum_layer: moon\n"), Map.of()))
        .hasMessageContaining("continuum_layer: ");
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.CONTINUUM, file("name: [a, b]\n"), Map.of()))
        .hasMessageEndingWith("name: expected a single value");
  }

  @Test
  void childrenAreAListOfNamesForParentsOnly() throws Exception {
    assertThat(
            AgentFileConfig.load(
                    Tier.CLUSTER, file("name: c1\nparent: h:1\nchildren: [n-1, n-2]\n"), Map.of())
                .children())
        .containsExactly("n-1", "n-2");
    assertThat(
            AgentFileConfig.load(
                    Tier.CONTINUUM, file("name: top\n"), Map.of("MLS_CHILDREN", "cloud,edge"))
                .children())
        .containsExactly("cloud", "edge");
    assertThatThrownBy(
            () ->
                AgentFileConfig.load(
                    Tier.NODE, file("name: n1\nparent: h:1\nchildren: [x]\n"), Map.of()))
        .hasMessageContaining("children: not used by a node agent");
  }

  @Test
  void aClusterTakesATrustThresholdFromZeroToOne() throws Exception {
    assertThat(AgentFileConfig.load(Tier.CLUSTER, file("name: c1\nparent: h:1\n"), Map.of())
        .trustThreshold()).isEqualTo(0.5);
    assertThat(AgentFileConfig.load(Tier.CLUSTER,
        file("name: c1\nparent: h:1\ntrust_threshold: 0.8\n"), Map.of()).trustThreshold())
        .isEqualTo(0.8);
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.CLUSTER,
        file("name: c1\nparent: h:1\ntrust_threshold: high\n"), Map.of()))
        .hasMessageContaining("trust_threshold: \"high\" is not a number from 0 to 1");
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.CLUSTER, file("name: c1\nparent: h:1\n"),
        Map.of("MLS_TRUST_THRESHOLD", "1.5")))
        .hasMessageContaining("MLS_TRUST_THRESHOLD (trust_threshold): \"1.5\" is not a number");
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.NODE,
        file("name: n1\nparent: h:1\ntrust_threshold: 0.2\n"), Map.of()))
        .hasMessageContaining("trust_threshold: not used by a node agent");
  }

  @Test
  void theContinuumTakesDescriptorHostsAndADeveloperQuota() throws Exception {
    AgentFileConfig c = AgentFileConfig.load(Tier.CONTINUUM, file("name: top\n"
        + "descriptor_hosts: [files.example.org, git.example.org]\n"
        + "developer_quota: \"apps=3,cpu=2\"\n"), Map.of());
    assertThat(c.descriptorHosts()).containsExactly("files.example.org", "git.example.org");
    assertThat(c.developerQuota().apps()).isEqualTo(3);
    assertThat(c.developerQuota().cpuMillis()).isEqualTo(2_000);
    assertThat(AgentFileConfig.load(Tier.CONTINUUM, file("name: top\n"), Map.of())
        .developerQuota()).isEqualTo(eu.mlsysops.northbound.api.DeveloperQuota.defaults());
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.CONTINUUM,
        file("name: top\ndeveloper_quota: disks=3\n"), Map.of()))
        .hasMessageContaining("developer_quota: \"disks\" is not a quota");
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.NODE,
        file("name: n1\nparent: h:1\ndescriptor_hosts: [x]\n"), Map.of()))
        .hasMessageContaining("descriptor_hosts: not used by a node agent");
  }

  @Test
  void theContinuumTakesAppLimitsAndRefusesBadOnesNamingTheKey() throws Exception {
    assertThat(AgentFileConfig.load(Tier.CONTINUUM, file("name: top\n"
        + "app_limits: \"components=5,instances=50\"\n"), Map.of()).appLimits())
        .isEqualTo(new eu.mlsysops.model.AppLimits(5, 50));
    assertThat(AgentFileConfig.load(Tier.CONTINUUM, file("name: top\n"), Map.of()).appLimits())
        .isEqualTo(eu.mlsysops.model.AppLimits.DEFAULT);
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.CONTINUUM,
        file("name: top\napp_limits: pods=3\n"), Map.of()))
        .hasMessageContaining("app_limits: \"pods\" is not an app limit");
    assertThat(AgentFileConfig.load(Tier.NODE, file("name: n1\nparent: h:1\n"
        + "stale_after_intervals: 5\n"), Map.of()).staleAfterIntervals()).isEqualTo(5);
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.NODE,
        file("name: n1\nparent: h:1\nstale_after_intervals: 0\n"), Map.of()))
        .hasMessageContaining("stale_after_intervals: \"0\" is not a whole number from 1 to 100");
  }

  @Test
  void aMissingFileIsNamed() {
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.NODE, dir.resolve("nope.yaml"), Map.of()))
        .hasMessage("--config: " + dir.resolve("nope.yaml") + " does not exist");
  }

  @Test
  void aClusterMayUsePlugInMechanismsOnTheClassPathAndUnknownOnesAreNamed() throws Exception {
    assertThat(
            AgentFileConfig.load(
                    Tier.CLUSTER,
                    file("name: c1\nparent: h:1\nmechanisms: [placement, fluidity]\n"),
                    Map.of())
                .mechanisms())
        .containsExactly("placement", "fluidity");
    assertThatThrownBy(
            () ->
                AgentFileConfig.load(
                    Tier.CLUSTER,
                    file("name: c1\nparent: h:1\nmechanisms: [placement, teleport]\n"),
                    Map.of()))
        .hasMessageEndingWith(
            "mechanisms: \"teleport\" is not a mechanism of cluster agents (placement, fluidity)");
  }

  @Test
  void clusterAndContinuumCannotDropTheirPlacementMechanism() throws Exception {
    assertThatThrownBy(
            () ->
                AgentFileConfig.load(
                    Tier.CLUSTER, file("name: c1\nparent: h:1\nmechanisms: []\n"), Map.of()))
        .hasMessageEndingWith("mechanisms: a cluster agent cannot run without placement");
    assertThat(
            AgentFileConfig.load(
                    Tier.NODE, file("name: n1\nparent: h:1\nmechanisms: []\n"), Map.of())
                .mechanisms())
        .isEqualTo(List.of());
  }

  @Test
  void aNodeMayRunLocalProcessesAndReceiveOtlp() throws Exception {
    AgentFileConfig simulated =
        AgentFileConfig.load(Tier.NODE, file("name: n1\nparent: h:1\n"), Map.of());
    assertThat(simulated.runtime()).isEqualTo("simulated");
    assertThat(simulated.otlpGrpcPort()).isEqualTo(-1);
    assertThat(simulated.otlpHttpPort()).isEqualTo(-1);

    AgentFileConfig real = AgentFileConfig.load(Tier.NODE, file(
        "name: n1\nparent: h:1\nruntime: process\notlp_grpc_port: 4317\n"),
        Map.of("MLS_OTLP_HTTP_PORT", "0"));
    assertThat(real.runtime()).isEqualTo("process");
    assertThat(real.otlpGrpcPort()).isEqualTo(4317);
    assertThat(real.otlpHttpPort()).isZero();

    assertThatThrownBy(() -> AgentFileConfig.load(Tier.NODE,
        file("name: n1\nparent: h:1\nruntime: docker\n"), Map.of()))
        .hasMessageContaining("runtime: \"docker\" is not a runtime (simulated, process, kubernetes)");
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.NODE,
        file("name: n1\nparent: h:1\notlp_http_port: 99999\n"), Map.of()))
        .hasMessageContaining("otlp_http_port: \"99999\" is not a port");
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.CLUSTER,
        file("name: c1\nparent: h:1\nruntime: process\n"), Map.of()))
        .hasMessageContaining("runtime");
  }

  @Test
  void otlpAuthAndClusterEndpointsAreReadAndBadValuesNamed() throws Exception {
    AgentFileConfig node = AgentFileConfig.load(Tier.NODE,
        file("name: n1\nparent: h:1\notlp_auth: token\n"), Map.of());
    assertThat(node.otlpAuth()).isEqualTo(eu.mlsysops.telemetry.otlp.OtlpAuthMode.TOKEN);
    assertThat(AgentFileConfig.load(Tier.NODE, file("name: n1\nparent: h:1\n"), Map.of())
        .otlpAuth()).isEqualTo(eu.mlsysops.telemetry.otlp.OtlpAuthMode.AUTO);
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.NODE,
        file("name: n1\nparent: h:1\notlp_auth: maybe\n"), Map.of()))
        .hasMessageContaining("otlp_auth: \"maybe\" is not auto, token or none");
    AgentFileConfig top = AgentFileConfig.load(Tier.CONTINUUM,
        file("name: top\ncluster_endpoints: {edge: \"10.0.0.2:7401\"}\n"), Map.of());
    assertThat(top.clusterEndpoints()).containsEntry("edge", "10.0.0.2:7401");
    assertThatThrownBy(() -> AgentFileConfig.load(Tier.CONTINUUM,
        file("name: top\ncluster_endpoints: {edge: nowhere}\n"), Map.of()))
        .hasMessageContaining("cluster_endpoints: edge: \"nowhere\" is not host:port");
  }
}
