package eu.mlsysops.orchestration.process;

import java.util.List;

/**
 * What one instance of the process runtime used at its latest sample.
 *
 * @param instanceId the instance
 * @param pids the live processes of all its containers (roots and descendants)
 * @param cpuSeconds CPU time used since its processes last started
 * @param cpuCores CPU used between the last two samples, in cores (1.0 = one core busy)
 * @param memoryBytes resident memory now (the cgroup's {@code memory.current} when limits are
 *     enforced, the sum of {@code VmRSS} otherwise)
 * @param restarts how often its containers were restarted by the restart policy
 * @param limitsEnforced whether its CPU and memory limits are enforced by a cgroup
 */
public record InstanceUsage(
    String instanceId,
    List<Long> pids,
    double cpuSeconds,
    double cpuCores,
    long memoryBytes,
    int restarts,
    boolean limitsEnforced) {
  /** Copies the pid list. */
  public InstanceUsage {
    pids = List.copyOf(pids);
  }
}
