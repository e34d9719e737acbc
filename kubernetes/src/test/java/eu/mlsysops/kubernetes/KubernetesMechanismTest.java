package eu.mlsysops.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.agent.ApplyResult;
import eu.mlsysops.agent.Command;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.orchestration.InstanceState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KubernetesMechanismTest {
  @RegisterExtension final MockApiServer api = new MockApiServer();
  final KubernetesMockServer server = api.server;
  final KubernetesClient client = api.client;
  KubernetesWorkloads workloads;
  TestKubelet kubelet;
  KubernetesMechanism fluidity;
  final AppDescriptor app = TestApps.shop();

  /**
   * Running instances of shop/web after every status change: the move invariant is checked on it.
   */
  final List<Long> runningWeb = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    for (String n : List.of("edge-1", "edge-2", "edge-3")) {
      TestApps.node(client, n, true);
    }
    kubelet = new TestKubelet(client);
    workloads = KubernetesWorkloads.builder(client).namespace(TestApps.NS).build().start();
    workloads.onStatusChange(
        s ->
            runningWeb.add(
                workloads.instances().stream()
                    .filter(i -> "web".equals(i.component()) && i.state() == InstanceState.RUNNING)
                    .count()));
    fluidity =
        new KubernetesMechanism(
            workloads,
            name -> name.equals(app.name()) ? Optional.of(app) : Optional.empty(),
            Duration.ofSeconds(30),
            Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    workloads.close();
    kubelet.close();
  }

  /** Applies and requires success: later steps build on it. */
  void ok(String action, String... kv) throws Exception {
    ApplyResult r = apply(action, kv);
    assertThat(r.isSuccess()).as(action + ": " + r.reason()).isTrue();
  }

  ApplyResult apply(String action, String... kv) throws Exception {
    String[] all = new String[kv.length + 4];
    all[0] = "app";
    all[1] = "shop";
    all[2] = "component";
    all[3] = "web";
    System.arraycopy(kv, 0, all, 4, kv.length);
    return fluidity
        .apply(Command.of(KubernetesMechanism.NAME, action, all))
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  List<Pod> webPods() {
    return client
        .pods()
        .inNamespace(TestApps.NS)
        .withLabels(PodSpecs.componentSelector("shop", "web"))
        .list()
        .getItems();
  }

  @Test
  void deployRunsTheSlotOnTheNodeAndReportsWhenItRuns() throws Exception {
    ApplyResult r = apply("deploy", "slot", "0", "node", "edge-1");

    assertThat(r.isSuccess()).as(r.reason()).isTrue();
    assertThat(r.reason()).contains("deployed shop/web/0 on edge-1");
    assertThat(workloads.status("shop/web/0").orElseThrow().state())
        .isEqualTo(InstanceState.RUNNING);
    assertThat(webPods()).hasSize(1);
    assertThat(apply("deploy", "slot", "0", "host", "edge-1").isSuccess()).isTrue();
    assertThat(webPods()).hasSize(1);
  }

  @Test
  void moveStartsTheNewInstanceBeforeDeletingTheOld() throws Exception {
    ok("deploy", "slot", "0", "node", "edge-1");
    ok("deploy", "slot", "1", "node", "edge-2");
    runningWeb.clear();

    ApplyResult r = apply("move", "slot", "0", "target_host", "edge-3", "src_host", "edge-1");

    assertThat(r.isSuccess()).as(r.reason()).isTrue();
    assertThat(r.reason()).contains("shop/web/0 (edge-1) to shop/web/0.1 (edge-3)");
    assertThat(webPods())
        .extracting(p -> p.getMetadata().getAnnotations().get(Names.NODE_NAME))
        .containsExactlyInAnyOrder("edge-2", "edge-3");
    assertThat(workloads.status("shop/web/0").orElseThrow().state())
        .isEqualTo(InstanceState.STOPPED);
    // Requested instances: 2. Never fewer running during the move.
    assertThat(runningWeb).isNotEmpty().allMatch(n -> n >= 2);
    assertThat(runningWeb).contains(3L);
  }

  @Test
  void moveToANodeWhereTheNewInstanceFailsKeepsTheOld() throws Exception {
    ok("deploy", "slot", "0", "node", "edge-1");
    kubelet.nodeReports("edge-3", "Failed");

    ApplyResult r = apply("move", "to", "edge-3");

    assertThat(r.isSuccess()).isFalse();
    assertThat(r.reason()).contains("CrashedOnStart").contains("shop/web/0 kept on edge-1");
    await().atMost(Duration.ofSeconds(30)).until(() -> webPods().size() == 1);
    assertThat(webPods().get(0).getMetadata().getAnnotations().get(Names.NODE_NAME))
        .isEqualTo("edge-1");
    assertThat(workloads.status("shop/web/0").orElseThrow().state())
        .isEqualTo(InstanceState.RUNNING);
  }

  @Test
  void changeSpecReplacesEachInstanceWithTheNewImageRuntimeClassAndResources() throws Exception {
    ok("deploy", "slot", "0", "node", "edge-1");
    ok("deploy", "slot", "1", "node", "edge-2");
    runningWeb.clear();

    ApplyResult r =
        apply(
            "change_spec",
            "image",
            "registry.local/shop/web:2.0",
            "runtime_class_name",
            "nvidia",
            "cpu_requests",
            "500m",
            "cpu_limits",
            "1",
            "memory_limits",
            "256Mi");

    assertThat(r.isSuccess()).as(r.reason()).isTrue();
    assertThat(webPods())
        .hasSize(2)
        .allSatisfy(
            p -> {
              var c = p.getSpec().getContainers().get(0);
              assertThat(c.getImage()).isEqualTo("registry.local/shop/web:2.0");
              assertThat(p.getSpec().getRuntimeClassName()).isEqualTo("nvidia");
              assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("500m");
              assertThat(c.getResources().getLimits().get("cpu").toString()).isEqualTo("1");
              assertThat(c.getResources().getRequests().get("memory").toString()).isEqualTo("64Mi");
              assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("256Mi");
            });
    assertThat(webPods())
        .extracting(p -> p.getMetadata().getAnnotations().get(Names.NODE_NAME))
        .containsExactlyInAnyOrder("edge-1", "edge-2");
    assertThat(runningWeb).isNotEmpty().allMatch(n -> n >= 2);

    // Later deploys keep the new spec.
    ok("deploy", "slot", "2", "node", "edge-3");
    assertThat(workloads.status("shop/web/2").orElseThrow().state())
        .isEqualTo(InstanceState.RUNNING);
    Pod third =
        client.pods().inNamespace(TestApps.NS).withName(PodSpecs.podName("shop/web/2")).get();
    assertThat(third.getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.local/shop/web:2.0");
  }

  @Test
  void changeSpecWithBadValuesIsRefusedNamingTheArgument() throws Exception {
    ok("deploy", "slot", "0", "node", "edge-1");

    assertThat(apply("change_spec", "cpu_requests", "lots").reason()).contains("cpu_requests");
    assertThat(apply("change_spec", "cpu_requests", "2", "cpu_limits", "1").reason())
        .contains("cpu_requests: 2 is above cpu_limits 1");
    assertThat(apply("change_spec").reason()).contains("needs at least one of image");
    assertThat(webPods()).hasSize(1);
  }

  @Test
  void removeDeletesTheSlotOrTheWholeComponent() throws Exception {
    ok("deploy", "slot", "0", "node", "edge-1");
    ok("deploy", "slot", "1", "node", "edge-2");

    assertThat(apply("remove", "slot", "1").isSuccess()).isTrue();
    assertThat(webPods()).hasSize(1);
    assertThat(apply("remove").reason()).contains("removed 1 instance(s) of shop/web");
    assertThat(webPods()).isEmpty();
    assertThat(workloads.service("shop", "web")).isEmpty();
  }

  @Test
  void badCommandsFailWithAReason() throws Exception {
    assertThat(apply("deploy", "slot", "0").reason()).isEqualTo("fluidity deploy needs node");
    assertThat(apply("move", "slot", "0", "to", "edge-2").reason()).contains("runs nowhere");
    assertThat(apply("scale").reason()).contains("no action \"scale\"");
    assertThat(apply("deploy", "slot", "x", "node", "edge-1").reason()).contains("slot: \"x\"");
    var unknown =
        fluidity
            .apply(
                Command.of("fluidity", "deploy", "app", "nope", "component", "c", "node", "edge-1"))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertThat(unknown.reason()).contains("no component nope/c is known");
  }

  @Test
  void plansReachItThroughThePlanScheduler() {
    var scheduler = eu.mlsysops.agent.plan.PlanScheduler.builder("cluster-k8s").build();
    scheduler.register(fluidity);
    scheduler.start();
    try {
      var plan =
          new eu.mlsysops.agent.Plan(
              List.of(
                  Command.of(
                      "fluidity",
                      "deploy",
                      "app",
                      "shop",
                      "component",
                      "web",
                      "slot",
                      "0",
                      "host",
                      "edge-1"),
                  Command.of(
                      "fluidity",
                      "move",
                      "app",
                      "shop",
                      "component",
                      "web",
                      "slot",
                      "0",
                      "src_host",
                      "edge-1",
                      "target_host",
                      "edge-2")),
              "test: deploy then relocate",
              Map.of());
      var rec =
          scheduler.submit(
              new eu.mlsysops.agent.plan.PlanRequest(null, "test", "shop", false, plan));

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> scheduler.get(rec.id()).orElseThrow().status().isTerminal());
      var done = scheduler.get(rec.id()).orElseThrow();
      assertThat(done.status())
          .as(done.reason())
          .isEqualTo(eu.mlsysops.agent.plan.PlanStatus.COMPLETED);
      assertThat(webPods())
          .extracting(p -> p.getMetadata().getAnnotations().get(Names.NODE_NAME))
          .containsExactly("edge-2");
    } finally {
      scheduler.close();
    }
  }

  @Test
  void stateCountsInstancesByState() throws Exception {
    ok("deploy", "slot", "0", "node", "edge-1");

    @SuppressWarnings("unchecked")
    Map<String, Object> byState = (Map<String, Object>) fluidity.state().get("instances");
    assertThat(byState).containsEntry("running", 1L);
  }
}
