package eu.mlsysops.kubernetes;

import eu.mlsysops.orchestration.InstanceState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.util.List;
import java.util.Set;

/** What an observed pod (and its node) mean for the instance: a state and a reason for people. */
final class PodStates {
  /** Waiting reasons the kubelet does not get out of by itself. */
  private static final Set<String> STUCK =
      Set.of(
          "CrashLoopBackOff",
          "ImagePullBackOff",
          "ErrImagePull",
          "InvalidImageName",
          "CreateContainerConfigError",
          "CreateContainerError",
          "RunContainerError");

  private PodStates() {}

  /** A state and why. */
  record Observed(InstanceState state, String reason) {}

  /**
   * @param pod the pod as last seen
   * @param node its node as last seen, or null when unknown (not yet scheduled, or not watched)
   */
  static Observed of(Pod pod, Node node) {
    PodStatus s = pod.getStatus();
    String phase = s == null || s.getPhase() == null ? "Pending" : s.getPhase();
    String nodeName = pod.getMetadata().getAnnotations().getOrDefault(Names.NODE_NAME, "?");
    if (!phase.equals("Succeeded") && !phase.equals("Failed") && node != null) {
      NodeCondition ready = condition(node);
      if (ready != null && !"True".equals(ready.getStatus())) {
        String why = ready.getReason() == null ? "" : ": " + ready.getReason();
        return new Observed(
            InstanceState.FAILED,
            "node " + nodeName + " is NotReady" + why + message(ready.getMessage()));
      }
    }
    switch (phase) {
      case "Succeeded":
        return new Observed(InstanceState.STOPPED, "pod completed");
      case "Failed":
        return new Observed(InstanceState.FAILED, "pod failed" + failure(s));
      case "Unknown":
        return new Observed(
            InstanceState.FAILED, "pod state Unknown (its node stopped reporting)" + failure(s));
      default:
        break;
    }
    if (s != null) {
      for (ContainerStatus cs : list(s.getContainerStatuses())) {
        ContainerStateWaiting w = cs.getState() == null ? null : cs.getState().getWaiting();
        if (w != null && STUCK.contains(w.getReason())) {
          return new Observed(
              InstanceState.FAILED,
              "container " + cs.getName() + " " + w.getReason() + message(w.getMessage()));
        }
      }
    }
    if (phase.equals("Running") && podReady(s)) {
      return new Observed(InstanceState.RUNNING, "pod running and ready");
    }
    if (phase.equals("Running")) {
      return new Observed(InstanceState.STARTING, "pod running, containers not ready yet");
    }
    PodCondition scheduled = s == null ? null : find(s.getConditions(), "PodScheduled");
    if (scheduled != null && "False".equals(scheduled.getStatus())) {
      return new Observed(
          InstanceState.STARTING,
          "pod not scheduled: " + scheduled.getReason() + message(scheduled.getMessage()));
    }
    return new Observed(InstanceState.STARTING, "pod pending");
  }

  static boolean nodeReady(Node node) {
    NodeCondition ready = condition(node);
    return ready == null || "True".equals(ready.getStatus());
  }

  private static NodeCondition condition(Node node) {
    if (node.getStatus() == null) {
      return null;
    }
    for (NodeCondition c : list(node.getStatus().getConditions())) {
      if ("Ready".equals(c.getType())) {
        return c;
      }
    }
    return null;
  }

  private static boolean podReady(PodStatus s) {
    PodCondition ready = find(s.getConditions(), "Ready");
    if (ready != null) {
      return "True".equals(ready.getStatus());
    }
    // No conditions reported: fall back to the containers.
    List<ContainerStatus> cs = list(s.getContainerStatuses());
    return !cs.isEmpty() && cs.stream().allMatch(c -> Boolean.TRUE.equals(c.getReady()));
  }

  private static String failure(PodStatus s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    if (s.getReason() != null) {
      b.append(": ").append(s.getReason()).append(message(s.getMessage()));
    }
    for (ContainerStatus cs : list(s.getContainerStatuses())) {
      ContainerStateTerminated t = cs.getState() == null ? null : cs.getState().getTerminated();
      if (t != null && (t.getExitCode() == null || t.getExitCode() != 0)) {
        b.append(b.length() == 0 ? ": " : "; ")
            .append("container ")
            .append(cs.getName())
            .append(" exited with code ")
            .append(t.getExitCode())
            .append(t.getReason() == null ? "" : " (" + t.getReason() + ")")
            .append(message(t.getMessage()));
      }
    }
    return b.toString();
  }

  private static PodCondition find(List<PodCondition> conditions, String type) {
    for (PodCondition c : list(conditions)) {
      if (type.equals(c.getType())) {
        return c;
      }
    }
    return null;
  }

  private static String message(String m) {
    return m == null || m.isBlank() ? "" : " - " + m;
  }

  private static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }
}
