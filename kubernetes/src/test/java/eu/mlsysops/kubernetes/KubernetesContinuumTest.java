package eu.mlsysops.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.plan.SqlitePlanLog;
import eu.mlsysops.agent.tier.AgentEnvironment;
import eu.mlsysops.agent.tier.AppStatus;
import eu.mlsysops.agent.tier.ClusterAgent;
import eu.mlsysops.agent.tier.ClusterSettings;
import eu.mlsysops.agent.tier.ContinuumAgent;
import eu.mlsysops.agent.tier.Topologies;
import eu.mlsysops.agent.tier.NodeAgent;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.ContinuumDescriptor;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.orchestration.Simulation;
import eu.mlsysops.protocol.InProcessLink;
import eu.mlsysops.protocol.Message;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent tiers with node agents whose runtime is Kubernetes: the demo app goes in at the
 * continuum and comes out as pods on the chosen nodes, their status flows back up, and the
 * continuum's view is mirrored into an MLSysOpsApp and a Karmada policy.
 */
class KubernetesContinuumTest {
  @RegisterExtension final MockApiServer api = new MockApiServer();
  final KubernetesMockServer server = api.server;
  final KubernetesClient client = api.client;
  @TempDir Path dir;

  ScheduledExecutorService timers;
  ExecutorService workers;
  SqlitePlanLog planLog;
  KubernetesWorkloads workloads;
  TestKubelet kubelet;
  ContinuumAgent continuum;
  final List<ClusterAgent> clusters = new ArrayList<>();
  final List<NodeAgent> nodes = new ArrayList<>();
  final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    timers = Executors.newScheduledThreadPool(2);
    workers = Executors.newFixedThreadPool(2);
    planLog = SqlitePlanLog.open(dir.resolve("plans.db"));
    AgentEnvironment env =
        new AgentEnvironment(
            Clock.systemUTC(), timers, workers, e -> events.add(e.toString()), planLog, dir);
    kubelet = new TestKubelet(client);
    MlsysopsCrds.installMissing(client);
    workloads = KubernetesWorkloads.builder(client).namespace(TestApps.NS).build().start();

    List<Descriptor> topology = Topologies.defaultTopology();
    Placer placer = Placer.withDefaults();
    Simulation sim = Simulation.builder().build(); // only for the nodes' DVFS knob
    for (Descriptor d : topology) {
      if (d instanceof ContinuumDescriptor c) {
        continuum = new ContinuumAgent(c, env, placer);
      }
    }
    for (Descriptor d : topology) {
      if (d instanceof ClusterDescriptor c) {
        InProcessLink link = InProcessLink.create(workers);
        ClusterAgent ca =
            new ClusterAgent(c, link.childSide(), env, ClusterSettings.defaults(), placer);
        continuum.attach(link.parentSide());
        clusters.add(ca);
        for (Descriptor dn : topology) {
          if (dn instanceof NodeDescriptor n && c.nodes().contains(n.name())) {
            TestApps.node(client, n.name(), true);
            sim.addNode(n);
            InProcessLink nl = InProcessLink.create(workers);
            nodes.add(
                new NodeAgent(
                    n,
                    workloads.runtime(n.name()),
                    sim.frequencyControl(n.name()),
                    nl.childSide(),
                    env,
                    Duration.ofSeconds(1)));
            ca.attach(nl.parentSide());
          }
        }
      }
    }
    continuum.start();
    clusters.forEach(ClusterAgent::start);
    nodes.forEach(NodeAgent::start);
  }

  @AfterEach
  void stop() {
    nodes.forEach(NodeAgent::close);
    clusters.forEach(ClusterAgent::close);
    continuum.close();
    workloads.close();
    kubelet.close();
    timers.shutdownNow();
    workers.shutdownNow();
    planLog.close();
  }

  @Test
  void demoAppRunsAsPodsOnTheChosenNodesAndIsMirrored() throws Exception {
    AppDescriptor app =
        Descriptors.parseApp(Files.readString(Path.of("..", "examples", "demo-app.yaml")));
    await().atMost(Duration.ofSeconds(60)).until(() -> continuum.clusters().size() == 2);

    continuum.deploy(app);

    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> continuum.app(app.name()).map(AppStatus::phase).orElse("").equals("Running"));
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(
          "not Running: "
              + continuum.app(app.name())
              + "\nevents:\n"
              + String.join("\n", events)
              + "\npods: "
              + client.pods().inNamespace(TestApps.NS).list().getItems().stream()
                  .map(
                      p ->
                          p.getMetadata().getName()
                              + "="
                              + (p.getStatus() == null ? null : p.getStatus().getPhase()))
                  .toList(),
          e);
    }
    List<Pod> pods = client.pods().inNamespace(TestApps.NS).list().getItems();
    assertThat(pods).hasSize(4);
    AppStatus status = continuum.app(app.name()).orElseThrow();
    for (AppStatus.ComponentStatus c : status.components()) {
      for (Message.InstanceReport r : c.instances()) {
        Pod p =
            client.pods().inNamespace(TestApps.NS).withName(PodSpecs.podName(r.instanceId())).get();
        assertThat(p).as(r.instanceId()).isNotNull();
        assertThat(p.getMetadata().getAnnotations()).containsEntry(Names.NODE_NAME, r.node());
      }
    }

    var sync =
        new ContinuumKubernetesSync(
            new AppMirror(client, TestApps.NS),
            new KarmadaPropagation(client, TestApps.NS),
            Clock.systemUTC());
    var round = sync.reconcile(continuum);
    assertThat(round.errors()).isEmpty();
    GenericKubernetesResource mirrored =
        new AppMirror(client, TestApps.NS).get(app.name()).orElseThrow();
    @SuppressWarnings("unchecked")
    Map<String, Object> st = (Map<String, Object>) mirrored.getAdditionalProperties().get("status");
    assertThat(st).containsEntry("phase", "Running");
    assertThat(new KarmadaPropagation(client, TestApps.NS).clustersOf(app.name()))
        .contains(List.of("cloud", "edge"));

    // A pod fails: the kubelet's word reaches the continuum.
    Message.InstanceReport analytics =
        status.components().stream()
            .filter(c -> c.name().equals("analytics"))
            .findFirst()
            .orElseThrow()
            .instances()
            .get(0);
    TestApps.podPhase(client, PodSpecs.podName(analytics.instanceId()), "Failed", "Evicted");
    // The failure is in the event stream with the kubelet's reason; the continuum's status may
    // already show the replacement (the failed instance is short-lived there), so the events are
    // what is checked.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                events.stream()
                    .anyMatch(
                        e ->
                            e.contains(analytics.instanceId() + " failed on ")
                                && e.contains("Evicted")));
  }
}
