package eu.mlsysops.model;

import java.util.List;

/**
 * One container of a component.
 *
 * @param image the container image
 * @param command the command and arguments
 * @param imagePullPolicy {@code Always}, {@code Never} or {@code IfNotPresent}, or null
 * @param accelerationApi acceleration API calls the container uses
 * @param platformRequirements resource requirements, or null
 * @param ports exposed ports
 * @param env environment variables
 * @param workingDir the directory the command runs in ({@code working_dir}, our extension, as
 *     Kubernetes' {@code workingDir}), or null for the runtime's default (the process runtime: the
 *     instance's own empty directory)
 */
public record Container(
    String image,
    List<String> command,
    String imagePullPolicy,
    List<AccelerationApi> accelerationApi,
    PlatformRequirements platformRequirements,
    List<Port> ports,
    List<EnvVar> env,
    String workingDir) {

  /**
   * Copies the lists; nulls become empty lists.
   *
   * @param image see the record description
   * @param command see the record description
   * @param imagePullPolicy see the record description
   * @param accelerationApi see the record description
   * @param platformRequirements see the record description
   * @param ports see the record description
   * @param env see the record description
   * @param workingDir see the record description
   */
  public Container {
    command = Immutable.list(command);
    accelerationApi = Immutable.list(accelerationApi);
    ports = Immutable.list(ports);
    env = Immutable.list(env);
  }
}
