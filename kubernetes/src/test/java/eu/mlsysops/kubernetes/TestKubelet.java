package eu.mlsysops.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays the kubelets against the mock API server (which has none): a new pod gets the phase its
 * node is set to report, {@code Running} and Ready by default.
 */
final class TestKubelet implements AutoCloseable {
  private final KubernetesClient client;
  private final Map<String, String> phaseByNode = new ConcurrentHashMap<>();
  private final Watch watch;

  TestKubelet(KubernetesClient client) {
    this.client = client;
    this.watch =
        client
            .pods()
            .inNamespace(TestApps.NS)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, Pod pod) {
                    if (action == Action.ADDED) {
                      report(pod);
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
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
    watch.close();
  }
}
