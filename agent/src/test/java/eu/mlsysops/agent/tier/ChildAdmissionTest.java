package eu.mlsysops.agent.tier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.mlsysops.model.ClusterDescriptor;
import eu.mlsysops.model.Descriptors;
import eu.mlsysops.model.NodeDescriptor;
import eu.mlsysops.model.ParseOptions;
import eu.mlsysops.protocol.InProcessLink;
import eu.mlsysops.protocol.Message;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChildAdmissionTest {
  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @AfterEach
  void tearDown() {
    executor.shutdownNow();
  }

  private static NodeDescriptor node(String name) {
    return (NodeDescriptor)
        Descriptors.parse(
                """
                MLSysOpsNode:
                  name: %s
                  continuum_layer: edge
                  environment: {node_type: native, os: ubuntu, container_runtime: [containerd]}
                  hardware: {cpu: {architecture: amd64, cores: 2}, memory: 2}
                """
                    .formatted(name),
                "n",
                ParseOptions.DEFAULT)
            .descriptors()
            .get(0);
  }

  private static Message.StatusReport report(String from, String node) {
    return new Message.StatusReport(
        from,
        List.of(new Message.InstanceReport("a/c/0", "a", "c", node, "RUNNING", "", 1)),
        false);
  }

  /** Sends {@code messages} through an admitted link; returns what reached the parent. */
  private List<Message> through(ChildAdmission admission, Message... messages) {
    InProcessLink link = InProcessLink.create(executor);
    List<Message> received = new CopyOnWriteArrayList<>();
    admission.admitting(l -> l.onReceive(received::add)).accept(link.parentSide());
    for (Message m : messages) {
      link.childSide().send(m);
    }
    Message marker = new Message.Heartbeat("marker", 0);
    List<Message> all = new CopyOnWriteArrayList<>();
    // Everything sent before the marker has been handled once the executor runs the marker.
    executor.submit(() -> all.add(marker));
    await().atMost(5, TimeUnit.SECONDS).until(() -> !all.isEmpty());
    return received;
  }

  @Test
  void admitsANodeThatDescribesItselfThenItsMessages() {
    ChildAdmission a = new ChildAdmission(Message.Tier.NODE);
    Message.Register r = new Message.Register("n1", Message.Tier.NODE, node("n1"), null, List.of());
    Message.Heartbeat h = new Message.Heartbeat("n1", 5);
    assertThat(through(a, r, h, report("n1", "n1"))).containsExactly(r, h, report("n1", "n1"));
    assertThat(a.refused()).isZero();
  }

  @Test
  void refusesARegistrationDescribingAnotherNodeAndEverythingAfterIt() {
    ChildAdmission a = new ChildAdmission(Message.Tier.NODE);
    assertThat(
            through(
                a,
                new Message.Register("n3", Message.Tier.NODE, node("n2"), null, List.of()),
                new Message.Heartbeat("n3", 1),
                report("n3", "n2")))
        .isEmpty();
    assertThat(a.refused()).isEqualTo(3);
  }

  @Test
  void refusesAChildOfTheWrongTier() {
    ChildAdmission a = new ChildAdmission(Message.Tier.NODE);
    assertThat(
            through(
                a,
                new Message.Register(
                    "c9",
                    Message.Tier.CLUSTER,
                    null,
                    new ClusterDescriptor("c9", "c9", null, List.of("n1")),
                    List.of())))
        .isEmpty();
    ChildAdmission atContinuum = new ChildAdmission(Message.Tier.CLUSTER);
    assertThat(
            through(
                atContinuum,
                new Message.Register("n1", Message.Tier.NODE, node("n1"), null, List.of())))
        .isEmpty();
    assertThat(a.refused() + atContinuum.refused()).isEqualTo(2);
  }

  @Test
  void refusesAClusterRegisteringAnotherClustersId() {
    ChildAdmission a = new ChildAdmission(Message.Tier.CLUSTER);
    assertThat(
            through(
                a,
                new Message.Register(
                    "c1",
                    Message.Tier.CLUSTER,
                    null,
                    new ClusterDescriptor("c2", "c2", null, List.of("n1")),
                    List.of())))
        .isEmpty();
    assertThat(a.refused()).isEqualTo(1);
  }

  @Test
  void refusesANodeReportingInstancesOnAnotherNode() {
    ChildAdmission a = new ChildAdmission(Message.Tier.NODE);
    Message.Register r = new Message.Register("n1", Message.Tier.NODE, node("n1"), null, List.of());
    assertThat(through(a, r, report("n1", "n2"))).containsExactly(r);
    assertThat(a.refused()).isEqualTo(1);
  }

  @Test
  void admitsOnlyListedChildrenWhenGivenAList() {
    ChildAdmission a = new ChildAdmission(Message.Tier.CLUSTER, java.util.Set.of("cloud"));
    Message.Register cloud =
        new Message.Register(
            "cloud",
            Message.Tier.CLUSTER,
            null,
            new ClusterDescriptor("cloud", "cloud", null, List.of("n1")),
            List.of());
    Message.Register n1AsCluster =
        new Message.Register(
            "n1",
            Message.Tier.CLUSTER,
            null,
            new ClusterDescriptor("n1", "n1", null, List.of("n1")),
            List.of());
    assertThat(through(a, cloud)).containsExactly(cloud);
    assertThat(through(a, n1AsCluster)).isEmpty();
    assertThat(a.refused()).isEqualTo(1);
  }

  @Test
  void aJoinedNodeIsAdmittedByTheClusterItJoinedOnlyAndNeverAsACluster() {
    ChildAdmission edge = new ChildAdmission(Message.Tier.NODE, java.util.Set.of("n1"), "edge");
    Message.Register n9 = new Message.Register("n9", Message.Tier.NODE, node("n9"), null, List.of());
    assertThat(edge.problem(n9, false, java.util.Optional.of("edge"))).isNull();
    assertThat(edge.problem(n9, false, java.util.Optional.empty()))
        .isEqualTo("n9 is not one of the children this agent admits [n1]");
    assertThat(edge.problem(n9, false, java.util.Optional.of("cloud")))
        .isEqualTo("n9 joined cluster cloud, not edge");

    ChildAdmission continuum = new ChildAdmission(Message.Tier.CLUSTER);
    Message.Register asCluster = new Message.Register("n9", Message.Tier.CLUSTER, null,
        new ClusterDescriptor("n9", "n9", null, List.of("n9")), List.of());
    assertThat(continuum.problem(asCluster, false, java.util.Optional.empty())).isNull();
    assertThat(continuum.problem(asCluster, false, java.util.Optional.of("edge")))
        .isEqualTo("n9 holds a node's join certificate (for cluster edge) and cannot register"
            + " here as a CLUSTER agent");
  }
}
