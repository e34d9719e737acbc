package eu.mlsysops.cli.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node agent process with {@code runtime: kubernetes} (as the DaemonSet of deploy/kubernetes
 * runs it) against fabric8's mock API server in CRUD mode: an app deployed through the continuum
 * process becomes a pod pinned to that node, the pod's status (set here, as a kubelet would) makes
 * the app Running, and the continuum ({@code kubernetes: true}) installs the CRDs and mirrors the
 * app as an MLSysOpsApp resource.
 */
class KubernetesNodeIT {
  private static final String TOPOLOGY =
      """
      MLSysOpsContinuum: {name: k-continuum, continuum_id: k-continuum, clusters: [kc]}
      ---
      MLSysOpsCluster: {name: kc, cluster_id: kc, nodes: [worker-1]}
      ---
      MLSysOpsNode:
        name: worker-1
        cluster_id: kc
        continuum_layer: cloud
        environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
        hardware: {cpu: {architecture: amd64, cores: 4, frequency: [1.0, 2.0]}, memory: 8}
      """;
  private static final String NS = "mlsysops-apps";

  @RegisterExtension final MockApiServer api = new MockApiServer();
  final KubernetesClient client = api.client;
  @TempDir Path dir;
  private ProcessContinuum continuum;
  private SharedIndexInformer<Pod> kubelet;

  @AfterEach
  void stop() {
    if (kubelet != null) {
      kubelet.close();
    }
    if (continuum != null) {
      continuum.close();
    }
  }

  @Test
  void anAppBecomesAPodPinnedToTheNodeAndRunsWhenTheKubeletSaysSo() throws Exception {
    client.nodes().resource(new NodeBuilder().withNewMetadata().withName("worker-1")
        .endMetadata().withNewStatus().addNewCondition().withType("Ready").withStatus("True")
        .endCondition().endStatus().build()).create();
    kubelet = client.pods().inNamespace(NS).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        client.pods().inNamespace(NS).resource(new PodBuilder(pod).withNewStatus()
            .withPhase("Running").addNewCondition().withType("Ready").withStatus("True")
            .endCondition().endStatus().build()).updateStatus();
      }

      @Override
      public void onUpdate(Pod old, Pod pod) {}

      @Override
      public void onDelete(Pod pod, boolean unknownFinalState) {}
    });

    ParseResult parsed = Descriptors.parse(TOPOLOGY, "k-topology", ParseOptions.DEFAULT);
    assertThat(parsed.errors()).isEmpty();
    continuum = new ProcessContinuum(dir.resolve("data"), parsed.descriptors(), 0,
        new PrintWriter(new StringWriter())).kubernetes(client.getMasterUrl().toString());
    int port = continuum.start();
    assertThat(ProcessContinuum.awaitPort(port, Duration.ofSeconds(40))).isTrue();
    String api = "http://127.0.0.1:" + port;
    String token = Files.readString(dir.resolve("data/admin.token")).trim();
    HttpClient http = HttpClient.newHttpClient();
    String app = """
        MLSysOpsApp:
          name: shop
          components:
            - metadata: {name: web}
              containers:
                - image: nginx:1.27
                  platform_requirements:
                    cpu: {requests: "250m"}
                    memory: {requests: "64Mi"}
        """;
    await("deploy accepted").atMost(40, TimeUnit.SECONDS).pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions().until(() -> http.send(HttpRequest.newBuilder(
            URI.create(api + "/api/v1/apps")).header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/yaml")
            .POST(HttpRequest.BodyPublishers.ofString(app)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() / 100 == 2);

    ObjectMapper json = new ObjectMapper();
    try {
      await("shop running").atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofSeconds(1))
          .ignoreExceptions().until(() -> {
            JsonNode s = json.readTree(http.send(HttpRequest.newBuilder(
                URI.create(api + "/api/v1/apps/shop")).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString()).body());
            return "Running".equals(s.path("phase").asText());
          });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("node agent log:\n"
          + Files.readString(continuum.agents().get("worker-1").log()), e);
    }
    List<Pod> pods = client.pods().inNamespace(NS).list().getItems();
    assertThat(pods).hasSize(1);
    assertThat(pods.get(0).getSpec().getContainers().get(0).getImage()).isEqualTo("nginx:1.27");
    assertThat(pods.get(0).getSpec().toString()).contains("worker-1");
    // The pod's OpenTelemetry SDK sends to the node agent's receivers on the host's IP (the
    // DaemonSet's hostPorts), not to the pod's own loopback.
    Map<String, EnvVar> env = pods.get(0).getSpec().getContainers().get(0).getEnv().stream()
        .collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env.get("MLSYSOPS_HOST_IP").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("status.hostIP");
    Matcher receiver = Pattern.compile("OTLP/HTTP receiver on http://[^ ]+:(\\d+)/v1/metrics")
        .matcher(Files.readString(continuum.agents().get("worker-1").log()));
    assertThat(receiver.find()).as("the node agent's OTLP/HTTP receiver in its log").isTrue();
    assertThat(env.get("OTEL_EXPORTER_OTLP_ENDPOINT").getValue())
        .isEqualTo("http://$(MLSYSOPS_HOST_IP):" + receiver.group(1));
    assertThat(env.get("OTEL_RESOURCE_ATTRIBUTES").getValue())
        .contains("mlsysops.app=shop", "mlsysops.node=worker-1");

    // The continuum installed the mlsysops.eu/v1 CRDs and mirrors the app as an MLSysOpsApp.
    assertThat(client.apiextensions().v1().customResourceDefinitions()
        .withName("mlsysopsapps.mlsysops.eu").get()).isNotNull();
    await("MLSysOpsApp mirror").atMost(30, TimeUnit.SECONDS).ignoreExceptions()
        .until(() -> !client.genericKubernetesResources("mlsysops.eu/v1", "MLSysOpsApp")
            .inAnyNamespace().list().getItems().isEmpty());
  }
}
