package eu.mlsysops.kubernetes;

import eu.mlsysops.orchestration.InstanceSpec;
import eu.mlsysops.orchestration.InstanceState;
import eu.mlsysops.orchestration.InstanceStatus;
import eu.mlsysops.orchestration.process.TelemetryEndpoint;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The component instances MLSysOps runs in one Kubernetes namespace: creates and deletes their pods
 * and Services, watches the pods and their nodes with informers and turns what it sees into {@link
 * InstanceStatus} changes. {@link #runtime(String)} gives the per-node {@link
 * eu.mlsysops.orchestration.Runtime} view a node agent uses; {@link KubernetesMechanism} uses it
 * cluster-wide.
 *
 * <p>Everything it needs to know survives a restart of the agent: the instance id, app, component
 * and node are annotations of the pod, and the informers' first listing reports the instances that
 * already run.
 */
public final class KubernetesWorkloads implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesWorkloads.class);
  private static final int TERMINAL_HISTORY = 256;

  private final KubernetesClient client;
  private final String namespace;
  private final String onlyNode;
  private final Clock clock;
  private final Supplier<TelemetryEndpoint> telemetry;
  private final PodSpecs specs;
  private final ExecutorService executor;
  private final List<Consumer<InstanceStatus>> listeners = new CopyOnWriteArrayList<>();
  private final Map<String, Node> nodes = new ConcurrentHashMap<>();
  private final Map<String, Object> componentLocks = new ConcurrentHashMap<>();
  // Guarded by this.
  private final Map<String, Tracked> tracked = new LinkedHashMap<>();
  private final Map<String, List<CompletableFuture<InstanceStatus>>> waiters =
      new LinkedHashMap<>();
  private final Map<String, CompletableFuture<InstanceStatus>> starting = new LinkedHashMap<>();
  private SharedIndexInformer<Pod> podInformer;
  private SharedIndexInformer<Node> nodeInformer;

  private static final class Tracked {
    final String instanceId;
    String app;
    String component;
    String node;
    Pod pod;
    boolean stopping;
    InstanceStatus status;

    Tracked(String instanceId) {
      this.instanceId = instanceId;
    }
  }

  private KubernetesWorkloads(Builder b) {
    this.client = b.client;
    this.namespace = b.namespace;
    this.onlyNode = b.onlyNode;
    this.clock = b.clock;
    this.telemetry = b.telemetry;
    this.specs = new PodSpecs(b.namespace, b.pinning, b.hostnameLabel);
    AtomicInteger n = new AtomicInteger();
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "k8s-workloads-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * A builder. Defaults: namespace {@code mlsysops-apps}, {@link Pinning#NODE_AFFINITY} on {@code
   * kubernetes.io/hostname}, every node watched, the system clock.
   *
   * @param client the client; it stays the caller's to close
   */
  public static Builder builder(KubernetesClient client) {
    return new Builder(client);
  }

  /** Builds {@link KubernetesWorkloads}. */
  public static final class Builder {
    private final KubernetesClient client;
    private String namespace = "mlsysops-apps";
    private Pinning pinning = Pinning.NODE_AFFINITY;
    private String hostnameLabel = "kubernetes.io/hostname";
    private String onlyNode;
    private Clock clock = Clock.systemUTC();
    private Supplier<TelemetryEndpoint> telemetry = () -> null;

    private Builder(KubernetesClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** The namespace the components' pods and Services live in. */
    public Builder namespace(String namespace) {
      this.namespace = requireText(namespace, "namespace");
      return this;
    }

    /** How pods are tied to their node. */
    public Builder pinning(Pinning pinning) {
      this.pinning = Objects.requireNonNull(pinning, "pinning");
      return this;
    }

    /** The node label holding the node name, for {@link Pinning#NODE_SELECTOR} and affinity. */
    public Builder hostnameLabel(String label) {
      this.hostnameLabel = requireText(label, "hostnameLabel");
      return this;
    }

    /**
     * Watch only the pods of one node and that node (a node agent's view); by default everything in
     * the namespace and every node is watched (a cluster agent's view).
     */
    public Builder onlyNode(String node) {
      this.onlyNode = requireText(node, "onlyNode");
      return this;
    }

    /** The clock that stamps status changes. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where the pods send OpenTelemetry data: the node agent's OTLP receivers. A loopback or
     * wildcard host becomes the pod's host IP (the DaemonSet's hostPorts). When it answers null,
     * the instance's own {@code OTEL_*} variables stay as given.
     */
    public Builder telemetry(Supplier<TelemetryEndpoint> telemetry) {
      this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
      return this;
    }

    /** Builds; call {@link KubernetesWorkloads#start()} before use. */
    public KubernetesWorkloads build() {
      return new KubernetesWorkloads(this);
    }

    private static String requireText(String s, String field) {
      if (s == null || s.isBlank()) {
        throw new IllegalArgumentException(field + ": must not be empty");
      }
      return s;
    }
  }

  /** Starts the informers and waits until they have listed what exists. */
  public synchronized KubernetesWorkloads start() {
    if (podInformer != null) {
      return this;
    }
    var nodeOps = client.nodes();
    nodeInformer =
        (onlyNode == null ? nodeOps : nodeOps.withField("metadata.name", onlyNode))
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Node n) {
                    onNode(n, false);
                  }

                  @Override
                  public void onUpdate(Node old, Node n) {
                    onNode(n, false);
                  }

                  @Override
                  public void onDelete(Node n, boolean unknownFinalState) {
                    onNode(n, true);
                  }
                });
    var podOps = client.pods().inNamespace(namespace).withLabel(Names.MANAGED_BY, Names.MANAGER);
    podInformer =
        (onlyNode == null ? podOps : podOps.withLabel(Names.NODE, Names.labelValue(onlyNode)))
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod p) {
                    onPod(p, false);
                  }

                  @Override
                  public void onUpdate(Pod old, Pod p) {
                    onPod(p, false);
                  }

                  @Override
                  public void onDelete(Pod p, boolean unknownFinalState) {
                    onPod(p, true);
                  }
                });
    return this;
  }

  /** The namespace the pods live in. */
  public String namespace() {
    return namespace;
  }

  /** The {@link eu.mlsysops.orchestration.Runtime} of one node. */
  public KubernetesRuntime runtime(String node) {
    return new KubernetesRuntime(this, node);
  }

  /** Registers a listener told about every state change of every instance. */
  public void onStatusChange(Consumer<InstanceStatus> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Every known instance, in any state. */
  public synchronized List<InstanceStatus> instances() {
    List<InstanceStatus> out = new ArrayList<>();
    for (Tracked t : tracked.values()) {
      if (t.status != null) {
        out.add(t.status);
      }
    }
    return out;
  }

  /** The status of one instance, if known. */
  public synchronized Optional<InstanceStatus> status(String instanceId) {
    Tracked t = tracked.get(instanceId);
    return t == null ? Optional.empty() : Optional.ofNullable(t.status);
  }

  /**
   * Creates the instance's pod on a node (and its component's Service). Idempotent by instance id:
   * an instance whose pod exists and is not terminal completes with its status. Completes once the
   * pod is accepted, with state {@code STARTING}; exceptionally when the component can't run as a
   * pod or the API server refused it.
   */
  public CompletionStage<InstanceStatus> start(InstanceSpec spec, String node) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(node, "node");
    // A node agent may ask again before the first start finished: both get the same outcome.
    synchronized (this) {
      CompletableFuture<InstanceStatus> inFlight = starting.get(spec.instanceId());
      if (inFlight != null) {
        return inFlight.copy();
      }
      CompletableFuture<InstanceStatus> f = new CompletableFuture<>();
      starting.put(spec.instanceId(), f);
      executor.execute(
          () -> {
            try {
              f.complete(doStart(spec, node));
            } catch (RuntimeException e) {
              f.completeExceptionally(e);
            } finally {
              synchronized (this) {
                starting.remove(spec.instanceId(), f);
              }
            }
          });
      return f.copy();
    }
  }

  private InstanceSpec withTelemetry(InstanceSpec spec, String node) {
    TelemetryEndpoint t = telemetry.get();
    if (t == null) {
      return spec;
    }
    Map<String, String> env = new LinkedHashMap<>(spec.env());
    // With tokens, the pod's own (in its spec's env: readable by whoever may read the pod).
    env.putAll(t.environment(node, spec.app(), spec.componentName(), spec.instanceId()));
    return new InstanceSpec(spec.app(), spec.instanceId(), spec.component(), env);
  }

  private InstanceStatus doStart(InstanceSpec spec, String node) {
    Pod desired = specs.pod(withTelemetry(spec, node), node);
    String name = desired.getMetadata().getName();
    var resource = client.pods().inNamespace(namespace).withName(name);
    Pod existing = resource.get();
    if (existing != null) {
      InstanceStatus now = observeOwn(existing);
      if (existing.getMetadata().getDeletionTimestamp() == null && !now.state().isTerminal()) {
        return now;
      }
      // A failed or completed pod of the same id: replace it once it is gone.
      resource.withGracePeriod(0).delete();
      resource.waitUntilCondition(Objects::isNull, 30, TimeUnit.SECONDS);
    }
    // The Service and the pod go together: a concurrent stop of the component's last other pod
    // must not delete the Service between the two.
    synchronized (componentLock(spec.app(), spec.componentName())) {
      specs
          .service(spec.app(), spec.component())
          .ifPresent(
              svc ->
                  client
                      .services()
                      .inNamespace(namespace)
                      .resource(svc)
                      .createOr(NonDeletingOperation::update));
      synchronized (this) {
        Tracked t = tracked.computeIfAbsent(spec.instanceId(), Tracked::new);
        t.stopping = false;
      }
      Pod created;
      try {
        created = client.pods().inNamespace(namespace).resource(desired).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        // Someone (a concurrent start of the same instance) created it first: that pod is ours.
        Pod other = resource.get();
        if (other != null && other.getMetadata().getDeletionTimestamp() == null) {
          InstanceStatus now = observeOwn(other);
          if (!now.state().isTerminal()) {
            return now;
          }
        }
        throw new IllegalStateException(
            "pod " + name + " of " + spec.instanceId() + " still exists (being deleted); retry", e);
      }
      return observeOwn(created);
    }
  }

  /**
   * Deletes an instance's pod; its status becomes {@code STOPPED}. The component's Service goes
   * when its last pod does. Stopping an unknown or stopped instance completes normally.
   */
  public CompletionStage<Void> stop(String instanceId) {
    Objects.requireNonNull(instanceId, "instanceId");
    return CompletableFuture.runAsync(() -> doStop(instanceId), executor);
  }

  private void doStop(String instanceId) {
    String app;
    String component;
    synchronized (this) {
      Tracked t = tracked.computeIfAbsent(instanceId, Tracked::new);
      t.stopping = true;
      app = t.app;
      component = t.component;
    }
    client.pods().inNamespace(namespace).withName(PodSpecs.podName(instanceId)).delete();
    InstanceStatus stopped = null;
    synchronized (this) {
      Tracked t = tracked.get(instanceId);
      if (t != null && t.status != null && t.status.state() != InstanceState.STOPPED) {
        stopped = change(t, InstanceState.STOPPED, "stopped by MLSysOps");
      } else if (t != null && t.status == null) {
        tracked.remove(instanceId);
      }
    }
    publish(stopped);
    if (app != null && component != null) {
      synchronized (componentLock(app, component)) {
        deleteServiceIfUnused(app, component);
      }
    }
  }

  private void deleteServiceIfUnused(String app, String component) {
    boolean used =
        client
            .pods()
            .inNamespace(namespace)
            .withLabels(PodSpecs.componentSelector(app, component))
            .list()
            .getItems()
            .stream()
            .anyMatch(p -> p.getMetadata().getDeletionTimestamp() == null && !isStopping(p));
    if (!used) {
      client
          .services()
          .inNamespace(namespace)
          .withName(PodSpecs.serviceName(app, component))
          .delete();
    }
  }

  private Object componentLock(String app, String component) {
    return componentLocks.computeIfAbsent(app + "/" + component, k -> new Object());
  }

  private synchronized boolean isStopping(Pod p) {
    Tracked t = tracked.get(instanceIdOf(p));
    return t != null && t.stopping;
  }

  /**
   * Completes with the instance's status once it is {@code RUNNING}; exceptionally when it ends
   * {@code FAILED} or {@code STOPPED} first ({@link IllegalStateException} with the reason) or when
   * the timeout passes ({@link TimeoutException}).
   */
  public CompletionStage<InstanceStatus> awaitRunning(String instanceId, Duration timeout) {
    CompletableFuture<InstanceStatus> f = new CompletableFuture<>();
    synchronized (this) {
      Tracked t = tracked.get(instanceId);
      InstanceStatus s = t == null ? null : t.status;
      if (s != null && settle(f, s)) {
        return f;
      }
      waiters.computeIfAbsent(instanceId, k -> new ArrayList<>()).add(f);
    }
    return f.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (s, e) -> {
              synchronized (this) {
                List<CompletableFuture<InstanceStatus>> l = waiters.get(instanceId);
                if (l != null) {
                  l.remove(f);
                  if (l.isEmpty()) {
                    waiters.remove(instanceId);
                  }
                }
              }
            });
  }

  private static boolean settle(CompletableFuture<InstanceStatus> f, InstanceStatus s) {
    if (s.state() == InstanceState.RUNNING) {
      return f.complete(s);
    }
    if (s.state().isTerminal()) {
      return f.completeExceptionally(
          new IllegalStateException(s.instanceId() + " is " + s.state() + ": " + s.reason()));
    }
    return false;
  }

  private void onNode(Node n, boolean deleted) {
    String name = n.getMetadata().getName();
    Node before = deleted ? nodes.remove(name) : nodes.put(name, n);
    boolean readyBefore = before == null || PodStates.nodeReady(before);
    boolean readyNow = deleted || PodStates.nodeReady(n);
    if (readyBefore == readyNow && !(deleted && before != null)) {
      return;
    }
    LOG.info("node {} is {}", name, deleted ? "gone" : readyNow ? "Ready" : "NotReady");
    List<Pod> pods = new ArrayList<>();
    synchronized (this) {
      for (Tracked t : tracked.values()) {
        if (name.equals(t.node) && t.pod != null) {
          pods.add(t.pod);
        }
      }
    }
    for (Pod p : pods) {
      onPod(p, false);
    }
  }

  private void onPod(Pod p, boolean deleted) {
    try {
      observe(p, deleted, false);
    } catch (RuntimeException e) {
      LOG.warn("cannot interpret pod {}: {}", p.getMetadata().getName(), e.toString());
    }
  }

  /**
   * What a pod this agent just read or created says, unless the informer already reported that
   * pod: its word is newer (a kubelet may report the pod running before {@code create} returns),
   * and this copy must not set the instance back to starting for good.
   */
  private InstanceStatus observeOwn(Pod p) {
    return observe(p, false, true);
  }

  /** Records what a pod says about its instance and tells listeners when the state changed. */
  private InstanceStatus observe(Pod p, boolean deleted, boolean own) {
    String id = instanceIdOf(p);
    Map<String, String> a = p.getMetadata().getAnnotations();
    String node = a.get(Names.NODE_NAME);
    PodStates.Observed o;
    InstanceStatus changed;
    InstanceStatus now;
    synchronized (this) {
      Tracked t = tracked.computeIfAbsent(id, Tracked::new);
      if (own && t.pod != null && t.status != null
          && Objects.equals(t.pod.getMetadata().getUid(), p.getMetadata().getUid())) {
        return t.status;
      }
      t.app = a.get(Names.APP_NAME);
      t.component = a.get(Names.COMPONENT_NAME);
      t.node = node;
      t.pod = deleted ? null : p;
      if (t.stopping) {
        o = new PodStates.Observed(InstanceState.STOPPED, "stopped by MLSysOps");
      } else if (deleted) {
        o =
            new PodStates.Observed(
                InstanceState.FAILED, "pod deleted outside MLSysOps (eviction, drain or by hand)");
      } else if (p.getMetadata().getDeletionTimestamp() != null) {
        o =
            new PodStates.Observed(
                InstanceState.FAILED,
                "pod terminating outside MLSysOps (eviction, drain or by hand)");
      } else {
        o = PodStates.of(p, node == null ? null : nodes.get(node));
      }
      changed = change(t, o.state(), o.reason());
      now = t.status;
    }
    publish(changed);
    return now;
  }

  /** Sets a new status if state or reason differ; returns it, or null when nothing changed. */
  private InstanceStatus change(Tracked t, InstanceState state, String reason) {
    if (t.status != null && t.status.state() == state && t.status.reason().equals(reason)) {
      return null;
    }
    t.status =
        new InstanceStatus(t.instanceId, t.app, t.component, t.node, state, reason, clock.millis());
    if (state.isTerminal()) {
      forgetOldTerminal();
    }
    return t.status;
  }

  private void forgetOldTerminal() {
    int terminal = 0;
    for (Tracked t : tracked.values()) {
      if (t.status != null && t.status.state().isTerminal()) {
        terminal++;
      }
    }
    Iterator<Tracked> it = tracked.values().iterator();
    while (terminal > TERMINAL_HISTORY && it.hasNext()) {
      Tracked t = it.next();
      if (t.status != null && t.status.state().isTerminal() && t.pod == null) {
        it.remove();
        terminal--;
      }
    }
  }

  private void publish(InstanceStatus s) {
    if (s == null) {
      return;
    }
    List<CompletableFuture<InstanceStatus>> ws;
    synchronized (this) {
      List<CompletableFuture<InstanceStatus>> l = waiters.get(s.instanceId());
      ws = l == null ? List.of() : List.copyOf(l);
    }
    for (CompletableFuture<InstanceStatus> f : ws) {
      settle(f, s);
    }
    for (Consumer<InstanceStatus> l : listeners) {
      try {
        l.accept(s);
      } catch (RuntimeException e) {
        LOG.warn("instance status listener failed on {}: {}", s.instanceId(), e.toString());
      }
    }
  }

  static String instanceIdOf(Pod p) {
    Map<String, String> a = p.getMetadata().getAnnotations();
    String id = a == null ? null : a.get(Names.INSTANCE_ID);
    return id != null ? id : p.getMetadata().getName();
  }

  /** The component's Service as it is now, if any (for tests and diagnostics). */
  Optional<Service> service(String app, String component) {
    return Optional.ofNullable(
        client
            .services()
            .inNamespace(namespace)
            .withName(PodSpecs.serviceName(app, component))
            .get());
  }

  @Override
  public synchronized void close() {
    if (podInformer != null) {
      podInformer.close();
      nodeInformer.close();
    }
    executor.shutdownNow();
  }
}
