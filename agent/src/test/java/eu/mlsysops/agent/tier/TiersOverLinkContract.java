package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.plan.PlanLog;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.orchestration.InstanceStatus;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.orchestration.Simulation;
import eu.mlsysops.protocol.InProcessLink;
import eu.mlsysops.protocol.Link;
import eu.mlsysops.protocol.Message;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster agent and a node agent joined by the link under test, with the same expectations
 * whether the link is in-process ({@code TiersOverInProcessLinkTest}) or gRPC with mutual TLS
 * ({@code TiersOverGrpcLinkTest}): the node registers, runs what the cluster places on it, and
 * after the link is cut and restored re-registers with what it runs, so both sides agree again
 * without a second instance.
 */
abstract class TiersOverLinkContract {
  /** A node link under test: the cluster side arrives through {@code attach}, perhaps again. */
  interface NodeLink extends AutoCloseable {
    Link child();

    /** Cuts the link; returns once the child sees it down. */
    void cut();

    /** Restores it; returns once the child sees it up. */
    void restore();

    @Override
    void close();
  }

  /** Connects a child to a parent that receives each (re)attached parent side in {@code attach}. */
  abstract NodeLink connect(Consumer<Link> attach, Path dir) throws Exception;

  /**
   * Whether the node is in another process over this link: the cluster then relays telemetry
   * queries of the node tier to it (in one process the node's store is read directly instead).
   */
  abstract boolean nodeInAnotherProcess();

  static final ClusterSettings FAST =
      new ClusterSettings(
          Duration.ofMillis(200), 3, Duration.ofSeconds(1), Duration.ofSeconds(10));

  @TempDir Path dir;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private ScheduledExecutorService timers;
  private ExecutorService workers;
  private AgentEnvironment env;
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>();

  @BeforeEach
  void environment() {
    timers = Executors.newScheduledThreadPool(2);
    workers = Executors.newFixedThreadPool(2);
    env =
        new AgentEnvironment(
            Clock.systemUTC(), timers, workers, events::add, PlanLog.discarding(), dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    while (!resources.isEmpty()) {
      resources.pop().close();
    }
    timers.shutdownNow();
    workers.shutdownNow();
  }

  private static NodeDescriptor node(String name) {
    return (NodeDescriptor)
        Descriptors.parse(
                """
MLSysOpsNode:
  name: %s
  cluster_id: c1
  continuum_layer: edge
  environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
  hardware: {cpu: {architecture: amd64, cores: 4, frequency: [1.0, 2.0]}, memory: 4}
"""
                    .formatted(name),
                "node",
                ParseOptions.DEFAULT)
            .descriptors()
            .get(0);
  }

  private static AppDescriptor app() {
    return Descriptors.parseApp(
        """
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

  /** A cluster agent (its uplink's far side in {@code atContinuum}) and one node agent. */
  private record Tiers(ClusterAgent cluster, NodeAgent node, NodeLink link, Simulation sim,
      InProcessLink continuumLink, List<Message> atContinuum) {}

  /**
   * Starts a cluster and a node joined by the link under test; {@code beforeStart} runs on both
   * agents before they start (listeners that must see the first messages).
   */
  private Tiers tiers(java.util.function.BiConsumer<ClusterAgent, NodeAgent> beforeStart)
      throws Exception {
    InProcessLink continuumLink = InProcessLink.create(workers);
    List<Message> atContinuum = new CopyOnWriteArrayList<>();
    continuumLink.parentSide().onReceive(atContinuum::add);
    ClusterAgent cluster =
        new ClusterAgent(new ClusterDescriptor("c1", "c1", null, List.of("n1")),
            continuumLink.childSide(), env, FAST, Placer.withDefaults());
    resources.push(cluster);
    NodeLink link = connect(cluster::attach, dir);
    resources.push(link);
    Simulation sim = Simulation.builder().build();
    sim.addNode(node("n1"));
    var tick = sim.start(timers, Duration.ofMillis(50));
    resources.push(() -> tick.cancel(false));
    NodeAgent agent =
        new NodeAgent(node("n1"), sim.runtime("n1"), sim.frequencyControl("n1"), link.child(),
            env, FAST.heartbeatInterval());
    resources.push(agent);
    beforeStart.accept(cluster, agent);
    cluster.start();
    agent.start();
    await().atMost(15, TimeUnit.SECONDS)
        .until(() -> cluster.nodeHealth().equals(java.util.Map.of("n1", true)));
    return new Tiers(cluster, agent, link, sim, continuumLink, atContinuum);
  }

  @Test
  void controlGoesDownThroughTheClusterAndANodeThatWasCutOffCatchesUp() throws Exception {
    List<Message.Control> atCluster = new CopyOnWriteArrayList<>();
    List<Message.Control> atNode = new CopyOnWriteArrayList<>();
    Tiers t = tiers((cluster, agent) -> {
      cluster.onControl(atCluster::add);
      agent.onControl(c -> {
        atNode.add(c);
        agent.sendUp(new Message.ControlReport("n1", "n1", Message.Tier.NODE, c.digest(),
            java.util.Map.of()));
      });
    });
    InProcessLink continuumLink = t.continuumLink();
    List<Message> atContinuum = t.atContinuum();
    NodeLink link = t.link();

    Message.Control first = new Message.Control("continuum", "d1", "ml", List.of());
    continuumLink.parentSide().send(first);

    await().atMost(15, TimeUnit.SECONDS).until(() -> !atNode.isEmpty());
    assertThat(atCluster).containsExactly(first);
    assertThat(atNode.get(0).digest()).isEqualTo("d1");
    assertThat(atNode.get(0).from()).isEqualTo("c1");
    // The node's report reaches the continuum under the cluster's name, naming the node.
    await().atMost(15, TimeUnit.SECONDS).until(() -> atContinuum.stream().anyMatch(m ->
        m instanceof Message.ControlReport r && r.agent().equals("n1") && r.from().equals("c1")
            && r.digest().equals("d1")));

    link.cut();
    continuumLink.parentSide().send(new Message.Control("continuum", "d2", "heuristic",
        List.of()));
    await().atMost(15, TimeUnit.SECONDS).until(() -> atCluster.size() == 2);
    link.restore();

    // Re-registering, the node gets the set it missed.
    await().atMost(15, TimeUnit.SECONDS)
        .until(() -> atNode.stream().anyMatch(c -> c.digest().equals("d2")));
    await().atMost(15, TimeUnit.SECONDS).until(() -> atContinuum.stream().anyMatch(m ->
        m instanceof Message.ControlReport r && r.agent().equals("n1")
            && r.digest().equals("d2")));
  }

  @Test
  void aNodesPlanRecordsReachTheContinuumThroughItsCluster() throws Exception {
    Tiers t = tiers((cluster, agent) -> { });
    NodeAgent agent = t.node();
    List<Message> atContinuum = t.atContinuum();
    var uplink = new eu.mlsysops.agent.control.RecordUplink("n1", 7, 100, agent::sendUp,
        agent::uplinkConnected);

    uplink.teeing(e -> {}).publish(new AgentEvent(3, "n1", "instance", "shop/web/0 running"));
    uplink.flush();

    await().atMost(15, TimeUnit.SECONDS).until(() -> atContinuum.stream().anyMatch(m ->
        m instanceof Message.Records r && r.from().equals("c1") && r.origin().equals("n1")
            && r.incarnation() == 7 && r.seq() == 1
            && r.events().equals(List.of(new Message.Event(3, "n1", "instance",
                "shop/web/0 running")))));
  }

  /** A cluster policy that answers every relocation request by re-stating the instance count. */
  static final class AnswersRequests
      implements eu.mlsysops.agent.Policy<eu.mlsysops.agent.PolicyView.Request> {
    @Override
    public eu.mlsysops.agent.PolicyContext initialize() {
      return eu.mlsysops.agent.PolicyContext.builder("answers-requests")
          .analyzeInterval(Duration.ofMillis(200)).mode(eu.mlsysops.agent.PolicyContext.Mode.ANY)
          .build();
    }

    @Override
    public java.util.Optional<eu.mlsysops.agent.PolicyView.Request> analyze(
        eu.mlsysops.agent.PolicyView view) {
      return view.requests().stream().findFirst();
    }

    @Override
    public eu.mlsysops.agent.Plan plan(eu.mlsysops.agent.PolicyView view,
        eu.mlsysops.agent.PolicyView.Request r) {
      return eu.mlsysops.agent.Plan.of(
          eu.mlsysops.agent.Command.of("placement", "scale", "app", r.args().get("app"),
              "component", r.args().get("component"), "instances", "1"),
          "answering " + r.from() + " (" + r.policy() + ": " + r.explanation() + ")",
          java.util.Map.of(eu.mlsysops.agent.PolicyView.Request.INPUT, r.id()));
    }
  }

  @Test
  void aNodePlanForTheClustersMechanismIsForwardedAndEndsAsTheClustersPlanEnds()
      throws Exception {
    List<eu.mlsysops.agent.plan.PlanRecord> atCluster = new CopyOnWriteArrayList<>();
    List<eu.mlsysops.agent.plan.PlanRecord> atNode = new CopyOnWriteArrayList<>();
    Tiers t = tiers((cluster, agent) -> {
      cluster.scheduler().onTransition(atCluster::add);
      agent.scheduler().onTransition(atNode::add);
    });
    ClusterAgent cluster = t.cluster();
    NodeAgent agent = t.node();
    Simulation sim = t.sim();
    InProcessLink continuumLink = t.continuumLink();
    continuumLink.parentSide()
        .send(new Message.DesiredState("continuum", 1, List.of(), List.of(app())));
    await().atMost(15, TimeUnit.SECONDS).until(() -> running(sim).equals(List.of("shop/web/0")));
    cluster.engine().add(AnswersRequests::new, "test");

    agent.scheduler().submit(new eu.mlsysops.agent.plan.PlanRequest("ask-1", "node-test", "shop",
        false, eu.mlsysops.agent.Plan.of(eu.mlsysops.agent.Command.of("placement", "relocate",
            "app", "shop", "component", "web", "slot", "0"), "too slow here", java.util.Map.of())));

    await().atMost(20, TimeUnit.SECONDS).until(() -> atNode.stream().anyMatch(r ->
        r.id().equals("ask-1") && r.status().isTerminal()));
    eu.mlsysops.agent.plan.PlanRecord ended = atNode.stream()
        .filter(r -> r.id().equals("ask-1") && r.status().isTerminal()).findFirst().orElseThrow();
    assertThat(ended.status()).isEqualTo(eu.mlsysops.agent.plan.PlanStatus.COMPLETED);
    assertThat(ended.reason()).startsWith("cluster c1: answers-requests completed");
    eu.mlsysops.agent.plan.PlanRecord answer = atCluster.stream()
        .filter(r -> r.policy().equals("answers-requests")).findFirst().orElseThrow();
    assertThat(answer.explanation()).isEqualTo("answering n1 (node-test: too slow here)");
    assertThat(events).anyMatch(e -> e.kind().equals("request")
        && e.message().startsWith("node n1 asks for placement relocate"));
  }

  @Test
  void aNodeRunsWhatItsClusterPlacesAndResynchronisesAfterACut() throws Exception {
    InProcessLink continuumLink = InProcessLink.create(workers);
    List<Message> atContinuum = new CopyOnWriteArrayList<>();
    continuumLink.parentSide().onReceive(atContinuum::add);
    ClusterAgent cluster =
        new ClusterAgent(
            new ClusterDescriptor("c1", "c1", null, List.of("n1")),
            continuumLink.childSide(),
            env,
            FAST,
            Placer.withDefaults());
    resources.push(cluster);
    cluster.start();
    List<Link> attached = new CopyOnWriteArrayList<>();
    NodeLink link =
        connect(
            l -> {
              attached.add(l);
              cluster.attach(l);
            },
            dir);
    resources.push(link);

    Simulation sim = Simulation.builder().build();
    sim.addNode(node("n1"));
    var tick = sim.start(timers, Duration.ofMillis(50));
    resources.push(() -> tick.cancel(false));
    NodeAgent agent =
        new NodeAgent(
            node("n1"),
            sim.runtime("n1"),
            sim.frequencyControl("n1"),
            link.child(),
            env,
            FAST.heartbeatInterval());
    resources.push(agent);
    agent.start();
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> cluster.nodeHealth().equals(java.util.Map.of("n1", true)));

    continuumLink
        .parentSide()
        .send(new Message.DesiredState("continuum", 1, List.of(), List.of(app())));
    await().atMost(10, TimeUnit.SECONDS).until(() -> running(sim).equals(List.of("shop/web/0")));

    link.cut();
    link.restore();
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                events.stream()
                    .anyMatch(
                        e ->
                            e.message().equals("node n1 re-registered")
                                || e.message().equals("node n1 is back")));
    // Re-registration carries what the node runs; the cluster answers with the same desired
    // state, so the node keeps its instance and the continuum hears it still runs.
    int before = atContinuum.size();
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                atContinuum.stream()
                    .skip(before)
                    .anyMatch(
                        m ->
                            m instanceof Message.StatusReport sr
                                && sr.full()
                                && sr.instances().stream()
                                    .anyMatch(
                                        r ->
                                            r.instanceId().equals("shop/web/0")
                                                && r.state().equals("RUNNING"))));
    assertThat(cluster.nodeHealth()).containsEntry("n1", true);
    assertThat(running(sim)).containsExactly("shop/web/0");
    assertThat(sim.runtime("n1").instances()).hasSize(1);
  }

  private static List<String> running(Simulation sim) {
    return sim.runtime("n1").instances().stream()
        .filter(s -> s.state().name().equals("RUNNING"))
        .map(InstanceStatus::instanceId)
        .toList();
  }

  /** Asks the cluster over its uplink, as the continuum does, and waits for the answer. */
  private static Message.SeriesAnswer ask(Tiers t, Message.Tier tier, String metric) {
    String id = java.util.UUID.randomUUID().toString();
    t.continuumLink().parentSide().send(new Message.SeriesQuery("continuum", id, tier, metric,
        List.of(new Message.SeriesMatcher("node", Message.MatchOp.EQUAL, "n1")),
        System.currentTimeMillis() - 60_000, Long.MAX_VALUE, false, 10_000));
    return await().atMost(15, TimeUnit.SECONDS).until(() -> t.atContinuum().stream()
        .filter(m -> m instanceof Message.SeriesAnswer a && a.queryId().equals(id))
        .map(m -> (Message.SeriesAnswer) m).findFirst().orElse(null), a -> a != null);
  }

  @Test
  void telemetryQueriesAreAnsweredByTheClusterAndRelayedToNodesInOtherProcesses()
      throws Exception {
    Tiers t = tiers((cluster, agent) -> { });
    // The cluster's own store: its per-node summaries, once the node has exported some.
    Message.SeriesAnswer own = await().atMost(30, TimeUnit.SECONDS).until(() -> {
      t.node().ingest(new eu.mlsysops.telemetry.Sample("node_cpu_utilization",
          eu.mlsysops.telemetry.Labels.of("node", "n1"), System.currentTimeMillis(), 0.5));
      return ask(t, Message.Tier.CLUSTER, "node_cpu_utilization");
    }, a -> !a.series().isEmpty());
    assertThat(own.from()).isEqualTo("c1");
    assertThat(own.series()).allSatisfy(d -> assertThat(d.labels()).containsEntry("node", "n1"));

    Message.SeriesAnswer nodes = ask(t, Message.Tier.NODE, "node_cpu_utilization");
    assertThat(nodes.error()).isNull();
    assertThat(nodes.warnings()).isEmpty();
    if (nodeInAnotherProcess()) {
      assertThat(nodes.series()).isNotEmpty()
          .allSatisfy(d -> assertThat(d.labels()).containsEntry("node", "n1"));
      // Cut off, the node is named as missing rather than silently left out.
      t.link().cut();
      await().atMost(15, TimeUnit.SECONDS)
          .until(() -> ask(t, Message.Tier.NODE, "node_cpu_utilization").warnings(),
              w -> w.stream().anyMatch(x -> x.startsWith("n1 ")));
      t.link().restore();
    } else {
      assertThat(nodes.series()).isEmpty();
    }
    // Without a metric: the names of the metrics.
    assertThat(ask(t, Message.Tier.CLUSTER, null).names()).contains("node_cpu_utilization");
  }
}
