package eu.mlsysops.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import eu.mlsysops.orchestration.InstanceState;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import org.junit.jupiter.api.Test;

class PodStatesTest {
  static Pod pod(PodStatusBuilder status) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .addToAnnotations(Names.NODE_NAME, "edge-1")
        .endMetadata()
        .withStatus(status == null ? null : status.build())
        .build();
  }

  static Node node(String ready) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName("edge-1")
        .endMetadata()
        .withNewStatus()
        .addNewCondition()
        .withType("Ready")
        .withStatus(ready)
        .withReason("NodeStatusUnknown")
        .endCondition()
        .endStatus()
        .build();
  }

  @Test
  void aNewPodIsStarting() {
    assertThat(PodStates.of(pod(null), null))
        .isEqualTo(new PodStates.Observed(InstanceState.STARTING, "pod pending"));
  }

  @Test
  void anUnschedulablePodSaysWhy() {
    var o =
        PodStates.of(
            pod(
                new PodStatusBuilder()
                    .withPhase("Pending")
                    .addNewCondition()
                    .withType("PodScheduled")
                    .withStatus("False")
                    .withReason("Unschedulable")
                    .withMessage("0/3 nodes are available: 3 Insufficient cpu.")
                    .endCondition()),
            node("True"));
    assertThat(o.state()).isEqualTo(InstanceState.STARTING);
    assertThat(o.reason())
        .isEqualTo(
            "pod not scheduled: Unschedulable - 0/3 nodes are available: 3 Insufficient cpu.");
  }

  @Test
  void runningButNotReadyIsStillStarting() {
    var o =
        PodStates.of(
            pod(
                new PodStatusBuilder()
                    .withPhase("Running")
                    .addNewCondition()
                    .withType("Ready")
                    .withStatus("False")
                    .endCondition()),
            node("True"));
    assertThat(o.state()).isEqualTo(InstanceState.STARTING);
  }

  @Test
  void aCrashLoopIsAFailure() {
    var o =
        PodStates.of(
            pod(
                new PodStatusBuilder()
                    .withPhase("Running")
                    .addNewContainerStatus()
                    .withName("web")
                    .withNewState()
                    .withNewWaiting()
                    .withReason("CrashLoopBackOff")
                    .withMessage("back-off 40s restarting failed container")
                    .endWaiting()
                    .endState()
                    .endContainerStatus()),
            node("True"));
    assertThat(o.state()).isEqualTo(InstanceState.FAILED);
    assertThat(o.reason())
        .isEqualTo("container web CrashLoopBackOff - back-off 40s restarting failed container");
  }

  @Test
  void aFailedPodNamesTheExitCode() {
    var o =
        PodStates.of(
            pod(
                new PodStatusBuilder()
                    .withPhase("Failed")
                    .addNewContainerStatus()
                    .withName("web")
                    .withNewState()
                    .withNewTerminated()
                    .withExitCode(137)
                    .withReason("OOMKilled")
                    .endTerminated()
                    .endState()
                    .endContainerStatus()),
            node("True"));
    assertThat(o)
        .isEqualTo(
            new PodStates.Observed(
                InstanceState.FAILED,
                "pod failed: container web exited with code 137 (OOMKilled)"));
  }

  @Test
  void completedIsStoppedAndUnknownIsFailed() {
    assertThat(PodStates.of(pod(new PodStatusBuilder().withPhase("Succeeded")), null).state())
        .isEqualTo(InstanceState.STOPPED);
    assertThat(PodStates.of(pod(new PodStatusBuilder().withPhase("Unknown")), null).state())
        .isEqualTo(InstanceState.FAILED);
  }

  @Test
  void aRunningPodOnANotReadyNodeIsFailedButACompletedOneStaysStopped() {
    var ready =
        new PodStatusBuilder()
            .withPhase("Running")
            .addNewCondition()
            .withType("Ready")
            .withStatus("True")
            .endCondition();
    assertThat(PodStates.of(pod(ready), node("True")).state()).isEqualTo(InstanceState.RUNNING);
    assertThat(PodStates.of(pod(ready), node("Unknown")).reason())
        .isEqualTo("node edge-1 is NotReady: NodeStatusUnknown");
    assertThat(
            PodStates.of(pod(new PodStatusBuilder().withPhase("Succeeded")), node("False")).state())
        .isEqualTo(InstanceState.STOPPED);
  }
}
