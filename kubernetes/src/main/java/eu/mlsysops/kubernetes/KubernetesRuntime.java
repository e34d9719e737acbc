package eu.mlsysops.kubernetes;

import eu.mlsysops.orchestration.InstanceSpec;
import eu.mlsysops.orchestration.InstanceStatus;
import eu.mlsysops.orchestration.Runtime;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The {@link Runtime} of one Kubernetes node: each instance is a pod pinned to the node, with its
 * component's resources, {@code runtimeClassName}, {@code restartPolicy}, {@code hostNetwork},
 * environment (field references included) and ports, and a Service per component. Pod and node
 * status come from informers (see {@code docs/kubernetes.md} for how they map to instance states).
 * Obtain one from {@link KubernetesWorkloads#runtime(String)}.
 */
public final class KubernetesRuntime implements Runtime {
  private final KubernetesWorkloads workloads;
  private final String node;

  KubernetesRuntime(KubernetesWorkloads workloads, String node) {
    this.workloads = Objects.requireNonNull(workloads, "workloads");
    if (node == null || node.isBlank()) {
      throw new IllegalArgumentException("node: must not be empty");
    }
    this.node = node;
  }

  @Override
  public String nodeName() {
    return node;
  }

  @Override
  public CompletionStage<InstanceStatus> start(InstanceSpec spec) {
    return workloads.start(spec, node);
  }

  @Override
  public CompletionStage<Void> stop(String instanceId) {
    // Only this node's instances: another node's agent owns the rest.
    return workloads
        .status(instanceId)
        .filter(s -> s.node() != null && !node.equals(s.node()))
        .<CompletionStage<Void>>map(s -> CompletableFuture.completedFuture(null))
        .orElseGet(() -> workloads.stop(instanceId));
  }

  @Override
  public List<InstanceStatus> instances() {
    return workloads.instances().stream().filter(s -> node.equals(s.node())).toList();
  }

  @Override
  public void onStatusChange(Consumer<InstanceStatus> listener) {
    Objects.requireNonNull(listener, "listener");
    workloads.onStatusChange(
        s -> {
          if (node.equals(s.node())) {
            listener.accept(s);
          }
        });
  }

  @Override
  public String toString() {
    return "KubernetesRuntime[" + node + " in " + workloads.namespace() + "]";
  }
}
