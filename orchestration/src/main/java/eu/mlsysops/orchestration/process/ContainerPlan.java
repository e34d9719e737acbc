package eu.mlsysops.orchestration.process;

import java.util.List;
import java.util.Map;

/**
 * One container of one instance, resolved: what to execute, with which environment, which ports it
 * declares and which limits apply.
 *
 * @param index the container's position in the component's {@code containers}
 * @param argv the command with {@code $(VAR)} references expanded
 * @param env the complete environment of the process
 * @param ports the declared ports
 * @param cpuLimitMillis {@code platform_requirements.cpu.limits} in millicores, 0 for none
 * @param cpuRequestMillis {@code platform_requirements.cpu.requests} in millicores, 0 for none
 * @param memoryLimitBytes {@code platform_requirements.memory.limits} in bytes, 0 for none
 * @param workingDir the directory its {@code working_dir} names, or null: it runs in the
 *     instance's own directory
 */
record ContainerPlan(
    int index,
    List<String> argv,
    Map<String, String> env,
    List<PortBinding> ports,
    long cpuLimitMillis,
    long cpuRequestMillis,
    long memoryLimitBytes,
    java.nio.file.Path workingDir) {

  ContainerPlan {
    argv = List.copyOf(argv);
    env = Map.copyOf(env);
    ports = List.copyOf(ports);
  }

  /** The descriptor path of this container, for messages. */
  String field() {
    return "containers[" + index + "]";
  }

  boolean hasLimits() {
    return cpuLimitMillis > 0 || memoryLimitBytes > 0;
  }

  /**
   * A declared port.
   *
   * @param field its descriptor path, e.g. {@code containers[0].ports[1]}
   * @param hostIp the address to check, or null for every interface
   * @param port the host port (or the container port when no host port is given)
   * @param protocol {@code TCP}, {@code UDP} or {@code SCTP}
   */
  record PortBinding(String field, String hostIp, int port, String protocol) {}
}
