package eu.mlsysops.orchestration;

import static eu.mlsysops.orchestration.TestComponents.component;
import static eu.mlsysops.orchestration.TestNodes.node;
import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.model.Component;
import eu.mlsysops.model.Container;
import eu.mlsysops.model.ContinuumLayer;
import eu.mlsysops.model.Environment;
import eu.mlsysops.model.GpuRequirements;
import eu.mlsysops.model.Hardware;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.NodePlacement;
import eu.mlsysops.model.PlatformRequirements;
import eu.mlsysops.model.Sensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random continua and components (seeded, so a failure replays): the placer's verdict on every node
 * must agree with a naive reading of the descriptors written here independently, and the chosen
 * node must pass every constraint at the moment it is chosen.
 */
class RandomizedPlacementTest {
  private static final ContinuumLayer[] LAYERS = {
    ContinuumLayer.CLOUD,
    ContinuumLayer.EDGE_INFRASTRUCTURE,
    ContinuumLayer.EDGE,
    ContinuumLayer.FAR_EDGE
  };
  private static final String[] LABELS = {"gdpr", "ssd", "zone-a", "zone-b"};
  private static final String[] ARCHS = {"amd64", "arm64"};
  private static final String[] CAMERAS = {"d455", "imx219"};
  private static final String[] GPUS = {"k80", "k40"};
  private static final String[] RUNTIMES = {"containerd", "docker"};

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void theChosenNodeAlwaysPassesEveryConstraint(long seed) {
    Random rnd = new Random(seed);
    List<NodeCandidate> nodes = new ArrayList<>();
    int n = 5 + rnd.nextInt(40);
    for (int i = 0; i < n; i++) {
      NodeDescriptor d = randomNode("n" + i, rnd);
      long cpuCapacity = NodeDefaults.cores(d) * 1000L;
      long alloc = rnd.nextInt(4) == 0 ? (long) (rnd.nextDouble() * cpuCapacity) : 0;
      nodes.add(new NodeCandidate(d, alloc, 0, rnd.nextDouble(), rnd.nextInt(10) != 0));
    }
    Placer placer =
        rnd.nextBoolean()
            ? Placer.withDefaults()
            : Placer.builder().weight("energy", 1).weight("balanced_resource", 0.5).build();
    PlacementSnapshot s = placer.snapshot(nodes);
    for (int k = 0; k < 30; k++) {
      Component c = randomComponent("c" + k, rnd);
      Set<String> excluded = rnd.nextInt(5) == 0 ? Set.of("n" + rnd.nextInt(n)) : Set.of();
      PlacementRequest request = PlacementRequest.of("app", c).excluding(excluded);
      List<NodeCandidate> before = s.nodes();
      Placement p = s.placeAndCommit(request);
      for (NodeCandidate node : before) {
        boolean feasible = feasible(c, node, excluded);
        assertThat(!p.reasons().containsKey(node.name()))
            .as(
                "seed %d, %s on %s (placer says %s)",
                seed, c.name(), node.name(), p.reasons().get(node.name()))
            .isEqualTo(feasible);
      }
      if (p.isPlaced()) {
        NodeCandidate chosen =
            before.stream().filter(x -> x.name().equals(p.node().get())).findFirst().orElseThrow();
        assertThat(feasible(c, chosen, excluded)).isTrue();
        assertThat(p.ranking().get(0).node()).isEqualTo(p.node().get());
      } else {
        assertThat(before).noneMatch(x -> feasible(c, x, excluded));
        assertThat(p.summary()).startsWith("0/" + before.size() + " nodes: ");
      }
      assertThat(p.feasibleCount() + p.reasons().size()).isEqualTo(before.size());
    }
  }

  private static NodeDescriptor randomNode(String name, Random rnd) {
    ContinuumLayer layer = LAYERS[rnd.nextInt(LAYERS.length)];
    TestNodes b = node(name).layer(layer);
    if (layer == ContinuumLayer.FAR_EDGE && rnd.nextInt(4) == 0) {
      b.mcuOnly(0.1);
    } else {
      b.cores(1 + rnd.nextInt(8))
          .arch(ARCHS[rnd.nextInt(2)])
          .ghz(1.0, 1.0 + rnd.nextInt(20) / 10.0);
    }
    b.memory((1 + rnd.nextInt(8)) + "Gi");
    for (String l : LABELS) {
      if (rnd.nextInt(3) == 0) {
        b.label(l);
      }
    }
    if (rnd.nextInt(3) == 0) {
      b.sensor("camera", CAMERAS[rnd.nextInt(2)]);
    }
    if (rnd.nextInt(4) == 0) {
      b.gpu(GPUS[rnd.nextInt(2)], 2 + rnd.nextInt(10));
    }
    if (rnd.nextInt(6) == 0) {
      b.mobile();
    }
    if (rnd.nextInt(4) != 0) {
      b.os(rnd.nextBoolean() ? "ubuntu" : "kali");
      for (String r : RUNTIMES) {
        if (rnd.nextBoolean()) {
          b.runtimes(r);
        }
      }
    }
    if (rnd.nextBoolean()) {
      b.disk((10 + rnd.nextInt(200)) + "");
    }
    return b.build();
  }

  private static Component randomComponent(String name, Random rnd) {
    TestComponents b = component(name);
    if (rnd.nextInt(2) == 0) {
      b.layers(LAYERS[rnd.nextInt(LAYERS.length)]);
      if (rnd.nextBoolean()) {
        b.layers(LAYERS[rnd.nextInt(LAYERS.length)]);
      }
    } else if (rnd.nextInt(5) == 0) {
      b.layers(ContinuumLayer.ANY);
    }
    if (rnd.nextInt(3) == 0) {
      b.label(LABELS[rnd.nextInt(LABELS.length)]);
    }
    if (rnd.nextInt(3) == 0) {
      b.arch(ARCHS[rnd.nextInt(2)]);
    }
    if (rnd.nextInt(4) == 0) {
      b.ghz(1.0 + rnd.nextInt(20) / 10.0);
    }
    if (rnd.nextInt(4) == 0) {
      b.sensor("camera", rnd.nextBoolean() ? CAMERAS[rnd.nextInt(2)] : null);
    }
    if (rnd.nextInt(5) == 0) {
      b.gpu(rnd.nextBoolean() ? GPUS[rnd.nextInt(2)] : null, rnd.nextBoolean() ? 4 : null);
    }
    if (rnd.nextInt(8) == 0) {
      b.mcu();
    }
    if (rnd.nextInt(8) == 0) {
      b.mobile(true);
    }
    if (rnd.nextInt(4) == 0) {
      b.os(rnd.nextBoolean() ? "ubuntu" : "kali");
    }
    if (rnd.nextInt(4) == 0) {
      b.containerRuntime(RUNTIMES[rnd.nextInt(2)]);
    }
    if (rnd.nextInt(6) == 0) {
      b.runtimeClass(rnd.nextBoolean() ? "nvidia" : "default");
    }
    if (rnd.nextInt(4) == 0) {
      b.disk((10 + rnd.nextInt(200)) + "");
    }
    if (rnd.nextInt(10) == 0) {
      b.node("n" + rnd.nextInt(20));
    }
    b.cpu((100 * (1 + rnd.nextInt(30))) + "m");
    return b.build();
  }

  /** The constraints as the descriptors state them, read without any of the placer's code. */
  private static boolean feasible(Component c, NodeCandidate n, Set<String> excluded) {
    NodeDescriptor d = n.node();
    Hardware h = d.hardware();
    Environment env = d.environment();
    if (!n.healthy() || excluded.contains(d.name())) {
      return false;
    }
    NodePlacement np = c.nodePlacement();
    if (np.node() != null && !np.node().equals(d.name())) {
      return false;
    }
    if (!np.continuumLayer().isEmpty()
        && !np.continuumLayer().contains(ContinuumLayer.ANY)
        && !np.continuumLayer().contains(d.continuumLayer())) {
      return false;
    }
    if (!d.labels().containsAll(np.labels())) {
      return false;
    }
    if (Boolean.TRUE.equals(np.mobile()) && !d.mobile()) {
      return false;
    }
    if (c.os() != null && (env == null || !c.os().equals(env.os()))) {
      return false;
    }
    List<String> runtimes = env == null ? List.of() : env.containerRuntime();
    if (c.containerRuntime() != null && !runtimes.contains(c.containerRuntime())) {
      return false;
    }
    if (c.runtimeClassName() != null) {
      boolean oci = !runtimes.isEmpty();
      boolean linux = env == null || !"zephyr".equals(env.os());
      boolean ok =
          c.runtimeClassName().equals("nvidia") ? oci && linux && h.gpu() != null : oci && linux;
      if (!ok) {
        return false;
      }
    }
    boolean mcuOnly = h.cpu() == null && h.mcu() != null;
    for (Container container : c.containers()) {
      PlatformRequirements p = container.platformRequirements();
      if (p.cpu() != null && !p.cpu().architecture().isEmpty()) {
        if (h.cpu() == null || !p.cpu().architecture().contains(h.cpu().architecture())) {
          return false;
        }
      }
      if (p.cpu() != null && p.cpu().frequencyGhz() != null) {
        double max =
            mcuOnly
                ? h.mcu().frequencyGhz()
                : h.cpu().frequencyGhz().stream().max(Double::compare).get();
        if (max < p.cpu().frequencyGhz() - 1e-9) {
          return false;
        }
      }
      GpuRequirements g = p.gpu();
      if (g != null) {
        if (h.gpu() == null
            || (g.model() != null && !g.model().equals(h.gpu().model()))
            || (g.memory() != null && h.gpu().memory() < g.memory())) {
          return false;
        }
      }
      if (p.mcu() != null) {
        if (h.mcu() == null || d.continuumLayer() != ContinuumLayer.FAR_EDGE) {
          return false;
        }
      } else if (mcuOnly) {
        return false;
      }
      if (p.diskBytes() > 0 && h.diskBytes() > 0 && h.diskBytes() < p.diskBytes()) {
        return false;
      }
    }
    for (Sensor wanted : c.sensors()) {
      boolean has = false;
      for (Sensor s : d.sensors()) {
        has |=
            s.type().equals(wanted.type())
                && (wanted.model() == null || wanted.model().equals(s.model()));
      }
      if (!has) {
        return false;
      }
    }
    long capacity = mcuOnly ? 1000 : h.cpu().cores() * 1000L;
    if (c.cpuRequests().millis() > capacity - n.cpuAllocatedMillis()) {
      return false;
    }
    return c.memoryRequests().longValue() <= h.memoryBytes() - n.memoryAllocatedBytes();
  }
}
