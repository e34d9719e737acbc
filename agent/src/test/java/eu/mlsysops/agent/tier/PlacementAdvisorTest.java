package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dry runs and explanations decide as the cluster agents would, on the built-in topology. */
class PlacementAdvisorTest {
  @TempDir Path dataDir;
  private EmbeddedContinuum continuum;

  @BeforeEach
  void start() {
    continuum = EmbeddedContinuum.builder(dataDir).clusterSettings(EmbeddedContinuumTest.FAST)
        .tick(Duration.ofMillis(50)).build().start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> continuum.continuum().clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
  }

  @AfterEach
  void stop() {
    continuum.close();
  }

  private static List<String> nodesOf(PlacementAdvisor.DryRun d, String component) {
    return d.components().stream().filter(c -> c.component().equals(component))
        .flatMap(c -> c.instances().stream()).map(PlacementAdvisor.InstancePlan::node).toList();
  }

  @Test
  void aNodeTheClustersWouldRefuseAsUntrustedIsRefusedByTheDryRunAndTheExplanation() {
    AppDescriptor app = EmbeddedContinuumTest.demoApp();
    PlacementAdvisor trusting = new PlacementAdvisor(continuum.continuum(), n -> 1.0, 0.5);
    PlacementAdvisor wary = new PlacementAdvisor(continuum.continuum(),
        n -> n.name().startsWith("cloud-") && !n.name().equals("cloud-3") ? 0.2 : 1.0, 0.5);

    assertThat(nodesOf(trusting.dryRun(app), "analytics")).doesNotContain("").hasSize(2)
        .doesNotHaveDuplicates();
    PlacementAdvisor.DryRun d = wary.dryRun(app);
    PlacementAdvisor.InstancePlan first = d.components().stream()
        .filter(c -> c.component().equals("analytics")).findFirst().orElseThrow()
        .instances().get(0);
    assertThat(first.candidates()).extracting(PlacementAdvisor.Candidate::node)
        .containsExactly("cloud-3");
    assertThat(first.rejected().keySet()).anyMatch(k -> k.startsWith("untrusted"));
  }

  @Test
  void theDryRunOfADeployedAppSaysWhereItWouldGoAfresh() {
    AppDescriptor app = EmbeddedContinuumTest.demoApp();
    continuum.continuum().deploy(app);
    await().atMost(60, TimeUnit.SECONDS).until(() -> continuum.continuum().app(app.name())
        .map(AppStatus::phase).orElse("").equals("Running"));
    PlacementAdvisor advisor = PlacementAdvisor.of(continuum);

    PlacementAdvisor.DryRun d = advisor.dryRun(app);

    assertThat(d.placeable()).isTrue();
    for (Component c : app.components()) {
      assertThat(nodesOf(d, c.name())).as(c.name()).isNotEmpty().doesNotContain("");
    }
  }
}
