package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.orchestration.InstanceStatus;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A declarative update of a running app: a changed image rolls the instances one at a time, a new
 * count adds instances, a dropped component stops, and a cluster killed in the middle finishes the
 * rollout after its restart.
 */
class AppUpdateTest {
  @TempDir Path dataDir;
  private TierFixture f;

  @BeforeEach
  void setUp() {
    f = new TierFixture(dataDir, TierFixture.FAST).start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> f.continuum.clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  private static AppDescriptor web(String image, int instances, boolean withWorker) {
    return TierFixture.app("MLSysOpsApp:\n  name: web\n  cluster_placement: {cluster_id: [cloud]}\n"
        + "  components:\n"
        + "    - metadata: {name: web}\n"
        + "      node_placement: {scaling: {scaling_mode: manual, instances: " + instances + "}}\n"
        + "      containers:\n"
        + "        - image: " + image + "\n"
        + "          platform_requirements: {cpu: {requests: \"250m\"}}\n"
        + (withWorker ? "    - metadata: {name: worker}\n"
            + "      containers: [{image: registry.local/worker:1}]\n" : ""));
  }

  private List<InstanceStatus> running(String component) {
    return f.running("web").stream().filter(s -> s.component().equals(component)).toList();
  }

  private String image(InstanceStatus s) {
    return f.started.get(s.instanceId()).component().containers().get(0).image();
  }

  private void deploy(AppDescriptor app, int webInstances) {
    f.continuum.deploy(app);
    await().atMost(30, TimeUnit.SECONDS).until(() -> f.phase("web").equals("Running")
        && running("web").size() == webInstances);
  }

  @Test
  void aNewImageRollsTheInstancesOneAtATimeAndANewCountAddsOnes() throws Exception {
    deploy(web("registry.local/web:1", 2, false), 2);
    int fewest;
    try (TierFixture.FewestRunning floor = f.new FewestRunning("web", "web")) {
      assertThat(f.continuum.update(web("registry.local/web:2", 3, false))).isTrue();
      await().atMost(30, TimeUnit.SECONDS).until(() -> f.live("web").size() == 3
          && running("web").size() == 3
          && running("web").stream().allMatch(s -> image(s).equals("registry.local/web:2"))
          && f.phase("web").equals("Running"));
      fewest = floor.fewest();
    }
    assertThat(fewest).as("running instances during the update").isGreaterThanOrEqualTo(2);
    assertThat(f.saw("app web updated")).isTrue();
  }

  @Test
  void theSameDescriptorChangesNothingAndAnUnknownAppIsRefused() {
    AppDescriptor app = web("registry.local/web:1", 2, false);
    deploy(app, 2);
    List<String> before = running("web").stream().map(InstanceStatus::instanceId).toList();

    assertThat(f.continuum.update(app)).isFalse();
    assertThatThrownBy(() -> f.continuum.update(TierFixture.web("other", null)))
        .hasMessage("no app named \"other\"");
    assertThat(running("web").stream().map(InstanceStatus::instanceId).toList())
        .isEqualTo(before);
  }

  @Test
  void aComponentLeftOutOfTheUpdateStops() {
    deploy(web("registry.local/web:1", 1, true), 1);
    await().atMost(30, TimeUnit.SECONDS).until(() -> running("worker").size() == 1);

    assertThat(f.continuum.update(web("registry.local/web:1", 1, false))).isTrue();

    await().atMost(30, TimeUnit.SECONDS).until(() -> f.live("web").stream()
        .noneMatch(s -> s.component().equals("worker")));
    assertThat(f.continuum.app("web").orElseThrow().components())
        .extracting(AppStatus.ComponentStatus::name).containsExactly("web");
    assertThat(running("web")).hasSize(1);
  }

  @Test
  void aClusterKilledDuringTheRolloutFinishesItAfterItsRestart() {
    f.close();
    // Instances take a second to start here, so the crash lands in the middle of the rollout.
    f = new TierFixture(dataDir.resolve("slow"), TierFixture.FAST, 20).start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> f.continuum.clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
    deploy(web("registry.local/web:1", 2, false), 2);

    f.continuum.update(web("registry.local/web:2", 2, false));
    await().atMost(10, TimeUnit.SECONDS).until(() -> f.saw("rollout of web/web"));
    f.crashAndRestartCluster("cloud");
    assertThat(running("web")).as("old instances still serve when the cluster dies")
        .anySatisfy(s -> assertThat(image(s)).isEqualTo("registry.local/web:1"));

    await().atMost(40, TimeUnit.SECONDS).until(() -> f.live("web").size() == 2
        && running("web").size() == 2
        && running("web").stream().allMatch(s -> image(s).equals("registry.local/web:2")));
  }

  @Test
  void anUpdateDuringARolloutEndsWithEveryInstanceOnTheNewestSpec() {
    f.close();
    // Instances take a second to start: the second update comes while the first still rolls.
    f = new TierFixture(dataDir.resolve("slow2"), TierFixture.FAST, 20).start();
    await().atMost(30, TimeUnit.SECONDS).until(() -> f.continuum.clusters().stream()
        .mapToInt(c -> c.nodes().size()).sum() == 8);
    deploy(web("registry.local/web:1", 3, false), 3);

    f.continuum.update(web("registry.local/web:2", 3, false));
    await().atMost(10, TimeUnit.SECONDS).until(() -> f.saw("rollout of web/web"));
    f.continuum.update(web("registry.local/web:3", 3, false));

    await().atMost(60, TimeUnit.SECONDS).until(() -> f.live("web").size() == 3
        && running("web").size() == 3
        && running("web").stream().allMatch(s -> image(s).equals("registry.local/web:3")));
  }
}
