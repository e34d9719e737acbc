package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.plan.PlanLog;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.orchestration.CpuFrequencyControl;
import eu.mlsysops.orchestration.InstanceSpec;
import eu.mlsysops.orchestration.InstanceState;
import eu.mlsysops.orchestration.InstanceStatus;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.orchestration.Runtime;
import eu.mlsysops.protocol.InProcessLink;
import eu.mlsysops.protocol.Message;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runtime that starts an instance within {@code start()} (the process runtime: STARTING, then
 * RUNNING, both told to its listeners before it returns) must not make the cluster hear the
 * instance start twice: the node's state sync after the desired state already says RUNNING, and
 * the older STARTING heard afterwards is not sent.
 */
class NodeStatusOrderTest {
  @TempDir Path dir;
  private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
  private final ExecutorService workers = Executors.newFixedThreadPool(2);
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable r : resources) {
      r.close();
    }
    timers.shutdownNow();
    workers.shutdownNow();
  }

  @Test
  void anInstanceStartedAtOnceIsReportedRunningOnceAndNeverStartingAfterwards() {
    AgentEnvironment env = new AgentEnvironment(
        Clock.systemUTC(), timers, workers, events::add, PlanLog.discarding(), dir);
    ClusterSettings fast = new ClusterSettings(
        Duration.ofMillis(200), 3, Duration.ofSeconds(1), Duration.ofSeconds(10));
    InProcessLink continuumLink = InProcessLink.create(workers);
    List<Message.InstanceReport> atContinuum = new CopyOnWriteArrayList<>();
    continuumLink.parentSide().onReceive(m -> {
      if (m instanceof Message.StatusReport sr) {
        atContinuum.addAll(sr.instances());
      }
    });
    ClusterAgent cluster = new ClusterAgent(new ClusterDescriptor("c1", "c1", null,
        List.of("n1")), continuumLink.childSide(), env, fast, Placer.withDefaults());
    resources.add(cluster);
    InProcessLink nodeLink = InProcessLink.create(workers);
    cluster.attach(nodeLink.parentSide());
    NodeAgent node = new NodeAgent(node("n1"), new StartsAtOnce("n1"), CpuFrequencyControl.unavailable("no knob in this test"),
        nodeLink.childSide(), env, fast.heartbeatInterval());
    resources.add(0, node);
    cluster.start();
    node.start();
    await().atMost(15, TimeUnit.SECONDS)
        .until(() -> cluster.nodeHealth().equals(Map.of("n1", true)));

    continuumLink.parentSide()
        .send(new Message.DesiredState("continuum", 1, List.of(), List.of(app())));

    await().atMost(15, TimeUnit.SECONDS).until(() -> runningEvents() >= 1);
    // What went wrong came within milliseconds of the first; two seconds leave it ample time.
    await().during(2, TimeUnit.SECONDS).atMost(10, TimeUnit.SECONDS)
        .until(() -> runningEvents() == 1);
    List<String> states = atContinuum.stream()
        .filter(r -> r.instanceId().equals("shop/web/0")).map(Message.InstanceReport::state)
        .toList();
    assertThat(states.subList(states.indexOf("RUNNING"), states.size()))
        .as("what the continuum heard of shop/web/0 once it ran: %s", states)
        .containsOnly("RUNNING");
  }

  private long runningEvents() {
    return events.stream().filter(e -> e.kind().equals("instance")
        && e.message().startsWith("shop/web/0 running on n1")).count();
  }

  /** Starts every instance within {@code start()}, telling its listeners as it goes. */
  private static final class StartsAtOnce implements Runtime {
    private final String node;
    private final Map<String, InstanceStatus> instances = new ConcurrentHashMap<>();
    private final List<Consumer<InstanceStatus>> listeners = new CopyOnWriteArrayList<>();

    StartsAtOnce(String node) {
      this.node = node;
    }

    @Override
    public String nodeName() {
      return node;
    }

    @Override
    public synchronized CompletionStage<InstanceStatus> start(InstanceSpec spec) {
      InstanceStatus existing = instances.get(spec.instanceId());
      if (existing != null && !existing.state().isTerminal()) {
        return CompletableFuture.completedFuture(existing);
      }
      change(spec, InstanceState.STARTING, "starting");
      return CompletableFuture.completedFuture(change(spec, InstanceState.RUNNING, "running"));
    }

    private InstanceStatus change(InstanceSpec spec, InstanceState state, String reason) {
      InstanceStatus s = new InstanceStatus(spec.instanceId(), spec.app(), spec.componentName(),
          node, state, reason, System.currentTimeMillis());
      instances.put(spec.instanceId(), s);
      listeners.forEach(l -> l.accept(s));
      return s;
    }

    @Override
    public synchronized CompletionStage<Void> stop(String instanceId) {
      instances.computeIfPresent(instanceId, (id, s) -> new InstanceStatus(id, s.app(),
          s.component(), node, InstanceState.STOPPED, "stopped", System.currentTimeMillis()));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public List<InstanceStatus> instances() {
      return List.copyOf(instances.values());
    }

    @Override
    public void onStatusChange(Consumer<InstanceStatus> listener) {
      listeners.add(listener);
    }
  }

  private static NodeDescriptor node(String name) {
    return (NodeDescriptor) Descriptors.parse("""
        MLSysOpsNode:
          name: %s
          cluster_id: c1
          continuum_layer: edge
          environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
          hardware: {cpu: {architecture: amd64, cores: 4, frequency: [1.0, 2.0]}, memory: 4}
        """.formatted(name), "node", ParseOptions.DEFAULT).descriptors().get(0);
  }

  private static AppDescriptor app() {
    return Descriptors.parseApp("""
        MLSysOpsApp:
          name: shop
          components:
            - metadata: {name: web}
              containers:
                - image: web:1
                  platform_requirements:
                    cpu: {requests: "250m"}
        """);
  }
}
