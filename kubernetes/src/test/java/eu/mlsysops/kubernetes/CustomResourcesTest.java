package eu.mlsysops.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.tier.AppStatus;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.protocol.Message;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class CustomResourcesTest {
  KubernetesMockServer server;
  KubernetesClient client;
  final AppDescriptor shop = TestApps.shop();
  final Clock clock = Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC);

  @BeforeEach
  void crds() {
    MlsysopsCrds.installMissing(client);
  }

  @Test
  void installsTheFiveCrdsOnceWithAStatusSubresourceForApps() {
    assertThat(MlsysopsCrds.installMissing(client)).isEmpty();
    List<CustomResourceDefinition> crds =
        client.apiextensions().v1().customResourceDefinitions().list().getItems();
    assertThat(crds)
        .extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "mlsysopsapps.mlsysops.eu",
            "mlsysopsnodes.mlsysops.eu",
            "mlsysopsclusters.mlsysops.eu",
            "mlsysopscontinuums.mlsysops.eu",
            "mlsysopsdatacenters.mlsysops.eu");
    CustomResourceDefinition app =
        crds.stream()
            .filter(c -> c.getSpec().getNames().getKind().equals("MLSysOpsApp"))
            .findFirst()
            .orElseThrow();
    var v1 = app.getSpec().getVersions().get(0);
    assertThat(v1.getSubresources().getStatus()).isNotNull();
    assertThat(v1.getSchema().getOpenAPIV3Schema().getProperties())
        .containsKeys("components", "status");
  }

  @Test
  void installsOnlyWhatIsMissing() {
    client
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("mlsysopsnodes.mlsysops.eu")
        .delete();

    assertThat(MlsysopsCrds.installMissing(client)).containsExactly("mlsysopsnodes.mlsysops.eu");
  }

  @Test
  void mirrorsAnAppAsAnMlsysopsAppWhoseBodyReadsBackToTheDescriptor() {
    AppMirror mirror = new AppMirror(client, TestApps.NS);

    mirror.apply(shop);

    GenericKubernetesResource r = mirror.get("shop").orElseThrow();
    assertThat(r.getApiVersion()).isEqualTo("mlsysops.eu/v1");
    assertThat(r.getKind()).isEqualTo("MLSysOpsApp");
    String body =
        client
            .getKubernetesSerialization()
            .asJson(Map.of("MLSysOpsApp", r.getAdditionalProperties()));
    assertThat(Descriptors.parseApp(body)).isEqualTo(shop);
  }

  @Test
  void writesTheContinuumsViewIntoStatus() {
    AppMirror mirror = new AppMirror(client, TestApps.NS);
    mirror.apply(shop);

    mirror.updateStatus(status("shop", "Running", "edge", "cloud"), clock.instant());

    @SuppressWarnings("unchecked")
    Map<String, Object> st =
        (Map<String, Object>)
            mirror.get("shop").orElseThrow().getAdditionalProperties().get("status");
    assertThat(st)
        .containsEntry("phase", "Running")
        .containsEntry("observedAt", "2026-11-28T12:00:00Z");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> comps = (List<Map<String, Object>>) st.get("components");
    assertThat(comps).extracting(c -> c.get("cluster")).containsExactly("edge", "cloud");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> inst = (List<Map<String, Object>>) comps.get(0).get("instances");
    assertThat(inst.get(0)).containsEntry("id", "shop/web/0").containsEntry("state", "RUNNING");

    // Re-applying the descriptor keeps the status.
    mirror.apply(shop);
    assertThat(mirror.get("shop").orElseThrow().getAdditionalProperties()).containsKey("status");
  }

  @Test
  void writesAPropagationPolicyForTheChosenClusters() {
    KarmadaPropagation karmada = new KarmadaPropagation(client, TestApps.NS);

    karmada.propagate("shop", List.of("edge", "cloud", "edge"));

    // Read back by its REST path, as Karmada's API server would serve it.
    String raw =
        client.raw(
            "/apis/policy.karmada.io/v1alpha1/namespaces/"
                + TestApps.NS
                + "/propagationpolicies/mlsysops-shop");
    GenericKubernetesResource p =
        client.getKubernetesSerialization().unmarshal(raw, GenericKubernetesResource.class);
    assertThat(p.getKind()).isEqualTo("PropagationPolicy");
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) p.getAdditionalProperties().get("spec");
    assertThat(spec.get("resourceSelectors"))
        .isEqualTo(
            List.of(Map.of("apiVersion", "mlsysops.eu/v1", "kind", "MLSysOpsApp", "name", "shop")));
    assertThat(karmada.clustersOf("shop")).contains(List.of("cloud", "edge"));
  }

  @Test
  void continuumSyncMirrorsPropagatesAndCleansUp() {
    AppDescriptor other =
        Descriptors.parseApp(
            "MLSysOpsApp:\n  name: other\n  components:\n    - metadata: {name: c}\n"
                + "      containers:\n        - image: x\n");
    Map<String, AppDescriptor> descriptors = Map.of("shop", shop, "other", other);
    var sync =
        new ContinuumKubernetesSync(
            new AppMirror(client, TestApps.NS), new KarmadaPropagation(client, TestApps.NS), clock);

    var round =
        sync.reconcile(
            List.of(status("shop", "Running", "edge", "cloud"), status("other", "Pending", "", "")),
            n -> Optional.ofNullable(descriptors.get(n)));

    assertThat(round.errors()).isEmpty();
    assertThat(round.mirrored()).containsExactly("shop", "other");
    assertThat(round.propagated()).containsOnlyKeys("shop");
    var karmada = new KarmadaPropagation(client, TestApps.NS);
    assertThat(karmada.clustersOf("shop")).contains(List.of("cloud", "edge"));
    assertThat(karmada.clustersOf("other")).isEmpty();

    var next =
        sync.reconcile(
            List.of(status("other", "Running", "cloud", "cloud")),
            n -> Optional.ofNullable(descriptors.get(n)));

    assertThat(next.removed()).containsExactly("shop");
    assertThat(new AppMirror(client, TestApps.NS).mirrored()).containsExactly("other");
    assertThat(karmada.clustersOf("shop")).isEmpty();
    assertThat(karmada.clustersOf("other")).contains(List.of("cloud"));
  }

  static AppStatus status(String app, String phase, String c1, String c2) {
    return new AppStatus(
        app,
        0,
        phase,
        List.of(
            new AppStatus.ComponentStatus(
                "web",
                c1,
                2,
                1,
                List.of(
                    new Message.InstanceReport(
                        app + "/web/0",
                        app,
                        "web",
                        "edge-1",
                        "RUNNING",
                        "pod running and ready",
                        0))),
            new AppStatus.ComponentStatus("worker", c2, 1, 0, List.of())));
  }
}
