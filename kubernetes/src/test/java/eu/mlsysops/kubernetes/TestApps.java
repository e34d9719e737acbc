package eu.mlsysops.kubernetes;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.orchestration.InstanceSpec;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The test app and helpers that play the kubelet's part against the mock API server. */
final class TestApps {
  static final String NS = "mlsysops-apps";

  private TestApps() {}

  static AppDescriptor shop() {
    try (InputStream in = TestApps.class.getResourceAsStream("/k8s-app.yaml")) {
      return Descriptors.parseApp(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static InstanceSpec spec(AppDescriptor app, String component, String instanceId) {
    return new InstanceSpec(
        app.name(),
        instanceId,
        app.component(component).orElseThrow(),
        Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318", "NODE_IP", "127.0.0.1"));
  }

  static void node(KubernetesClient client, String name, boolean ready) {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .addToLabels("kubernetes.io/hostname", name)
                .endMetadata()
                .withNewStatus()
                .addNewCondition()
                .withType("Ready")
                .withStatus(ready ? "True" : "False")
                .withReason(ready ? "KubeletReady" : "NodeStatusUnknown")
                .withMessage(ready ? "" : "Kubelet stopped posting node status.")
                .endCondition()
                .endStatus()
                .build())
        .createOr(n -> n.update());
  }

  /** What the kubelet would report for a pod: a phase, and Ready when running. */
  static void podPhase(KubernetesClient client, String podName, String phase, String reason) {
    Pod p = client.pods().inNamespace(NS).withName(podName).get();
    Pod updated =
        new PodBuilder(p)
            .withNewStatus()
            .withPhase(phase)
            .withReason(reason)
            .addNewCondition()
            .withType("Ready")
            .withStatus("Running".equals(phase) ? "True" : "False")
            .endCondition()
            .endStatus()
            .build();
    client.pods().inNamespace(NS).resource(updated).updateStatus();
  }
}
