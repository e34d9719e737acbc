package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.plan.PlanQuery;
import eu.mlsysops.agent.plan.PlanRecord;
import eu.mlsysops.agent.plan.PlanStatus;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.orchestration.LoadModel;
import eu.mlsysops.protocol.Message;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three tiers in one process, on the built-in topology, with fast failure detection. */
class EmbeddedContinuumTest {
  static final ClusterSettings FAST = new ClusterSettings(
      Duration.ofMillis(100), 3, Duration.ofMillis(200), Duration.ofSeconds(10));

  @TempDir Path dataDir;
  private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
  private EmbeddedContinuum continuum;

  @AfterEach
  void tearDown() {
    if (continuum != null) {
      continuum.close();
    }
  }

  private EmbeddedContinuum start() {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(FAST)
        .tick(Duration.ofMillis(50)).events(e -> {
          events.add(e);
          System.out.println(e); // kept in target/surefire-reports for diagnosis
        }).build().start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
    return continuum;
  }

  static AppDescriptor demoApp() {
    return Descriptors.parse(Path.of("../examples/demo-app.yaml"), ParseOptions.DEFAULT)
        .ofType(AppDescriptor.class).get(0);
  }

  static AppDescriptor noisyBatchOn(String node) {
    try {
      String text = java.nio.file.Files.readString(Path.of("../examples/noisy-batch.yaml"))
          .replace("node: NODE", "node: " + node);
      return Descriptors.parse(text, "noisy-batch.yaml", ParseOptions.DEFAULT)
          .ofType(AppDescriptor.class).get(0);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private String phase() {
    return continuum.continuum().app("smart-camera").map(AppStatus::phase).orElse("absent");
  }

  private List<Message.InstanceReport> instances(String component) {
    return continuum.continuum().app("smart-camera").orElseThrow().components().stream()
        .filter(c -> c.name().equals(component)).findFirst().orElseThrow().instances();
  }

  private String runningNode(String component) {
    return instances(component).stream().filter(r -> r.state().equals("RUNNING"))
        .map(Message.InstanceReport::node).findFirst().orElse(null);
  }

  @Test
  void deployedAppRunsWhereItsConstraintsAllow() {
    start();
    continuum.continuum().deploy(demoApp());

    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running"));
    // Only edge-1 has the d455 camera.
    assertThat(runningNode("camera-ingest")).isEqualTo("edge-1");
    assertThat(instances("analytics")).hasSize(2)
        .allSatisfy(r -> assertThat(r.node()).startsWith("cloud-"));
    assertThat(runningNode("detector")).startsWith("edge-");
    AppStatus s = continuum.continuum().app("smart-camera").orElseThrow();
    assertThat(s.components()).extracting(AppStatus.ComponentStatus::cluster)
        .containsExactly("edge", "edge", "cloud");
    // Two assignment plans: analytics (cloud) depends on the detector (edge), so it is assigned
    // once the detector runs; an analysis woken while a plan was applied did not plan it again.
    assertThat(events).filteredOn(e -> e.message().startsWith("Completed: cluster-placement"))
        .extracting(AgentEvent::message).satisfiesExactly(
            first -> assertThat(first).contains("camera-ingest → edge, detector → edge")
                .doesNotContain("analytics"),
            second -> assertThat(second).contains("assign analytics → cloud"));
  }

  @Test
  void dependentComponentStartsOnlyAfterItsDependencyRuns() {
    start();
    continuum.continuum().deploy(demoApp());
    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running"));

    long cameraRunning = events.stream()
        .filter(e -> e.message().startsWith("smart-camera/camera-ingest/0 running"))
        .mapToLong(AgentEvent::timeMillis).min().orElseThrow();
    long detectorRunning = events.stream()
        .filter(e -> e.message().startsWith("smart-camera/detector/0 running"))
        .mapToLong(AgentEvent::timeMillis).min().orElseThrow();
    assertThat(detectorRunning).isGreaterThanOrEqualTo(cameraRunning);
  }

  @Test
  void instancesOfACrashedNodeRunElsewhere() {
    start();
    continuum.continuum().deploy(demoApp());
    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running"));
    String victim = instances("analytics").get(0).node();

    continuum.failNode(victim);

    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running")
        && instances("analytics").stream().noneMatch(r -> r.node().equals(victim)));
    assertThat(instances("analytics")).hasSize(2)
        .allSatisfy(r -> assertThat(r.state()).isEqualTo("RUNNING"));
    assertThat(events).anySatisfy(e -> assertThat(e.message())
        .startsWith("node " + victim + " is unreachable"));
  }

  @Test
  void nodesThatMissedHeartbeatsAreHealthyAgainAtTheContinuumWhenTheyResume() {
    // A pause (GC, a starved CPU) looks to the cluster like silence: the clock jumps past the
    // heartbeat deadline while the nodes keep beating.
    JumpingClock clock = new JumpingClock();
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(FAST).clock(clock)
        .tick(Duration.ofMillis(50)).events(events::add).build().start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);

    await().atMost(10, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(200)).until(() -> {
      clock.jump(Duration.ofSeconds(1));
      return events.stream().anyMatch(e -> e.message().contains("is unreachable"));
    });

    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .flatMap(c -> c.nodes().stream()).allMatch(ClusterStatus.NodeStatus::healthy));
    continuum.continuum().deploy(demoApp());
    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running"));
  }

  /** The system clock plus an offset that only grows. */
  static final class JumpingClock extends java.time.Clock {
    private final java.util.concurrent.atomic.AtomicLong offset =
        new java.util.concurrent.atomic.AtomicLong();

    void jump(Duration d) {
      offset.addAndGet(d.toMillis());
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return java.time.Instant.ofEpochMilli(millis());
    }

    @Override
    public long millis() {
      return System.currentTimeMillis() + offset.get();
    }
  }

  @Test
  void violatedLatencyTargetRelocatesTheComponentAndTheDecisionIsRecorded() {
    start();
    continuum.continuum().deploy(demoApp());
    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running"));
    String before = runningNode("detector");

    // A noisy neighbour: a batch job pinned to the detector's node, then surging.
    continuum.continuum().deploy(noisyBatchOn(before));
    await().atMost(20, TimeUnit.SECONDS).until(() -> continuum.continuum().app("noisy-batch")
        .map(AppStatus::phase).orElse("").equals("Running"));
    continuum.simulation().setLoad("noisy-batch", "crunch", LoadModel.steady(100));

    await().atMost(30, TimeUnit.SECONDS).until(() -> {
      String now = runningNode("detector");
      return now != null && !now.equals(before);
    });
    List<PlanRecord> moves = continuum.planLog().query(
        PlanQuery.recent(50).withPolicy("qos-relocation").withStatus(PlanStatus.COMPLETED));
    assertThat(moves).isNotEmpty();
    // Judged by the cluster, or asked for by the node once its top frequency was not enough.
    assertThat(moves.get(0).explanation()).contains("detector_latency_ms").contains("violating");
    java.util.Map<String, String> in = moves.get(0).inputs();
    assertThat(in.containsKey("detector_latency_ms")
        || ("request from " + before).equals(in.get("trigger"))).as(in.toString()).isTrue();
  }

  @Test
  void anAppJustDeployedIsNotRelocatedDuringItsWarmUp() {
    start();
    long deployed = System.currentTimeMillis();
    continuum.continuum().deploy(demoApp());
    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running"));
    // Its first samples (the nodes' frequencies still settling) say how it started: whatever
    // they say, nothing moves before the instance has reported for the warm-up.
    await().pollDelay(9, TimeUnit.SECONDS).atMost(20, TimeUnit.SECONDS).until(() -> true);
    List<PlanRecord> early = continuum.planLog().query(PlanQuery.recent(500)).stream()
        .filter(p -> p.app().equals("smart-camera")
            && (p.policy().contains("relocation") || p.commands().stream()
                .anyMatch(c -> c.action().equals("relocate")))
            && p.createdMillis() < deployed + 9_000)
        .toList();
    assertThat(early).isEmpty();
  }

  @Test
  void acceptedAppsSurviveARestartOfTheContinuum() {
    start();
    continuum.continuum().deploy(demoApp());
    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running"));
    continuum.close();

    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(FAST)
        .tick(Duration.ofMillis(50)).build().start();

    assertThat(continuum.continuum().app("smart-camera")).isPresent();
    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running"));
  }

  @Test
  void policyDroppedIntoTheNodeDirectoryRunsOnEveryNode() throws Exception {
    start();
    java.nio.file.Files.writeString(continuum.policyRoot().resolve("node/policy-pin.groovy"), """
        import eu.mlsysops.agent.*
        import java.time.Duration
        class PinFrequency implements Policy<Boolean> {
          PolicyContext initialize() {
            PolicyContext.builder("pin-frequency").analyzeInterval(Duration.ofMillis(200)).build()
          }
          Optional<Boolean> analyze(PolicyView v) {
            v.mechanisms().cpu_frequency.state().current_ghz != 0.6 ? Optional.of(true)
                : Optional.empty()
          }
          Plan plan(PolicyView v, Boolean unpinned) {
            Plan.of(Command.of("cpu_frequency", "set", "ghz", "0.6"), "pinned by test", [:])
          }
        }
        """);

    await().atMost(15, TimeUnit.SECONDS).until(() -> continuum.nodes().get("edge-1").engine()
        .status().stream().anyMatch(p -> p.name().equals("pin-frequency")));
    assertThat(continuum.nodes().values()).allSatisfy(n -> assertThat(n.engine().status())
        .extracting(eu.mlsysops.agent.engine.PolicyStatus::name).contains("pin-frequency"));
    await().atMost(15, TimeUnit.SECONDS).until(() -> continuum.simulation()
        .frequencyControl("edge-2").currentGhz() == 0.6);
  }

  @Test
  void aSecondContinuumOnTheSameDataDirectoryIsRefusedUntilTheFirstStops() {
    start();

    assertThatThrownBy(() -> EmbeddedContinuum.builder(dataDir).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("this process already runs a continuum on " + dataDir);
    continuum.close();
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(FAST).build().start();
    assertThat(continuum.nodes()).isNotEmpty();
  }

  @Test
  void theModeSurvivesARestart() {
    start();
    continuum.setMode(eu.mlsysops.agent.PolicyContext.Mode.ML);
    continuum.close();

    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(FAST)
        .tick(Duration.ofMillis(50)).build().start();

    assertThat(continuum.mode()).isEqualTo(eu.mlsysops.agent.PolicyContext.Mode.ML);
    assertThat(continuum.nodes().values()).allSatisfy(n -> assertThat(n.engine().mode())
        .isEqualTo(eu.mlsysops.agent.PolicyContext.Mode.ML));
  }

  @Test
  void tierConfigurationDisablesPoliciesAndSurvivesARestart() {
    start();
    continuum.configure("node", new AgentConfig(java.util.Set.of("cpu-frequency")));

    assertThat(continuum.nodes().values()).allSatisfy(n -> assertThat(n.engine().status())
        .filteredOn(p -> p.name().equals("cpu-frequency"))
        .extracting(eu.mlsysops.agent.engine.PolicyStatus::enabled).containsExactly(false));
    continuum.close();

    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(FAST)
        .tick(Duration.ofMillis(50)).build().start();
    assertThat(continuum.configuration("node").disabledPolicies()).containsExactly("cpu-frequency");
    assertThat(continuum.nodes().get("edge-1").engine().status())
        .filteredOn(p -> p.name().equals("cpu-frequency"))
        .extracting(eu.mlsysops.agent.engine.PolicyStatus::enabled).containsExactly(false);
    assertThatThrownBy(() -> continuum.configure("galaxy", AgentConfig.DEFAULT))
        .hasMessage("\"galaxy\" is not a tier (continuum, cluster, node)");
  }

  @Test
  void duplicateAppNameIsRefused() {
    start();
    continuum.continuum().deploy(demoApp());
    assertThatThrownBy(() -> continuum.continuum().deploy(demoApp()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("an app named \"smart-camera\" already exists");
  }

  @Test
  void removedAppStopsEverywhere() {
    start();
    continuum.continuum().deploy(demoApp());
    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running"));

    assertThat(continuum.continuum().remove("smart-camera")).isTrue();

    await().atMost(10, TimeUnit.SECONDS).until(() -> continuum.nodes().values().stream()
        .allMatch(n -> continuum.simulation().runtime(n.name()).instances().stream()
            .allMatch(i -> i.state().isTerminal())));
    assertThat(continuum.continuum().app("smart-camera")).isEmpty();
  }

  /** The series of {@code expr} an instant query at {@code store}'s tier finds now. */
  private static List<eu.mlsysops.telemetry.Labels> instant(
      eu.mlsysops.telemetry.MetricStore store, String expr) {
    return new eu.mlsysops.telemetry.query.QueryEngine(store)
        .vector(expr, System.currentTimeMillis()).stream()
        .map(eu.mlsysops.telemetry.query.QueryResult.Element::labels).toList();
  }

  private List<eu.mlsysops.telemetry.MetricStore> everyStore() {
    List<eu.mlsysops.telemetry.MetricStore> stores = new java.util.ArrayList<>();
    continuum.nodes().values().forEach(n -> stores.add(n.telemetry()));
    continuum.clusters().values().forEach(c -> stores.add(c.telemetry()));
    stores.add(continuum.continuum().telemetry());
    return stores;
  }

  @Test
  void aRemovedAppsSeriesLeaveInstantQueriesAtEveryTierAtOnce() {
    start();
    continuum.continuum().deploy(demoApp());
    String expr = "component_latency_ms{app=\"smart-camera\"}";
    await().atMost(30, TimeUnit.SECONDS).until(() -> phase().equals("Running")
        && continuum.clusters().values().stream().anyMatch(c -> !instant(c.telemetry(), expr)
            .isEmpty())
        && !instant(continuum.continuum().telemetry(), expr).isEmpty());

    assertThat(continuum.continuum().remove("smart-camera")).isTrue();

    // Without staleness markers the last samples answer for the 5-minute lookback.
    await().atMost(30, TimeUnit.SECONDS).until(() -> everyStore().stream()
        .allMatch(s -> instant(s, expr).isEmpty()));
  }

  @Test
  void aMovedInstancesTelemetryLeavesEveryTierAndTheScrapeAndOnlyTheNewOneIsSeen() {
    start();
    continuum.continuum().deploy(demoApp());
    await().atMost(30, TimeUnit.SECONDS).until(() -> phase().equals("Running"));
    String expr = "component_latency_ms{component=\"detector\"}";
    String before = instances("detector").get(0).instanceId();
    String from = runningNode("detector");
    await().atMost(30, TimeUnit.SECONDS).until(() -> everyNodeAndCluster().stream()
        .anyMatch(st -> instant(st, expr).stream()
            .anyMatch(l -> before.equals(l.get("instance")))));
    String to = continuum.continuum().clusters().stream().filter(c -> c.id().equals("edge"))
        .flatMap(c -> c.nodes().stream()).map(n -> n.name()).filter(n -> !n.equals(from))
        .findFirst().orElseThrow();

    continuum.clusters().get("edge").scheduler().submit(new eu.mlsysops.agent.plan.PlanRequest(
        "move-1", "test", "smart-camera", false, eu.mlsysops.agent.Plan.of(
            new eu.mlsysops.agent.PlacementCommand.Move(new eu.mlsysops.agent.ComponentId(
                "smart-camera", "detector").slot(0), new eu.mlsysops.agent.NodeId(to))
                .toCommand(), "move the detector", java.util.Map.of())));
    await().atMost(60, TimeUnit.SECONDS).until(() -> to.equals(runningNode("detector")));
    String after = instances("detector").stream().filter(r -> r.state().equals("RUNNING"))
        .findFirst().orElseThrow().instanceId();
    assertThat(after).isNotEqualTo(before);

    // Node and cluster tiers: the old instance's series end, the new one's are there.
    await().atMost(30, TimeUnit.SECONDS).until(() -> everyNodeAndCluster().stream()
        .flatMap(st -> instant(st, expr).stream()).map(l -> l.get("instance"))
        .distinct().toList().equals(List.of(after)));
    // The scrape of the node tier (what /metrics serves) shows only the new one.
    await().atMost(30, TimeUnit.SECONDS).until(() -> {
      String scraped = eu.mlsysops.telemetry.prometheus.PrometheusExposition
          .of(continuum.telemetry("node")).render();
      return scraped.contains(after) && !scraped.contains("instance=\"" + before + "\"");
    });
    // What the continuum's policies see: the new instance only, the old one gone.
    assertThat(continuum.continuum().systemView().placementsOf("smart-camera", "detector"))
        .filteredOn(p -> !p.phase().isGone())
        .extracting(eu.mlsysops.agent.SystemView.InstancePlacement::instanceId)
        .containsExactly(after);
    // The API's QoS figure (per cluster at the continuum) still has a value.
    assertThat(continuum.continuum().telemetry().latest("detector_latency_ms",
        java.util.Map.of("app", "smart-camera", "component", "detector"))).isPresent();
  }

  @Test
  void aTargetMissedFromTheStartIsJudgedOnlyAfterTheWarmUp() {
    start();
    // The simulated detector misses its 100 ms target from its first sample: its idle node runs
    // at the lowest frequency (141 ms there).
    continuum.continuum().deploy(demoApp());
    java.util.function.Supplier<java.util.OptionalLong> at = () -> events.stream()
        .filter(e -> e.message().contains("detector_latency_ms of detector#0")
            && e.message().contains("violating")).mapToLong(AgentEvent::timeMillis).min();
    await().atMost(90, TimeUnit.SECONDS).until(() -> at.get().isPresent());
    long started = events.stream()
        .filter(e -> e.message().startsWith("smart-camera/detector/0 running"))
        .mapToLong(AgentEvent::timeMillis).min().orElseThrow();

    // Judged (and acted on: the node's own remedy first) only after the default warm-up of 10 s
    // of samples (plus the 3 s window); nothing moved meanwhile.
    assertThat(at.get().getAsLong() - started).isGreaterThanOrEqualTo(10_000);
    assertThat(events).filteredOn(e -> e.timeMillis() < started + 10_000)
        .noneMatch(e -> e.message().contains("qos-relocation"));
  }

  private List<eu.mlsysops.telemetry.MetricStore> everyNodeAndCluster() {
    List<eu.mlsysops.telemetry.MetricStore> stores = new java.util.ArrayList<>();
    continuum.nodes().values().forEach(n -> stores.add(n.telemetry()));
    continuum.clusters().values().forEach(c -> stores.add(c.telemetry()));
    return stores;
  }

  @Test
  void aLostNodesInstancesLeaveTheClustersInstantQueries() {
    start();
    continuum.continuum().deploy(demoApp());
    await().atMost(20, TimeUnit.SECONDS).until(() -> phase().equals("Running"));
    String victim = instances("analytics").get(0).node();
    String expr = "component_latency_ms{component=\"analytics\"}";
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.clusters().values().stream()
        .anyMatch(c -> instant(c.telemetry(), expr).stream()
            .anyMatch(l -> victim.equals(l.get("node")))));

    continuum.failNode(victim);

    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.clusters().values().stream()
        .allMatch(c -> instant(c.telemetry(), expr).stream()
            .noneMatch(l -> victim.equals(l.get("node")))));
    // The replacements' series are there.
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.clusters().values().stream()
        .mapToLong(c -> instant(c.telemetry(), expr).size()).sum() == 2);
  }

  @Test
  void aGeneratedTopologySpreadsNodesOverTheLayersInClustersOfAtMost500() {
    List<eu.mlsysops.model.Descriptor> t = Topologies.generatedTopology(2_345);

    var nodes = t.stream().filter(d -> d instanceof eu.mlsysops.model.NodeDescriptor)
        .map(d -> (eu.mlsysops.model.NodeDescriptor) d).toList();
    var clusters = t.stream().filter(d -> d instanceof eu.mlsysops.model.ClusterDescriptor)
        .map(d -> (eu.mlsysops.model.ClusterDescriptor) d).toList();
    assertThat(nodes).hasSize(2_345);
    assertThat(clusters).allSatisfy(c -> assertThat(c.nodes()).hasSizeBetween(1, 500));
    assertThat(clusters.stream().mapToInt(c -> c.nodes().size()).sum()).isEqualTo(2_345);
    var byLayer = nodes.stream().collect(java.util.stream.Collectors.groupingBy(
        n -> n.continuumLayer().wireName(), java.util.stream.Collectors.counting()));
    assertThat(byLayer).containsEntry("cloud", 234L).containsEntry("edge", 1_407L)
        .containsEntry("far_edge", 704L);
    assertThat(org.assertj.core.api.Assertions.catchThrowable(
        () -> Topologies.generatedTopology(0))).hasMessageStartingWith("nodes: must be 1");
  }

  /** A node policy that asks a model of the ML Connector, as ML-mode policies do. */
  static final class AsksModel implements eu.mlsysops.agent.Policy<Double> {
    static final List<eu.mlsysops.agent.MlConnector.Prediction> SEEN = new CopyOnWriteArrayList<>();
    static volatile String model;

    @Override
    public eu.mlsysops.agent.PolicyContext initialize() {
      return eu.mlsysops.agent.PolicyContext.builder("asks-model")
          .analyzeInterval(Duration.ofMillis(100)).build();
    }

    @Override
    public java.util.Optional<Double> analyze(eu.mlsysops.agent.PolicyView view) {
      view.ml().explain(model, java.util.Map.of("x", 0.5)).ifPresent(SEEN::add);
      return java.util.Optional.empty();
    }

    @Override
    public eu.mlsysops.agent.Plan plan(eu.mlsysops.agent.PolicyView view, Double a) {
      return eu.mlsysops.agent.Plan.empty();
    }
  }

  @Test
  void policiesOfEveryTierAskTheRegistrysServingModelsThroughTheirView() throws Exception {
    start();
    var ml = continuum.ml();
    var spec = new eu.mlsysops.mlconnector.ModelSpec(eu.mlsysops.mlconnector.ModelId.random(),
        "doubler", eu.mlsysops.mlconnector.ModelKind.REGRESSION,
        eu.mlsysops.mlconnector.Algorithm.LINEAR,
        List.of(eu.mlsysops.mlconnector.Feature.input("x"),
            eu.mlsysops.mlconnector.Feature.target("y")),
        java.util.Map.of(), null, List.of(), "test", null, 0, java.util.Map.of());
    ml.register(spec);
    StringBuilder csv = new StringBuilder("x,y\n");
    for (int i = 0; i < 50; i++) {
      csv.append(i / 50.0).append(',').append(2 * i / 50.0).append('\n');
    }
    ml.upload(spec.id(), "data", "d.csv", new java.io.ByteArrayInputStream(
        csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    ml.train(spec.id(), null);
    AsksModel.SEEN.clear();
    AsksModel.model = spec.id().value();

    continuum.nodes().get("edge-1").engine().add(AsksModel::new, "test");
    continuum.clusters().get("edge").engine().add(AsksModel::new, "test");

    await().atMost(30, TimeUnit.SECONDS).until(() -> AsksModel.SEEN.size() >= 2);
    assertThat(AsksModel.SEEN).allSatisfy(p -> {
      assertThat(p.modelId()).isEqualTo(spec.id().value());
      assertThat(p.version()).isEqualTo("1");
      assertThat(p.value()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(0.01));
      assertThat(p.attribution()).containsKey("x");
    });
    // A model that is not there is no answer, not an error.
    assertThat(eu.mlsysops.agent.MlConnector.of(ml).predict("no-such-model",
        java.util.Map.of("x", 1.0))).isEmpty();
    // ... counted, and the count is the continuum agent's health metric.
    await().atMost(60, TimeUnit.SECONDS).until(() -> continuum.continuum().telemetry()
        .latest("mls_ml_failed_predictions_total", java.util.Map.of("tier", "continuum"))
        .orElse(0) >= 1);
  }

  @Test
  void pluggedMechanismsReachEveryAgentOfTheirTierAndNodesThatJoinLater() {
    // lamp: MechanismPluginsTest.LampProvider, a node-tier provider on the test class path.
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(FAST)
        .tick(Duration.ofMillis(50)).mechanisms(java.util.Map.of("node", List.of("lamp")))
        .build().start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);

    continuum.addNode(Descriptors.parse("""
        MLSysOpsNode:
          name: late-1
          cluster_id: cloud
          continuum_layer: cloud
          environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
          hardware: {cpu: {architecture: amd64, cores: 2}, memory: 2}
        """, "late-1.yaml", ParseOptions.DEFAULT).ofType(eu.mlsysops.model.NodeDescriptor.class)
        .get(0));

    List<ContinuumPort.MechanismView> lamps = continuum.mechanisms().stream()
        .filter(m -> m.name().equals("lamp")).toList();
    assertThat(lamps).extracting(ContinuumPort.MechanismView::agent)
        .containsExactlyInAnyOrderElementsOf(continuum.nodes().keySet())
        .contains("late-1").hasSize(9);
    assertThat(lamps.get(0).state()).isEqualTo(java.util.Map.of("agent", lamps.get(0).agent()));
  }

  @Test
  void aMechanismNoProviderHasStopsTheContinuumBeforeItStartsNamingIt() {
    assertThatThrownBy(() -> EmbeddedContinuum.builder(dataDir)
        .mechanisms(java.util.Map.of("cluster", List.of("lamp"))).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("mechanisms: \"lamp\" is not a mechanism of a cluster agent (placement)");
    assertThatThrownBy(() -> EmbeddedContinuum.builder(dataDir)
        .mechanisms(java.util.Map.of("edge", List.of("lamp"))).build())
        .hasMessageContaining("\"edge\" is not a tier");
    assertThat(dataDir.resolve("lock")).as("refused before the data directory is touched")
        .doesNotExist();
    // The data directory is free: a good configuration starts.
    continuum = EmbeddedContinuum.builder(dataDir)
        .mechanisms(java.util.Map.of("node", List.of("lamp", "cpu_frequency"))).build();
  }

  @Test
  void anAppIsNotCalledUnschedulableWhileClustersMayStillBeRejoiningAfterAStart() {
    ClusterFailureDetectionTest.ManualClock clock = new ClusterFailureDetectionTest.ManualClock();
    eu.mlsysops.model.ContinuumDescriptor only = new eu.mlsysops.model.ContinuumDescriptor(
        "solo", "solo", List.of());
    continuum = EmbeddedContinuum.builder(dataDir).topology(List.of(only)).remoteClusters(true)
        .clock(clock).events(events::add).build().start();
    continuum.continuum().deploy(demoApp());
    java.util.function.Supplier<List<String>> unschedulable = () -> events.stream()
        .map(AgentEvent::message).filter(m -> m.contains("unschedulable")).toList();

    // The policy has looked (it runs as the app is added): nothing said within the grace.
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.policyStatuses("continuum")
        .stream().anyMatch(st -> st.name().equals("cluster-placement") && st.analyses() > 0));
    assertThat(unschedulable.get()).isEmpty();

    clock.advance(ContinuumAgent.REJOIN_GRACE_MILLIS);
    // Its next periodic look (every 5 s) after the grace says why.
    await().atMost(60, TimeUnit.SECONDS).until(() -> !unschedulable.get().isEmpty());
    assertThat(unschedulable.get()).anyMatch(m -> m.contains("no cluster can take it: 0/0 nodes"));
  }
}
