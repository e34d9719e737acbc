package eu.mlsysops.agent.core;

import eu.mlsysops.agent.InstancePhase;
import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.agent.Command;
import eu.mlsysops.agent.SystemView;
import eu.mlsysops.model.AppDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.model.ParseResult;
import eu.mlsysops.orchestration.Placer;
import eu.mlsysops.telemetry.MetricStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cluster's placement policy: dependency gating, groups, mobility, scale-down, versions. */
class DynamicPlacementPolicyTest {
  private final Map<String, Map<String, String>> told = new LinkedHashMap<>();
  private final DynamicPlacementPolicy policy =
      new DynamicPlacementPolicy(Placer.withDefaults(), told::put);
  private final PolicyDriver<?> driver = new PolicyDriver<>(policy);

  static NodeDescriptor node(String name, String extra) {
    String yaml = "MLSysOpsNode:\n  name: " + name + "\n  cluster_id: c\n"
        + "  continuum_layer: edge\n"
        + "  environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}\n"
        + "  hardware:\n    cpu: {architecture: amd64, cores: 4, frequency: [2.0]}\n"
        + "    memory: 8\n" + extra;
    ParseResult r = Descriptors.parse(yaml, name + ".yaml", ParseOptions.DEFAULT);
    assertThat(r.errors()).isEmpty();
    return r.ofType(NodeDescriptor.class).get(0);
  }

  static AppDescriptor app(String yaml) {
    ParseResult r = Descriptors.parse(yaml, "app.yaml", ParseOptions.DEFAULT);
    assertThat(r.errors()).isEmpty();
    return r.ofType(AppDescriptor.class).get(0);
  }

  static SystemView system(long version, List<NodeDescriptor> nodes,
      List<SystemView.InstancePlacement> placements) {
    List<SystemView.NodeState> ns = new ArrayList<>();
    for (NodeDescriptor n : nodes) {
      ns.add(new SystemView.NodeState(n, true, 0, 0));
    }
    return new SystemView("c", ns, placements, List.of(), version);
  }

  private TestView view(AppDescriptor app, SystemView system) {
    return new TestView(new MetricStore(Clock.systemUTC(), 60, 1000), Map.of(), system, app, 0);
  }

  private static String target(Command c) {
    return c.arg("component", "") + "#" + c.arg("slot", "") + "@" + c.arg("node", c.arg("to", ""));
  }

  static final String PIPELINE = """
      MLSysOpsApp:
        name: shop
        components:
          - metadata: {name: db}
            containers: [{image: db, platform_requirements: {cpu: {requests: "1"}}}]
          - metadata: {name: web}
            depends_on: [db]
            node_placement: {scaling: {scaling_mode: manual, instances: 2}}
            containers: [{image: web, platform_requirements: {cpu: {requests: "1"}}}]
          - metadata: {name: cache}
            containers: [{image: cache}]
      """;

  @Test
  void aComponentWaitsUntilEveryInstanceOfItsDependenciesRuns() {
    AppDescriptor shop = app(PIPELINE);
    List<NodeDescriptor> nodes = List.of(node("a", ""), node("b", ""));

    assertThat(driver.turn(view(shop, system(7, nodes, List.of())))).isTrue();
    List<Command> first = driver.last().commands();
    assertThat(first).extracting(DynamicPlacementPolicyTest::target)
        .containsExactlyInAnyOrder("db#0@a", "cache#0@b");
    assertThat(driver.last().version()).as("computed against the view's version").isEqualTo(7);

    // db placed but still starting: web waits.
    List<SystemView.InstancePlacement> starting = List.of(
        new SystemView.InstancePlacement("shop", "db", "shop/db/0", "a", InstancePhase.PENDING),
        new SystemView.InstancePlacement("shop", "cache", "shop/cache/0", "a", InstancePhase.RUNNING));
    assertThat(driver.turn(view(shop, system(8, nodes, starting)))).isFalse();

    List<SystemView.InstancePlacement> running = List.of(
        new SystemView.InstancePlacement("shop", "db", "shop/db/0", "a", InstancePhase.RUNNING),
        new SystemView.InstancePlacement("shop", "cache", "shop/cache/0", "a", InstancePhase.RUNNING));
    assertThat(driver.turn(view(shop, system(9, nodes, running)))).isTrue();
    // Two instances spread over the two nodes.
    assertThat(driver.last().commands()).extracting(c -> c.arg("slot", "") + "@"
        + c.arg("node", "")).hasSize(2).anyMatch(t -> t.endsWith("@a"))
        .anyMatch(t -> t.endsWith("@b"));
  }

  @Test
  void aSingleNodeGroupSharesANodeAndMobileComponentsGoToMobileNodes() {
    AppDescriptor app = app("""
        MLSysOpsApp:
          name: drone
          single_node:
            - components: [nav, cam]
          components:
            - metadata: {name: nav}
              node_placement: {mobile: true}
              containers: [{image: nav, platform_requirements: {cpu: {requests: "1"}}}]
            - metadata: {name: cam}
              containers: [{image: cam, platform_requirements: {cpu: {requests: "1"}}}]
        """);
    List<NodeDescriptor> nodes = List.of(node("fixed", ""), node("rover", "  mobile: true\n"));
    assertThat(driver.turn(view(app, system(3, nodes, List.of())))).isTrue();
    assertThat(driver.last().commands()).extracting(DynamicPlacementPolicyTest::target)
        .containsExactlyInAnyOrder("nav#0@rover", "cam#0@rover");
  }

  @Test
  void anUnplaceableInstanceIsExplainedPerConstraintAndForgottenOncePlaced() {
    AppDescriptor app = app("""
        MLSysOpsApp:
          name: vision
          components:
            - metadata: {name: detect}
              sensors: [{camera: {model: d455}}]
              containers: [{image: d, platform_requirements: {cpu: {requests: "500m"}}}]
        """);
    List<NodeDescriptor> without = List.of(node("a", ""), node("b", ""));
    assertThat(driver.turn(view(app, system(1, without, List.of())))).isFalse();
    assertThat(told.get("vision")).containsExactly(
        Map.entry("detect/0", "0/2 nodes: 2 missing sensor camera/d455"));
    assertThat(policy.lastUnschedulable())
        .isEqualTo("detect#0: 0/2 nodes: 2 missing sensor camera/d455");

    List<NodeDescriptor> with = List.of(node("a", ""),
        node("cam", "  sensors:\n    - camera: {model: d455}\n"));
    assertThat(driver.turn(view(app, system(2, with, List.of())))).isTrue();
    assertThat(told.get("vision")).isEmpty();
  }

  @Test
  void instancesBeyondTheDesiredCountAreRemovedHighestFirst() {
    AppDescriptor shop = app(PIPELINE.replace("instances: 2", "instances: 1"));
    List<NodeDescriptor> nodes = List.of(node("a", ""), node("b", ""));
    List<SystemView.InstancePlacement> three = List.of(
        new SystemView.InstancePlacement("shop", "db", "shop/db/0", "a", InstancePhase.RUNNING),
        new SystemView.InstancePlacement("shop", "cache", "shop/cache/0", "a", InstancePhase.RUNNING),
        new SystemView.InstancePlacement("shop", "web", "shop/web/0", "a", InstancePhase.RUNNING),
        new SystemView.InstancePlacement("shop", "web", "shop/web/1", "b", InstancePhase.RUNNING),
        new SystemView.InstancePlacement("shop", "web", "shop/web/2", "b", InstancePhase.RUNNING));
    assertThat(driver.turn(view(shop, system(5, nodes, three)))).isTrue();
    List<Command> cs = driver.last().commands();
    assertThat(cs).extracting(Command::action).containsOnly("remove");
    assertThat(cs).extracting(c -> c.arg("slot", "")).containsExactly("2", "1");
  }

  @Test
  void aLostInstanceMovesAwayFromItsNode() {
    AppDescriptor shop = app(PIPELINE);
    List<NodeDescriptor> nodes = List.of(node("a", ""), node("b", ""));
    List<SystemView.InstancePlacement> lost = List.of(
        new SystemView.InstancePlacement("shop", "db", "shop/db/0", "a", InstancePhase.LOST),
        new SystemView.InstancePlacement("shop", "cache", "shop/cache/0", "b", InstancePhase.RUNNING),
        new SystemView.InstancePlacement("shop", "web", "shop/web/0", "b", InstancePhase.RUNNING),
        new SystemView.InstancePlacement("shop", "web", "shop/web/1", "b", InstancePhase.RUNNING));
    assertThat(driver.turn(view(shop, system(5, nodes, lost)))).isTrue();
    assertThat(driver.last().commands()).extracting(c -> c.action() + " " + target(c))
        .containsExactly("move db#0@b");
  }
}
