package eu.mlsysops.kubernetes;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.MechanismProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The {@code fluidity} mechanism as a plug-in: a cluster agent configured with {@code mechanisms:
 * [placement, fluidity]} drives Kubernetes itself (pods pinned to nodes, moves, spec changes),
 * without node agents. The API server is found as {@code kubectl} finds it (fabric8's
 * auto-configuration: {@code KUBERNETES_MASTER} or {@code -Dkubernetes.master}, the kubeconfig,
 * or the pod's service account), and must answer at start.
 */
public final class FluidityProvider implements MechanismProvider {
  /** How long a new pod may take to become ready before an action gives up (retriably). */
  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  @Override
  public String name() {
    return KubernetesMechanism.NAME;
  }

  @Override
  public Set<String> tiers() {
    return Set.of("cluster");
  }

  @Override
  public Mechanism create(Context context) {
    KubernetesClient client = new KubernetesClientBuilder().build();
    try {
      client.nodes().list(); // fail now, with the reason, rather than at the first plan
    } catch (KubernetesClientException e) {
      String master = client.getConfiguration().getMasterUrl();
      client.close();
      throw new IllegalStateException("cannot reach the Kubernetes API server at " + master + ": "
          + e.getMessage(), e);
    }
    KubernetesWorkloads workloads =
        KubernetesWorkloads.builder(client).clock(context.clock()).build().start();
    return new Closing(new KubernetesMechanism(workloads, context.apps(), READY_TIMEOUT,
        context.clock()), workloads, client);
  }

  /** The mechanism, closing its informers and client with the agent. */
  private record Closing(KubernetesMechanism delegate, KubernetesWorkloads workloads,
      KubernetesClient client) implements Mechanism, AutoCloseable {
    @Override
    public String name() {
      return delegate.name();
    }

    @Override
    public Map<String, Object> options() {
      return delegate.options();
    }

    @Override
    public Map<String, Object> state() {
      return delegate.state();
    }

    @Override
    public boolean exclusive() {
      return delegate.exclusive();
    }

    @Override
    public String conflictKey(Command c) {
      return delegate.conflictKey(c);
    }

    @Override
    public CompletionStage<ApplyResult> apply(Command c) {
      return delegate.apply(c);
    }

    @Override
    public void close() {
      workloads.close();
      client.close();
    }
  }
}
