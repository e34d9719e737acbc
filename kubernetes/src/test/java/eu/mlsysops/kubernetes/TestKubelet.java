package eu.mlsysops.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays the kubelets against the mock API server (which has none): a new pod gets the phase its
 * node is set to report, {@code Running} and Ready by default.
 */
final class TestKubelet implements AutoCloseable {
  private final KubernetesClient client;
  private final Map<String, String> phaseByNode = new ConcurrentHashMap<>();
  private final SharedIndexInformer<Pod> informer;

  TestKubelet(KubernetesClient client) {
    this.client = client;
    // An informer, not a bare watch: it has listed before the constructor returns, so no pod
    // created afterwards can slip by.
    this.informer =
        client
            .pods()
            .inNamespace(TestApps.NS)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    report(pod);
                  }

                  @Override
                  public void onUpdate(Pod old, Pod pod) {}

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {}
                });
  }

  /**
   * Pods started on {@code node} from now on end in {@code phase} ({@code Pending} = never run).
   */
  void nodeReports(String node, String phase) {
    phaseByNode.put(node, phase);
  }

  private void report(Pod pod) {
    String node = pod.getMetadata().getAnnotations().get(Names.NODE_NAME);
    String phase = phaseByNode.getOrDefault(node, "Running");
    if (phase.equals("Pending")) {
      return;
    }
    Pod updated =
        new PodBuilder(pod)
            .withNewStatus()
            .withPhase(phase)
            .withReason(phase.equals("Failed") ? "CrashedOnStart" : null)
            .addNewCondition()
            .withType("Ready")
            .withStatus(phase.equals("Running") ? "True" : "False")
            .endCondition()
            .endStatus()
            .build();
    try {
      client.pods().inNamespace(TestApps.NS).resource(updated).updateStatus();
    } catch (RuntimeException e) {
      // The pod went away meanwhile.
    }
  }

  @Override
  public void close() {
    informer.close();
  }
}
