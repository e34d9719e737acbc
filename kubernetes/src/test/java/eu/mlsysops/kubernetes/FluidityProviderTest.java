package eu.mlsysops.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.Mechanism;
import eu.mlsysops.agent.MechanismProvider;
import eu.mlsysops.agent.engine.MechanismPlugins;
import eu.mlsysops.model.AppDescriptor;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FluidityProviderTest {
  @RegisterExtension final MockApiServer api = new MockApiServer();
  private final Map<String, String> saved = new java.util.HashMap<>();

  /** Points fabric8's auto-configuration (what a provider uses) at the mock API server. */
  private void masterAt(String url) {
    Map<String, String> props = Map.of("kubernetes.master", url,
        "kubernetes.trust.certificates", "true", "kubernetes.auth.tryKubeConfig", "false",
        "kubernetes.auth.tryServiceAccount", "false", "kubernetes.request.retry.backoffLimit", "0");
    props.forEach((k, v) -> {
      saved.put(k, System.getProperty(k));
      System.setProperty(k, v);
    });
  }

  @AfterEach
  void restore() {
    saved.forEach((k, v) -> {
      if (v == null) {
        System.clearProperty(k);
      } else {
        System.setProperty(k, v);
      }
    });
  }

  private static MechanismProvider.Context cluster(AppDescriptor app) {
    return new MechanismProvider.Context("edge", "cluster", Path.of("."), Clock.systemUTC(),
        name -> name.equals(app.name()) ? Optional.of(app) : Optional.empty());
  }

  @Test
  void aClusterAgentConfiguredWithFluidityDrivesKubernetesWithoutNodeAgents() throws Exception {
    masterAt(api.client.getConfiguration().getMasterUrl());
    TestApps.node(api.client, "edge-1", true);
    AppDescriptor app = TestApps.shop();

    List<Mechanism> made = MechanismPlugins.load(getClass().getClassLoader())
        .create(List.of("placement", "fluidity"), List.of("placement"), cluster(app));

    assertThat(made).singleElement().satisfies(m -> assertThat(m.name()).isEqualTo("fluidity"));
    Mechanism fluidity = made.get(0);
    TestKubelet kubelet = new TestKubelet(api.client);
    try {
      var result = fluidity.apply(Command.of("fluidity", "deploy", "app", "shop", "component",
          "web", "slot", "0", "node", "edge-1")).toCompletableFuture().get(120, TimeUnit.SECONDS);

      assertThat(result.isSuccess()).as(result.reason()).isTrue();
      assertThat(api.client.pods().inNamespace(TestApps.NS).list().getItems()).hasSize(1);
    } finally {
      ((AutoCloseable) fluidity).close();
      kubelet.close();
    }
  }

  @Test
  void anUnreachableApiServerIsReportedAtStartNamingIt() {
    masterAt("https://127.0.0.1:1");

    assertThatThrownBy(() -> MechanismPlugins.load(getClass().getClassLoader())
        .create(List.of("fluidity"), List.of("placement"), cluster(TestApps.shop())))
        .hasMessageStartingWith("mechanisms: fluidity cannot start: cannot reach the Kubernetes"
            + " API server at https://127.0.0.1:1");
  }

  @Test
  void everyClusterAgentOfAnEmbeddedContinuumGetsFluidityWhenItsTierNamesIt(
      @org.junit.jupiter.api.io.TempDir Path dataDir) {
    masterAt(api.client.getConfiguration().getMasterUrl());

    try (var continuum = eu.mlsysops.agent.tier.EmbeddedContinuum.builder(dataDir)
        .mechanisms(Map.of("cluster", List.of("fluidity"))).build()) {
      var fluidity = continuum.mechanisms().stream()
          .filter(m -> m.name().equals("fluidity")).toList();

      assertThat(fluidity).extracting(m -> m.agent())
          .containsExactlyInAnyOrderElementsOf(continuum.clusters().keySet());
      assertThat(fluidity).allSatisfy(m -> assertThat(m.state().toString()).doesNotContain("error"));
    }
  }
}
