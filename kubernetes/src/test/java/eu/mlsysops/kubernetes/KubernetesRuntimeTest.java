package eu.mlsysops.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.orchestration.InstanceState;
import eu.mlsysops.orchestration.InstanceStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KubernetesRuntimeTest {
  @RegisterExtension final MockApiServer api = new MockApiServer();
  final KubernetesMockServer server = api.server;
  final KubernetesClient client = api.client;
  KubernetesWorkloads workloads;
  final AppDescriptor app = TestApps.shop();
  final List<InstanceStatus> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp() {
    TestApps.node(client, "edge-1", true);
    TestApps.node(client, "edge-2", true);
    workloads = KubernetesWorkloads.builder(client).namespace(TestApps.NS).build().start();
    workloads.onStatusChange(seen::add);
  }

  @AfterEach
  void tearDown() {
    workloads.close();
  }

  @Test
  void startCreatesPodPinnedToNodeWithTheComponentsSettingsAndAService() throws Exception {
    InstanceStatus s =
        workloads
            .runtime("edge-1")
            .start(TestApps.spec(app, "web", "shop/web/0"))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);

    assertThat(s.state()).isEqualTo(InstanceState.STARTING);
    assertThat(s.node()).isEqualTo("edge-1");
    Pod pod = client.pods().inNamespace(TestApps.NS).withName(PodSpecs.podName("shop/web/0")).get();
    var spec = pod.getSpec();
    assertThat(
            spec.getAffinity()
                .getNodeAffinity()
                .getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms()
                .get(0)
                .getMatchExpressions()
                .get(0)
                .getValues())
        .containsExactly("edge-1");
    assertThat(spec.getRuntimeClassName()).isEqualTo("kata-fc");
    assertThat(spec.getRestartPolicy()).isEqualTo("OnFailure");
    assertThat(spec.getHostNetwork()).isTrue();
    var c = spec.getContainers().get(0);
    assertThat(c.getImage()).isEqualTo("registry.local/shop/web:1.0");
    assertThat(c.getCommand()).containsExactly("web", "--port", "8080");
    assertThat(c.getWorkingDir()).isEqualTo("/srv/web");
    assertThat(c.getResources().getRequests().get("cpu").toString()).isEqualTo("250m");
    assertThat(c.getResources().getLimits().get("memory").toString()).isEqualTo("128Mi");
    assertThat(c.getPorts().get(0).getContainerPort()).isEqualTo(8080);
    assertThat(c.getEnv())
        .extracting(EnvVar::getName)
        .containsSubsequence(
            PodSpecs.HOST_IP_VAR, "OTEL_EXPORTER_OTLP_ENDPOINT", "MODE", "MY_NODE_IP");
    assertThat(env(c.getEnv(), "OTEL_EXPORTER_OTLP_ENDPOINT").getValue())
        .isEqualTo("http://$(MLSYSOPS_HOST_IP):4318");
    assertThat(env(c.getEnv(), "MY_NODE_IP").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("status.hostIP");
    assertThat(env(c.getEnv(), "NODE_IP").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("status.hostIP");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(Names.INSTANCE_ID, "shop/web/0");

    Service svc = workloads.service("shop", "web").orElseThrow();
    assertThat(svc.getSpec().getSelector())
        .containsEntry(Names.APP, "shop")
        .containsEntry(Names.COMPONENT, "web");
    assertThat(svc.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);
    assertThat(svc.getSpec().getPorts().get(0).getName()).isEqualTo("http");
  }

  @Test
  void startingTheSameInstanceTwiceCreatesOnePod() throws Exception {
    var rt = workloads.runtime("edge-1");
    rt.start(TestApps.spec(app, "worker", "shop/worker/0"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    rt.start(TestApps.spec(app, "worker", "shop/worker/0"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);

    assertThat(client.pods().inNamespace(TestApps.NS).list().getItems()).hasSize(1);
    assertThat(workloads.service("shop", "worker")).isEmpty();
  }

  @Test
  void concurrentStartsOfOneInstanceBothSucceedWithOnePod() throws Exception {
    var rt = workloads.runtime("edge-1");
    List<java.util.concurrent.CompletableFuture<InstanceStatus>> starts =
        new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) {
      starts.add(rt.start(TestApps.spec(app, "worker", "shop/worker/0")).toCompletableFuture());
    }

    for (var f : starts) {
      assertThat(f.get(30, TimeUnit.SECONDS).state()).isEqualTo(InstanceState.STARTING);
    }
    assertThat(client.pods().inNamespace(TestApps.NS).list().getItems()).hasSize(1);
  }

  @Test
  void podReportedRunningAndReadyMakesTheInstanceRunning() throws Exception {
    var rt = workloads.runtime("edge-1");
    rt.start(TestApps.spec(app, "web", "shop/web/0"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);

    TestApps.podPhase(client, PodSpecs.podName("shop/web/0"), "Running", null);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> state(rt.instances(), "shop/web/0") == InstanceState.RUNNING);
    assertThat(seen)
        .extracting(InstanceStatus::state)
        .containsSubsequence(InstanceState.STARTING, InstanceState.RUNNING);
  }

  @Test
  void failedPodBecomesAFailedInstanceWithTheKubeletsReason() throws Exception {
    var rt = workloads.runtime("edge-1");
    rt.start(TestApps.spec(app, "web", "shop/web/0"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);

    TestApps.podPhase(client, PodSpecs.podName("shop/web/0"), "Failed", "OutOfmemory");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> state(rt.instances(), "shop/web/0") == InstanceState.FAILED);
    assertThat(workloads.status("shop/web/0").orElseThrow().reason())
        .contains("pod failed")
        .contains("OutOfmemory");
  }

  @Test
  void nodeGoingNotReadyFailsItsInstancesAndOnlyThose() throws Exception {
    var rt1 = workloads.runtime("edge-1");
    var rt2 = workloads.runtime("edge-2");
    rt1.start(TestApps.spec(app, "web", "shop/web/0"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    rt2.start(TestApps.spec(app, "web", "shop/web/1"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    TestApps.podPhase(client, PodSpecs.podName("shop/web/0"), "Running", null);
    TestApps.podPhase(client, PodSpecs.podName("shop/web/1"), "Running", null);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                state(rt2.instances(), "shop/web/1") == InstanceState.RUNNING
                    && state(rt1.instances(), "shop/web/0") == InstanceState.RUNNING);

    TestApps.node(client, "edge-1", false);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> state(rt1.instances(), "shop/web/0") == InstanceState.FAILED);
    assertThat(workloads.status("shop/web/0").orElseThrow().reason())
        .contains("node edge-1 is NotReady")
        .contains("Kubelet stopped posting");
    assertThat(state(rt2.instances(), "shop/web/1")).isEqualTo(InstanceState.RUNNING);
    assertThat(rt1.instances())
        .extracting(InstanceStatus::instanceId)
        .containsExactly("shop/web/0");

    TestApps.node(client, "edge-1", true);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> state(rt1.instances(), "shop/web/0") == InstanceState.RUNNING);
  }

  @Test
  void stopDeletesThePodAndTheServiceWithTheLastInstance() throws Exception {
    var rt1 = workloads.runtime("edge-1");
    var rt2 = workloads.runtime("edge-2");
    rt1.start(TestApps.spec(app, "web", "shop/web/0"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    rt2.start(TestApps.spec(app, "web", "shop/web/1"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(() -> rt2.instances().size() == 1);

    rt1.stop("shop/web/0").toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(state(rt1.instances(), "shop/web/0")).isEqualTo(InstanceState.STOPPED);
    assertThat(
            client.pods().inNamespace(TestApps.NS).withName(PodSpecs.podName("shop/web/0")).get())
        .isNull();
    assertThat(workloads.service("shop", "web")).isPresent();

    rt2.stop("shop/web/1").toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(workloads.service("shop", "web")).isEmpty();
    rt2.stop("never/started/0").toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void podDeletedBehindOurBackIsAFailedInstance() throws Exception {
    var rt = workloads.runtime("edge-1");
    rt.start(TestApps.spec(app, "worker", "shop/worker/0"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);

    client.pods().inNamespace(TestApps.NS).withName(PodSpecs.podName("shop/worker/0")).delete();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> state(rt.instances(), "shop/worker/0") == InstanceState.FAILED);
    assertThat(workloads.status("shop/worker/0").orElseThrow().reason())
        .contains("outside MLSysOps");
  }

  @Test
  void aRestartedRuntimeFindsTheInstancesThatRun() throws Exception {
    workloads
        .runtime("edge-1")
        .start(TestApps.spec(app, "worker", "shop/worker/0"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);

    try (KubernetesWorkloads again =
        KubernetesWorkloads.builder(client)
            .namespace(TestApps.NS)
            .onlyNode("edge-1")
            .build()
            .start()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> again.runtime("edge-1").instances().size() == 1);
      InstanceStatus s = again.runtime("edge-1").instances().get(0);
      assertThat(s.instanceId()).isEqualTo("shop/worker/0");
      assertThat(s.app()).isEqualTo("shop");
      assertThat(s.component()).isEqualTo("worker");
    }
  }

  @Test
  void componentWithoutImageIsRefusedNamingTheField() {
    var noImage = new eu.mlsysops.model.Container(null, List.of("x"), null, null, null, null, null, null);
    var c = app.component("worker").orElseThrow();
    var broken =
        new eu.mlsysops.model.Component(
            c.metadata(),
            c.nodePlacement(),
            c.dependsOn(),
            c.runtimeConfiguration(),
            c.sensors(),
            c.qosMetrics(),
            c.storage(),
            c.dataSensitivity(),
            c.dataCriticality(),
            c.externalComponent(),
            c.externalAccess(),
            c.hostNetwork(),
            c.runtimeClassName(),
            c.restartPolicy(),
            c.os(),
            c.nodeType(),
            c.containerRuntime(),
            List.of(noImage));
    var spec =
        new eu.mlsysops.orchestration.InstanceSpec(
            "shop", "shop/worker/0", broken, java.util.Map.of());

    var f = workloads.runtime("edge-1").start(spec).toCompletableFuture();

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
        .hasMessageContaining("components[worker].containers[0].image");
  }

  @Test
  void podsReportToTheNodeAgentsReceiversOnTheHostIp() throws Exception {
    try (KubernetesWorkloads reporting =
        KubernetesWorkloads.builder(client)
            .namespace("reporting")
            .telemetry(() -> eu.mlsysops.orchestration.process.TelemetryEndpoint.boundTo(
                "0.0.0.0", 14317, 14318))
            .build()
            .start()) {
      reporting
          .runtime("edge-1")
          .start(TestApps.spec(app, "web", "shop/web/0"))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);

      var env = client.pods().inNamespace("reporting").withName(PodSpecs.podName("shop/web/0"))
          .get().getSpec().getContainers().get(0).getEnv();
      assertThat(env(env, "OTEL_EXPORTER_OTLP_ENDPOINT").getValue())
          .isEqualTo("http://$(MLSYSOPS_HOST_IP):14318");
      assertThat(env(env, "OTEL_EXPORTER_OTLP_PROTOCOL").getValue()).isEqualTo("http/protobuf");
      assertThat(env(env, "TELEMETRY_ENDPOINT").getValue()).isEqualTo("$(MLSYSOPS_HOST_IP):14317");
    }
  }

  @Test
  void pinsByNodeNameOrNodeSelectorWhenAskedTo() throws Exception {
    try (KubernetesWorkloads byName =
            KubernetesWorkloads.builder(client)
                .namespace("by-name")
                .pinning(Pinning.NODE_NAME)
                .build()
                .start();
        KubernetesWorkloads bySelector =
            KubernetesWorkloads.builder(client)
                .namespace("by-selector")
                .pinning(Pinning.NODE_SELECTOR)
                .hostnameLabel("example.com/host")
                .build()
                .start()) {
      byName
          .runtime("edge-2")
          .start(TestApps.spec(app, "worker", "shop/worker/0"))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      bySelector
          .runtime("edge-2")
          .start(TestApps.spec(app, "worker", "shop/worker/0"))
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);

      String pod = PodSpecs.podName("shop/worker/0");
      var named = client.pods().inNamespace("by-name").withName(pod).get().getSpec();
      assertThat(named.getNodeName()).isEqualTo("edge-2");
      assertThat(named.getAffinity()).isNull();
      var selected = client.pods().inNamespace("by-selector").withName(pod).get().getSpec();
      assertThat(selected.getNodeSelector())
          .containsExactly(java.util.Map.entry("example.com/host", "edge-2"));
      assertThat(selected.getNodeName()).isNull();
    }
  }

  @Test
  void restartsAFailedInstanceInAFreshPod() throws Exception {
    var rt = workloads.runtime("edge-1");
    rt.start(TestApps.spec(app, "worker", "shop/worker/0"))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    TestApps.podPhase(client, PodSpecs.podName("shop/worker/0"), "Failed", "Error");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> state(rt.instances(), "shop/worker/0") == InstanceState.FAILED);

    InstanceStatus again =
        rt.start(TestApps.spec(app, "worker", "shop/worker/0"))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);

    assertThat(again.state()).isEqualTo(InstanceState.STARTING);
    Pod fresh =
        client.pods().inNamespace(TestApps.NS).withName(PodSpecs.podName("shop/worker/0")).get();
    assertThat(fresh.getStatus() == null || fresh.getStatus().getPhase() == null).isTrue();
  }

  static EnvVar env(List<EnvVar> env, String name) {
    return env.stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow();
  }

  static InstanceState state(List<InstanceStatus> list, String id) {
    return list.stream()
        .filter(s -> s.instanceId().equals(id))
        .map(InstanceStatus::state)
        .findFirst()
        .orElse(null);
  }
}
