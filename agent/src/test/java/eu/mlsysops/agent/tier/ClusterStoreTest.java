package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Component;
import eu.mlsysops.model.Descriptor;
import eu.mlsysops.model.NodeDescriptor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cluster agent's state survives reopening the file, as after a killed process. */
class ClusterStoreTest {
  @TempDir Path dir;

  @Test
  void appsSlotsNodesAndEpochsSurviveAReopen() {
    AppDescriptor camera = EmbeddedContinuumTest.demoApp();
    // What the edge cluster holds: detector depends on camera-ingest (here) and analytics
    // depends on detector; analytics is elsewhere.
    List<Component> edge = camera.components().stream()
        .filter(c -> !c.name().equals("analytics")).toList();
    AppDescriptor cut = AppDescriptors.withComponents(camera, edge);
    NodeDescriptor node = Topologies.defaultTopology().stream()
        .filter(d -> d instanceof NodeDescriptor n && n.name().equals("edge-1"))
        .map(NodeDescriptor.class::cast).findFirst().orElseThrow();
    ClusterStore.SlotRow slot = new ClusterStore.SlotRow("smart-camera", "detector", 0, 1,
        "smart-camera/detector/0.1", "edge-2", null, null, "smart-camera/detector/0", "edge-3",
        "0123456789abcdef");
    try (ClusterStore s = new ClusterStore(dir.resolve("cluster-edge.db"))) {
      s.applyDesiredState(42, List.of(cut), List.of(), List.of());
      s.putNode(node);
      s.putSlot(slot);
      s.setMeta("node_epoch_reserved", 7000);
    }

    try (ClusterStore s = new ClusterStore(dir.resolve("cluster-edge.db"))) {
      assertThat(s.meta("apps_epoch", -1)).isEqualTo(42);
      assertThat(s.meta("node_epoch_reserved", 0)).isEqualTo(7000);
      assertThat(s.apps()).singleElement().satisfies(a -> {
        assertThat(a.components()).extracting(Component::name)
            .containsExactly("camera-ingest", "detector");
        assertThat(a.component("detector").orElseThrow().dependsOn())
            .containsExactly("camera-ingest");
      });
      assertThat(s.nodes()).extracting(Descriptor::name).containsExactly("edge-1");
      assertThat(s.slots()).containsExactly(slot);

      s.applyDesiredState(43, List.of(), List.of("smart-camera"), List.of(slot));
      assertThat(s.slots()).isEmpty();
      assertThat(s.apps()).isEmpty();
    }
  }

  @Test
  void referencesToComponentsOfOtherClustersAreDroppedSoTheAppParsesAlone() {
    AppDescriptor camera = EmbeddedContinuumTest.demoApp();
    AppDescriptor cloudPart = AppDescriptors.withComponents(camera, camera.components().stream()
        .filter(c -> c.name().equals("analytics")).toList());

    AppDescriptor stored = ClusterStore.selfContained(cloudPart);

    assertThat(stored.component("analytics").orElseThrow().dependsOn()).isEmpty();
    assertThat(stored.componentInteractions()).isEmpty();
    try (ClusterStore s = new ClusterStore(dir.resolve("c.db"))) {
      s.applyDesiredState(1, List.of(cloudPart), List.of(), List.of());
      assertThat(s.apps()).containsExactly(stored);
    }
  }
}
